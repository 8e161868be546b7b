"""Validation of the calendar parts of a journey document (time zones, DURATION, TIME, calendar,
send window).

Every checker returns a list of (code, message); empty means fine. Messages start with `where`
(the document path the caller passes in) so the caller can show them as they are. Checkers never
raise on bad input: a validator must report every problem at once, not stop at the first.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import holidays

from .formats import WEEKDAY_INDEX, WEEKDAY_NAMES, is_hhmm, is_int, is_name, iso_to_date

Problem = tuple[str, str]

# Upper bounds keep every computation finite and inside datetime's range (year 1..9999). They are
# far above any real wedding-journey need (ten years).
MAX_DURATION = {"weeks": 520, "days": 3660, "hours": 87_840, "minutes": 5_270_400}
MAX_OFFSET_DAYS = 3660
MAX_OFFSET_BUSINESS_DAYS = 2610

DURATION_KEYS = ("weeks", "days", "hours", "minutes")
RELATIVE_TIME_KEYS = ("anchor", "offset", "at")
ABSOLUTE_TIME_KEYS = ("date", "at")
CALENDAR_KEYS = ("holidays", "closed_weekdays", "closed_dates")
SEND_WINDOW_KEYS = ("days", "start", "end")

# Present in the tz database directory but not zone names a user means: "localtime" is a host
# symlink, "posixrules" a build artefact, "Factory" the "-00" placeholder zone.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """IANA zone names we accept. Cached: available_timezones() walks the tz directories."""
    return frozenset(available_timezones()) - _NOT_ZONES


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _unknown_keys(value: dict, allowed: tuple[str, ...], code: str, where: str) -> list[Problem]:
    extra = [k for k in value if k not in allowed]
    if not extra:
        return []
    names = ", ".join(repr(k) for k in extra)
    return [(code, f"{where}: unknown key(s) {names}; allowed: {', '.join(allowed)}")]


def check_timezone(value: Any, where: str) -> list[Problem]:
    if not isinstance(value, str):
        return [("INVALID_CONFIG",
                 f"{where}: time zone must be a string (IANA name), got {_type_name(value)}")]
    if value not in known_timezones():
        return [("UNKNOWN_TIMEZONE",
                 f"{where}: unknown time zone {value!r} (use an IANA name such as 'Europe/London')")]
    return []


def check_duration(value: Any, where: str) -> list[Problem]:
    code = "INVALID_DURATION"
    if not isinstance(value, dict):
        return [(code, f"{where}: duration must be an object with weeks/days/hours/minutes, "
                       f"got {_type_name(value)}")]
    problems = _unknown_keys(value, DURATION_KEYS, code, where)
    for key in DURATION_KEYS:
        if key not in value:
            continue
        n = value[key]
        if not is_int(n):
            problems.append((code, f"{where}.{key}: must be a whole number, got {n!r}"))
        elif n < 0:
            problems.append((code, f"{where}.{key}: must not be negative, got {n}"))
        elif n > MAX_DURATION[key]:
            problems.append((code, f"{where}.{key}: {n} is too large (at most {MAX_DURATION[key]})"))
    return problems


def _check_at(value: dict, code: str, where: str) -> list[Problem]:
    if "at" in value and not is_hhmm(value["at"]):
        return [(code, f"{where}.at: must be a 24-hour time 'HH:MM' such as '09:00', "
                       f"got {value['at']!r}")]
    return []


def _check_anchor(anchor: Any, code: str, where: str) -> list[Problem]:
    if not isinstance(anchor, str):
        return [(code, f"{where}.anchor: must be 'wedding_date' or a client date name, "
                       f"got {_type_name(anchor)}")]
    name = anchor[len("dates."):] if anchor.startswith("dates.") else anchor
    if not is_name(name):
        return [(code, f"{where}.anchor: {anchor!r} is not 'wedding_date' or a client date name "
                       f"(1-64 characters of A-Z a-z 0-9 _ -, optionally written 'dates.<name>')")]
    return []


def _check_offset(offset: Any, code: str, where: str) -> list[Problem]:
    where = f"{where}.offset"
    if not isinstance(offset, dict) or len(offset) != 1:
        return [(code, f"{where}: must be exactly one of {{\"days\": n}} or "
                       f"{{\"business_days\": n}}, got {offset!r}")]
    (key, n), = offset.items()
    limits = {"days": MAX_OFFSET_DAYS, "business_days": MAX_OFFSET_BUSINESS_DAYS}
    if key not in limits:
        return [(code, f"{where}: unknown key {key!r}; use 'days' or 'business_days'")]
    if not is_int(n):
        return [(code, f"{where}.{key}: must be a whole number (negative is before), got {n!r}")]
    if abs(n) > limits[key]:
        return [(code, f"{where}.{key}: {n} is too far (at most {limits[key]} either way)")]
    return []


def check_time_spec(value: Any, where: str) -> list[Problem]:
    code = "INVALID_TIME"
    if not isinstance(value, dict):
        return [(code, f"{where}: time must be an object with 'anchor' (relative) or 'date' "
                       f"(absolute), got {_type_name(value)}")]
    if "anchor" in value and "date" in value:
        return [(code, f"{where}: has both 'anchor' and 'date'; a time is either relative to a "
                       f"client date or absolute, not both")]
    if "anchor" in value:
        problems = _unknown_keys(value, RELATIVE_TIME_KEYS, code, where)
        problems += _check_anchor(value["anchor"], code, where)
        if "offset" in value:
            problems += _check_offset(value["offset"], code, where)
        return problems + _check_at(value, code, where)
    if "date" in value:
        problems = _unknown_keys(value, ABSOLUTE_TIME_KEYS, code, where)
        if iso_to_date(value["date"]) is None:
            problems.append((code, f"{where}.date: must be a real date 'YYYY-MM-DD', "
                                   f"got {value['date']!r}"))
        return problems + _check_at(value, code, where)
    return [(code, f"{where}: time needs 'anchor' (relative to a client date) or 'date' "
                   f"(absolute); got keys {sorted(value)!r}")]


def is_time_spec(value: Any) -> bool:
    """A dict with 'anchor' or 'date' is meant as a TIME; anything else is read as a DURATION."""
    return isinstance(value, dict) and ("anchor" in value or "date" in value)


def check_duration_or_time(value: Any, where: str) -> list[Problem]:
    if is_time_spec(value):
        return check_time_spec(value, where)
    if not isinstance(value, dict):
        return [("INVALID_DURATION", f"{where}: must be a DURATION object (weeks/days/hours/"
                                     f"minutes) or a TIME object (anchor or date), "
                                     f"got {_type_name(value)}")]
    return check_duration(value, where)


@lru_cache(maxsize=None)
def _supported() -> dict[str, frozenset[str]]:
    return {c: frozenset(subs) for c, subs in holidays.list_supported_countries().items()}


def split_holiday_code(code: str) -> tuple[str, str | None]:
    """'US-CA' -> ('US', 'CA'); 'US' -> ('US', None). Splits on the first '-' only."""
    country, sep, subdiv = code.partition("-")
    return country, (subdiv if sep else None)


def _is_known_code(code: str) -> bool:
    country, subdiv = split_holiday_code(code)
    subs = _supported().get(country)
    return subs is not None and (subdiv is None or subdiv in subs)


def check_holiday_code(value: Any, where: str) -> list[Problem]:
    if not isinstance(value, str):
        return [("INVALID_CALENDAR", f"{where}: holiday code must be a string such as 'US' or "
                                     f"'GB-ENG', got {_type_name(value)}")]
    if _is_known_code(value):
        return []
    # Case-sensitive on purpose: the holidays package itself rejects 'us' and 'GB-eng'; we only
    # suggest the spelling it accepts.
    hint = (f"; did you mean {value.upper()!r}? codes are case-sensitive"
            if _is_known_code(value.upper()) else "")
    country, subdiv = split_holiday_code(value)
    supported = _supported()
    if country not in supported:
        return [("UNKNOWN_HOLIDAY_CODE", f"{where}: unknown holiday country {country!r} in "
                                         f"{value!r} (use a code such as 'US', 'GB-ENG'){hint}")]
    subs = sorted(supported[country])
    known = (f"known: {', '.join(subs[:40])}{', ...' if len(subs) > 40 else ''}"
             if subs else f"{country} has no subdivisions")
    return [("UNKNOWN_HOLIDAY_CODE",
             f"{where}: unknown subdivision {subdiv!r} of {country} in {value!r} ({known}){hint}")]


def _check_weekday_list(value: Any, code: str, where: str) -> list[Problem]:
    if not isinstance(value, list):
        return [(code, f"{where}: must be a list of weekday names "
                       f"({', '.join(WEEKDAY_NAMES)}), got {_type_name(value)}")]
    problems = []
    seen: set[str] = set()
    for i, day in enumerate(value):
        if not isinstance(day, str) or day not in WEEKDAY_INDEX:  # unhashable items too
            problems.append((code, f"{where}[{i}]: {day!r} is not one of "
                                   f"{', '.join(WEEKDAY_NAMES)}"))
        elif day in seen:
            problems.append((code, f"{where}[{i}]: {day!r} is listed twice"))
        else:
            seen.add(day)
    return problems


def check_calendar(value: Any, where: str = "settings.calendar") -> list[Problem]:
    code = "INVALID_CALENDAR"
    if not isinstance(value, dict):
        return [(code, f"{where}: must be an object with holidays/closed_weekdays/closed_dates, "
                       f"got {_type_name(value)}")]
    problems = _unknown_keys(value, CALENDAR_KEYS, code, where)
    if value.get("holidays") is not None:
        problems += check_holiday_code(value["holidays"], f"{where}.holidays")
    if "closed_weekdays" in value:
        days = value["closed_weekdays"]
        problems += _check_weekday_list(days, code, f"{where}.closed_weekdays")
        # With every weekday closed no business day would ever come: refuse it here, not at run time.
        if isinstance(days, list) and set(WEEKDAY_NAMES) <= set(d for d in days if isinstance(d, str)):
            problems.append((code, f"{where}.closed_weekdays: closes all seven days; "
                                   f"at least one weekday must stay open"))
    if "closed_dates" in value:
        dates = value["closed_dates"]
        if not isinstance(dates, list):
            problems.append((code, f"{where}.closed_dates: must be a list of 'YYYY-MM-DD' dates, "
                                   f"got {_type_name(dates)}"))
        else:
            for i, d in enumerate(dates):
                if iso_to_date(d) is None:
                    problems.append((code, f"{where}.closed_dates[{i}]: must be a real date "
                                           f"'YYYY-MM-DD', got {d!r}"))
    return problems


def check_send_window(value: Any, where: str = "settings.send_window") -> list[Problem]:
    code = "INVALID_SEND_WINDOW"
    if not isinstance(value, dict):
        return [(code, f"{where}: must be an object with days/start/end, got {_type_name(value)}")]
    problems = _unknown_keys(value, SEND_WINDOW_KEYS, code, where)
    for key in SEND_WINDOW_KEYS:
        if key not in value:
            problems.append((code, f"{where}: missing required key {key!r}"))
    if "days" in value:
        days = value["days"]
        problems += _check_weekday_list(days, code, f"{where}.days")
        if isinstance(days, list) and not days:
            problems.append((code, f"{where}.days: must name at least one day"))
    ok_times = True
    for key in ("start", "end"):
        if key in value and not is_hhmm(value[key]):
            ok_times = False
            problems.append((code, f"{where}.{key}: must be a 24-hour time 'HH:MM' such as "
                                   f"'09:00', got {value[key]!r}"))
    if ok_times and "start" in value and "end" in value and value["start"] >= value["end"]:
        # Zero-padded HH:MM strings compare in time order.
        problems.append((code, f"{where}: start {value['start']} must be before end {value['end']} "
                               f"(windows over midnight are not supported)"))
    return problems
