"""Time-travel simulation: the live runtime on a ManualClock, a memory store and sequential ids.

There is no second interpreter: the simulator adds clients, feeds events at their instants and
lets `Runtime.run_until` step the virtual clock from wake-up to wake-up, exactly as the live
engine would. Nothing is sent and nothing touches a real database.
"""
from __future__ import annotations

import functools
import gc
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Mapping, Sequence

from engine.calendar import client_zone, format_local, localize
from engine.clock import ManualClock, format_utc, parse_instant
from engine.domain import Client, StepRecord
from engine.errors import InvalidDocument, InvalidInput
from engine.graph.validate import validate
from engine.ids import SequentialIds
from engine.service import Engine
from engine.services.clients import parse_client_fields
from engine.services.events import check_event_type
from engine.storage.memory import MemoryStore

SIM_EVENT_TYPES = {"client_updated", "client_added", "approval"}
EVENT_KEYS = {"at", "client", "type", "data", "key"}  # key: an idempotency key, as live


@dataclass
class SimulationResult:
    steps: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "runs": self.runs}


@dataclass
class _Event:
    at: datetime
    client: str
    type: str
    data: dict[str, Any]
    index: int
    key: str | None = None


def _plus_year(day: date) -> date:
    if day.year >= 9998:
        raise InvalidInput(f"client date {day.isoformat()} is too far in the future to simulate "
                           "a year past it; pass --until")
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _dates_of(data: Mapping[str, Any]) -> list[date]:
    found = []
    for value in [data.get("wedding_date"), *((data.get("dates") or {}).values()
                                              if isinstance(data.get("dates"), dict) else ())]:
        try:
            parsed = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is not None:
            found.append(parsed)
    return found


def default_until(clients: Sequence[Mapping[str, Any]], start: datetime, *,
                  events: Sequence[Mapping[str, Any]] = (), journey_timezone: str | None = None,
                  vendor_timezone: str = "UTC") -> datetime:
    """The spec's default for --until: the last client anchor date plus one year, through the
    end of that local day in the client's zone. Dates set by `client_updated` events count too.
    With no anchor date at all: one year after `start`."""
    latest: datetime | None = None
    by_id = {c.get("id"): c for c in clients if isinstance(c, Mapping)}
    updates: dict[Any, list[date]] = {}
    for event in events or ():
        if isinstance(event, Mapping) and event.get("type") == "client_updated" \
                and isinstance(event.get("data"), Mapping):
            updates.setdefault(event.get("client"), []).extend(_dates_of(event["data"]))
    for cid, client in by_id.items():
        days = _dates_of(client) + updates.get(cid, [])
        if not days:
            continue
        zone = client_zone(client.get("timezone"), journey_timezone, vendor_timezone)
        end = localize(_plus_year(max(days)) + timedelta(days=1), time(0, 0), zone)
        latest = end if latest is None or end > latest else latest
    if latest is None:
        latest = datetime.combine(_plus_year(start.date()), start.timetz())
    return max(latest, start)


def _parse_clients(clients: Any) -> list[dict[str, Any]]:
    if not isinstance(clients, list):
        raise InvalidInput("clients must be a JSON list of client objects")
    seen: set[str] = set()
    parsed = []
    for i, raw in enumerate(clients):
        if not isinstance(raw, dict):
            raise InvalidInput(f"clients[{i}] must be an object")
        cid = raw.get("id")
        if not isinstance(cid, str) or not cid:
            raise InvalidInput(f"clients[{i}]: `id` is required (a non-empty string)")
        if cid in seen:
            raise InvalidInput(f"clients[{i}]: duplicate client id {cid!r}")
        seen.add(cid)
        # A sample client needs little: null means "not given" and name/email get stand-ins.
        data = {k: v for k, v in raw.items() if k not in ("id", "added_at") and v is not None}
        data.setdefault("name", cid)
        data.setdefault("email", f"{cid}@example.invalid" if "@" not in cid else cid)
        try:
            values = parse_client_fields({**data, "external_id": cid}, partial=False)
        except InvalidInput as error:
            raise InvalidInput(f"clients[{i}] ({cid}): {error.message}") from None
        try:
            added_at = parse_instant(str(raw["added_at"])) if raw.get("added_at") else None
        except ValueError:
            raise InvalidInput(f"clients[{i}] ({cid}): `added_at` must be an ISO 8601 instant, "
                               f"got {raw['added_at']!r}") from None
        parsed.append({"id": cid, "data": {**data, "external_id": cid}, "values": values,
                       "added_at": added_at, "index": i})
    return parsed


def _parse_events(events: Any, client_ids: set[str]) -> list[_Event]:
    if events is None:
        return []
    if not isinstance(events, list):
        raise InvalidInput("events must be a JSON list of event objects")
    parsed = []
    for i, raw in enumerate(events):
        where = f"events[{i}]"
        if not isinstance(raw, dict):
            raise InvalidInput(f"{where} must be an object")
        unknown = set(raw) - EVENT_KEYS
        if unknown:
            raise InvalidInput(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        if raw.get("client") not in client_ids:
            raise InvalidInput(f"{where}: unknown client {raw.get('client')!r}")
        etype = raw.get("type")
        if etype not in SIM_EVENT_TYPES:
            try:
                check_event_type(etype)
            except InvalidInput as error:
                raise InvalidInput(f"{where}: {error.message}") from None
        try:
            at = parse_instant(str(raw.get("at")))
        except ValueError:
            raise InvalidInput(f"{where}: `at` must be an ISO 8601 instant, got {raw.get('at')!r}")
        data = raw.get("data") or {}
        if not isinstance(data, dict):
            raise InvalidInput(f"{where}: `data` must be an object")
        if etype == "approval" and (data.get("decision", "approved") not in ("approved",
                                                                             "rejected")
                                    or not isinstance(data.get("edits") or {}, dict)):
            raise InvalidInput(f"{where}: an approval event's data is {{\"decision\": "
                               f"\"approved\" | \"rejected\", \"node\"?, \"edits\"?}}")
        if etype == "client_updated":  # checked up front, not half-way through the run
            try:
                parse_client_fields(data, partial=True)
            except InvalidInput as error:
                raise InvalidInput(f"{where}: {error.message}") from None
        key = raw.get("key")
        if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 200):
            raise InvalidInput(f"{where}: `key` must be a string of 1-200 characters")
        parsed.append(_Event(at=at, client=raw["client"], type=etype, data=data, index=i,
                             key=key))
    parsed.sort(key=lambda e: (e.at, e.index))
    return parsed


_gc_lock = threading.Lock()
_gc_state: dict[str, Any] = {"depth": 0, "saved": None}


def _fewer_gc_pauses(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run `method` with the cyclic GC paused. Each collection rescans the young objects and, as
    they pile up, the whole growing memory store: a 10,000-couple simulation spent a fifth of its
    time there, collecting nothing (a run's objects form no garbage cycles; peak memory is the
    same either way). First in pauses, last out restores what the process had."""
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _gc_lock:
            if _gc_state["depth"] == 0:
                _gc_state["saved"] = gc.isenabled()
                gc.disable()
            _gc_state["depth"] += 1
        try:
            return method(*args, **kwargs)
        finally:
            with _gc_lock:
                _gc_state["depth"] -= 1
                if _gc_state["depth"] == 0 and _gc_state["saved"]:
                    gc.enable()
    return wrapper


class Simulation:
    """One simulation. `shards` > 1 (or "auto", which `simulate()` uses: sharded from
    engine.simulation.shards.AUTO_MIN_CLIENTS clients) runs the clients in independent shards
    across processes and merges their output in a canonical order; the store of `self.engine`
    is then left empty. The default, 1, runs everything here, so a caller may read the store
    after `run()` (the funnel forecast and benchmarks do)."""

    def __init__(self, document: dict[str, Any], clients: Any, events: Any = None, *,
                 start: datetime, until: datetime | None = None, seed: int | str = 0,
                 vendor_timezone: str = "UTC",
                 progress: Callable[[datetime, datetime], None] | None = None,
                 shards: int | str = 1):
        problems = validate(document)
        if any(p.severity == "error" for p in problems):
            raise InvalidDocument(problems)
        if shards != "auto" and (not isinstance(shards, int) or shards < 1):
            raise InvalidInput(f"shards must be a positive number or 'auto', got {shards!r}")
        parsed = _parse_clients(clients)
        parsed_events = _parse_events(events, {c["id"] for c in parsed})
        settings_tz = (document.get("settings") or {}).get("timezone")
        until = until or default_until(clients, start, events=events or (),
                                       journey_timezone=settings_tz,
                                       vendor_timezone=vendor_timezone)
        if until < start:
            raise InvalidInput("--until is before --start")
        self._setup(document, parsed, parsed_events, start=start, until=until, seed=seed,
                    vendor_timezone=vendor_timezone, progress=progress)
        self.shards = shards

    @classmethod
    def _part(cls, document: dict[str, Any], clients: list[dict[str, Any]],
              events: list[_Event], **kwargs: Any) -> "Simulation":
        """A simulation of already checked inputs: one shard of a sharded run."""
        sim = cls.__new__(cls)
        sim._setup(document, clients, events, **kwargs)
        sim.shards = 1
        return sim

    def _setup(self, document: dict[str, Any], clients: list[dict[str, Any]],
               events: list[_Event], *, start: datetime, until: datetime, seed: int | str,
               vendor_timezone: str,
               progress: Callable[[datetime, datetime], None] | None) -> None:
        self.document = document
        self.clients = clients
        self._specs = {c["id"]: c for c in self.clients}
        self.events = events
        self.start = start
        self.until = until
        self.seed = seed
        self.vendor_timezone = vendor_timezone
        self.clock = ManualClock(start)
        self.engine = Engine(MemoryStore(), self.clock, SequentialIds(), seed=str(seed))
        self.vendor = self.engine.create_vendor("Simulation", timezone=vendor_timezone,
                                                vendor_id="sim")
        self.progress = progress
        # (run id, step key, line, virtual instant it was recorded at)
        self.steps: list[tuple[str, str, dict[str, Any], datetime]] = []
        self.records = 0  # step-log records the runtime wrote (before rollbacks and filtering)
        self.engine_ids: dict[str, str] = {}
        self.journey_settings_tz = (document.get("settings") or {}).get("timezone")
        self._last_format: tuple[Any, ...] = (None, None, "", "")
        self._zones: dict[Any, Any] = {}
        # Where the run is, to order errors met in different shards as one process meets
        # them: (0, client index) adding clients at the start, (1, at, index) delivering an
        # event, (2,) otherwise.
        self.position: tuple[Any, ...] = (2,)
        self.engine.runtime.step_hooks.append(self._record)

    def _record(self, step: StepRecord, client: Client) -> None:
        self.records += 1
        # Node steps only: the trigger shows in the run's path, controls are not steps, and a
        # failure is shown by the run's status (the spec's outcomes have no "failed").
        if step.type in ("trigger", "control") or step.outcome == "failed":
            return
        tz = self._zones.get(client.timezone)
        if tz is None:
            tz = self._zones[client.timezone] = client_zone(
                client.timezone, self.journey_settings_tz, self.vendor.timezone)
        # A walk logs several steps at one instant: format each (instant, zone) once.
        last = self._last_format
        if last[0] != step.at or last[1] is not tz:
            last = self._last_format = (step.at, tz, format_utc(step.at),
                                        format_local(step.at, tz))
        self.steps.append((step.run_id, step.key, {
            "client": client.external_id, "node": step.node, "type": step.type,
            "at": last[2], "local": last[3], "outcome": step.outcome}, self.clock.now()))

    def _committed(self) -> list[tuple[dict[str, Any], datetime]]:
        """The recorded lines whose transaction committed (a rolled-back step never happened),
        each with the virtual instant it was recorded at."""
        with self.engine.store.transaction() as tx:
            kept: dict[str, set[str]] = {}
            for run_id, _, _, _ in self.steps:
                if run_id not in kept:
                    kept[run_id] = {s.key for s in tx.steps_for_run(run_id)}
        return [(line, now) for run_id, key, line, now in self.steps if key in kept[run_id]]

    def _committed_steps(self) -> list[dict[str, Any]]:
        return [line for line, _ in self._committed()]

    @_fewer_gc_pauses
    def run(self) -> SimulationResult:
        if self.shards != 1:
            from engine.simulation.shards import plan_shards, run_sharded
            plan = plan_shards(self.clients, self.events, self.shards)
            if len(plan) > 1:
                return run_sharded(self, plan)
        steps, runs = self._run_here()
        return SimulationResult(steps=[line for line, _ in steps], runs=[r for _, r in runs])

    def _run_here(self) -> tuple[list[tuple[dict[str, Any], datetime]],
                                 list[tuple[datetime, dict[str, Any]]]]:
        """Run in this process: the committed step lines, each with the virtual instant it was
        recorded at, and the runs, each with its start instant (the keys a sharded run merges
        on)."""
        engine = self.engine
        journey = engine.journeys.create("sim", self.document, actor="simulation")
        engine.journeys.publish("sim", journey.id, actor="simulation")
        late = {e.client for e in self.events if e.type == "client_added"}
        arrivals = [_Event(at=c["added_at"], client=c["id"], type="client_added", data={},
                           index=-1) for c in self.clients if c["added_at"] and c["id"] not in late]
        queue = sorted(self.events + arrivals, key=lambda e: (e.at, e.index))
        for c in self.clients:
            if c["id"] not in late and not c["added_at"]:
                self.position = (0, c["index"])
                self._add(c["id"])
        for event in queue:
            if event.at > self.until:
                break
            # Everything due strictly before the event runs first; wake-ups due at the event's
            # own instant run after it (and after every other event of that instant). An event
            # before --start is delivered at the start.
            if event.at > self.clock.now():
                self.position = (2,)
                self._advance_to(event.at - timedelta(microseconds=1))
                self.clock.set(event.at)
            self.position = (1, event.at, event.index)
            self._deliver(event)
        self.position = (2,)
        self._advance_to(self.until)
        return self._committed(), self._runs(journey.id)

    def _advance_to(self, target: datetime) -> None:
        if target <= self.clock.now():
            self.engine.run_due()
            return
        self.engine.run_until(target, between=None)
        if self.progress:
            self.progress(self.clock.now(), self.until)

    def _add(self, cid: str, event_data: dict[str, Any] | None = None) -> None:
        spec = self._specs[cid]
        if cid in self.engine_ids:
            return
        client = self.engine.clients.add("sim", spec["data"], actor="simulation",
                                         event_data=event_data)
        self.engine_ids[cid] = client.id

    def _deliver(self, event: _Event) -> None:
        engine = self.engine
        if event.type == "client_added":
            self._add(event.client, event.data)
            return
        if event.client not in self.engine_ids:
            raise InvalidInput(f"event at {format_utc(event.at)} for client {event.client!r} "
                               "before that client was added")
        cid = self.engine_ids[event.client]
        if event.type == "client_updated":
            engine.clients.update("sim", cid, event.data, actor="simulation")
        elif event.type == "approval":
            decision = event.data.get("decision", "approved")
            for approval in engine.runs.approvals("sim"):
                if approval.client_id == cid and (not event.data.get("node")
                                                  or approval.node == event.data["node"]):
                    engine.runs.decide("sim", approval.id, decision=decision,
                                       actor="simulation", edits=event.data.get("edits"))
        else:
            engine.events.ingest("sim", client=cid, type=event.type, data=event.data,
                                 key=event.key, actor="simulation")

    def _runs(self, journey_id: str) -> list[tuple[datetime, dict[str, Any]]]:
        """The runs in the store's order (start instant, then run id), each with its start."""
        out = []
        with self.engine.store.transaction() as tx:
            runs = tx.list_runs("sim", journey_id=journey_id, limit=10**9)
            for run in runs:
                client = tx.get_client(run.client_id)
                done = [s for s in sorted(tx.steps_for_run(run.id), key=_seq)
                        if s.type != "control" and s.outcome != "failed"]
                path = [s.node for s in done]
                if run.node and f"{run.node}#{run.visit}" not in {s.key for s in done}:
                    path.append(run.node)  # where it waits, failed, or was when it ended
                out.append((run.started_at, {
                    "client": client.external_id if client else run.client_id,
                    "status": run.status, "path": path}))
        return out


def _seq(step: StepRecord) -> int:
    return step.seq


def simulate(document: dict[str, Any], clients: Any, events: Any = None, *, start: datetime,
             until: datetime | None = None, seed: int | str = 0, vendor_timezone: str = "UTC",
             progress: Callable[[datetime, datetime], None] | None = None,
             shards: int | str = "auto") -> dict[str, Any]:
    """Run `document` for `clients` from `start` to `until`; returns the spec's output object.

    Many clients run in shards across processes (`shards="auto"`); the output is the same
    whatever the number of shards and cores (engine.simulation.shards)."""
    return Simulation(document, clients, events, start=start, until=until, seed=seed,
                      vendor_timezone=vendor_timezone, progress=progress,
                      shards=shards).run().to_dict()
