"""Evaluate condition groups. Conditions are data: fields are looked up, never executed.

Missing values: a field that is absent is None; `eq`, ordering ops and `contains` are false on it,
`ne` and `not_exists` are true. Dates compare as dates when either side is a date (ISO strings
are parsed); numbers compare as numbers when both sides read as numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from engine.calendar import days_until

_MISSING = None


@dataclass
class ConditionContext:
    client: Mapping[str, Any]
    event: Mapping[str, Any]
    forms: Mapping[str, Mapping[str, Any]]
    now: datetime
    tz: ZoneInfo


def lookup(ctx: ConditionContext, field: str) -> Any:
    head, _, rest = field.partition(".")
    if head == "client":
        return _path(ctx.client, rest)
    if head == "event":
        return _path(ctx.event, rest)
    if head == "form":
        key, _, question = rest.partition(".")
        return _path(ctx.forms.get(key) or {}, question)
    return None


def _path(data: Any, path: str) -> Any:
    if not path:
        return data
    for part in path.split("."):
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
        if data is None:
            return None
    return data


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    if isinstance(left, (date, datetime)) or isinstance(right, (date, datetime)):
        a, b = _as_date(left), _as_date(right)
        return (a, b) if a is not None and b is not None else None
    a, b = _as_number(left), _as_number(right)
    if a is not None and b is not None:
        return a, b
    if isinstance(left, str) and isinstance(right, str):
        da, db = _as_date(left), _as_date(right)
        if da is not None and db is not None and len(left) >= 10 and len(right) >= 10:
            return da, db
        return left, right
    return None


def _equal(left: Any, right: Any) -> bool:
    if left is None:
        return right is None
    if left == right:
        return True
    pair = _comparable(left, right)
    return pair is not None and pair[0] == pair[1]


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any, ConditionContext], bool]:
    def op(left: Any, right: Any, _ctx: ConditionContext) -> bool:
        pair = _comparable(left, right)
        return pair is not None and test(*pair)
    return op


def _contains(left: Any, right: Any, _ctx: ConditionContext) -> bool:
    if isinstance(left, str):
        return isinstance(right, str) and right.lower() in left.lower()
    if isinstance(left, (list, tuple, set)):
        return any(_equal(item, right) for item in left)
    if isinstance(left, Mapping):
        return right in left
    return False


def _exists(left: Any) -> bool:
    return left is not None and left != "" and left != [] and left != {}


def _days_until(test: Callable[[int, int], bool]) -> Callable[[Any, Any, ConditionContext], bool]:
    def op(left: Any, right: Any, ctx: ConditionContext) -> bool:
        target, limit = _as_date(left), _as_number(right)
        if target is None or limit is None:
            return False
        return test(days_until(target, ctx.now, ctx.tz), limit)
    return op


OPS: dict[str, Callable[[Any, Any, ConditionContext], bool]] = {
    "eq": lambda l, r, _c: _equal(l, r),
    "ne": lambda l, r, _c: not _equal(l, r),
    "gt": _ordered(lambda a, b: a > b),
    "gte": _ordered(lambda a, b: a >= b),
    "lt": _ordered(lambda a, b: a < b),
    "lte": _ordered(lambda a, b: a <= b),
    "in": lambda l, r, _c: isinstance(r, list) and any(_equal(l, x) for x in r),
    "not_in": lambda l, r, _c: isinstance(r, list) and not any(_equal(l, x) for x in r),
    "contains": _contains,
    "exists": lambda l, _r, _c: _exists(l),
    "not_exists": lambda l, _r, _c: not _exists(l),
    "days_until_lte": _days_until(lambda d, n: d <= n),
    "days_until_gte": _days_until(lambda d, n: d >= n),
}


def evaluate(group: Mapping[str, Any] | None, ctx: ConditionContext) -> bool:
    """True when the group holds. An empty or missing group holds."""
    if not group:
        return True
    if "all" in group:
        return all(evaluate(member, ctx) for member in group["all"])
    if "any" in group:
        return any(evaluate(member, ctx) for member in group["any"])
    if "field" in group:
        op = OPS[group["op"]]
        return op(lookup(ctx, group["field"]), group.get("value"), ctx)
    # A plain mapping {"path": value} on a `match`: every event path equals its value.
    return all(_equal(_path(ctx.event, k.removeprefix("event.")), v) for k, v in group.items())
