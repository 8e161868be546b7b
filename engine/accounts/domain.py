"""Accounts: a vendor's users, their web sessions and the vendor's API keys (plain dataclasses).

Secrets never live here in the clear: a user keeps an argon2 hash of the password, a session and
an API key keep a SHA-256 of their random token (both are 256-bit random, so a fast hash is enough;
argon2 is for low-entropy passwords).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class Role:
    OWNER = "owner"
    MEMBER = "member"
    ALL = frozenset({OWNER, MEMBER})


@dataclass
class User:
    id: str
    vendor_id: str
    email: str  # normalised: stripped, lower case; unique across the installation
    name: str
    password_hash: str
    role: str = Role.MEMBER
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    disabled: bool = False


@dataclass
class ApiKey:
    id: str
    vendor_id: str
    name: str
    prefix: str  # the public lookup part of the key ("jrn_<prefix>_<secret>"), unique
    key_hash: str  # sha256 hex of the whole key
    created_at: datetime
    created_by: str | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass
class Session:
    id: str
    user_id: str
    vendor_id: str
    token_hash: str  # sha256 hex of the cookie value, unique
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: always one vendor; a user (session) or an API key."""
    vendor_id: str
    kind: str  # "session" | "api_key"
    user_id: str | None = None
    api_key_id: str | None = None
    session_id: str | None = None
    role: str | None = None
    label: str = ""

    @property
    def actor(self) -> str:
        """What the engine writes in step logs as 'who did it'."""
        if self.kind == "api_key":
            return f"api_key:{self.api_key_id}"
        return f"user:{self.user_id}"

    @property
    def is_user(self) -> bool:
        return self.kind == "session"
