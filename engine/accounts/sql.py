"""Accounts on SQLite or PostgreSQL (SQLAlchemy Core over engine.accounts.tables)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, Iterator, TypeVar

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.accounts.domain import ApiKey, Session, User
from engine.accounts.store import AccountStore, AccountTx
from engine.accounts.tables import account_api_key, account_session, account_user
from engine.errors import Conflict

T = TypeVar("T")


def _load(cls: type[T], row: Any) -> T | None:
    if row is None:
        return None
    mapping = row._mapping
    return cls(**{f.name: mapping[f.name] for f in fields(cls)})  # type: ignore[arg-type]


class SqlAccountTx(AccountTx):
    def __init__(self, conn: Connection):
        self.conn = conn

    def _upsert(self, table: Table, obj: Any, conflict: str) -> None:
        values = asdict(obj)
        try:
            with self.conn.begin_nested():
                done = self.conn.execute(update(table).where(table.c.id == values["id"])
                                         .values(**values)).rowcount
                if not done:
                    self.conn.execute(insert(table).values(**values))
        except IntegrityError:
            raise Conflict(conflict) from None

    def _one(self, cls: type[T], table: Table, **where: Any) -> T | None:
        query = select(table)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        return _load(cls, self.conn.execute(query).first())

    # users
    def get_user(self, user_id: str) -> User | None:
        return self._one(User, account_user, id=user_id)

    def get_user_by_email(self, email: str) -> User | None:
        return self._one(User, account_user, email=email)

    def put_user(self, user: User) -> None:
        existing = self.get_user_by_email(user.email)
        if existing is not None and existing.id != user.id:
            raise Conflict(f"a user with email {user.email!r} exists", details={"field": "email"})
        self._upsert(account_user, user, f"a user with email {user.email!r} exists")

    def list_users(self, vendor_id: str) -> list[User]:
        rows = self.conn.execute(select(account_user).where(account_user.c.vendor_id == vendor_id)
                                 .order_by(account_user.c.created_at, account_user.c.id))
        return [_load(User, r) for r in rows]

    # API keys
    def get_api_key(self, key_id: str) -> ApiKey | None:
        return self._one(ApiKey, account_api_key, id=key_id)

    def get_api_key_by_prefix(self, prefix: str) -> ApiKey | None:
        return self._one(ApiKey, account_api_key, prefix=prefix)

    def put_api_key(self, key: ApiKey) -> None:
        self._upsert(account_api_key, key, "an API key with this prefix exists")

    def list_api_keys(self, vendor_id: str) -> list[ApiKey]:
        t = account_api_key
        rows = self.conn.execute(select(t).where(t.c.vendor_id == vendor_id)
                                 .order_by(t.c.created_at, t.c.id))
        return [_load(ApiKey, r) for r in rows]

    # sessions
    def get_session(self, token_hash: str) -> Session | None:
        return self._one(Session, account_session, token_hash=token_hash)

    def put_session(self, session: Session) -> None:
        self._upsert(account_session, session, "session token collision")

    def delete_session(self, session_id: str) -> None:
        self.conn.execute(delete(account_session).where(account_session.c.id == session_id))

    def delete_user_sessions(self, user_id: str) -> int:
        return self.conn.execute(delete(account_session)
                                 .where(account_session.c.user_id == user_id)).rowcount

    def delete_expired_sessions(self, now: datetime) -> int:
        return self.conn.execute(delete(account_session)
                                 .where(account_session.c.expires_at <= now)).rowcount


class SqlAccountStore(AccountStore):
    """Uses the same SQLAlchemy Engine as the SqlStore (make_engine; migrated by Alembic)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[SqlAccountTx]:
        with self.engine.connect() as conn:
            if readonly and self.engine.dialect.name == "sqlite":
                conn = conn.execution_options(sqlite_begin="DEFERRED")
            with conn.begin():
                yield SqlAccountTx(conn)
