"""Feature repositories beside the core storage contract.

A feature with its own tables (hosted forms, the audit trail) keeps its rows in the SAME
transaction as the engine's, without widening the `Tx` contract every store must implement:
its repository is bound to a `Tx` and reaches either the SQL connection or the memory tables.

    conn = sql_connection(tx)                   # SqlTx: its Connection; MemoryTx: None
    rows = memory_table(tx, "effect_attempt", dict)   # a container kept beside the memory tables
    memory_set(tx, rows, key, value)            # undo-logged: rolled back with the transaction
    memory_delete(tx, rows, key); memory_append(tx, items, value)

The memory containers live on the MemoryStore's tables object, so they share its lock, its
lifetime and its rollback (the transaction's undo log), exactly like the core tables.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from engine.storage.base import Tx

T = TypeVar("T")


def sql_connection(tx: Tx) -> Any | None:
    """The SQLAlchemy Connection of a SqlTx (None for the memory store)."""
    from engine.storage.memory import MemoryTx

    if isinstance(tx, MemoryTx):
        return None
    conn = getattr(tx, "conn", None)
    if conn is None:
        raise TypeError(f"{type(tx).__name__} is neither a SqlTx nor a MemoryTx")
    return conn


def memory_table(tx: Tx, name: str, factory: Callable[[], T]) -> T:
    """A named container kept beside a MemoryStore's tables (created empty on first use)."""
    tables = tx.t  # type: ignore[attr-defined]
    extra: dict[str, Any] | None = getattr(tables, "feature_tables", None)
    if extra is None:
        extra = {}
        tables.feature_tables = extra
    if name not in extra:
        extra[name] = factory()
    return extra[name]


def memory_set(tx: Tx, mapping: dict, key: Any, value: Any) -> None:
    """mapping[key] = value, undone if the transaction rolls back."""
    tx._set(mapping, key, value)  # type: ignore[attr-defined]


def memory_delete(tx: Tx, mapping: dict, key: Any) -> None:
    """del mapping[key] (if present), undone if the transaction rolls back."""
    tx._del(mapping, key)  # type: ignore[attr-defined]


def memory_append(tx: Tx, items: list, value: Any) -> None:
    """items.append(value), undone if the transaction rolls back."""
    tx._append(items, value)  # type: ignore[attr-defined]


def next_memory_id(tx: Tx, name: str) -> int:
    """A per-table increasing integer for memory rows (like an autoincrement key)."""
    counters: dict[str, int] = memory_table(tx, "_counters", dict)
    value = counters.get(name, 0) + 1
    memory_set(tx, counters, name, value)
    return value


__all__ = ["memory_append", "memory_delete", "memory_set", "memory_table", "next_memory_id", "sql_connection"]
