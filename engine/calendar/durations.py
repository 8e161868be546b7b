"""DURATION arithmetic: weeks/days are local calendar steps, hours/minutes are elapsed time."""
from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from engine.errors import CalendarError

from .validation import check_duration
from .zones import UTC, localize, require_aware, to_local


def _checked(duration: dict, where: str = "duration") -> dict:
    problems = check_duration(duration, where)
    if problems:
        raise CalendarError("; ".join(m for _, m in problems), details={"duration": duration})
    return duration


def add_duration(instant: datetime, duration: dict, tz: tzinfo | str) -> datetime:
    """instant + DURATION, in UTC.

    Order matters and is fixed: first the calendar part (weeks*7 + days) moves the local date and
    keeps the wall-clock time (re-localized with the gap/fold rule, so 09:00 + 1 day is 09:00 the
    next local day even across DST), then hours and minutes are added as elapsed UTC time (so
    {"hours": 24} across spring-forward lands at 10:00 local, not 09:00).
    """
    require_aware(instant)
    _checked(duration)
    days = 7 * duration.get("weeks", 0) + duration.get("days", 0)
    result = instant.astimezone(UTC)
    if days:
        # Only re-localize when the date moves: a zero-day step must not turn the second
        # occurrence of an ambiguous time into the first (which would go back in time).
        local = to_local(instant, tz)
        try:
            target = local.date() + timedelta(days=days)
        except OverflowError:
            raise CalendarError(f"duration {duration!r} goes past the year 9999") from None
        result = localize(target, local.time(), tz)
    try:
        return result + timedelta(hours=duration.get("hours", 0), minutes=duration.get("minutes", 0))
    except OverflowError:
        raise CalendarError(f"duration {duration!r} goes past the year 9999") from None


def duration_seconds_estimate(duration: dict) -> int:
    """Nominal length in seconds (a day counted as 86 400 s): for sorting and rough limits only."""
    _checked(duration)
    return (duration.get("weeks", 0) * 604_800 + duration.get("days", 0) * 86_400
            + duration.get("hours", 0) * 3_600 + duration.get("minutes", 0) * 60)
