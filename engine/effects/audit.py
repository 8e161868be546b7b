"""The attempt history of an effect, kept in `effect.payload["_attempts"]`.

The store contract has no attempts table yet, so each attempt (and each replay or discard) is a
small dict appended to the payload: {"at", "outcome", "attempt", "error", "destination",
"detail", "by"}. Keys starting with "_" are bookkeeping: senders ignore them. The list is capped
so a much-replayed effect cannot grow without bound.
"""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from engine.clock import format_utc
from engine.domain import Effect

KEY = "_attempts"
LIMIT = 100


def clone(effect: Effect) -> Effect:
    """Stores may hand out their own objects: never change one in place."""
    return copy.deepcopy(effect)


def record(effect: Effect, at: datetime, outcome: str, **fields: Any) -> None:
    entry = {"at": format_utc(at), "outcome": outcome,
             **{k: v for k, v in fields.items() if v not in (None, {}, "")}}
    history = list(effect.payload.get(KEY) or [])
    history.append(entry)
    effect.payload = {**effect.payload, KEY: history[-LIMIT:]}


def history(effect: Effect) -> list[dict[str, Any]]:
    return list(effect.payload.get(KEY) or [])
