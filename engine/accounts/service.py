"""Accounts as a service: sign-up, login and sessions, API keys, users.

Every method takes what it needs and the clock it was given; nothing reads the system clock.
Vendors themselves live in the engine's store (`Engine.create_vendor`); a user belongs to
exactly one vendor and every principal this service returns names that vendor.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from engine.accounts.domain import ApiKey, Principal, Role, Session, User
from engine.accounts.passwords import PasswordHasher, password_problem
from engine.accounts.store import AccountStore
from engine.accounts.tokens import (new_api_key, new_session_token, parse_api_key, same_hash,
                                    sha256_hex)
from engine.calendar import check_timezone
from engine.domain import Vendor
from engine.errors import AuthError, Conflict, InvalidInput, NotFound
from engine.service import Engine

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
BAD_LOGIN = "invalid email or password"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_email(email: Any, problems: dict[str, str], field: str = "email") -> str | None:
    if not isinstance(email, str) or not _EMAIL.match(email.strip()) or len(email) > 254:
        problems[field] = "must be an email address"
        return None
    return normalize_email(email)


def _check_text(value: Any, field: str, problems: dict[str, str], *, max_len: int = 200,
                required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems[field] = "required, a non-empty string"
        return None
    if len(value.strip()) > max_len:
        problems[field] = f"at most {max_len} characters"
        return None
    return value.strip()


def _raise(problems: dict[str, str], what: str) -> None:
    if problems:
        raise InvalidInput(f"invalid {what}: " + "; ".join(f"{k}: {v}"
                                                            for k, v in problems.items()),
                           details={"fields": problems})


class AccountService:
    def __init__(self, store: AccountStore, engine: Engine, *,
                 hasher: PasswordHasher | None = None,
                 session_ttl: timedelta = timedelta(days=14),
                 touch_interval: timedelta = timedelta(minutes=1)):
        self.store, self.engine = store, engine
        self.clock, self.ids = engine.clock, engine.runtime.ids
        self.hasher = hasher or PasswordHasher()
        self.session_ttl, self.touch_interval = session_ttl, touch_interval

    # -- sign-up and users -------------------------------------------------------------------
    def signup(self, *, vendor_name: str, email: str, password: str, name: str | None = None,
               timezone: str = "UTC") -> tuple[Vendor, User, str]:
        """Create a vendor and its owner; returns (vendor, owner, session token)."""
        problems: dict[str, str] = {}
        vendor_name = _check_text(vendor_name, "vendor_name", problems)
        email = _check_email(email, problems)
        name = _check_text(name, "name", problems, required=False)
        if (issue := password_problem(password)) is not None:
            problems["password"] = issue
        if (tz_issues := check_timezone(timezone, "timezone")):
            problems["timezone"] = tz_issues[0][1]
        _raise(problems, "sign-up")
        with self.store.transaction(readonly=True) as tx:
            if tx.get_user_by_email(email) is not None:
                raise Conflict("an account with this email exists", details={"field": "email"})
        password_hash = self.hasher.hash(password)
        vendor = self.engine.create_vendor(vendor_name, timezone=timezone, email=email)
        user = User(id=self.ids.new_id("usr"), vendor_id=vendor.id, email=email,
                    name=name or email.split("@")[0], password_hash=password_hash,
                    role=Role.OWNER, created_at=self.clock.now())
        with self.store.transaction() as tx:
            tx.put_user(user)
            token, _ = self._open_session(tx, user)
        return vendor, user, token

    def add_user(self, vendor_id: str, *, email: str, password: str, name: str | None = None,
                 role: str = Role.MEMBER) -> User:
        problems: dict[str, str] = {}
        email = _check_email(email, problems)
        name = _check_text(name, "name", problems, required=False)
        if (issue := password_problem(password)) is not None:
            problems["password"] = issue
        if role not in Role.ALL:
            problems["role"] = f"one of {', '.join(sorted(Role.ALL))}"
        _raise(problems, "user")
        self.engine.get_vendor(vendor_id)
        user = User(id=self.ids.new_id("usr"), vendor_id=vendor_id, email=email,
                    name=name or email.split("@")[0], password_hash=self.hasher.hash(password),
                    role=role, created_at=self.clock.now())
        with self.store.transaction() as tx:
            tx.put_user(user)
        return user

    def list_users(self, vendor_id: str) -> list[User]:
        with self.store.transaction(readonly=True) as tx:
            return tx.list_users(vendor_id)

    def get_user(self, vendor_id: str, user_id: str) -> User:
        with self.store.transaction(readonly=True) as tx:
            user = tx.get_user(user_id)
        if user is None or user.vendor_id != vendor_id:
            raise NotFound("user", user_id)
        return user

    # -- sessions ----------------------------------------------------------------------------
    def login(self, email: str, password: str) -> tuple[User, str]:
        """Check the password (one argon2 run whether or not the email exists) and open a
        session; returns (user, session token). Failures say only BAD_LOGIN."""
        if not isinstance(email, str) or not isinstance(password, str) or len(password) > 1024:
            raise AuthError(BAD_LOGIN)
        with self.store.transaction(readonly=True) as tx:
            user = tx.get_user_by_email(normalize_email(email))
        ok, new_hash = self.hasher.verify(password, user.password_hash if user else None)
        if user is None or not ok or user.disabled:
            raise AuthError(BAD_LOGIN)
        with self.store.transaction() as tx:
            current = tx.get_user(user.id) or user
            current = replace(current, last_login_at=self.clock.now(),
                              password_hash=new_hash or current.password_hash)
            tx.put_user(current)
            tx.delete_expired_sessions(self.clock.now())
            token, _ = self._open_session(tx, current)
        return current, token

    def _open_session(self, tx: Any, user: User) -> tuple[str, Session]:
        token, now = new_session_token(), self.clock.now()
        session = Session(id=self.ids.new_id("ses"), user_id=user.id, vendor_id=user.vendor_id,
                          token_hash=sha256_hex(token), created_at=now,
                          expires_at=now + self.session_ttl, last_seen_at=now)
        tx.put_session(session)
        return token, session

    def authenticate_session(self, token: str) -> Principal:
        if not token or len(token) > 200:
            raise AuthError("not signed in")
        now = self.clock.now()
        with self.store.transaction(readonly=True) as tx:
            session = tx.get_session(sha256_hex(token))
            user = tx.get_user(session.user_id) if session is not None else None
        if session is None:
            raise AuthError("not signed in")
        if session.expires_at <= now or user is None or user.disabled:
            with self.store.transaction() as tx:
                tx.delete_session(session.id)
            raise AuthError("session expired; sign in again" if session.expires_at <= now
                            else "not signed in")
        if session.last_seen_at is None or now - session.last_seen_at >= self.touch_interval:
            with self.store.transaction() as tx:
                if tx.get_session(session.token_hash) is not None:  # not logged out meanwhile
                    tx.put_session(replace(session, last_seen_at=now))
        return Principal(vendor_id=user.vendor_id, kind="session", user_id=user.id,
                         session_id=session.id, role=user.role, label=user.email)

    def logout(self, token: str | None) -> None:
        if not token:
            return
        with self.store.transaction() as tx:
            session = tx.get_session(sha256_hex(token))
            if session is not None:
                tx.delete_session(session.id)

    # -- API keys ----------------------------------------------------------------------------
    def create_api_key(self, vendor_id: str, *, name: str, actor: str | None = None
                       ) -> tuple[ApiKey, str]:
        """A new key; returns (the stored key, the secret to show once)."""
        problems: dict[str, str] = {}
        name = _check_text(name, "name", problems, max_len=100)
        _raise(problems, "API key")
        self.engine.get_vendor(vendor_id)
        secret, prefix = new_api_key()
        key = ApiKey(id=self.ids.new_id("key"), vendor_id=vendor_id, name=name, prefix=prefix,
                     key_hash=sha256_hex(secret), created_at=self.clock.now(), created_by=actor)
        with self.store.transaction() as tx:
            tx.put_api_key(key)
        return key, secret

    def list_api_keys(self, vendor_id: str) -> list[ApiKey]:
        with self.store.transaction(readonly=True) as tx:
            return tx.list_api_keys(vendor_id)

    def get_api_key(self, vendor_id: str, key_id: str) -> ApiKey:
        with self.store.transaction(readonly=True) as tx:
            key = tx.get_api_key(key_id)
        if key is None or key.vendor_id != vendor_id:
            raise NotFound("API key", key_id)
        return key

    def revoke_api_key(self, vendor_id: str, key_id: str, *, actor: str | None = None) -> ApiKey:
        """Revoke a key at once; revoking a revoked key changes nothing."""
        with self.store.transaction() as tx:
            key = tx.get_api_key(key_id)
            if key is None or key.vendor_id != vendor_id:
                raise NotFound("API key", key_id)
            if key.revoked_at is None:
                key = replace(key, revoked_at=self.clock.now(), revoked_by=actor)
                tx.put_api_key(key)
            return key

    def authenticate_api_key(self, secret: str) -> Principal:
        prefix = parse_api_key(secret)
        if prefix is None:
            raise AuthError("invalid API key")
        now = self.clock.now()
        with self.store.transaction(readonly=True) as tx:
            key = tx.get_api_key_by_prefix(prefix)
        if key is None or not same_hash(key.key_hash, sha256_hex(secret)):
            raise AuthError("invalid API key")
        if key.revoked_at is not None:
            raise AuthError("API key revoked")
        # last_used_at is kept to the minute: one write per key per minute, not per call.
        if key.last_used_at is None or now - key.last_used_at >= self.touch_interval:
            with self.store.transaction() as tx:
                current = tx.get_api_key(key.id)
                if current is not None and current.revoked_at is None:
                    tx.put_api_key(replace(current, last_used_at=now))
        return Principal(vendor_id=key.vendor_id, kind="api_key", api_key_id=key.id,
                         label=key.name)
