"""Carry out decisions: walk a run, then write its state, step log, outbox, approvals and next
wake-up in the caller's transaction. Also claims due wake-ups, one transaction per step."""
from __future__ import annotations

import copy
import logging
from datetime import datetime
from typing import Any, Callable

from engine.calendar import client_zone, resolve_time
from engine.clock import Clock, ManualClock
from engine.domain import (Approval, Client, Effect, FormRequest, Journey, Run, RunStatus,
                           StepRecord, Vendor, WakeUp)
from engine.errors import JourneyError, MissingDate, NotFound, StorageUnavailable
from engine.ids import IdFactory, RandomIds
from engine.runtime import causes as c
from engine.runtime.commands import (CreateApproval, CreateFormRequest, EnqueueEffect, RecordStep,
                                     ResolveApproval, UpdateClient)
from engine.runtime.compiled import CompiledCache, CompiledVersion
from engine.runtime.walker import Decision, WalkContext, walk
from engine.storage.base import Store, Tx

log = logging.getLogger("journeys.runtime")

Listener = Callable[[str, dict[str, Any]], None]


def approval_id(run_id: str, node: str, visit: int) -> str:
    return f"{run_id}:{node}:{visit}"


class Runtime:
    """The shared machinery every service uses: store, clock, ids and the compiled-version cache."""

    def __init__(self, store: Store, clock: Clock, ids: IdFactory | None = None, *,
                 base_url: str = "http://localhost:3000", seed: str = "0"):
        self.store = store
        self.clock = clock
        self.ids = ids or RandomIds()
        self.base_url = base_url
        self.seed = seed
        self.compiled = CompiledCache()
        self.listeners: list[Listener] = []
        self.step_hooks: list[Callable[[StepRecord, Client], None]] = []

    # -- lookups ---------------------------------------------------------------------------
    def compiled_for(self, tx: Tx, journey_id: str, version: int,
                     vendor: Vendor | None = None) -> CompiledVersion:
        blackouts = tuple(sorted(vendor.blackout_dates)) if vendor else ()
        # Published versions never change: once compiled, skip reading the document again
        # (a query per call on SQL, several per step).
        cached = self.compiled.peek(journey_id, version, blackouts)
        if cached is not None:
            return cached
        found = tx.get_version(journey_id, version)
        if found is None:
            raise NotFound("journey version", f"{journey_id} v{version}")
        return self.compiled.get(journey_id, version, found.document, blackouts)

    def vendor(self, tx: Tx, vendor_id: str) -> Vendor:
        vendor = tx.get_vendor(vendor_id)
        if vendor is None:
            raise NotFound("vendor", vendor_id)
        return vendor

    def context(self, compiled: CompiledVersion, client: Client, vendor: Vendor,
                now: datetime) -> WalkContext:
        tz = client_zone(client.timezone, compiled.settings.timezone, vendor.timezone)
        return WalkContext(graph=compiled.graph, settings=compiled.settings, client=client,
                           vendor=vendor, journey_name=compiled.name, tz=tz, now=now,
                           ids=self.ids, seed=self.seed, base_url=self.base_url)

    # -- walking ---------------------------------------------------------------------------
    def advance(self, tx: Tx, run: Run, cause: c.Cause, *, client: Client | None = None,
                vendor: Vendor | None = None) -> Run:
        """Walk `run` for `cause` and write everything it decided. Returns the new run state."""
        vendor = vendor or self.vendor(tx, run.vendor_id)
        # Always the client as this transaction sees it now: an earlier run in the same
        # transaction may have changed it (an action node), and a stale copy would undo that.
        client = tx.get_client(run.client_id) or client
        if client is None:
            raise NotFound("client", run.client_id)
        compiled = self.compiled_for(tx, run.journey_id, run.version, vendor)
        now = self.clock.now()
        working = client.clone()
        decision = walk(self.context(compiled, working, vendor, now), run, cause)
        self.apply(tx, decision, working, now)
        return decision.run

    def apply(self, tx: Tx, decision: Decision, client: Client, now: datetime) -> None:
        run = decision.run
        run.updated_at = now
        steps: list[StepRecord] = []  # written together: one statement on SQL stores
        for cmd in decision.commands:
            if isinstance(cmd, RecordStep):
                steps.append(StepRecord(run_id=run.id, key=f"{cmd.node}#{cmd.visit}",
                                        node=cmd.node, visit=cmd.visit, type=cmd.type,
                                        outcome=cmd.outcome, at=cmd.at, seq=cmd.seq or run.seq,
                                        actor=cmd.actor, detail=cmd.detail,
                                        vendor_id=run.vendor_id, journey_id=run.journey_id,
                                        version=run.version, client_id=run.client_id,
                                        entered_at=cmd.entered_at))
            elif isinstance(cmd, EnqueueEffect):
                tx.add_effect(Effect(id=self.ids.new_id("eff"), vendor_id=run.vendor_id,
                                     key=cmd.key, kind=cmd.kind, payload=cmd.payload,
                                     created_at=now, run_id=run.id, client_id=run.client_id,
                                     destination=cmd.destination, next_attempt_at=now))
            elif isinstance(cmd, CreateApproval):
                tx.put_approval(Approval(id=approval_id(run.id, cmd.node, cmd.visit),
                                         vendor_id=run.vendor_id, run_id=run.id,
                                         client_id=run.client_id, journey_id=run.journey_id,
                                         node=cmd.node, visit=cmd.visit, email=cmd.email,
                                         created_at=now, deadline=cmd.deadline,
                                         on_timeout=cmd.on_timeout))
            elif isinstance(cmd, ResolveApproval):
                approval = tx.get_approval(approval_id(run.id, cmd.node, cmd.visit))
                if approval is not None and approval.status == "pending":
                    approval = copy.copy(approval)  # never change what the store holds
                    approval.status, approval.decided_by = cmd.status, cmd.actor
                    approval.decided_at = now
                    tx.put_approval(approval)
            elif isinstance(cmd, CreateFormRequest):
                tx.put_form_request(FormRequest(id=self.ids.new_id("frq"),
                                                vendor_id=run.vendor_id, token=cmd.token,
                                                form_key=cmd.form_key, client_id=run.client_id,
                                                run_id=run.id, node=cmd.node, created_at=now,
                                                expires_at=cmd.expires_at))
            elif isinstance(cmd, UpdateClient):
                pass  # the working copy is written once below
        if steps:
            tx.add_steps(steps)
            for step in steps:
                for hook in self.step_hooks:
                    hook(step, client)
        if decision.client_changes:
            client.updated_at = now
            tx.put_client(client)
        self.save_run(tx, run)

    def save_run(self, tx: Tx, run: Run) -> None:
        """Write the run and keep its wake-up row in step with `run.due_at`."""
        tx.put_run(run)
        if run.due_at is not None and run.status == RunStatus.WAITING:
            tx.put_wakeup(WakeUp(id=f"w:{run.id}", vendor_id=run.vendor_id, kind="run",
                                 due_at=run.due_at, run_id=run.id, journey_id=run.journey_id,
                                 client_id=run.client_id,
                                 anchor=(run.wait or {}).get("anchor")))
        else:
            tx.delete_run_wakeup(run.id)
        if self.listeners:
            self.notify("run", {"run_id": run.id, "journey_id": run.journey_id,
                                "status": run.status, "node": run.node})

    def notify(self, kind: str, data: dict[str, Any]) -> None:
        for listener in self.listeners:
            try:
                listener(kind, data)
            except Exception:  # a dashboard must never break a step
                log.exception("listener failed")

    # -- starting runs ---------------------------------------------------------------------
    def start_run(self, tx: Tx, journey: Journey, client: Client, event: dict[str, Any],
                  vendor: Vendor) -> Run | None:
        """Enroll `client` in the live version of `journey`, unless re-entry rules forbid it."""
        if journey.live_version is None or journey.archived:
            return None
        compiled = self.compiled_for(tx, journey.id, journey.live_version, vendor)
        previous = tx.runs_for_client(client.id, journey_id=journey.id)
        if previous:
            if compiled.settings.reentry != "after_exit":
                return None
            if any(r.is_open for r in previous):
                return None
        now = self.clock.now()
        run = Run(id=self.ids.new_id("run"), vendor_id=journey.vendor_id, journey_id=journey.id,
                  version=journey.live_version, client_id=client.id, status=RunStatus.ACTIVE,
                  node=None, split_key=f"{client.external_id or client.id}:{len(previous) + 1}",
                  started_at=now, updated_at=now)
        return self.advance(tx, run, c.Start(event), client=client, vendor=vendor)

    # -- date triggers ---------------------------------------------------------------------
    def date_trigger_moment(self, compiled: CompiledVersion, client: Client,
                            vendor: Vendor) -> datetime | None:
        config = compiled.trigger
        tz = client_zone(client.timezone, compiled.settings.timezone, vendor.timezone)
        spec = {k: config[k] for k in ("anchor", "offset", "at") if k in config}
        try:
            return resolve_time(spec, client_dates=client.anchor_dates(), tz=tz,
                                calendar=compiled.settings.calendar)
        except MissingDate:
            return None

    def sync_date_triggers(self, tx: Tx, client: Client, vendor: Vendor, *,
                           journeys: list[Journey] | None = None,
                           fire_overdue: bool = True) -> list[dict[str, Any]]:
        """Create, move or drop the pending date triggers of `client`.

        A moment already past is not scheduled for a new client (the spec: a client added after
        the moment is not enrolled). A pending trigger that a reschedule moves into the past
        fires at once (late, never lost), like a delay without a past_due edge.
        """
        now = self.clock.now()
        changes = []
        pending = {w.journey_id: w for w in tx.date_triggers_for_client(client.id)}
        for journey in journeys if journeys is not None else tx.live_journeys(client.vendor_id):
            compiled = self.compiled_for(tx, journey.id, journey.live_version, vendor)
            existing = pending.get(journey.id)
            if compiled.trigger.get("event") != "date":
                if existing is not None:  # a new version no longer starts on a date
                    tx.delete_date_trigger(journey.id, client.id)
                continue
            moment = self.date_trigger_moment(compiled, client, vendor)
            if moment is not None and moment >= now:  # a moment arriving now still counts
                if existing is None or existing.due_at != moment:
                    tx.put_wakeup(WakeUp(id=f"dt:{journey.id}:{client.id}",
                                         vendor_id=client.vendor_id, kind="date_trigger",
                                         due_at=moment, journey_id=journey.id,
                                         client_id=client.id,
                                         anchor=compiled.trigger.get("anchor")))
                    changes.append({"journey_id": journey.id, "from": existing and existing.due_at,
                                    "to": moment, "outcome": "moved" if existing else "scheduled"})
            elif existing is not None:
                tx.delete_date_trigger(journey.id, client.id)
                if moment is not None and fire_overdue:
                    self.start_run(tx, journey, client, {"type": "date"}, vendor)
                    changes.append({"journey_id": journey.id, "from": existing.due_at,
                                    "to": moment, "outcome": "fired_late"})
                else:
                    changes.append({"journey_id": journey.id, "from": existing.due_at,
                                    "to": None, "outcome": "dropped"})
        return changes

    # -- due work ----------------------------------------------------------------------------
    def run_due(self, limit: int = 1000, *, per_commit: int = 1) -> int:
        """Run every wake-up due now, each in its own transaction. Returns how many ran.

        `per_commit` > 1 runs up to that many in one transaction (group commit: one commit, and
        on SQLite one write of the WAL, for the group); if a step of the group raises, the group
        is rolled back and run again one wake-up per transaction, as below."""
        if per_commit > 1:
            return self._run_due_grouped(limit, per_commit)
        done = 0
        while done < limit:
            due: list[WakeUp] = []
            try:
                with self.store.transaction() as tx:
                    due = tx.due_wakeups(self.clock.now(), 1)
                    if not due:
                        break
                    self._process(tx, due[0])
            except StorageUnavailable:
                raise  # nothing was written; the scheduler retries on its next tick
            except Exception as error:  # noqa: BLE001 - one bad step must not block the queue
                if not isinstance(error, JourneyError):
                    log.exception("unexpected error in a step")
                self._quarantine(due[0] if due else None, error)
            done += 1
        return done

    def _run_due_grouped(self, limit: int, per_commit: int) -> int:
        done = 0
        while done < limit:
            due: list[WakeUp] = []
            try:
                with self.store.transaction() as tx:
                    due = tx.due_wakeups(self.clock.now(), min(per_commit, limit - done))
                    if not due:
                        break
                    # Read the group's clients and runs in two statements; each step finds them
                    # already held by the transaction.
                    tx.lock_clients(w.client_id for w in due if w.client_id is not None)
                    tx.lock_runs(w.run_id for w in due if w.run_id is not None)
                    tx.defer_writes()
                    for wakeup in due:
                        self._process(tx, wakeup)
            except StorageUnavailable:
                raise
            except Exception:  # noqa: BLE001 - find the broken step; the rest still run
                done += self.run_due(len(due))
                continue
            done += len(due)
        return done

    def _process(self, tx: Tx, wakeup: WakeUp) -> None:
        if wakeup.kind == "date_trigger":
            tx.delete_date_trigger(wakeup.journey_id, wakeup.client_id)
            journey = tx.get_journey(wakeup.journey_id)
            client = tx.get_client(wakeup.client_id)
            if journey is None or client is None or journey.live_version is None:
                return
            vendor = self.vendor(tx, client.vendor_id)
            compiled = self.compiled_for(tx, journey.id, journey.live_version, vendor)
            if compiled.trigger.get("event") == "date":
                self.start_run(tx, journey, client, {"type": "date"}, vendor)
            return
        run = tx.lock_run(wakeup.run_id)
        if run is None or run.status != RunStatus.WAITING or run.due_at != wakeup.due_at:
            tx.delete_run_wakeup(wakeup.run_id)  # stale: the run moved on
            return
        self.advance(tx, run, c.Wake())

    def process_wakeup(self, tx: Tx, wakeup: WakeUp) -> None:
        """Carry out one wake-up the caller has claimed, in the caller's transaction (the
        scale-out claim loop: engine.scaleout.claims)."""
        self._process(tx, wakeup)

    def _quarantine(self, wakeup: WakeUp | None, error: Exception) -> None:
        """A wake-up whose step cannot be carried out fails its run instead of looping forever."""
        if wakeup is None:
            return
        with self.store.transaction() as tx:
            self.fail_wakeup(tx, wakeup, error)

    def fail_wakeup(self, tx: Tx, wakeup: WakeUp, error: Exception) -> None:
        """Fail the run of a wake-up whose step raised (or drop the date trigger), in `tx`."""
        log.error("step failed for wake-up %s: %s", wakeup.id, error)
        if wakeup.kind == "run":
            run = tx.lock_run(wakeup.run_id)
            if run is not None:
                run = run.clone()
                run.status, run.error, run.due_at = RunStatus.FAILED, str(error), None
                self.save_run(tx, run)
            else:
                tx.delete_run_wakeup(wakeup.run_id)
        else:
            tx.delete_date_trigger(wakeup.journey_id, wakeup.client_id)

    def run_until(self, target: datetime, *, between: Callable[[datetime], None] | None = None
                  ) -> int:
        """With a ManualClock: step time from wake-up to wake-up up to `target`, running each one
        at its own due instant, as a live engine would. `between(t)` runs before each jump."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("run_until needs a ManualClock")
        total = 0
        while True:
            total += self.run_due()
            with self.store.transaction() as tx:
                nxt = tx.next_due_at()
            if nxt is None or nxt > target:
                break
            if nxt > clock.now():
                clock.set(nxt)
        if clock.now() < target:
            clock.set(target)
        return total + self.run_due()
