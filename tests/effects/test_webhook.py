"""WebhookSender against a real HTTP receiver on 127.0.0.1, driven by the dispatcher on a
ManualClock: retries, timeouts, Retry-After, dead letters, signatures, private addresses."""
import json
from datetime import timedelta

import pytest

from engine.effects import Dispatcher, RetryPolicies, RetryPolicy, WebhookSender, WebhookSettings
from engine.effects.addresses import resolve_target
from engine.effects.audit import history
from engine.effects.signing import HEADER, IDEMPOTENCY_HEADER, verify
from engine.effects.webhook import parse_retry_after
from engine.errors import EffectError
from engine.storage.memory import MemoryStore
from outbox_helpers import SECRET, Reply, add_effects, get_effect, make_effect

S = timedelta(seconds=1)
POLICY = RetryPolicy(max_attempts=6, base=10 * S, cap=5 * 60 * S)


@pytest.fixture
def store():
    """These tests are about the sender: memory is enough (test_dispatcher and the outage test
    run on every store)."""
    return MemoryStore()


def sender(clock, *, allow=("127.0.0.1",), secret=SECRET, resolver=None, **kw):
    settings = WebhookSettings(allow_private=list(allow), timeout=kw.pop("timeout", 2.0), **kw)
    extra = {"resolver": resolver} if resolver else {}
    return WebhookSender(settings, clock, lambda vendor_id: secret, **extra)


def dispatcher(store, clock, **kw) -> Dispatcher:
    return Dispatcher(store, clock, {"webhook": sender(clock, **kw)},
                      RetryPolicies.seeded(7, webhook=POLICY))


def run_until_delivered(d, clock, store, effect, rounds=20):
    """Run, then jump the clock to the effect's next attempt, until it is not pending."""
    gaps = []
    for _ in range(rounds):
        d.run_once()
        current = get_effect(store, effect.id)
        if current.status != "pending":
            return current, gaps
        gaps.append((current.next_attempt_at - clock.now()).total_seconds())
        clock.set(current.next_attempt_at)
    raise AssertionError("never delivered")


def test_500_three_times_then_200_is_delivered_once_after_backoff(store, clock, receiver):
    receiver.script = [Reply(500), Reply(502), Reply(503)]
    effect = make_effect("webhook", url=receiver.url, body='{"event":"booked"}')
    add_effects(store, effect)
    d = dispatcher(store, clock)
    done, gaps = run_until_delivered(d, clock, store, effect)
    assert done.status == "sent" and done.attempts == 4
    assert [r["status"] for r in receiver.requests] == [500, 502, 503, 200]
    assert {r["headers"][IDEMPOTENCY_HEADER] for r in receiver.requests} == {effect.key}
    assert [a["outcome"] for a in history(done, store)] == ["retry"] * 3 + ["sent"]
    ceilings = [10, 20, 40]
    assert all(0 <= g <= c for g, c in zip(gaps, ceilings)), gaps
    print(f"\n[webhook 500x3] backoff gaps before attempts 2-4: {[round(g, 1) for g in gaps]} s "
          f"(full jitter under ceilings {ceilings} s)")
    # Nothing more happens later.
    clock.advance(hours=5)
    assert d.run_once().claimed == 0 and len(receiver.requests) == 4


def test_a_400_is_one_dead_letter_and_no_retry(store, clock, receiver):
    receiver.script = [Reply(400, body=b'{"error":"unknown field"}')]
    effect = make_effect("webhook", url=receiver.url)
    add_effects(store, effect)
    d = dispatcher(store, clock)
    assert d.run_once().dead == 1
    clock.advance(days=2)
    assert d.run_once().claimed == 0
    assert len(receiver.requests) == 1
    [dead] = d.list_dead("ven_1")
    assert dead.id == effect.id and dead.attempts == 1
    assert "answered 400" in dead.last_error and "unknown field" in dead.last_error


def test_a_hanging_receiver_times_out_and_is_retried(store, clock, receiver):
    receiver.script = [Reply(200, delay=5.0)]
    effect = make_effect("webhook", url=receiver.url)
    add_effects(store, effect)
    d = dispatcher(store, clock, timeout=0.3)
    assert d.run_once().retried == 1
    assert "timed out" in get_effect(store, effect.id).last_error
    done, _ = run_until_delivered(d, clock, store, effect)
    assert done.status == "sent" and done.attempts == 2
    # The receiver did see the first request (it just answered too late): the idempotency key
    # is how it recognises the second one.
    keys = [r["headers"][IDEMPOTENCY_HEADER] for r in receiver.requests]
    assert keys == [effect.key, effect.key]


@pytest.mark.parametrize("retry_after", ["120", "Tue, 01 Jun 2027 09:02:00 GMT"])
def test_429_honours_retry_after(store, clock, receiver, retry_after):
    receiver.script = [Reply(429, headers={"Retry-After": retry_after})]
    effect = make_effect("webhook", url=receiver.url)
    add_effects(store, effect)
    d = dispatcher(store, clock)
    assert d.run_once().retried == 1
    waiting = get_effect(store, effect.id)
    # Backoff for attempt 1 is at most 10 s; the server asked for 120 s: that wins.
    assert waiting.next_attempt_at == clock.now() + 120 * S
    clock.advance(seconds=119)
    assert d.run_once().claimed == 0
    clock.advance(seconds=1)
    assert d.run_once().sent == 1
    assert len(receiver.requests) == 2


def test_parse_retry_after(clock):
    now = clock.now()
    assert parse_retry_after("30", now) == 30 * S
    assert parse_retry_after("Tue, 01 Jun 2027 09:00:10 GMT", now) == 10 * S
    assert parse_retry_after("Tue, 01 Jun 2027 08:00:00 GMT", now) == timedelta(0)
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_the_receiver_can_verify_the_signature(store, clock, receiver):
    body = json.dumps({"client": "Ana & Ben", "event": "booked", "note": "café"})
    effect = make_effect("webhook", url=receiver.url, method="PUT", body=body,
                         headers={"X-Vendor": "lumen", "X-Journeys-Signature": "forged",
                                  "Host": "evil.example"})
    add_effects(store, effect)
    assert dispatcher(store, clock).run_once().sent == 1
    [request] = receiver.requests
    headers = request["headers"]
    assert request["method"] == "PUT" and request["path"] == "/hooks/journeys"
    assert request["body"] == body.encode("utf-8")
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Vendor"] == "lumen"
    assert headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert headers[HEADER] != "forged"
    assert headers[HEADER].startswith(f"t={int(clock.now().timestamp())},v1=")
    assert verify(SECRET, headers[HEADER], request["body"], clock.now())
    assert not verify("another-secret", headers[HEADER], request["body"], clock.now())
    assert not verify(SECRET, headers[HEADER], request["body"] + b" ", clock.now())


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/x", "http://localhost:{port}/x",
                                 "http://[::1]:{port}/x", "http://169.254.169.254/latest/meta-data",
                                 "http://10.0.0.7/x", "http://0.0.0.0:{port}/"])
def test_private_addresses_are_refused_unless_allowed(store, clock, receiver, url):
    effect = make_effect("webhook", url=url.format(port=receiver.port))
    add_effects(store, effect)
    d = dispatcher(store, clock, allow=())
    assert d.run_once().dead == 1
    assert receiver.requests == []
    assert "non-public address" in get_effect(store, effect.id).last_error


def test_a_public_name_resolving_to_a_private_address_is_refused(clock):
    rebinding = sender(clock, allow=(), resolver=lambda host, port: ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(EffectError) as err:
        rebinding.send(make_effect("webhook", url="https://hooks.example.com/in"))
    assert not err.value.retryable and "10.0.0.1" in err.value.message


def test_requests_are_pinned_to_the_checked_address():
    target = resolve_target("https://hooks.example.com:8443/in?a=1",
                            resolver=lambda host, port: ["93.184.216.34"])
    assert target.url == "https://93.184.216.34:8443/in?a=1"
    assert target.host_header == "hooks.example.com:8443"
    v6 = resolve_target("http://hooks.example.com/in", resolver=lambda h, p: ["2606:4700::1"])
    assert v6.url == "http://[2606:4700::1]:80/in" and v6.host_header == "hooks.example.com"
    mapped = "::ffff:127.0.0.1"
    with pytest.raises(EffectError):
        resolve_target("http://x.example/", resolver=lambda h, p: [mapped])


@pytest.mark.parametrize("url, fragment", [("ftp://example.com/x", "http or https"),
                                           ("http:///nohost", "no host"),
                                           ("http://user:pw@example.com/", "credentials")])
def test_unusable_urls_are_permanent(clock, url, fragment):
    with pytest.raises(EffectError) as err:
        sender(clock).send(make_effect("webhook", url=url))
    assert not err.value.retryable and fragment in err.value.message


def test_redirects_are_not_followed(store, clock, receiver):
    receiver.script = [Reply(302, headers={"Location": "http://169.254.169.254/"})]
    effect = make_effect("webhook", url=receiver.url)
    add_effects(store, effect)
    assert dispatcher(store, clock).run_once().dead == 1
    assert "redirects are not followed" in get_effect(store, effect.id).last_error
    assert len(receiver.requests) == 1


def test_connection_refused_is_retried(store, clock, receiver):
    port = receiver.port
    receiver.close()
    effect = make_effect("webhook", url=f"http://127.0.0.1:{port}/")
    add_effects(store, effect)
    assert dispatcher(store, clock).run_once().retried == 1


def test_no_secret_means_no_unsigned_webhook(store, clock, receiver):
    effect = make_effect("webhook", url=receiver.url)
    add_effects(store, effect)
    assert dispatcher(store, clock, secret=None).run_once().dead == 1
    assert receiver.requests == []


def test_body_and_content_type_defaults(clock, receiver):
    s = sender(clock)
    s.send(make_effect("webhook", url=receiver.url, body="plain words"))
    s.send(make_effect("webhook", url=receiver.url, body=None, method="get"))
    s.send(make_effect("webhook", url=receiver.url, body="<x/>",
                       headers={"content-type": "application/xml"}))
    s.close()
    first, second, third = receiver.requests
    assert first["headers"]["Content-Type"] == "text/plain; charset=utf-8"
    assert second["method"] == "GET" and second["body"] == b""
    assert third["headers"]["content-type"] == "application/xml"
    with pytest.raises(EffectError):
        s.send(make_effect("webhook", url=receiver.url, method="TRACE"))
