"""The accounts storage contract; MemoryAccountStore and SqlAccountStore pass the same tests.

Like engine.storage.base: a store hands out transactions, a transaction reads and writes the
dataclasses of engine.accounts.domain and is committed or rolled back as a whole.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime

from engine.accounts.domain import ApiKey, Session, User


class AccountTx(ABC):
    # users
    @abstractmethod
    def get_user(self, user_id: str) -> User | None: ...
    @abstractmethod
    def get_user_by_email(self, email: str) -> User | None: ...
    @abstractmethod
    def put_user(self, user: User) -> None:
        """Insert or update; the email is unique -> engine.errors.Conflict."""
    @abstractmethod
    def list_users(self, vendor_id: str) -> list[User]:
        """Stable order: created_at, then id."""

    # API keys
    @abstractmethod
    def get_api_key(self, key_id: str) -> ApiKey | None: ...
    @abstractmethod
    def get_api_key_by_prefix(self, prefix: str) -> ApiKey | None: ...
    @abstractmethod
    def put_api_key(self, key: ApiKey) -> None:
        """Insert or update; the prefix is unique -> engine.errors.Conflict."""
    @abstractmethod
    def list_api_keys(self, vendor_id: str) -> list[ApiKey]:
        """Stable order: created_at, then id."""

    # sessions
    @abstractmethod
    def get_session(self, token_hash: str) -> Session | None: ...
    @abstractmethod
    def put_session(self, session: Session) -> None: ...
    @abstractmethod
    def delete_session(self, session_id: str) -> None: ...
    @abstractmethod
    def delete_user_sessions(self, user_id: str) -> int: ...
    @abstractmethod
    def delete_expired_sessions(self, now: datetime) -> int: ...


class AccountStore(ABC):
    @abstractmethod
    def transaction(self, *, readonly: bool = False) -> AbstractContextManager[AccountTx]:
        """Commits when the block ends normally, rolls back on an exception. `readonly=True`
        promises no writes: SQLite then does not take the write lock (every request reads the
        caller's key or session; only an occasional one writes)."""
