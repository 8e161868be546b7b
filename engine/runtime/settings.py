"""A journey's settings, read once per published version into the shapes the walker needs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from engine.calendar import BusinessCalendar

DEFAULT_GRACE = {"hours": 1}


def duration_delta(duration: dict[str, Any] | None) -> timedelta:
    """Elapsed length of a DURATION whose days are treated as 24 h (only for grace periods)."""
    d = duration or {}
    return timedelta(weeks=d.get("weeks", 0), days=d.get("days", 0), hours=d.get("hours", 0),
                     minutes=d.get("minutes", 0))


@dataclass(frozen=True)
class JourneySettings:
    timezone: str | None
    send_window: dict[str, Any] | None
    calendar: BusinessCalendar
    reentry: str
    exit_on: tuple[str, ...]
    goal: dict[str, Any] | None
    past_due_grace: timedelta

    @classmethod
    def from_document(cls, settings: dict[str, Any] | None,
                      blackout_dates: Iterable[date] = ()) -> "JourneySettings":
        s = settings or {}
        return cls(
            timezone=s.get("timezone"),
            send_window=s.get("send_window"),
            calendar=BusinessCalendar.from_settings(s.get("calendar"),
                                                    blackout_dates=tuple(blackout_dates)),
            reentry=s.get("reentry", "never"),
            exit_on=tuple(s.get("exit_on") or ()),
            goal=s.get("goal"),
            past_due_grace=duration_delta(s.get("past_due_grace", DEFAULT_GRACE)),
        )
