"""Audit records in the caller's transaction: `audit_records(tx)` is bound to one `Tx`.

    audit_records(tx).add_attempt(EffectAttempt(...))
    audit_records(tx).attempts_for_effects(["eff_1", "eff_2"])   # {effect_id: [attempts]}

SqlAudit writes the effect_attempt / journey_change tables on the transaction's connection;
MemoryAudit keeps lists beside the memory store's tables, undone on rollback. Both return
fresh objects in insertion order.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Iterable, Protocol

from sqlalchemy import bindparam, select

from engine.audit import tables as A
from engine.audit.records import EffectAttempt, JourneyChange
from engine.storage.base import Tx
from engine.storage.extension import (memory_append, memory_set, memory_table, next_memory_id,
                                      sql_connection)


class AuditRecords(Protocol):
    def add_attempt(self, attempt: EffectAttempt) -> None: ...
    def attempts_for_effects(self, effect_ids: Iterable[str]) -> dict[str, list[EffectAttempt]]: ...
    def attempts_for_client(self, vendor_id: str, client_id: str) -> list[EffectAttempt]: ...
    def add_change(self, change: JourneyChange) -> None: ...
    def changes_for_journey(self, vendor_id: str, journey_id: str) -> list[JourneyChange]: ...


def audit_records(tx: Tx) -> AuditRecords:
    conn = sql_connection(tx)
    return MemoryAudit(tx) if conn is None else SqlAudit(conn)


_ATTEMPT = tuple(f.name for f in dataclasses.fields(EffectAttempt))
_CHANGE = tuple(f.name for f in dataclasses.fields(JourneyChange))


def _values(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names if n != "id"}


class SqlAudit:
    ea, jc = A.effect_attempt, A.journey_change
    _insert_attempt = ea.insert()
    _insert_change = jc.insert()
    _by_effects = (select(*map(ea.c.__getitem__, _ATTEMPT))
                   .where(ea.c.effect_id.in_(bindparam("ids", expanding=True)))
                   .order_by(ea.c.id))
    _by_client = (select(*map(ea.c.__getitem__, _ATTEMPT))
                  .where(ea.c.vendor_id == bindparam("vendor_id"),
                         ea.c.client_id == bindparam("client_id"))
                  .order_by(ea.c.id))
    _changes = (select(*map(jc.c.__getitem__, _CHANGE))
                .where(jc.c.vendor_id == bindparam("vendor_id"),
                       jc.c.journey_id == bindparam("journey_id"))
                .order_by(jc.c.id))

    def __init__(self, conn: Any):
        self.conn = conn

    def add_attempt(self, attempt: EffectAttempt) -> None:
        self.conn.execute(self._insert_attempt, _values(attempt, _ATTEMPT))

    def attempts_for_effects(self, effect_ids: Iterable[str]) -> dict[str, list[EffectAttempt]]:
        ids = sorted(set(effect_ids))
        found: dict[str, list[EffectAttempt]] = {i: [] for i in ids}
        if ids:
            for row in self.conn.execute(self._by_effects, {"ids": ids}):
                attempt = EffectAttempt(**dict(zip(_ATTEMPT, row)))
                found[attempt.effect_id].append(attempt)
        return found

    def attempts_for_client(self, vendor_id: str, client_id: str) -> list[EffectAttempt]:
        rows = self.conn.execute(self._by_client, {"vendor_id": vendor_id,
                                                   "client_id": client_id})
        return [EffectAttempt(**dict(zip(_ATTEMPT, r))) for r in rows]

    def add_change(self, change: JourneyChange) -> None:
        self.conn.execute(self._insert_change, _values(change, _CHANGE))

    def changes_for_journey(self, vendor_id: str, journey_id: str) -> list[JourneyChange]:
        rows = self.conn.execute(self._changes, {"vendor_id": vendor_id,
                                                 "journey_id": journey_id})
        return [JourneyChange(**dict(zip(_CHANGE, r))) for r in rows]


class MemoryAudit:
    def __init__(self, tx: Tx):
        self.tx = tx
        self.attempts: dict[str, list[EffectAttempt]] = memory_table(tx, "effect_attempt", dict)
        self.changes: dict[str, list[JourneyChange]] = memory_table(tx, "journey_change", dict)

    def _append(self, index: dict[str, list], key: str, item: Any) -> None:
        if key not in index:
            memory_set(self.tx, index, key, [])
        memory_append(self.tx, index[key], item)

    def add_attempt(self, attempt: EffectAttempt) -> None:
        stored = copy.deepcopy(attempt)
        stored.id = next_memory_id(self.tx, "effect_attempt")
        self._append(self.attempts, attempt.effect_id, stored)

    def attempts_for_effects(self, effect_ids: Iterable[str]) -> dict[str, list[EffectAttempt]]:
        return {i: copy.deepcopy(self.attempts.get(i, [])) for i in set(effect_ids)}

    def attempts_for_client(self, vendor_id: str, client_id: str) -> list[EffectAttempt]:
        found = [a for items in self.attempts.values() for a in items
                 if a.vendor_id == vendor_id and a.client_id == client_id]
        return copy.deepcopy(sorted(found, key=lambda a: a.id or 0))

    def add_change(self, change: JourneyChange) -> None:
        stored = copy.deepcopy(change)
        stored.id = next_memory_id(self.tx, "journey_change")
        self._append(self.changes, change.journey_id, stored)

    def changes_for_journey(self, vendor_id: str, journey_id: str) -> list[JourneyChange]:
        return copy.deepcopy([c for c in self.changes.get(journey_id, [])
                              if c.vendor_id == vendor_id])


__all__ = ["AuditRecords", "MemoryAudit", "SqlAudit", "audit_records"]
