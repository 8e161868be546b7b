"""Events: ingested once per idempotency key; they end, resume, convert and start runs."""
from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from engine.clock import format_utc
from engine.domain import Client, Event, Run, RunStatus, StepRecord, Vendor
from engine.errors import InvalidInput, NotFound
from engine.runtime import causes as c
from engine.runtime.conditions import ConditionContext, evaluate
from engine.runtime.stepper import Runtime
from engine.runtime.walker import event_matches
from engine.storage.base import Tx, locked_runs

HOLDS = ("window", "approval")  # waits that hold a node's own step, not an event's
MAX_MISSED = 20  # events kept per hold (the latest ones)
INGESTIBLE = {"client_added", "form_submitted", "payment_received", "manual"}
_CUSTOM = re.compile(r"^custom:[A-Za-z0-9_.-]{1,64}$")


def check_event_type(event_type: Any) -> str:
    if not isinstance(event_type, str) or not (event_type in INGESTIBLE
                                               or _CUSTOM.match(event_type)):
        raise InvalidInput(f"unknown event type {event_type!r}: use one of "
                           f"{', '.join(sorted(INGESTIBLE))} or custom:<name>",
                           details={"field": "type"})
    return event_type


class EventService:
    def __init__(self, rt: Runtime):
        self.rt = rt

    def ingest(self, vendor_id: str, *, client: str, type: str, data: dict[str, Any] | None = None,
               key: str | None = None, actor: str = "api") -> dict[str, Any]:
        """Ingest an event for a client (by id or external id). The same key twice has one
        effect and returns the first answer."""
        check_event_type(type)
        if data is not None and not isinstance(data, dict):
            raise InvalidInput("event data must be a JSON object", details={"field": "data"})
        if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 200):
            raise InvalidInput("idempotency key must be 1-200 characters")
        with self.rt.store.transaction() as tx:
            if key is not None:
                seen = tx.get_event_by_key(vendor_id, key)
                if seen is not None:  # a replay: the first answer, unchanged, and no effect
                    return copy.deepcopy(seen.result)
            vendor = self.rt.vendor(tx, vendor_id)
            found = tx.get_client(client)
            if found is None or found.vendor_id != vendor_id:
                found = tx.find_client(vendor_id, client)
            if found is None:
                raise NotFound("client", client)
            return self.handle(tx, vendor, found, type, copy.deepcopy(data or {}), key=key)

    def handle(self, tx: Tx, vendor: Vendor, client: Client, event_type: str,
               data: dict[str, Any], *, key: str | None,
               only_journey: str | None = None) -> dict[str, Any]:
        rt = self.rt
        now = rt.clock.now()
        result: dict[str, Any] = {"type": event_type, "client_id": client.id, "started": [],
                                  "resumed": [], "exited": [], "goals": []}
        # The lock order every writer keeps: the client, then its runs (then wake-ups). A step
        # group locks the same way, so an event and a step for one couple never deadlock.
        tx.lock_clients([client.id])
        if event_type == "form_submitted" and isinstance(data.get("form"), str):
            client = client.clone()
            client.form_answers[data["form"]] = dict(data.get("answers") or {})
            tx.put_client(client)
        for run in locked_runs(tx, client.id, RunStatus.OPEN):
            compiled = rt.compiled_for(tx, run.journey_id, run.version, vendor)
            settings = compiled.settings
            if event_type in settings.exit_on:
                ended = run.clone()
                ended.status, ended.ended_at, ended.due_at = RunStatus.EXITED, now, None
                ended.seq += 1
                tx.add_step(StepRecord(run_id=run.id, key=f"control#{ended.seq}", node=run.node,
                                       visit=run.visit, type="control", outcome="exited", at=now,
                                       seq=ended.seq, detail={"event": event_type},
                                       vendor_id=run.vendor_id, journey_id=run.journey_id,
                                       version=run.version, client_id=run.client_id))
                rt.save_run(tx, ended)
                result["exited"].append(run.id)
                continue
            if run.status in (RunStatus.WAITING, RunStatus.NEEDS_DATE):  # paused: ignored
                ctx = rt.context(compiled, client, vendor, now)
                if event_matches(run.wait or {}, event_type, data, ctx, run):
                    rt.advance(tx, run, c.EventArrived(event_type, data), client=client,
                               vendor=vendor)
                    result["resumed"].append(run.id)
                elif (run.wait or {}).get("kind") in HOLDS:
                    self._remember(tx, run, event_type, data, now)
        for run in tx.runs_for_client(client.id):
            self._goal(tx, vendor, client, run, event_type, data, result)
        for journey in tx.live_journeys(vendor.id):
            if only_journey is not None and journey.id != only_journey:
                continue
            compiled = rt.compiled_for(tx, journey.id, journey.live_version, vendor)
            trigger = compiled.trigger
            if trigger.get("event") != event_type:
                continue
            ctx = ConditionContext(client=client.view(), event=data, forms=client.form_answers,
                                   now=now, tz=rt.context(compiled, client, vendor, now).tz)
            if trigger.get("match") and not evaluate(trigger["match"], ctx):
                continue
            current = tx.get_client(client.id) or client
            run = rt.start_run(tx, journey, current, data, vendor)
            if run is not None:
                result["started"].append(run.id)
        result["event_id"] = self.rt.ids.new_id("evt")
        self.record(tx, vendor.id, client, event_type, data, key=key, result=result)
        rt.notify("event", {"type": event_type, "client_id": client.id})
        return result

    def _remember(self, tx: Tx, run: Run, event_type: str, data: dict[str, Any],
                  now: datetime) -> None:
        """A run held by a send window or an approval keeps the events that arrive meanwhile,
        so a wait_for right after the hold takes one that already came (a couple who paid
        while the invoice email waited for Monday is not chased for the payment)."""
        held = run.clone()
        missed = list((held.wait or {}).get("missed") or [])[-(MAX_MISSED - 1):]
        missed.append({"type": event_type, "data": data, "at": format_utc(now)})
        held.wait = {**held.wait, "missed": missed}
        self.rt.save_run(tx, held)

    def record(self, tx: Tx, vendor_id: str, client: Client, event_type: str,
               data: dict[str, Any], *, key: str | None,
               result: dict[str, Any] | None = None) -> Event:
        """Keep the event (and the answer given for it, for idempotent replays)."""
        event = Event(id=(result or {}).get("event_id") or self.rt.ids.new_id("evt"),
                      vendor_id=vendor_id, client_id=client.id, type=event_type, data=data,
                      key=key, received_at=self.rt.clock.now(), result=result or {})
        tx.add_event(event)
        return event

    def _goal(self, tx: Tx, vendor: Vendor, client: Client, run: Any, event_type: str,
              data: dict[str, Any], result: dict[str, Any]) -> None:
        if run.goal_at is not None:
            return
        goal = self.rt.compiled_for(tx, run.journey_id, run.version, vendor).settings.goal
        if not goal or goal.get("event") != event_type:
            return
        if goal.get("match"):
            ctx = ConditionContext(client=client.view(), event=data, forms=client.form_answers,
                                   now=self.rt.clock.now(), tz=self.rt.context(
                                       self.rt.compiled_for(tx, run.journey_id, run.version, vendor),
                                       client, vendor, self.rt.clock.now()).tz)
            if not evaluate(goal["match"], ctx):
                return
        converted = tx.lock_run(run.id).clone()
        converted.goal_at = self.rt.clock.now()
        tx.put_run(converted)
        result["goals"].append(run.id)
