"""A tiny world for engine tests: memory store, manual clock, sequential ids, one vendor.

Documents are built with the small functions below so a test shows only the nodes it is about.
Instants are written and compared as the spec's strings ("2027-01-04T09:00:00Z").
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine.clock import ManualClock, format_utc, parse_instant
from engine.domain import Client, Effect, Run, StepRecord
from engine.ids import SequentialIds
from engine.service import Engine
from engine.storage.memory import MemoryStore

VENDOR = "v1"
MONDAY = "2027-01-04T09:00:00Z"  # a Monday in winter: UTC == London


# -- documents -----------------------------------------------------------------------------
def trigger(event: str = "manual", id: str = "start", **config: Any) -> dict:
    return {"id": id, "type": "trigger", "config": {"event": event, **config}}


def email(id: str = "mail", subject: str = "Hello {{ client.first_name }}",
          body: str = "Hi {{ client.name }}", **config: Any) -> dict:
    return {"id": id, "type": "email", "config": {"subject": subject, "body": body, **config}}


def form(id: str = "ask", form_key: str = "questionnaire", subject: str = "A few questions",
         body: str = "Please fill in {{ form_url }}") -> dict:
    return {"id": id, "type": "form",
            "config": {"form": form_key, "subject": subject, "body": body}}


def delay(id: str = "wait", **config: Any) -> dict:
    return {"id": id, "type": "delay", "config": config}


def wait_for(id: str = "await", event: str = "form_submitted", timeout: dict | None = None,
             **config: Any) -> dict:
    return {"id": id, "type": "wait_for",
            "config": {"event": event, "timeout": timeout or {"days": 7}, **config}}


def condition(id: str = "check", **group: Any) -> dict:
    return {"id": id, "type": "condition", "config": group}


def split(id: str = "ab", **weights: int) -> dict:
    return {"id": id, "type": "split",
            "config": {"branches": [{"label": k, "weight": w} for k, w in weights.items()]}}


def action(id: str = "act", **config: Any) -> dict:
    return {"id": id, "type": "action", "config": config}


def exit_(id: str = "end") -> dict:
    return {"id": id, "type": "exit"}


def journey(nodes: list[dict], edges: list[tuple], settings: dict | None = None,
            name: str = "Test journey") -> dict:
    doc: dict[str, Any] = {"format": "journeys/v1", "name": name, "nodes": nodes,
                           "edges": [{"from": e[0], "to": e[1], **({"when": e[2]} if len(e) > 2
                                                                    else {})} for e in edges]}
    if settings is not None:
        doc["settings"] = settings
    return doc


def chain(*nodes: dict, settings: dict | None = None) -> dict:
    ids = [n["id"] for n in nodes]
    return journey(list(nodes), list(zip(ids, ids[1:])), settings)


# -- the world -----------------------------------------------------------------------------
class World:
    def __init__(self, start: str = MONDAY, *, vendor_tz: str = "UTC", seed: str = "0"):
        self.clock = ManualClock(parse_instant(start))
        self.store = MemoryStore()
        self.engine = Engine(self.store, self.clock, SequentialIds(), seed=seed)
        self.engine.create_vendor("Lens & Light", timezone=vendor_tz,
                                  email="hello@lens.example", vendor_id=VENDOR)
        self.clients: dict[str, Client] = {}

    # set-up
    def publish(self, document: dict) -> str:
        j = self.engine.journeys.create(VENDOR, document, actor="test")
        self.engine.journeys.publish(VENDOR, j.id, actor="test")
        return j.id

    def add(self, id: str = "c1", **data: Any) -> Client:
        data.setdefault("name", "Ana Lima")
        data.setdefault("email", f"{id}@example.com")
        client = self.engine.clients.add(VENDOR, {"id": id, **data}, actor="test")
        self.clients[id] = client
        return client

    def event(self, client: str, type: str, data: dict | None = None,
              key: str | None = None) -> dict:
        return self.engine.events.ingest(VENDOR, client=client, type=type, data=data, key=key)

    def update(self, client: str, preview: bool = False, **data: Any):
        return self.engine.clients.update(VENDOR, client, data, actor="planner", preview=preview)

    # time
    @property
    def now(self) -> str:
        return format_utc(self.clock.now())

    def go(self, instant: str) -> None:
        """Let the engine live until `instant`, firing every wake-up at its own time."""
        self.engine.run_until(parse_instant(instant))

    def advance(self, **delta: float) -> None:
        self.engine.run_until(self.clock.now() + timedelta(**delta))

    def jump(self, instant: str) -> None:
        """Move the clock without running anything (the engine was down)."""
        self.clock.set(parse_instant(instant))

    # reading
    def runs(self, client: str | None = None, journey_id: str | None = None) -> list[Run]:
        cid = self.cid(client) if client else None
        return self.engine.runs.list(VENDOR, client_id=cid, journey_id=journey_id, limit=1000)

    def run(self, client: str = "c1", journey_id: str | None = None) -> Run:
        runs = self.runs(client, journey_id)
        assert len(runs) == 1, f"expected one run for {client}, got {len(runs)}"
        return runs[0]

    def cid(self, client: str) -> str:
        return self.engine.clients.get(VENDOR, client).id

    def client(self, client: str = "c1") -> Client:
        return self.engine.clients.get(VENDOR, client)

    def log(self, client: str = "c1", run: Run | None = None) -> list[StepRecord]:
        run = run or self.run(client)
        return self.engine.runs.timeline(VENDOR, run.id)

    def steps(self, client: str = "c1", run: Run | None = None) -> list[tuple[str, str, str]]:
        """(node, outcome, at) of every node step, trigger and controls left out."""
        return [(s.node, s.outcome, format_utc(s.at)) for s in self.log(client, run)
                if s.type not in ("trigger", "control")]

    def path(self, client: str = "c1", run: Run | None = None) -> list[str]:
        return [s.node for s in self.log(client, run) if s.type != "control"]

    def effects(self, kind: str | None = None) -> list[Effect]:
        with self.store.transaction() as tx:
            found = tx.list_effects(VENDOR, limit=10_000)
        return [e for e in found if kind is None or e.kind == kind]

    def sent(self) -> list[tuple[str, str, str]]:
        """(kind, subject or title, created at) of every outbox row, oldest first."""
        return [(e.kind, e.payload.get("subject") or e.payload.get("title") or
                 e.payload.get("url"), format_utc(e.created_at)) for e in self.effects()]

    def due(self, client: str = "c1") -> str | None:
        run = self.run(client)
        return format_utc(run.due_at) if run.due_at else None

    def wakeups(self) -> int:
        with self.store.transaction() as tx:
            return tx.count_wakeups()


def at(text: str) -> datetime:
    return parse_instant(text)
