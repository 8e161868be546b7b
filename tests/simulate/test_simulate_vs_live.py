"""The simulator is the live runtime on a virtual clock: a live Engine fed the same journey,
clients and events takes the same steps at the same instants."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.calendar import client_zone, format_local
from engine.clock import ManualClock, format_utc, parse_instant
from engine.ids import SequentialIds
from engine.service import Engine
from engine.simulate import simulate
from engine.storage.memory import MemoryStore

CATALOG = Path(__file__).resolve().parent.parent / "catalog" / "valid"
START = "2027-01-01T00:00:00Z"
UNTIL = "2028-12-31T00:00:00Z"

CASES = {
    "photography-booked-to-gallery.json": (
        [{"id": "c1", "name": "Ana Lima", "email": "ana@example.com",
          "wedding_date": "2027-09-18", "timezone": "America/New_York"},
         {"id": "c2", "name": "Ben Cho", "email": "ben@example.com", "wedding_date": "2027-03-20"},
         {"id": "c3", "name": "Cy Dee", "email": "cy@example.com", "wedding_date": "2027-12-11",
          "timezone": "Australia/Sydney"}],
        [{"at": "2027-01-04T15:00:00Z", "client": "c1", "type": "payment_received",
          "data": {"kind": "deposit"}},
         {"at": "2027-01-05T15:30:00Z", "client": "c2", "type": "payment_received",
          "data": {"kind": "deposit"}},
         {"at": "2027-01-06T03:00:00Z", "client": "c3", "type": "payment_received",
          "data": {"kind": "final"}},
         {"at": "2027-01-07T15:00:00Z", "client": "c1", "type": "form_submitted",
          "data": {"form": "wedding-questionnaire", "answers": {"guests": 120}}},
         {"at": "2027-01-08T01:00:00Z", "client": "c3", "type": "payment_received",
          "data": {"kind": "deposit"}},
         {"at": "2027-02-01T12:00:00Z", "client": "c2", "type": "client_updated",
          "data": {"wedding_date": "2027-02-10"}},
         {"at": "2027-03-01T12:00:00Z", "client": "c3", "type": "custom:booking_cancelled"}]),
    "wedding-countdown.json": (
        [{"id": "p1", "name": "Dee Fox", "email": "dee@example.com", "wedding_date": "2027-05-29",
          "fields": {"venue_type": "estate"}},
         {"id": "p2", "name": "Eli Gray", "email": "eli@example.com", "wedding_date": "2027-08-14"},
         {"id": "p3", "name": "Fay Hill", "email": "fay@example.com", "wedding_date": "2027-02-20"}],
        [{"at": "2027-03-10T02:00:00Z", "client": "p1", "type": "form_submitted",
          "data": {"form": "final_numbers", "answers": {"guests": 90}}},
         {"at": "2027-06-01T02:00:00Z", "client": "p2", "type": "client_updated",
          "data": {"wedding_date": "2027-07-03"}}]),
    "welcome-ab-test.json": (
        [{"id": f"w{i}", "name": f"Guest {i}", "email": f"w{i}@example.com"} for i in range(6)],
        [{"at": f"2027-01-0{2 + i % 3}T17:00:00Z", "client": f"w{i}", "type": "manual"}
         for i in range(6)]),
}


def live(document: dict, clients: list[dict], events: list[dict]) -> dict:
    """Run the journey on a live Engine, delivering each event when the clock reaches it."""
    clock = ManualClock(parse_instant(START))
    engine = Engine(MemoryStore(), clock, SequentialIds())
    vendor = engine.create_vendor("Live", timezone="UTC", vendor_id="v1")
    journey = engine.journeys.create("v1", document)
    engine.journeys.publish("v1", journey.id)
    for c in clients:
        engine.clients.add("v1", {**c})
    for event in sorted(events, key=lambda e: parse_instant(e["at"])):
        engine.run_until(parse_instant(event["at"]))
        if event["type"] == "client_updated":
            engine.clients.update("v1", event["client"], event["data"])
        else:
            engine.events.ingest("v1", client=event["client"], type=event["type"],
                                 data=event.get("data"))
    engine.run_until(parse_instant(UNTIL))
    journey_tz = (document.get("settings") or {}).get("timezone")
    steps, runs = {}, []
    with engine.store.transaction() as tx:
        for run in tx.list_runs("v1", limit=10_000):
            client = tx.get_client(run.client_id)
            zone = client_zone(client.timezone, journey_tz, vendor.timezone)
            log = sorted(tx.steps_for_run(run.id), key=lambda s: s.seq)
            steps.setdefault(client.external_id, []).extend(
                {"client": client.external_id, "node": s.node, "type": s.type,
                 "at": format_utc(s.at), "local": format_local(s.at, zone), "outcome": s.outcome}
                for s in log if s.type not in ("trigger", "control") and s.outcome != "failed")
            runs.append({"client": client.external_id, "status": run.status,
                         "path": [s.node for s in log if s.type != "control"]
                         + ([run.node] if f"{run.node}#{run.visit}"
                            not in {s.key for s in log} else [])})
    return {"steps": steps, "runs": runs}


def by_client(steps: list[dict]) -> dict:
    out: dict = {}
    for s in steps:
        out.setdefault(s["client"], []).append(s)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_simulation_and_live_engine_take_the_same_steps(name):
    document = json.loads((CATALOG / name).read_text())
    clients, events = CASES[name]
    simulated = simulate(document, clients, events, start=parse_instant(START),
                         until=parse_instant(UNTIL))
    lived = live(document, clients, events)
    assert by_client(simulated["steps"]) == lived["steps"]
    assert simulated["runs"] == lived["runs"]
    assert simulated["steps"]  # the case is not vacuous
    assert [s["at"] for s in simulated["steps"]] == sorted(s["at"] for s in simulated["steps"])
