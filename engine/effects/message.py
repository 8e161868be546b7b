"""Building the MIME message for an email or form effect, the same way whether sent or captured."""
from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from engine.domain import Effect
from engine.errors import EffectError


def message_id(key: str, domain: str) -> str:
    """Deterministic per effect key: a re-delivery carries the same Message-ID, so receivers
    (and mail clients) can recognise it as the same message."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_email(effect: Effect, *, from_address: str, domain: str, now: datetime) -> EmailMessage:
    payload = effect.payload
    to = (payload.get("to") or "").strip()
    if not to or "@" not in to:
        raise EffectError(f"email has no valid recipient: {to!r}", retryable=False)
    text = payload.get("text") or ""
    html = payload.get("html")
    msg = EmailMessage()
    try:
        msg["From"] = Address(display_name=payload.get("from_name") or "", addr_spec=from_address)
        msg["To"] = to
        if payload.get("reply_to"):
            msg["Reply-To"] = payload["reply_to"]
        # A subject rendered from a template may carry a stray line break: one line, always.
        msg["Subject"] = " ".join(str(payload.get("subject") or "").split())
    except (ValueError, IndexError, TypeError) as exc:  # the email package's parse errors
        raise EffectError(f"bad header in email: {exc}", retryable=False) from None
    if not msg["To"].addresses:
        raise EffectError(f"email has no valid recipient: {to!r}", retryable=False)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(effect.key, domain)
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg
