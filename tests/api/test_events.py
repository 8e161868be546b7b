"""Event ingestion with an Idempotency-Key: the same key twice returns the first response and
has one effect."""
from __future__ import annotations

from .harness import APPROVAL_JOURNEY, Harness


def _world(h: Harness):
    v = h.signup("Lens", "lens@example.com")
    j = h.ok(v, "POST", "journeys", 201, json=APPROVAL_JOURNEY)
    h.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
    h.ok(v, "POST", "clients", 201, json={"name": "Sam Lee", "email": "sam@example.com",
                                         "external_id": "crm-1"})
    return v, j


def test_the_same_key_twice_returns_the_first_response_and_has_one_effect(harness: Harness):
    v, j = _world(harness)
    event = {"client": "crm-1", "type": "manual", "data": {"source": "crm"}}
    first = harness.call(v, "POST", "events", json=event, headers={"Idempotency-Key": "evt-1"})
    assert first.status_code == 200, first.text
    assert len(first.json()["started"]) == 1
    harness.clock.advance(minutes=5)
    again = harness.call(v, "POST", "events", json=event, headers={"Idempotency-Key": "evt-1"})
    assert again.status_code == 200
    assert again.json() == first.json()
    runs = harness.ok(v, "GET", "runs", params={"journey_id": j["id"]})["items"]
    assert len(runs) == 1
    with harness.engine.store.transaction() as tx:
        events = [e for e in tx.list_events(v.id) if e.type == "manual"]
    assert len(events) == 1 and events[0].key == "evt-1"
    assert len(harness.ok(v, "GET", "approvals")["items"]) == 1


def test_keys_are_per_vendor_and_other_keys_are_other_events(harness: Harness):
    v, j = _world(harness)
    w = harness.signup("Other", "other@example.com")
    harness.ok(w, "POST", "clients", 201, json={"name": "Kim", "email": "kim@example.com",
                                               "external_id": "crm-1"})
    event = {"client": "crm-1", "type": "custom:ping"}
    a = harness.call(v, "POST", "events", json=event, headers={"Idempotency-Key": "k"})
    b = harness.call(w, "POST", "events", json=event, headers={"Idempotency-Key": "k"})
    assert a.status_code == b.status_code == 200
    assert a.json()["event_id"] != b.json()["event_id"]
    c = harness.call(v, "POST", "events", json=event, headers={"Idempotency-Key": "k2"})
    assert c.json()["event_id"] != a.json()["event_id"]
    n1 = harness.call(v, "POST", "events", json=event).json()["event_id"]
    n2 = harness.call(v, "POST", "events", json=event).json()["event_id"]
    assert n1 != n2  # without a key every request is a new event


def test_a_failed_ingest_does_not_burn_the_key(mem: Harness):
    v, _ = _world(mem)
    r = mem.call(v, "POST", "events", json={"client": "nobody", "type": "manual"},
                 headers={"Idempotency-Key": "k"})
    assert r.status_code == 404
    ok = mem.call(v, "POST", "events", json={"client": "crm-1", "type": "manual"},
                  headers={"Idempotency-Key": "k"})
    assert ok.status_code == 200 and len(ok.json()["started"]) == 1


def test_bad_events_name_what_is_wrong(mem: Harness):
    v, _ = _world(mem)
    r = mem.call(v, "POST", "events", json={"client": "crm-1", "type": "teleported"})
    assert r.status_code == 422 and r.json()["error"]["details"] == {"field": "type"}
    r = mem.call(v, "POST", "events", json={"type": "manual", "data": []},
                 headers={"Idempotency-Key": "x" * 201})
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["error"]["details"]["fields"]}
    assert fields == {"body.client", "body.data", "header.Idempotency-Key"}


def test_a_concurrent_duplicate_gets_the_first_response_too(mem: Harness, monkeypatch):
    """Two requests with one key racing: the store refuses the loser's insert (Conflict, rolled
    back); the API then answers the loser with the winner's response."""
    from engine.errors import Conflict

    v, _ = _world(mem)
    event = {"client": "crm-1", "type": "manual"}
    first = mem.call(v, "POST", "events", json=event, headers={"Idempotency-Key": "race"})
    real = mem.engine.events.ingest
    calls = []

    def lose_the_race_once(*args, **kwargs):
        calls.append(kwargs.get("key"))
        if len(calls) == 1:
            raise Conflict("an event with idempotency key 'race' exists")
        return real(*args, **kwargs)

    monkeypatch.setattr(mem.engine.events, "ingest", lose_the_race_once)
    again = mem.call(v, "POST", "events", json=event, headers={"Idempotency-Key": "race"})
    assert again.status_code == 200 and again.json() == first.json()
    assert calls == ["race", "race"]
