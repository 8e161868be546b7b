"""Circuit breakers: open after N failures, one probe after the cool-down, close on success."""
import json
from datetime import timedelta

from engine.effects.breaker import CLOSED, HALF_OPEN, OPEN, Breakers, CircuitBreaker
from outbox_helpers import T0


def breaker(clock, **kw):
    kw.setdefault("threshold", 3)
    kw.setdefault("cool_down", timedelta(seconds=30))
    kw.setdefault("max_cool_down", timedelta(minutes=2))
    return CircuitBreaker("smtp://relay:587", clock, **kw)


def test_opens_after_threshold_consecutive_failures(clock):
    b = breaker(clock)
    b.record_failure("x"); b.record_failure("x")
    assert b.state == CLOSED and b.allow()
    b.record_success()  # resets the count
    for _ in range(3):
        b.record_failure("refused")
    assert b.state == OPEN and not b.allow()
    assert b.retry_at() == T0 + timedelta(seconds=30)


def test_half_open_lets_one_probe_through_and_closes_on_success(clock):
    b = breaker(clock)
    for _ in range(3):
        b.record_failure("x")
    clock.advance(seconds=29)
    assert not b.allow()
    clock.advance(seconds=1)
    assert b.state == HALF_OPEN
    assert b.allow() is True       # the probe
    assert b.allow() is False      # nobody else while it is out
    b.record_success()
    assert b.state == CLOSED and b.allow() and b.allow()


def test_failed_probe_reopens_with_a_longer_cool_down_up_to_the_cap(clock):
    b = breaker(clock)
    for _ in range(3):
        b.record_failure("x")
    waits = []
    for _ in range(4):
        opened = clock.now()
        clock.set(b.retry_at())
        waits.append((clock.now() - opened).total_seconds())
        assert b.allow()
        b.record_failure("still down")
        assert b.state == OPEN
    assert waits == [30, 60, 120, 120]


def test_released_probe_lets_the_next_effect_probe(clock):
    b = breaker(clock)
    for _ in range(3):
        b.record_failure("x")
    clock.advance(seconds=30)
    assert b.allow()
    b.release_probe()  # e.g. the probe email had no recipient: says nothing about the relay
    assert b.state == HALF_OPEN and b.allow()


def test_snapshot_is_plain_data_per_destination(clock):
    breakers = Breakers(clock, threshold=1)
    breakers.get("smtp://a:25").record_failure("connection refused")
    breakers.get("https://hooks.example.com:443").record_success()
    snap = breakers.snapshot()
    json.dumps(snap)
    assert [s["destination"] for s in snap] == ["https://hooks.example.com:443", "smtp://a:25"]
    assert snap[1] | {} == {"destination": "smtp://a:25", "state": "open",
                            "consecutive_failures": 1, "openings": 1,
                            "opened_at": "2027-06-01T09:00:00Z",
                            "retry_at": "2027-06-01T09:00:30Z",
                            "last_error": "connection refused", "total_failures": 1,
                            "total_successes": 0}
    assert breakers.get("smtp://a:25") is breakers.get("smtp://a:25")
