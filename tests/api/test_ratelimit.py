"""Rate limits: token buckets on the injected clock, per client address on login and sign-up,
per API key and per client address on event ingestion; 429 with Retry-After."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.accounts import TokenBucketLimiter
from engine.clock import ManualClock
from engine.errors import RateLimited
from engine.storage.memory import MemoryStore
from journey_app.api import ApiSettings

from .harness import PASSWORD, Harness, P


def test_a_token_bucket_spends_refills_and_says_when():
    clock = ManualClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    bucket = TokenBucketLimiter(clock, capacity=3, rate=0.5)  # one token every 2 s
    for _ in range(3):
        bucket.take("k")
    with pytest.raises(RateLimited) as caught:
        bucket.take("k")
    assert caught.value.retry_after == 2
    bucket.take("other")  # buckets are per key
    clock.advance(seconds=1)
    with pytest.raises(RateLimited) as caught:
        bucket.take("k")
    assert caught.value.retry_after == 1
    clock.advance(seconds=1)
    bucket.take("k")
    clock.advance(seconds=3600)
    assert bucket.remaining("k") == 3  # never more than the capacity


def test_idle_buckets_are_forgotten():
    clock = ManualClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    bucket = TokenBucketLimiter(clock, capacity=1, rate=1, max_keys=10)
    for i in range(10):
        bucket.take(f"k{i}")
    clock.advance(seconds=5)
    bucket.take("new")
    assert len(bucket._buckets) == 1


@pytest.fixture
def tight(store):
    h = Harness(store, ApiSettings(login_burst=3, login_per_second=1 / 60, ingest_burst=3,
                                   ingest_per_second=1, ingest_address_burst=5,
                                   ingest_address_per_second=1, trust_forwarded_for=True))
    yield h
    h.close()


def test_logins_are_limited_per_client_address(tight: Harness):
    tight.signup("Lens", "lens@example.com")
    c = tight.fresh_client()
    bad = {"email": "lens@example.com", "password": "wrong password!"}
    here = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(3):
        assert c.post(f"{P}/auth/login", json=bad, headers=here).status_code == 401
    r = c.post(f"{P}/auth/login", json={**bad, "password": PASSWORD}, headers=here)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "60"
    assert r.json()["error"] == {"code": "RATE_LIMITED", "message": r.json()["error"]["message"],
                                 "details": {"retry_after": 60}}
    # another address has its own budget
    assert c.post(f"{P}/auth/login", json={**bad, "password": PASSWORD},
                  headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
    tight.clock.advance(seconds=60)
    assert c.post(f"{P}/auth/login", json={**bad, "password": PASSWORD},
                  headers=here).status_code == 200


def test_forwarded_for_is_ignored_unless_trusted():
    h = Harness(MemoryStore(), ApiSettings(login_burst=1))
    try:
        c = h.fresh_client()
        bad = {"email": "x@example.com", "password": "wrong password!"}
        assert c.post(f"{P}/auth/login", json=bad,
                      headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 401
        assert c.post(f"{P}/auth/login", json=bad,
                      headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429
    finally:
        h.close()


def test_event_ingestion_is_limited_per_api_key(tight: Harness):
    v = tight.signup("Lens", "lens@example.com")
    tight.ok(v, "POST", "clients", 201, json={"name": "Sam", "email": "s@example.com",
                                             "external_id": "c1"})
    owner = tight.fresh_client()
    owner.cookies.set("journeys_session", v.session)
    second = owner.post(f"{P}/account/api-keys", json={"name": "second"}).json()["secret"]
    event = {"client": "c1", "type": "custom:ping"}
    addr = {"X-Forwarded-For": "203.0.113.9"}
    for _ in range(3):
        assert tight.call(v, "POST", "events", json=event, headers=addr).status_code == 200
    r = tight.call(v, "POST", "events", json=event, headers=addr)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    # the other key of the same vendor is not held back by the first key's budget
    other = tight.client.post(f"{P}/events", json=event,
                              headers={"Authorization": f"Bearer {second}", **addr})
    assert other.status_code == 200
    tight.clock.advance(seconds=1)
    assert tight.call(v, "POST", "events", json=event, headers=addr).status_code == 200


def test_event_ingestion_is_limited_per_client_address(tight: Harness):
    keys = []
    for n in range(3):
        v = tight.signup(f"V{n}", f"v{n}@example.com")
        tight.ok(v, "POST", "clients", 201, json={"name": "Sam", "email": "s@example.com",
                                                 "external_id": "c1"})
        keys.append(v)
    addr = {"X-Forwarded-For": "192.0.2.1"}
    answers = [tight.call(v, "POST", "events", json={"client": "c1", "type": "manual"},
                          headers=addr).status_code for v in keys for _ in range(2)]
    assert answers == [200] * 5 + [429]  # 5 from one address across keys, then refused


def test_public_form_links_and_hooks_are_limited_per_client_address(tight: Harness):
    addr = {"X-Forwarded-For": "192.0.2.44"}
    answers = [tight.client.get(f"{P}/public/forms/no-such-token", headers=addr).status_code
               for _ in range(4)]
    answers += [tight.client.post(f"{P}/hooks/ven_x/events", json={}, headers=addr).status_code
                for _ in range(2)]
    assert answers == [404, 404, 404, 404, 401, 429]
    r = tight.client.get(f"/f/no-such-token", headers=addr)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
