"""Webhook signatures: what we send is what a receiver can verify, and nothing else verifies."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from engine.effects.signing import parse, sign, verify

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)
T = int(NOW.timestamp())


def test_header_shape_and_known_vector():
    header = sign("secret", '{"a":1}', T)
    assert header.startswith(f"t={T},v1=")
    # HMAC-SHA256("secret", f"{T}." + body), computed independently
    import hashlib, hmac
    expected = hmac.new(b"secret", f"{T}.".encode() + b'{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"
    assert sign("secret", b'{"a":1}', NOW) == header  # bytes and datetimes too


def test_verify_accepts_the_signed_body_only():
    header = sign("secret", "hello", T)
    assert verify("secret", header, "hello", NOW)
    assert verify("secret", header, b"hello", NOW)
    assert not verify("secret", header, "hello!", NOW)
    assert not verify("other", header, "hello", NOW)


def test_verify_rejects_old_and_future_timestamps():
    header = sign("secret", "x", T)
    assert verify("secret", header, "x", NOW + timedelta(minutes=4, seconds=59))
    assert not verify("secret", header, "x", NOW + timedelta(minutes=5, seconds=1))
    assert not verify("secret", header, "x", NOW - timedelta(minutes=6))
    assert verify("secret", header, "x", NOW + timedelta(minutes=9), tolerance=timedelta(minutes=10))


def test_verify_rejects_malformed_headers():
    for header in ["", "garbage", "t=abc,v1=00", f"t={T}", "v1=00", f"t={T},v1", None]:
        assert not verify("secret", header, "x", NOW)
    assert parse(f"t={T},v1=AB,v1=cd") == (T, ["ab", "cd"])


def test_secret_rotation_accepts_either_secret():
    header = sign("new", "x", T)
    assert verify(["old", "new"], header, "x", NOW)
    both = f"{sign('old', 'x', T)},v1={sign('new', 'x', T).split('v1=')[1]}"
    assert verify("new", both, "x", NOW) and verify("old", both, "x", NOW)
    assert not verify([], header, "x", NOW)


@given(secret=st.text(min_size=1), body=st.text(), skew=st.integers(-300, 300))
def test_round_trip(secret, body, skew):
    header = sign(secret, body, T + skew)
    assert verify(secret, header, body, NOW)
    assert not verify(secret, header, body + "x", NOW)
