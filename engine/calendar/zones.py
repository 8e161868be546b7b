"""Time zones and the one rule for turning a local wall-clock time into an instant.

Why here: every other module goes through `localize`, so the DST rule of the spec (a time in a gap
moves forward by the gap, an ambiguous time is its first occurrence) lives in exactly one place.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from engine.errors import CalendarError

from .formats import hhmm_to_time
from .validation import known_timezones

UTC = timezone.utc
DEFAULT_ZONE_NAME = "UTC"


@lru_cache(maxsize=1024)
def get_zone(name: str) -> ZoneInfo:
    """IANA name -> ZoneInfo. Only names in the tz database count (not file paths, not 'localtime')."""
    if not isinstance(name, str) or name not in known_timezones():
        raise CalendarError(f"unknown time zone {name!r}", details={"timezone": name})
    return ZoneInfo(name)


def as_zone(tz: tzinfo | str) -> tzinfo:
    """Accept a ZoneInfo (or any tzinfo) or an IANA name; callers may hold either."""
    if isinstance(tz, str):
        return get_zone(tz)
    if isinstance(tz, tzinfo):
        return tz
    raise CalendarError(f"not a time zone: {tz!r}", details={"timezone": repr(tz)})


def client_zone(client_tz: str | None, journey_tz: str | None, vendor_tz: str | None) -> ZoneInfo:
    """The spec's order: client's zone, else the journey's settings.timezone, else the vendor's.

    The first non-empty name wins even if it is unknown (then CalendarError): silently falling back
    to another zone would send at the wrong local hour without anyone noticing.
    """
    for name in (client_tz, journey_tz, vendor_tz):
        if name:
            return get_zone(name)
    return get_zone(DEFAULT_ZONE_NAME)


def require_aware(instant: datetime, what: str = "instant") -> datetime:
    """Naive datetimes are refused: guessing their zone is how off-by-hours bugs start."""
    if not isinstance(instant, datetime) or instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError(f"{what} must be a timezone-aware datetime, got {instant!r}")
    return instant


def localize(d: date, t: time, tz: tzinfo | str) -> datetime:
    """Local date + wall-clock time -> aware UTC instant, with the spec's DST rule.

    PEP 495 does exactly what the spec asks when fold=0: in a gap the offset from *before* the
    transition is used, so 02:30 on spring-forward night in New York is read as 02:30 EST =
    07:30Z = 03:30 EDT (forward by the gap); in a fall-back overlap fold=0 is the first occurrence.
    """
    zone = as_zone(tz)
    wall = datetime(d.year, d.month, d.day, t.hour, t.minute, t.second, t.microsecond,
                    tzinfo=zone, fold=0)
    return wall.astimezone(UTC)


def to_local(instant: datetime, tz: tzinfo | str) -> datetime:
    return require_aware(instant).astimezone(as_zone(tz))


def to_utc(instant: datetime) -> datetime:
    return require_aware(instant).astimezone(UTC)


def local_date(instant: datetime, tz: tzinfo | str) -> date:
    return to_local(instant, tz).date()


def format_local(instant: datetime, tz: tzinfo | str) -> str:
    """'2027-02-26T10:00:00+00:00': the 'local' field of simulation steps (seconds precision)."""
    return to_local(instant, tz).isoformat(timespec="seconds")


def format_utc(instant: datetime) -> str:
    """'2027-02-26T10:00:00Z': how the spec stores and returns instants."""
    return to_utc(instant).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_hhmm(value: str) -> time:
    """'10:00' -> time(10, 0); strict 24-hour HH:MM, CalendarError otherwise."""
    try:
        return hhmm_to_time(value)
    except ValueError:
        raise CalendarError(f"not a 24-hour 'HH:MM' time: {value!r}", details={"at": value}) from None
