"""Open days of a journey's calendar (settings.calendar + vendor blackouts) and business-day steps."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Iterable, Mapping

import holidays

from engine.errors import CalendarError

from .formats import WEEKDAY_INDEX, iso_to_date
from .validation import check_calendar, check_holiday_code, split_holiday_code

DEFAULT_CLOSED_WEEKDAYS = frozenset({5, 6})  # Sat, Sun: the spec's default "Mon-Fri open"
# No calendar can be closed this many days in a row unless it is closed for good; stop there
# instead of looping forever on, say, a year of blackout dates.
MAX_CLOSED_RUN = 800


@lru_cache(maxsize=4096)
def holiday_dates(code: str, year: int) -> frozenset[date]:
    """Public holidays of `code` ('US', 'GB-ENG', ...) in `year`, observed days included.

    Cached per (code, year): building a holidays object costs far more than a set lookup, and the
    simulator asks about the same few years millions of times. Observed days ("Christmas Day
    (observed)") count as holidays because that is when the business is actually closed.
    """
    country, subdiv = split_holiday_code(code)
    try:
        # Outside the years it has data for (e.g. lunar calendars), the package warns and returns
        # what it can. Journeys ask such years routinely (far-off simulation), so the warning is
        # silenced here; this runs once per (code, year) thanks to the cache.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Requested Holidays are available only",
                                    category=UserWarning)
            table = holidays.country_holidays(country, subdiv=subdiv, years=year)
    except (NotImplementedError, KeyError, ValueError) as exc:
        raise CalendarError(f"unknown holiday code {code!r}", details={"holidays": code}) from exc
    # The package may also list the next year's observed day (Dec 31 for Jan 1); keep this year's.
    return frozenset(d for d in table if d.year == year)


def coerce_date(value: Any) -> date:
    """A date, or an ISO "YYYY-MM-DD" string, as a date; CalendarError otherwise."""
    # A datetime is a date subclass but never equal to one: refuse it rather than never match.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    parsed = iso_to_date(value)
    if parsed is None:
        raise CalendarError(f"not a date: {value!r} (want a date or 'YYYY-MM-DD')")
    return parsed


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days are open. `weekdays_explicit` records whether the journey set closed_weekdays
    itself (send windows only honour closed weekdays then, see windows.next_send_time)."""

    holiday_code: str | None = None
    closed_weekdays: frozenset[int] = field(default=DEFAULT_CLOSED_WEEKDAYS)
    closed_dates: frozenset[date] = frozenset()
    weekdays_explicit: bool = False

    def __post_init__(self) -> None:
        if not set(self.closed_weekdays) <= set(range(7)):
            raise CalendarError(f"closed_weekdays must be 0 (Mon) .. 6 (Sun): {sorted(self.closed_weekdays)}")
        if len(set(self.closed_weekdays)) == 7:
            raise CalendarError("closed_weekdays closes all seven days; no business day would exist")
        if self.holiday_code is not None:
            problems = check_holiday_code(self.holiday_code, "holiday_code")
            if problems:
                raise CalendarError(problems[0][1], details={"holidays": self.holiday_code})

    @classmethod
    def from_settings(cls, calendar_settings: Mapping[str, Any] | None, *,
                      blackout_dates: Iterable[date | str] = ()) -> "BusinessCalendar":
        """settings.calendar (or None) + the vendor's blackout dates -> BusinessCalendar.

        Blackout dates are closed dates like settings.calendar.closed_dates.
        """
        settings = calendar_settings or {}
        problems = check_calendar(settings)
        if problems:
            raise CalendarError("; ".join(m for _, m in problems), details={"calendar": settings})
        explicit = "closed_weekdays" in settings
        weekdays = (frozenset(WEEKDAY_INDEX[d] for d in settings["closed_weekdays"])
                    if explicit else DEFAULT_CLOSED_WEEKDAYS)
        closed = frozenset(coerce_date(d) for d in settings.get("closed_dates", ()))
        closed |= frozenset(coerce_date(d) for d in blackout_dates)
        return cls(holiday_code=settings.get("holidays"), closed_weekdays=weekdays,
                   closed_dates=closed, weekdays_explicit=explicit)

    def is_holiday(self, d: date) -> bool:
        return self.holiday_code is not None and d in holiday_dates(self.holiday_code, d.year)

    def is_closed_date(self, d: date) -> bool:
        """Closed for a date-specific reason: a holiday, a closed_dates entry or a blackout."""
        return d in self.closed_dates or self.is_holiday(d)

    def is_open(self, d: date) -> bool:
        """A business day: not a closed weekday and not a closed date."""
        return d.weekday() not in self.closed_weekdays and not self.is_closed_date(d)

    def add_business_days(self, d: date, n: int) -> date:
        """n > 0: the n-th open day after d; n < 0: the |n|-th open day before d;
        n == 0: d itself if open, else the next open day. d itself never counts for n != 0."""
        step = timedelta(days=1 if n >= 0 else -1)
        if n == 0:
            return d if self.is_open(d) else self._next_open(d, step)
        for _ in range(abs(n)):
            d = self._next_open(d, step)
        return d

    def _next_open(self, d: date, step: timedelta) -> date:
        for _ in range(MAX_CLOSED_RUN):
            try:
                d = d + step
            except OverflowError:
                break
            if self.is_open(d):
                return d
        raise CalendarError(f"no open business day within {MAX_CLOSED_RUN} days of {d.isoformat()}")
