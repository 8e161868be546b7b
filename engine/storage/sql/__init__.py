"""The SQL implementation of the storage contract (SQLite and PostgreSQL).

    from engine.storage.database import make_engine, migrate
    from engine.storage.sql import SqlStore

Importing this package does not import the store; `SqlStore` is loaded on first use so that the
tables module (and Alembic's env.py) can be imported on their own.
"""
from __future__ import annotations

from typing import Any

__all__ = ["SqlStore", "SqlTx"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from engine.storage.sql import store

        return getattr(store, name)
    raise AttributeError(name)
