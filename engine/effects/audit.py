"""The attempt history of an effect, kept in the `effect_attempt` table (engine.audit).

Each attempt (and each replay or discard) is one EffectAttempt row, written by `record` in the
transaction that records the outcome, so an attempt is logged exactly when its outcome commits.
`history` reads them back as small dicts {"at", "outcome", "attempt", "error", "retryable",
"destination", "actor", "by", "detail", ...} (empty fields left out), oldest first.

Effects written before the table existed kept their history in `payload["_attempts"]`; those
entries are still read (first), never written.
"""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Iterable

from engine.audit.records import DISPATCHER, EffectAttempt
from engine.audit.repository import audit_records
from engine.clock import format_utc
from engine.domain import Effect
from engine.storage.base import Store, Tx

LEGACY_KEY = "_attempts"
KEY = LEGACY_KEY  # kept for importers of the old name
# Fields promoted from `detail` to the top of a history entry (as the payload history had them).
_PROMOTED = ("retry_at", "previous")


def clone(effect: Effect) -> Effect:
    """Stores may hand out their own objects: never change one in place."""
    return copy.deepcopy(effect)


def record(tx: Tx, effect: Effect, at: datetime, outcome: str, *, attempt: int | None = None,
           error: str | None = None, retryable: bool | None = None,
           destination: str | None = None, by: str | None = None,
           detail: dict[str, Any] | None = None, **extra: Any) -> EffectAttempt:
    """Write one attempt (or a person's replay/discard, `by` whom) for `effect` in `tx`."""
    more = {k: v for k, v in {**(detail or {}), **extra}.items() if v not in (None, {}, "")}
    entry = EffectAttempt(effect_id=effect.id, at=at, outcome=outcome, attempt=attempt,
                          error=error, retryable=retryable, destination=destination,
                          actor=by or DISPATCHER, vendor_id=effect.vendor_id,
                          run_id=effect.run_id, client_id=effect.client_id, kind=effect.kind,
                          detail=more)
    audit_records(tx).add_attempt(entry)
    return entry


def as_entry(attempt: EffectAttempt) -> dict[str, Any]:
    """An attempt as the outbox API and UI show it (the old payload history's shape)."""
    entry: dict[str, Any] = {"at": format_utc(attempt.at), "outcome": attempt.outcome,
                             "actor": attempt.actor}
    for name in ("attempt", "error", "retryable", "destination"):
        value = getattr(attempt, name)
        if value not in (None, ""):
            entry[name] = value
    if attempt.actor != DISPATCHER:
        entry["by"] = attempt.actor
    if attempt.detail:
        entry["detail"] = dict(attempt.detail)
        entry.update({k: attempt.detail[k] for k in _PROMOTED if k in attempt.detail})
    return entry


def _legacy(effect: Effect) -> list[dict[str, Any]]:
    return list(effect.payload.get(LEGACY_KEY) or [])


def histories(source: Store | Tx, effects: Iterable[Effect]) -> dict[str, list[dict[str, Any]]]:
    """Every effect's history at once (one query), by effect id."""
    effects = list(effects)
    if isinstance(source, Store):
        with source.transaction() as tx:
            return histories(tx, effects)
    found = audit_records(source).attempts_for_effects(e.id for e in effects)
    return {e.id: _legacy(e) + [as_entry(a) for a in found.get(e.id, [])] for e in effects}


def history(effect: Effect, source: Store | Tx) -> list[dict[str, Any]]:
    """One effect's attempts, oldest first."""
    return histories(source, [effect])[effect.id]


def attempts(source: Store | Tx, effect_id: str) -> list[EffectAttempt]:
    """The EffectAttempt rows of one effect, oldest first."""
    if isinstance(source, Store):
        with source.transaction() as tx:
            return attempts(tx, effect_id)
    return audit_records(source).attempts_for_effects([effect_id])[effect_id]
