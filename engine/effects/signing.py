"""Webhook signatures: `X-Journeys-Signature: t=<unix seconds>,v1=<hex>`, where the hex is
HMAC-SHA256(secret, f"{t}.{body}") over the exact body bytes sent.

Outbound webhooks sign with `sign`; receivers (and Journeys' own inbound hooks) check with `verify`,
which rejects a wrong signature, a malformed header, and a timestamp outside the tolerance
(replays). Several `v1=` entries are allowed, and `verify` takes several secrets, so a secret can
be rotated without a gap.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Iterable

HEADER = "X-Journeys-Signature"
IDEMPOTENCY_HEADER = "X-Journeys-Idempotency-Key"
DEFAULT_TOLERANCE = timedelta(minutes=5)


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _timestamp(t: int | datetime) -> int:
    return int(t.timestamp()) if isinstance(t, datetime) else int(t)


def signature(secret: str | bytes, body: str | bytes, t: int | datetime) -> str:
    signed = str(_timestamp(t)).encode("ascii") + b"." + _bytes(body)
    return hmac.new(_bytes(secret), signed, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: str | bytes, t: int | datetime) -> str:
    """The header value for `body` sent at `t` (unix seconds or an aware datetime)."""
    return f"t={_timestamp(t)},v1={signature(secret, body, t)}"


def parse(header: str) -> tuple[int, list[str]] | None:
    t, sigs = None, []
    for part in (header or "").split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if name == "t":
            if not value.isdigit():
                return None
            t = int(value)
        elif name == "v1":
            sigs.append(value.lower())
    return (t, sigs) if t is not None and sigs else None


def verify(secret: str | bytes | Iterable[str | bytes], header: str, body: str | bytes,
           now: datetime, tolerance: timedelta = DEFAULT_TOLERANCE) -> bool:
    """True when `header` signs `body` with one of the secrets, at most `tolerance` from `now`."""
    parsed = parse(header)
    if parsed is None:
        return False
    t, sigs = parsed
    if abs(now.timestamp() - t) > tolerance.total_seconds():
        return False
    secrets = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    expected = [signature(s, body, t) for s in secrets if s]
    return any(hmac.compare_digest(e, s) for e in expected for s in sigs)
