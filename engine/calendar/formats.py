"""Literal formats shared by validation and computation (HH:MM, YYYY-MM-DD, weekday names).

Why one place: the validator and the engine must agree byte for byte on what a document may say,
so both parse through these helpers instead of each having its own regex.
"""
from __future__ import annotations

import re
from datetime import date, time

# Mon=0 .. Sun=6, matching date.weekday().
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_INDEX: dict[str, int] = {name: i for i, name in enumerate(WEEKDAY_NAMES)}

# Strict 24-hour "HH:MM" with two digits each; "9:00" and "24:00" are rejected on purpose so a
# document has exactly one spelling for each minute.
_HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
# Strict ISO calendar date; date.fromisoformat alone would also take "20270115" on 3.11.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Client date names (and node ids): 1-64 of A-Z a-z 0-9 _ -.
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_hhmm(value: object) -> bool:
    return isinstance(value, str) and _HHMM.fullmatch(value) is not None


def hhmm_to_time(value: str) -> time:
    """'10:00' -> time(10, 0). Raises ValueError on anything but strict HH:MM."""
    if not is_hhmm(value):
        raise ValueError(f"not a HH:MM time: {value!r}")
    return time(int(value[:2]), int(value[3:]))


def iso_to_date(value: object) -> date | None:
    """'2027-01-15' -> date, or None if it is not a real date in strict YYYY-MM-DD form."""
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_name(value: object) -> bool:
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def is_int(value: object) -> bool:
    """A JSON integer: bool is an int subclass in Python but never a count in a document."""
    return isinstance(value, int) and not isinstance(value, bool)
