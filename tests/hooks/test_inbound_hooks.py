"""Signed inbound hooks over real HTTP: payments and custom events, signatures, replay windows,
idempotency keys, body limits."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from engine.domain import RunStatus
from engine.effects.signing import sign
from forms.world import SECRET, World, add_client, publish

P = "/api/v1"

PAID_JOURNEY = {
    "format": "journeys/v1", "name": "Deposit received",
    "nodes": [{"id": "start", "type": "trigger",
               "config": {"event": "payment_received",
                          "match": {"all": [{"field": "event.amount", "op": "gte",
                                             "value": 500}]}}},
              {"id": "thanks", "type": "email",
               "config": {"subject": "Deposit received: {{ event.amount }} {{ event.currency }}",
                          "body": "Thank you!"}}],
    "edges": [{"from": "start", "to": "thanks"}],
}
CONTRACT_JOURNEY = {
    "format": "journeys/v1", "name": "Contract",
    "nodes": [{"id": "start", "type": "trigger", "config": {"event": "manual"}},
              {"id": "wait", "type": "wait_for",
               "config": {"event": "custom:contract_signed", "timeout": {"days": 7}}},
              {"id": "signed", "type": "action",
               "config": {"action": "update_status", "status": "booked"}},
              {"id": "chase", "type": "exit"}],
    "edges": [{"from": "start", "to": "wait"},
              {"from": "wait", "to": "signed", "when": "event"},
              {"from": "wait", "to": "chase", "when": "timeout"}],
}


def post(world: World, path: str, payload, *, secret: str = SECRET, at=None, key=None,
         key_header: str = "Idempotency-Key", vendor_id: str | None = None,
         signature: str | None = None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature is None:
        signature = sign(secret, body, at or world.clock.now())
    if signature:
        headers["X-Journeys-Signature"] = signature
    if key:
        headers[key_header] = key
    return world.http.post(f"{P}/hooks/{vendor_id or world.vendor_id}/{path}", content=body,
                           headers=headers)


def test_a_signed_payment_starts_a_journey_once_per_key(world: World):
    publish(world, PAID_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com", external_id="crm-7")
    payment = {"id": "pay_001", "client": "crm-7", "amount": "1200.50", "currency": "eur",
               "description": "Deposit", "metadata": {"invoice": "INV-9"}}
    first = post(world, "payment", payment)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["type"] == "payment_received" and body["client_id"] == sam.id
    assert len(body["started"]) == 1 and "idempotent-replayed" not in first.headers
    [event] = world.events("payment_received")
    assert event.key == "pay_001" and event.data == {
        "amount": 1200.5, "currency": "EUR", "payment_id": "pay_001", "description": "Deposit",
        "metadata": {"invoice": "INV-9"}}

    world.clock.advance(minutes=3)  # the processor retries the same delivery
    again = post(world, "payment", payment)
    assert again.status_code == 200 and again.json() == body
    assert again.headers["idempotent-replayed"] == "true"
    assert len(world.events("payment_received")) == 1
    with world.store.transaction() as tx:
        runs = tx.runs_for_client(sam.id)
    assert len(runs) == 1 and runs[0].status == RunStatus.COMPLETED
    world.deliver()
    assert [m["Subject"] for m in world.mail.messages] == ["Deposit received: 1200.5 EUR"]


def test_the_key_can_come_from_either_header_and_wins_over_the_body_id(mem_world: World):
    w = mem_world
    sam = add_client(w, "Sam Rivers", "sam@example.com")
    pay = {"client_id": sam.id, "amount": 300, "currency": "USD", "id": "pay_9"}
    assert post(w, "payment", pay, key="hdr-1").status_code == 200
    assert post(w, "payment", pay, key="hdr-1",
                key_header="X-Journeys-Idempotency-Key").status_code == 200
    assert post(w, "payment", pay).status_code == 200  # body id: a different key
    assert sorted(e.key for e in w.events("payment_received")) == ["hdr-1", "pay_9"]


def test_a_key_reused_for_a_different_event_is_a_conflict(mem_world: World):
    w = mem_world
    add_client(w, "Sam Rivers", "sam@example.com", external_id="crm-7")
    assert post(w, "payment", {"id": "p1", "client": "crm-7", "amount": 10,
                               "currency": "EUR"}).status_code == 200
    r = post(w, "payment", {"id": "p1", "client": "crm-7", "amount": 99, "currency": "EUR"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"
    assert [e.data["amount"] for e in w.events("payment_received")] == [10]


def test_a_payment_needs_a_key_and_every_bad_field_is_named(world: World):
    add_client(world, "Sam Rivers", "sam@example.com", external_id="crm-7")
    r = post(world, "payment", {"client": "crm-7", "amount": 10, "currency": "EUR"})
    assert r.status_code == 422
    assert [f["field"] for f in r.json()["error"]["details"]["fields"]] == ["Idempotency-Key"]
    r = post(world, "payment", {"id": "p", "client": "crm-7", "external_id": "x",
                                "amount": -5, "currency": "EURO", "tip": 1})
    assert r.status_code == 422
    fields = [f["field"] for f in r.json()["error"]["details"]["fields"]]
    assert fields == ["body.tip", "body.client", "body.amount", "body.currency"]
    for amount in (0, True, "ten", "NaN", None):
        r = post(world, "payment", {"id": "p", "client": "crm-7", "amount": amount,
                                    "currency": "EUR"})
        assert r.status_code == 422, amount
    assert post(world, "payment", None, raw=b"[1, 2").status_code == 422
    assert world.events("payment_received") == []


def test_a_custom_event_resumes_a_waiting_run(world: World):
    journey_id = publish(world, CONTRACT_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com", external_id="crm-7")
    world.engine.events.ingest(world.vendor_id, client=sam.id, type="manual")
    r = post(world, "events", {"id": "sig_1", "client": "crm-7",
                               "type": "custom:contract_signed", "data": {"by": "docusign"}})
    assert r.status_code == 200, r.text
    assert len(r.json()["resumed"]) == 1
    with world.store.transaction() as tx:
        client = tx.get_client(sam.id)
        [run] = tx.runs_for_client(sam.id, journey_id=journey_id)
    assert client.status == "booked" and run.node == "signed"
    [event] = world.events("custom:contract_signed")
    assert event.key == "sig_1" and event.data == {"by": "docusign"}


def test_the_events_route_takes_payments_and_custom_events_only(mem_world: World):
    w = mem_world
    add_client(w, "Sam Rivers", "sam@example.com", external_id="crm-7")
    r = post(w, "events", {"client": "crm-7", "type": "manual"})
    assert r.status_code == 422
    r = post(w, "events", {"client": "crm-7", "kind": "payment_received"})
    assert {f["field"] for f in r.json()["error"]["details"]["fields"]} == {"body.type",
                                                                            "body.kind"}
    r = post(w, "events", {"client": "crm-7", "type": "payment_received", "id": "p",
                           "data": {"amount": 50}})
    assert [f["field"] for f in r.json()["error"]["details"]["fields"]] == [
        "body.data.currency"]
    r = post(w, "events", {"client": "crm-7", "type": "payment_received", "id": "p",
                           "data": {"amount": 50, "currency": "gbp", "note": "deposit"}})
    assert r.status_code == 200
    [event] = w.events("payment_received")
    assert event.data == {"amount": 50, "currency": "GBP", "note": "deposit"}
    # Custom events without a key are accepted each time (pings, notifications).
    assert post(w, "events", {"client": "crm-7", "type": "custom:ping"}).status_code == 200
    assert post(w, "events", {"client": "crm-7", "type": "custom:ping"}).status_code == 200
    assert len(w.events("custom:ping")) == 2
    r = post(w, "events", {"client": "crm-404", "type": "custom:ping"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_bad_signatures_are_refused_alike_and_logged(world: World, caplog):
    add_client(world, "Sam Rivers", "sam@example.com", external_id="crm-7")
    event = {"client": "crm-7", "type": "custom:booked"}
    body = json.dumps(event).encode()
    now = world.clock.now()
    cases = {
        "signature does not match": dict(secret="not the secret"),
        "timestamp outside the replay window": dict(at=now - timedelta(minutes=6)),
        "no signature header": dict(signature=""),
        "malformed signature header": dict(signature="v1=abc"),
    }
    answers = []
    with caplog.at_level(logging.WARNING, logger="journeys.api.hooks"):
        for reason, kwargs in cases.items():
            r = post(world, "events", event, **kwargs)
            assert r.status_code == 401, reason
            answers.append(r.json())
        future = post(world, "events", event, at=now + timedelta(minutes=6))
        assert future.status_code == 401
        tampered = post(world, "events", None, raw=body.replace(b"booked", b"paid__"),
                        signature=sign(SECRET, body, now))
        assert tampered.status_code == 401
        unknown = post(world, "events", event, vendor_id="ven_nobody")
        assert unknown.status_code == 401
        answers.append(unknown.json())
    assert all(a == {"error": {"code": "UNAUTHORIZED", "message": "bad or missing signature",
                               "details": None}} for a in answers)
    logged = [r.getMessage() for r in caplog.records]
    for reason in [*cases, "unknown vendor"]:
        assert any("bad or missing signature" in m and reason in m for m in logged), reason
    assert not any(SECRET in m for m in logged)
    assert world.events("custom:booked") == []
    # Inside the window (either side) it is fine.
    assert post(world, "events", event, at=now - timedelta(minutes=4)).status_code == 200


def test_a_vendor_without_a_secret_takes_no_hooks(store):
    from forms.world import make_world

    w = make_world(store, secret=None)
    add_client(w, "Sam Rivers", "sam@example.com", external_id="crm-7")
    r = post(w, "events", {"client": "crm-7", "type": "custom:x"})
    assert r.status_code == 401


def test_the_previous_secret_still_verifies_after_a_rotation(mem_world: World):
    w = mem_world
    add_client(w, "Sam Rivers", "sam@example.com", external_id="crm-7")
    w.engine.update_vendor(w.vendor_id, settings={"webhook_secret": "new-secret",
                                                  "webhook_secret_previous": SECRET})
    event = {"client": "crm-7", "type": "custom:ping"}
    assert post(w, "events", event).status_code == 200
    assert post(w, "events", event, secret="new-secret").status_code == 200
    other = w.engine.create_vendor("Other studio")
    w.engine.update_vendor(other.id, settings={"webhook_secret": "other-secret"})
    assert post(w, "events", event, secret="other-secret").status_code == 401


def test_bodies_over_the_limit_are_refused_before_anything_else(mem_world: World):
    w = mem_world
    add_client(w, "Sam Rivers", "sam@example.com", external_id="crm-7")
    big = {"client": "crm-7", "type": "custom:big", "data": {"blob": "x" * (70 * 1024)}}
    r = post(w, "events", big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert w.events("custom:big") == []


@pytest.mark.parametrize("route", ["payment", "events"])
def test_hooks_need_no_session_and_know_nothing_of_other_vendors_clients(mem_world: World,
                                                                         route):
    w = mem_world
    other = w.engine.create_vendor("Other studio")
    theirs = w.engine.clients.add(other.id, {"name": "Theirs", "email": "t@example.com",
                                             "external_id": "crm-7"})
    payload = {"id": "k1", "client": theirs.id, "amount": 5, "currency": "EUR"} \
        if route == "payment" else {"client": theirs.id, "type": "custom:x"}
    r = post(w, route, payload)
    assert r.status_code == 404


def test_the_same_delivery_racing_itself_has_one_effect(world: World):
    import threading

    from engine.inbound import InboundHooks

    publish(world, PAID_JOURNEY)
    add_client(world, "Sam Rivers", "sam@example.com", external_id="crm-7")
    hooks = InboundHooks(world.engine)
    vendor = world.engine.get_vendor(world.vendor_id)
    payment = {"id": "pay_race", "client": "crm-7", "amount": 900, "currency": "EUR"}
    barrier, answers = threading.Barrier(4), []

    def deliver() -> None:
        barrier.wait()
        answers.append(hooks.payment(vendor, dict(payment)))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and len({json.dumps(a.result, sort_keys=True)
                                      for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    assert len(world.events("payment_received")) == 1
