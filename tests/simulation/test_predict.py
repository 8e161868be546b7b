"""What happens next: the prediction from a run's current state is what the live engine then
really does when no event arrives (on every store: the prediction only reads it)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import ManualClock
from engine.ids import SequentialIds
from engine.service import Engine
from engine.simulation import client_future, what_happens_next

START = datetime(2027, 3, 1, 8, 30, tzinfo=timezone.utc)  # a Monday
DOC = {
    "format": "journeys/v1", "name": "Small",
    "settings": {"timezone": "America/New_York",
                 "send_window": {"days": ["mon", "tue", "wed", "thu", "fri"],
                                 "start": "09:00", "end": "17:00"}},
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "welcome", "type": "email", "title": "Welcome",
         "config": {"subject": "Hi {{ client.first_name }}", "body": "Welcome"}},
        {"id": "pause", "type": "delay", "config": {"duration": {"days": 2}}},
        {"id": "form", "type": "wait_for",
         "config": {"event": "form_submitted", "timeout": {"days": 3}}},
        {"id": "reminder", "type": "email", "config": {"subject": "Reminder", "body": "Please"}},
        {"id": "ab", "type": "split", "config": {"branches": [{"label": "a", "weight": 1},
                                                            {"label": "b", "weight": 1}]}},
        {"id": "a_mail", "type": "email", "config": {"subject": "A", "body": "A"}},
        {"id": "b_mail", "type": "email", "config": {"subject": "B", "body": "B"}},
        {"id": "countdown", "type": "delay",
         "config": {"until": {"anchor": "wedding_date", "offset": {"days": -7},
                              "at": "10:00"}}},
        {"id": "week", "type": "email", "config": {"subject": "A week", "body": "Soon"}},
        {"id": "end", "type": "exit"},
    ],
    "edges": [
        {"from": "start", "to": "welcome"}, {"from": "welcome", "to": "pause"},
        {"from": "pause", "to": "form"},
        {"from": "form", "to": "ab", "when": "event"},
        {"from": "form", "to": "reminder", "when": "timeout"},
        {"from": "reminder", "to": "ab"},
        {"from": "ab", "to": "a_mail", "when": "a"}, {"from": "ab", "to": "b_mail", "when": "b"},
        {"from": "a_mail", "to": "countdown"}, {"from": "b_mail", "to": "countdown"},
        {"from": "countdown", "to": "week"}, {"from": "week", "to": "end"},
    ],
}


def _world(store):
    clock = ManualClock(START)
    engine = Engine(store, clock, SequentialIds(), seed="42")
    engine.create_vendor("Studio", vendor_id="v", timezone="Europe/London")
    journey = engine.journeys.create("v", DOC)
    engine.journeys.publish("v", journey.id)
    return engine, clock


def _live_steps(engine, run_id, after):
    return [(s.node, s.type, s.at, s.outcome) for s in engine.runs.timeline("v", run_id)
            if s.type not in ("trigger", "control") and s.at > after]


@pytest.mark.parametrize("stop_after", [timedelta(hours=1), timedelta(days=3, hours=2),
                                        timedelta(days=40)])
def test_prediction_is_what_then_happens(store, stop_after):
    engine, clock = _world(store)
    client = engine.clients.add("v", {"name": "Ana Diaz", "email": "ana@example.com",
                                      "wedding_date": "2027-06-19"})
    engine.run_until(START + stop_after)
    [run] = engine.runs.list("v")
    now = clock.now()
    prediction = what_happens_next(engine, "v", run.id)
    assert prediction.now == now and prediction.run_id == run.id
    predicted = [(s.node, s.type, s.at, s.outcome) for s in prediction.steps]
    engine.run_until(now + timedelta(days=400))  # no events: exactly what was assumed
    assert predicted == _live_steps(engine, run.id, now)
    assert predicted, "the run had a future"
    assert prediction.status == "completed" and prediction.steps[-1].node == "end"
    # nothing of the prediction touched the real store
    assert engine.runs.get("v", run.id).status == "completed"
    local = prediction.steps[0].local
    assert local.endswith("-05:00") or local.endswith("-04:00")  # the journey's zone


def test_prediction_from_after_an_event_and_without_a_date(store):
    engine, clock = _world(store)
    engine.clients.add("v", {"name": "Bo", "email": "bo@example.com", "id": "bo"})
    engine.run_until(START + timedelta(days=3))
    [run] = engine.runs.list("v")
    assert run.node == "form"
    engine.events.ingest("v", client="bo", type="form_submitted", data={})
    [prediction] = client_future(engine, "v", "bo")
    nodes = [s.node for s in prediction.steps]
    # the split's email waits for the send window (the event came at night), then nothing more
    assert nodes in (["a_mail"], ["b_mail"]) and "reminder" not in nodes
    # no wedding date: the countdown waits for one, and nothing is scheduled
    assert prediction.status == "needs_date" and prediction.node == "countdown"
    assert prediction.next_at is None
    engine.run_until(clock.now() + timedelta(days=400))
    assert [(s.node, s.at) for s in prediction.steps] == \
        [(n, a) for n, _, a, _ in _live_steps(engine, run.id, prediction.now)]


def test_finished_and_unknown_runs(store):
    engine, clock = _world(store)
    engine.clients.add("v", {"name": "Cy", "email": "cy@example.com",
                             "wedding_date": "2027-03-20"})
    engine.run_until(START + timedelta(days=60))
    [run] = engine.runs.list("v")
    done = what_happens_next(engine, "v", run.id)
    assert done.steps == [] and done.status == "completed"
    from engine.errors import NotFound
    with pytest.raises(NotFound):
        what_happens_next(engine, "other_vendor", run.id)
