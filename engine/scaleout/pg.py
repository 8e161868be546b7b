"""Dedicated PostgreSQL sessions, outside the SQLAlchemy pool.

The leader's advisory lock and the LISTEN channel belong to one session each: a pooled
connection would carry them into unrelated transactions or lose them when recycled. TCP
keepalives make a silently dead peer visible within about `keepalive` seconds, so a leader cut
off from the database loses its lock (and knows it) in bounded time.
"""
from __future__ import annotations

from typing import Any, Callable

import psycopg
from sqlalchemy import Engine


def session_factory(sa_engine: Engine, *, application_name: str, timeout: float = 10.0,
                    keepalive: float = 10.0) -> Callable[[], psycopg.Connection]:
    """A function that opens a new autocommit psycopg connection to `sa_engine`'s database,
    with the same connection arguments (host, user, options such as search_path)."""
    args, kwargs = sa_engine.dialect.create_connect_args(sa_engine.url)
    idle = max(1, int(keepalive / 2))
    kwargs.pop("context", None)  # SQLAlchemy's adapters; a plain session needs none
    params: dict[str, Any] = {**kwargs, "autocommit": True,
                              "connect_timeout": max(1, int(timeout)),
                              "application_name": application_name[:63], "keepalives": 1,
                              "keepalives_idle": idle, "keepalives_interval": idle,
                              "keepalives_count": 2}

    def connect() -> psycopg.Connection:
        return psycopg.connect(*args, **params)

    return connect


def close_quietly(conn: psycopg.Connection | None) -> None:
    if conn is None:
        return
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - it is being thrown away
        pass
