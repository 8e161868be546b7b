"""Random secrets for sessions and API keys, and the hashes kept of them.

An API key reads `jrn_<prefix>_<secret>`: the prefix (12 hex characters) finds the row, the whole
key is compared by SHA-256 in constant time. Only the hash is stored; the key is shown once.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_PREFIX = "jrn"
_KEY = re.compile(r"^jrn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def new_api_key() -> tuple[str, str]:
    """(the key to show once, its lookup prefix)."""
    prefix = secrets.token_hex(6)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def parse_api_key(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    match = _KEY.match(key or "")
    return match.group(1) if match else None


def new_session_token() -> str:
    return secrets.token_urlsafe(32)
