"""An in-memory Store for fast tests and simulation; it passes the same contract tests as SQL.

Transactions are serialised by one lock and undone through an undo log, so a failed step leaves
nothing behind, exactly as a database rollback would.
"""
from __future__ import annotations

import dataclasses
import heapq
import threading
from datetime import datetime, timezone
from typing import Any, Iterable

from engine.domain import (Approval, Client, Effect, Event, FormRequest, Journey, JourneyVersion,
                           Run, StepRecord, Vendor, WakeUp)
from engine.errors import Conflict, DuplicateStep
from engine.storage.base import Store, Tx

_MISSING = object()
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class _Tables:
    def __init__(self) -> None:
        self.vendors: dict[str, Vendor] = {}
        self.clients: dict[str, Client] = {}
        self.client_ext: dict[tuple[str, str], str] = {}
        self.journeys: dict[str, Journey] = {}
        self.versions: dict[tuple[str, int], JourneyVersion] = {}
        self.runs: dict[str, Run] = {}
        self.runs_by_client: dict[str, dict[str, bool]] = {}
        self.steps: dict[str, list[StepRecord]] = {}
        self.step_keys: dict[tuple[str, str], bool] = {}
        self.events: dict[str, Event] = {}
        self.event_keys: dict[tuple[str, str], str] = {}
        self.wakeups: dict[str, WakeUp] = {}
        self.run_wakeup: dict[str, str] = {}
        self.date_trigger: dict[tuple[str, str], str] = {}
        self.due_heap: list[tuple[datetime, int, str]] = []
        self.effects: dict[str, Effect] = {}
        self.effect_keys: dict[str, str] = {}
        self.approvals: dict[str, Approval] = {}
        self.form_requests: dict[str, FormRequest] = {}
        self.counter = 0


_POP = object()


class MemoryTx(Tx):
    def __init__(self, t: _Tables):
        self.t = t
        # Undo entries are (container, key, old value): restore old, or drop the key when it was
        # _MISSING, or pop the list's last item when _POP. Tuples, not closures: this log is
        # written ten times a step in the simulator.
        self.undo: list[tuple[Any, Any, Any]] = []

    # -- undo-logged primitives ------------------------------------------------------------
    def _set(self, mapping: dict, key: Any, value: Any) -> None:
        self.undo.append((mapping, key, mapping.get(key, _MISSING)))
        mapping[key] = value

    def _del(self, mapping: dict, key: Any) -> None:
        old = mapping.pop(key, _MISSING)
        if old is not _MISSING:
            self.undo.append((mapping, key, old))

    def _append(self, items: list, value: Any) -> None:
        items.append(value)
        self.undo.append((items, None, _POP))

    def rollback(self) -> None:
        for target, key, old in reversed(self.undo):
            if old is _POP:
                target.pop()
            elif old is _MISSING:
                target.pop(key, None)
            else:
                target[key] = old
        self.undo.clear()
        # Wake-ups restored by the undo log must be findable again in the due heap.
        for wid, w in self.t.wakeups.items():
            heapq.heappush(self.t.due_heap, (w.due_at, self._next(), wid))

    def _next(self) -> int:
        self.t.counter += 1
        return self.t.counter

    # -- vendors -----------------------------------------------------------------------------
    def get_vendor(self, vendor_id: str) -> Vendor | None:
        return self.t.vendors.get(vendor_id)

    def put_vendor(self, vendor: Vendor) -> None:
        self._set(self.t.vendors, vendor.id, vendor)

    def list_vendors(self) -> list[Vendor]:
        return list(self.t.vendors.values())

    # -- clients -----------------------------------------------------------------------------
    def get_client(self, client_id: str) -> Client | None:
        return self.t.clients.get(client_id)

    def lock_clients(self, client_ids: Iterable[str]) -> list[Client]:
        found = (self.t.clients.get(cid) for cid in sorted(set(client_ids)))
        return [c for c in found if c is not None]

    def find_client(self, vendor_id: str, external_id: str) -> Client | None:
        cid = self.t.client_ext.get((vendor_id, external_id))
        return self.t.clients.get(cid) if cid else None

    def put_client(self, client: Client) -> None:
        old = self.t.clients.get(client.id)
        if client.external_id is not None:
            owner = self.t.client_ext.get((client.vendor_id, client.external_id))
            if owner is not None and owner != client.id:
                raise Conflict(f"a client with external_id {client.external_id!r} already exists",
                               details={"external_id": client.external_id})
        if old is not None and old.external_id is not None and old.external_id != client.external_id:
            self._del(self.t.client_ext, (old.vendor_id, old.external_id))
        if client.external_id is not None:
            self._set(self.t.client_ext, (client.vendor_id, client.external_id), client.id)
        self._set(self.t.clients, client.id, client)

    def delete_client(self, client_id: str) -> None:
        old = self.t.clients.get(client_id)
        if old is None:
            return
        if old.external_id is not None:
            self._del(self.t.client_ext, (old.vendor_id, old.external_id))
        self._del(self.t.clients, client_id)

    def list_clients(self, vendor_id: str, *, search: str | None = None, limit: int = 100,
                     offset: int = 0) -> list[Client]:
        needle = (search or "").lower()
        found = [c for c in self.t.clients.values() if c.vendor_id == vendor_id and (
            not needle or needle in c.name.lower() or needle in c.email.lower()
            or needle in (c.external_id or "").lower())]
        found.sort(key=lambda c: (c.name.lower(), c.id))
        return found[offset:offset + limit]

    # -- journeys ----------------------------------------------------------------------------
    def get_journey(self, journey_id: str) -> Journey | None:
        return self.t.journeys.get(journey_id)

    def put_journey(self, journey: Journey) -> None:
        self._set(self.t.journeys, journey.id, journey)

    def delete_journey(self, journey_id: str) -> None:
        self._del(self.t.journeys, journey_id)

    def list_journeys(self, vendor_id: str) -> list[Journey]:
        found = [j for j in self.t.journeys.values() if j.vendor_id == vendor_id]
        return sorted(found, key=lambda j: (j.name.lower(), j.id))

    def live_journeys(self, vendor_id: str) -> list[Journey]:
        return [j for j in self.list_journeys(vendor_id)
                if j.live_version is not None and not j.archived]

    def get_version(self, journey_id: str, version: int) -> JourneyVersion | None:
        return self.t.versions.get((journey_id, version))

    def add_version(self, version: JourneyVersion) -> None:
        key = (version.journey_id, version.version)
        if key in self.t.versions:
            raise Conflict(f"version {version.version} of journey {version.journey_id!r} exists")
        self._set(self.t.versions, key, version)

    def list_versions(self, journey_id: str) -> list[JourneyVersion]:
        found = [v for (jid, _), v in self.t.versions.items() if jid == journey_id]
        return sorted(found, key=lambda v: v.version)

    # -- runs --------------------------------------------------------------------------------
    def get_run(self, run_id: str) -> Run | None:
        return self.t.runs.get(run_id)

    def lock_run(self, run_id: str) -> Run | None:
        return self.t.runs.get(run_id)  # memory transactions are exclusive already

    def lock_runs(self, run_ids: Iterable[str]) -> list[Run]:
        found = (self.t.runs.get(rid) for rid in sorted(set(run_ids)))
        return [r for r in found if r is not None]

    def put_run(self, run: Run) -> None:
        if run.id not in self.t.runs:
            self._set(self.t.runs_by_client.setdefault(run.client_id, {}), run.id, True)
        self._set(self.t.runs, run.id, run)

    def runs_for_client(self, client_id: str, *, journey_id: str | None = None,
                        statuses: Iterable[str] | None = None) -> list[Run]:
        wanted = set(statuses) if statuses is not None else None
        found = []
        for rid in self.t.runs_by_client.get(client_id, {}):
            run = self.t.runs[rid]
            if journey_id is not None and run.journey_id != journey_id:
                continue
            if wanted is not None and run.status not in wanted:
                continue
            found.append(run)
        return found

    def list_runs(self, vendor_id: str, *, journey_id: str | None = None,
                  client_id: str | None = None, status: str | None = None,
                  node: str | None = None, version: int | None = None, limit: int = 100,
                  offset: int = 0) -> list[Run]:
        found = [r for r in self.t.runs.values() if r.vendor_id == vendor_id
                 and (journey_id is None or r.journey_id == journey_id)
                 and (client_id is None or r.client_id == client_id)
                 and (status is None or r.status == status)
                 and (node is None or r.node == node)
                 and (version is None or r.version == version)]
        found.sort(key=lambda r: (r.started_at or _EPOCH, r.id))
        return found[offset:offset + limit]

    # -- steps -------------------------------------------------------------------------------
    def add_step(self, step: StepRecord) -> None:
        key = (step.run_id, step.key)
        if key in self.t.step_keys:
            raise DuplicateStep(f"step {step.key} of run {step.run_id} was already executed",
                                details={"run": step.run_id, "key": step.key})
        self._set(self.t.step_keys, key, True)
        if step.run_id not in self.t.steps:
            self._set(self.t.steps, step.run_id, [])
        self._append(self.t.steps[step.run_id], step)

    def steps_for_run(self, run_id: str) -> list[StepRecord]:
        return list(self.t.steps.get(run_id, []))

    # -- events ------------------------------------------------------------------------------
    def get_event_by_key(self, vendor_id: str, key: str) -> Event | None:
        eid = self.t.event_keys.get((vendor_id, key))
        return self.t.events.get(eid) if eid else None

    def add_event(self, event: Event) -> None:
        if event.key is not None:
            if (event.vendor_id, event.key) in self.t.event_keys:
                raise Conflict(f"an event with idempotency key {event.key!r} exists")
            self._set(self.t.event_keys, (event.vendor_id, event.key), event.id)
        self._set(self.t.events, event.id, event)

    def list_events(self, vendor_id: str, *, client_id: str | None = None,
                    limit: int = 100) -> list[Event]:
        found = [e for e in self.t.events.values() if e.vendor_id == vendor_id
                 and (client_id is None or e.client_id == client_id)]
        found.sort(key=lambda e: (e.received_at, e.id), reverse=True)
        return found[:limit]

    # -- wake-ups ----------------------------------------------------------------------------
    def put_wakeup(self, wakeup: WakeUp) -> None:
        if wakeup.kind == "run":
            index, key = self.t.run_wakeup, wakeup.run_id
        else:
            index, key = self.t.date_trigger, (wakeup.journey_id, wakeup.client_id)
        old_id = index.get(key)
        if old_id is not None and old_id != wakeup.id:
            self._del(self.t.wakeups, old_id)
        self._set(index, key, wakeup.id)
        self._set(self.t.wakeups, wakeup.id, wakeup)
        heapq.heappush(self.t.due_heap, (wakeup.due_at, self._next(), wakeup.id))

    def delete_run_wakeup(self, run_id: str) -> None:
        wid = self.t.run_wakeup.get(run_id)
        if wid is not None:
            self._del(self.t.run_wakeup, run_id)
            self._del(self.t.wakeups, wid)

    def delete_date_trigger(self, journey_id: str, client_id: str) -> None:
        wid = self.t.date_trigger.get((journey_id, client_id))
        if wid is not None:
            self._del(self.t.date_trigger, (journey_id, client_id))
            self._del(self.t.wakeups, wid)

    def get_run_wakeup(self, run_id: str) -> WakeUp | None:
        wid = self.t.run_wakeup.get(run_id)
        return self.t.wakeups.get(wid) if wid else None

    def date_triggers_for_client(self, client_id: str) -> list[WakeUp]:
        return [self.t.wakeups[wid] for (_, cid), wid in self.t.date_trigger.items()
                if cid == client_id and wid in self.t.wakeups]

    def _clean_heap_top(self) -> None:
        heap = self.t.due_heap
        while heap:
            due, _, wid = heap[0]
            w = self.t.wakeups.get(wid)
            if w is not None and w.due_at == due:
                return
            heapq.heappop(heap)

    def due_wakeups(self, now: datetime, limit: int) -> list[WakeUp]:
        # Pop valid due entries in order, then push them back: O(k log n), stale ones dropped.
        heap, found, kept, seen = self.t.due_heap, [], [], set()
        while heap and len(found) < limit and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            w = self.t.wakeups.get(entry[2])
            if w is not None and w.due_at == entry[0] and w.id not in seen:
                seen.add(w.id)
                found.append(w)
                kept.append(entry)
        for entry in kept:
            heapq.heappush(heap, entry)
        return found

    def next_due_at(self) -> datetime | None:
        self._clean_heap_top()
        return self.t.due_heap[0][0] if self.t.due_heap else None

    def count_wakeups(self) -> int:
        return len(self.t.wakeups)

    def claim_due(self, now: datetime, limit: int, *, owner: str, lease_until: datetime,
                  lease_now: datetime | None = None) -> list[WakeUp]:
        lease_now = lease_now if lease_now is not None else now
        heap, found, kept, seen = self.t.due_heap, [], [], set()
        while heap and len(found) < limit and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            w = self.t.wakeups.get(entry[2])
            if w is None or w.due_at != entry[0] or w.id in seen:
                continue  # stale entry: dropped
            seen.add(w.id)
            kept.append(entry)
            if w.lease_until is not None and w.lease_until >= lease_now and w.lease_owner != owner:
                continue  # held by a live lease of another owner
            claimed = dataclasses.replace(w, lease_owner=owner, lease_until=lease_until)
            self._set(self.t.wakeups, w.id, claimed)
            found.append(claimed)
        for entry in kept:
            heapq.heappush(heap, entry)
        return found

    def _relet(self, owner: str, ids: Iterable[str] | None, **lease: Any) -> int:
        wanted = self.t.wakeups.keys() if ids is None else ids
        changed = 0
        for wid in list(wanted):
            w = self.t.wakeups.get(wid)
            if w is not None and w.lease_owner == owner:
                self._set(self.t.wakeups, wid, dataclasses.replace(w, **lease))
                changed += 1
        return changed

    def renew_leases(self, owner: str, until: datetime, ids: Iterable[str] | None = None) -> int:
        return self._relet(owner, ids, lease_until=until)

    def release_leases(self, owner: str, ids: Iterable[str] | None = None) -> int:
        return self._relet(owner, ids, lease_owner=None, lease_until=None)

    def lock_wakeup(self, wakeup_id: str) -> WakeUp | None:
        return self.t.wakeups.get(wakeup_id)  # memory transactions are already exclusive

    def lock_wakeups(self, wakeup_ids: Iterable[str]) -> list[WakeUp]:
        found = (self.t.wakeups.get(wid) for wid in sorted(set(wakeup_ids)))
        return [w for w in found if w is not None]

    # -- outbox ------------------------------------------------------------------------------
    def add_effect(self, effect: Effect) -> bool:
        if effect.key in self.t.effect_keys:
            return False
        self._set(self.t.effect_keys, effect.key, effect.id)
        self._set(self.t.effects, effect.id, effect)
        return True

    def get_effect(self, effect_id: str) -> Effect | None:
        return self.t.effects.get(effect_id)

    def put_effect(self, effect: Effect) -> None:
        self._set(self.t.effects, effect.id, effect)

    def list_effects(self, vendor_id: str | None = None, *, status: str | None = None,
                     run_id: str | None = None, limit: int = 100) -> list[Effect]:
        found = [e for e in self.t.effects.values()
                 if (vendor_id is None or e.vendor_id == vendor_id)
                 and (status is None or e.status == status)
                 and (run_id is None or e.run_id == run_id)]
        found.sort(key=lambda e: (e.created_at, e.id))
        return found[:limit]

    def due_effects(self, now: datetime, limit: int) -> list[Effect]:
        found = [e for e in self.t.effects.values() if e.status == "pending"
                 and (e.next_attempt_at is None or e.next_attempt_at <= now)]
        found.sort(key=lambda e: (e.next_attempt_at or e.created_at, e.id))
        return found[:limit]

    # -- approvals and forms -----------------------------------------------------------------
    def get_approval(self, approval_id: str) -> Approval | None:
        return self.t.approvals.get(approval_id)

    def put_approval(self, approval: Approval) -> None:
        self._set(self.t.approvals, approval.id, approval)

    def list_approvals(self, vendor_id: str, *, status: str | None = "pending") -> list[Approval]:
        found = [a for a in self.t.approvals.values() if a.vendor_id == vendor_id
                 and (status is None or a.status == status)]
        return sorted(found, key=lambda a: (a.created_at, a.id))

    def get_form_request(self, token: str) -> FormRequest | None:
        return self.t.form_requests.get(token)

    def put_form_request(self, request: FormRequest) -> None:
        self._set(self.t.form_requests, request.token, request)


class _Transaction:
    """The context manager MemoryStore.transaction() returns: holds the store's lock for the
    block and rolls the transaction back if the block raises. A class rather than a
    @contextmanager generator: the simulator opens several per step."""

    __slots__ = ("_lock", "_tables", "_tx")

    def __init__(self, lock: Any, tables: _Tables) -> None:
        self._lock, self._tables = lock, tables

    def __enter__(self) -> MemoryTx:
        self._lock.acquire()
        try:
            self._tx = MemoryTx(self._tables)
        except BaseException:
            self._lock.release()
            raise
        return self._tx

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        try:
            if exc_type is not None:
                self._tx.rollback()
        finally:
            self._lock.release()
        return False


class MemoryStore(Store):
    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = threading.RLock()

    def transaction(self) -> _Transaction:
        return _Transaction(self._lock, self._tables)
