"""Resolving a TIME (relative to a client date, or absolute) to a UTC instant, and day counts."""
from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Mapping

from engine.errors import CalendarError, MissingDate

from .business import BusinessCalendar, coerce_date
from .formats import iso_to_date
from .validation import check_time_spec
from .zones import UTC, localize, local_date, parse_hhmm, to_local

DEFAULT_AT = "09:00"
WEDDING_DATE = "wedding_date"
_DATES_PREFIX = "dates."
_DEFAULT_CALENDAR = BusinessCalendar()


def anchor_name(spec: Mapping[str, Any]) -> str | None:
    """'wedding_date' or the bare client date name ('dates.shoot' -> 'shoot'); None if absolute.

    'dates.wedding_date' also normalises to 'wedding_date': client_dates has one key space.
    """
    anchor = spec.get("anchor") if isinstance(spec, Mapping) else None
    if anchor is None:
        return None
    if not isinstance(anchor, str):
        raise CalendarError(f"anchor must be a string, got {anchor!r}")
    return anchor[len(_DATES_PREFIX):] if anchor.startswith(_DATES_PREFIX) else anchor


def _anchor_date(name: str, client_dates: Mapping[str, Any]) -> date:
    value = client_dates.get(name)
    if value is None or value == "":
        raise MissingDate(name)
    return coerce_date(value)


def resolve_time(spec: Mapping[str, Any], *, client_dates: Mapping[str, Any],
                 tz: tzinfo | str, calendar: BusinessCalendar | None = None) -> datetime:
    """TIME -> UTC instant in the client's zone `tz`.

    Relative: anchor date + offset (calendar days, or business days of `calendar`), at local `at`.
    Absolute: `date` at local `at`. `at` defaults to 09:00; DST gaps/folds follow zones.localize.
    Raises MissingDate(anchor) if the client has no such date (absent or None).
    """
    problems = check_time_spec(spec, "time")
    if problems:
        raise CalendarError("; ".join(m for _, m in problems), details={"time": spec})
    at = parse_hhmm(spec.get("at", DEFAULT_AT))
    name = anchor_name(spec)
    if name is None:
        return localize(iso_to_date(spec["date"]), at, tz)
    day = _anchor_date(name, client_dates)
    offset = spec.get("offset") or {"days": 0}
    try:
        if "business_days" in offset:
            day = (calendar or _DEFAULT_CALENDAR).add_business_days(day, offset["business_days"])
        else:
            day = day + timedelta(days=offset["days"])
    except OverflowError:
        raise CalendarError(f"offset {offset!r} from {day.isoformat()} leaves the calendar") from None
    return localize(day, at, tz)


def delay_business_days(instant: datetime, n: int, tz: tzinfo | str,
                        calendar: BusinessCalendar | None = None) -> datetime:
    """Same local wall-clock time, n business days later (local date + n open days).

    From a closed day, +1 is the first open day after it (Sat +1 = Mon, like Fri +1 = Mon).
    n == 0 on an open day returns the instant untouched (even inside a DST fold).
    """
    local = to_local(instant, tz)
    day = (calendar or _DEFAULT_CALENDAR).add_business_days(local.date(), n)
    if day == local.date():
        return instant.astimezone(UTC)
    return localize(day, local.time(), tz)


def days_until(target: date, now: datetime, tz: tzinfo | str) -> int:
    """Whole local calendar days from now's local date to target (negative once it has passed)."""
    return (coerce_date(target) - local_date(now, tz)).days
