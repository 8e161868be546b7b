"""In-memory accounts storage for fast tests; the same contract as SqlAccountStore."""
from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from engine.accounts.domain import ApiKey, Session, User
from engine.accounts.store import AccountStore, AccountTx
from engine.errors import Conflict


class _Tables:
    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.keys: dict[str, ApiKey] = {}
        self.sessions: dict[str, Session] = {}


class MemoryAccountTx(AccountTx):
    """Reads and writes copies, so a caller changing an object it read changes nothing stored."""

    def __init__(self, t: _Tables):
        self.t = t

    # users
    def get_user(self, user_id: str) -> User | None:
        return copy.copy(self.t.users.get(user_id))

    def get_user_by_email(self, email: str) -> User | None:
        return next((copy.copy(u) for u in self.t.users.values() if u.email == email), None)

    def put_user(self, user: User) -> None:
        if any(u.email == user.email and u.id != user.id for u in self.t.users.values()):
            raise Conflict(f"a user with email {user.email!r} exists", details={"field": "email"})
        self.t.users[user.id] = copy.copy(user)

    def list_users(self, vendor_id: str) -> list[User]:
        found = [copy.copy(u) for u in self.t.users.values() if u.vendor_id == vendor_id]
        return sorted(found, key=lambda u: (u.created_at or datetime.min, u.id))

    # API keys
    def get_api_key(self, key_id: str) -> ApiKey | None:
        return copy.copy(self.t.keys.get(key_id))

    def get_api_key_by_prefix(self, prefix: str) -> ApiKey | None:
        return next((copy.copy(k) for k in self.t.keys.values() if k.prefix == prefix), None)

    def put_api_key(self, key: ApiKey) -> None:
        if any(k.prefix == key.prefix and k.id != key.id for k in self.t.keys.values()):
            raise Conflict("an API key with this prefix exists")
        self.t.keys[key.id] = copy.copy(key)

    def list_api_keys(self, vendor_id: str) -> list[ApiKey]:
        found = [copy.copy(k) for k in self.t.keys.values() if k.vendor_id == vendor_id]
        return sorted(found, key=lambda k: (k.created_at, k.id))

    # sessions
    def get_session(self, token_hash: str) -> Session | None:
        return next((copy.copy(s) for s in self.t.sessions.values()
                     if s.token_hash == token_hash), None)

    def put_session(self, session: Session) -> None:
        self.t.sessions[session.id] = copy.copy(session)

    def delete_session(self, session_id: str) -> None:
        self.t.sessions.pop(session_id, None)

    def delete_user_sessions(self, user_id: str) -> int:
        doomed = [sid for sid, s in self.t.sessions.items() if s.user_id == user_id]
        for sid in doomed:
            del self.t.sessions[sid]
        return len(doomed)

    def delete_expired_sessions(self, now: datetime) -> int:
        doomed = [sid for sid, s in self.t.sessions.items() if s.expires_at <= now]
        for sid in doomed:
            del self.t.sessions[sid]
        return len(doomed)


class MemoryAccountStore(AccountStore):
    """Transactions are serialised by a lock; a failed one restores the snapshot taken at its
    start (account tables are small, so a snapshot is cheap)."""

    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[MemoryAccountTx]:
        with self._lock:
            t = self._tables
            saved = (dict(t.users), dict(t.keys), dict(t.sessions))
            try:
                yield MemoryAccountTx(t)
            except BaseException:
                t.users, t.keys, t.sessions = saved
                raise
