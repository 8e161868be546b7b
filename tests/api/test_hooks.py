"""Signed inbound hooks: no session or key, the HMAC signature is the authentication."""
from __future__ import annotations

import json
import logging

from engine.effects.signing import sign

from .harness import Harness, P


def _setup(h: Harness):
    v = h.signup("Lens", "lens@example.com")
    owner = h.fresh_client()
    owner.cookies.set("journeys_session", v.session)
    created = owner.post(f"{P}/account/webhook-secret")
    assert created.status_code == 201, created.text
    h.ok(v, "POST", "clients", 201, json={"name": "Sam", "email": "s@example.com",
                                         "external_id": "crm-1"})
    return v, owner, created.json()


def _post(h: Harness, vendor_id: str, secret: str, payload: dict, key: str | None = None,
          at=None):
    body = json.dumps(payload)
    headers = {"Content-Type": "application/json",
               "X-Journeys-Signature": sign(secret, body, at or h.clock.now())}
    if key:
        headers["X-Journeys-Idempotency-Key"] = key
    return h.client.post(f"{P}/hooks/{vendor_id}/events", content=body, headers=headers)


def test_a_signed_hook_ingests_idempotently(harness: Harness):
    v, _, created = _setup(harness)
    assert created["hook_path"] == f"{P}/hooks/{v.id}/events"
    payment = {"client": "crm-1", "type": "payment_received",
               "data": {"amount": 1200, "currency": "EUR"}}
    first = _post(harness, v.id, created["secret"], payment, key="pay_1")
    assert first.status_code == 200, first.text
    again = _post(harness, v.id, created["secret"], payment, key="pay_1")
    assert again.json() == first.json()
    with harness.engine.store.transaction() as tx:
        events = [e for e in tx.list_events(v.id) if e.type == "payment_received"]
    assert len(events) == 1 and events[0].data == payment["data"]


def test_bad_signatures_are_refused_and_logged(mem: Harness, caplog):
    v, _, created = _setup(mem)
    payload = {"client": "crm-1", "type": "custom:booked"}
    with caplog.at_level(logging.WARNING, logger="journeys.api.hooks"):
        wrong = _post(mem, v.id, "not the secret", payload)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "UNAUTHORIZED"
    assert any("bad or missing signature" in r.getMessage() for r in caplog.records)
    stale = _post(mem, v.id, created["secret"], payload,
                  at=mem.clock.now().replace(year=2026))
    assert stale.status_code == 401  # outside the replay window
    unsigned = mem.client.post(f"{P}/hooks/{v.id}/events", json=payload)
    assert unsigned.status_code == 401
    unknown = _post(mem, "ven_nobody", created["secret"], payload)
    assert unknown.status_code == 401 and unknown.json() == wrong.json()
    with mem.engine.store.transaction() as tx:
        assert [e for e in tx.list_events(v.id) if e.type == "custom:booked"] == []


def test_one_vendors_secret_does_not_open_another_vendors_hook(mem: Harness):
    a, _, _ = _setup(mem)
    b = mem.signup("Other", "other@example.com")
    owner_b = mem.fresh_client()
    owner_b.cookies.set("journeys_session", b.session)
    secret_b = owner_b.post(f"{P}/account/webhook-secret").json()["secret"]
    r = _post(mem, a.id, secret_b, {"client": "crm-1", "type": "payment_received"})
    assert r.status_code == 401


def test_rotation_keeps_the_previous_secret_until_the_next_one(mem: Harness):
    v, owner, created = _setup(mem)
    rotated = owner.post(f"{P}/account/webhook-secret").json()
    assert rotated["previous_kept"] is True and rotated["secret"] != created["secret"]
    event = {"client": "crm-1", "type": "custom:ping"}
    assert _post(mem, v.id, created["secret"], event).status_code == 200
    assert _post(mem, v.id, rotated["secret"], event).status_code == 200
    owner.post(f"{P}/account/webhook-secret")
    assert _post(mem, v.id, created["secret"], event).status_code == 401
    assert "webhook_secret" not in json.dumps(mem.ok(v, "GET", "account"))


def test_hooks_take_payments_and_custom_events_only(mem: Harness):
    v, _, created = _setup(mem)
    r = _post(mem, v.id, created["secret"], {"client": "crm-1", "type": "manual"})
    assert r.status_code == 422
    r = _post(mem, v.id, created["secret"], {"client": "crm-1", "kind": "payment_received"})
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["error"]["details"]["fields"]}
    assert fields == {"body.type", "body.kind"}
