"""Send windows: when an email reached at some instant may actually go out."""
from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Mapping

from engine.errors import CalendarError

from .business import BusinessCalendar
from .formats import WEEKDAY_INDEX
from .validation import check_send_window
from .zones import UTC, as_zone, parse_hhmm, require_aware

MAX_SEARCH_DAYS = 800


def is_allowed_day(d: date, days: frozenset[int], calendar: BusinessCalendar | None) -> bool:
    """A day on which the send window opens; see next_send_time for the rule."""
    if d.weekday() not in days:
        return False
    if calendar is None:
        return True
    if calendar.is_closed_date(d):
        return False
    return not (calendar.weekdays_explicit and d.weekday() in calendar.closed_weekdays)


def check_send_window_calendar(window: Any, calendar_settings: Any,
                               where: str = "settings.send_window") -> list[tuple[str, str]]:
    """Cross-check for the document validator: a window whose days are all closed weekdays of an
    explicit settings.calendar.closed_weekdays can never open. Only meaningful once both pass their
    own checks; returns [] when either is malformed or absent (those checks report it)."""
    if not isinstance(window, Mapping) or not isinstance(calendar_settings, Mapping):
        return []
    days, closed = window.get("days"), calendar_settings.get("closed_weekdays")
    if not isinstance(days, list) or not isinstance(closed, list) or not days:
        return []
    if all(d in closed for d in days):
        return [("INVALID_SEND_WINDOW",
                 f"{where}.days: every day ({', '.join(map(str, days))}) is closed by "
                 f"settings.calendar.closed_weekdays, so the window never opens")]
    return []


def next_send_time(instant: datetime, window: Mapping[str, Any] | None, tz: tzinfo | str,
                   calendar: BusinessCalendar | None = None) -> datetime:
    """The earliest moment >= instant at which the send window is open, in UTC.

    - No window: the instant itself (any time is fine).
    - Inside [start, end) local wall-clock time on an allowed day: the instant itself.
    - Otherwise the next local `start` on an allowed day (a start in a DST gap moves forward by the
      gap, as zones.localize; if the whole window falls in the gap that day is skipped; in a
      fall-back fold the first occurrence of `start` is used unless it is already past, then the
      second one).

    Allowed day rule: the weekday is in window["days"] AND the day is not a holiday, closed_dates
    entry or vendor blackout of `calendar`. The calendar's closed_weekdays block a day ONLY when the
    journey wrote settings.calendar.closed_weekdays itself (calendar.weekdays_explicit): the
    default Sat/Sun closure exists for counting business days, and a window that lists "sat" must
    still be able to send on Saturdays when the journey never said Saturdays are closed.
    """
    require_aware(instant)
    if window is None:
        return instant.astimezone(UTC)
    problems, days, start, end = _prepare_window(window)
    if problems:
        raise CalendarError("; ".join(m for _, m in problems), details={"send_window": dict(window)})
    zone = as_zone(tz)

    if calendar is not None and calendar.weekdays_explicit and days <= calendar.closed_weekdays:
        raise CalendarError(f"send window days {list(window['days'])} are all closed weekdays of the "
                            f"calendar; the window can never open")
    local = instant.astimezone(zone)
    if is_allowed_day(local.date(), days, calendar) and start <= local.time() < end:
        return instant.astimezone(UTC)
    day = local.date()
    for _ in range(MAX_SEARCH_DAYS):
        if is_allowed_day(day, days, calendar):
            for fold in (0, 1):
                wall = datetime.combine(day, start, tzinfo=zone).replace(fold=fold)
                candidate = wall.astimezone(UTC)
                seen = candidate.astimezone(zone)
                # fold=0 in a gap reads as start + gap (the spec's rule); fold=1 in a gap reads
                # backwards and fails the window check, so it is never chosen.
                if candidate >= instant and seen.date() == day and start <= seen.time() < end:
                    return candidate
        if day == date.max:
            break
        day += timedelta(days=1)
    raise CalendarError(f"send window {dict(window)!r} never opens within {MAX_SEARCH_DAYS} days "
                        f"of {instant.isoformat()}")


def _prepare_window(window: Mapping[str, Any]) -> tuple[list, frozenset[int], Any, Any]:
    """(problems, allowed weekdays, start, end) of a window. A window of exactly days/start/end
    as plain strings (every published journey's) is checked and parsed once, not on every send."""
    days, start, end = window.get("days"), window.get("start"), window.get("end")
    if len(window) == 3 and type(days) is list and type(start) is str and type(end) is str \
            and all(type(d) is str for d in days):
        return _prepared_window(tuple(days), start, end)
    return _check_and_parse(window)


def _check_and_parse(window: Mapping[str, Any]) -> tuple[list, frozenset[int], Any, Any]:
    problems = check_send_window(window)
    if problems:
        return problems, frozenset(), None, None
    return ([], frozenset(WEEKDAY_INDEX[d] for d in window["days"]), parse_hhmm(window["start"]),
            parse_hhmm(window["end"]))


@lru_cache(maxsize=256)
def _prepared_window(days: tuple[str, ...], start: str, end: str
                     ) -> tuple[list, frozenset[int], Any, Any]:
    return _check_and_parse({"days": list(days), "start": start, "end": end})
