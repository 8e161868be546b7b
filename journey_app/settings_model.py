"""A journey's ``settings`` <-> the flat string fields of the "Journey" panel (pure).

The panel shows every setting of the spec as a plain control: time zone, send window, calendar
(holidays, closed weekdays and dates), re-entry, exit events, goal and past-due grace.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from journey_app.choices import WEEKDAYS
from journey_app.editor_model import event_choice, to_int

DEFAULT_CLOSED = ["sat", "sun"]
DEFAULT_WINDOW = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "18:00"}
_DAY_ORDER = [d for d, _ in WEEKDAYS]
_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def _days(values: Any) -> list[str]:
    chosen = set(values) if isinstance(values, list) else set()
    return [d for d in _DAY_ORDER if d in chosen]


def settings_values(settings: dict[str, Any] | None) -> dict[str, str]:
    s = settings if isinstance(settings, dict) else {}
    out: dict[str, str] = {
        "timezone": str(s.get("timezone") or ""),
        "reentry": str(s.get("reentry") or "never"),
        "exit_on": ", ".join(str(e) for e in (s.get("exit_on") or []) if isinstance(e, str)),
    }
    goal = s.get("goal") if isinstance(s.get("goal"), dict) else {}
    choice, name = event_choice(goal.get("event")) if goal else ("", "")
    out["goal_event"] = choice or "none"
    out["goal_custom"] = name
    grace = s.get("past_due_grace") if isinstance(s.get("past_due_grace"), dict) else {}
    out["grace_hours"] = str(grace.get("hours", "")) if grace else ""
    window = s.get("send_window") if isinstance(s.get("send_window"), dict) else None
    out["window_enabled"] = "true" if window else "false"
    window = window or DEFAULT_WINDOW
    days = _days(window.get("days"))
    for d in _DAY_ORDER:
        out[f"window_day_{d}"] = "true" if d in days else "false"
    out["window_start"] = str(window.get("start") or "09:00")
    out["window_end"] = str(window.get("end") or "18:00")
    calendar = s.get("calendar") if isinstance(s.get("calendar"), dict) else {}
    out["holidays"] = str(calendar.get("holidays") or "none")
    closed = calendar.get("closed_weekdays")
    closed = _days(closed) if isinstance(closed, list) else DEFAULT_CLOSED
    for d in _DAY_ORDER:
        out[f"closed_{d}"] = "true" if d in closed else "false"
    out["closed_dates"] = ", ".join(str(d) for d in (calendar.get("closed_dates") or []))
    return out


def _toggle(days: list[str], day: str, on: bool) -> list[str]:
    chosen = set(days)
    (chosen.add if on else chosen.discard)(day)
    return [d for d in _DAY_ORDER if d in chosen]


def apply_setting(settings: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    """A copy of `settings` with one panel field changed (empty values remove the key)."""
    s = copy.deepcopy(settings) if isinstance(settings, dict) else {}
    text = "" if value is None else str(value).strip()
    on = text == "true"
    if key == "timezone":
        if text:
            s["timezone"] = text
        else:
            s.pop("timezone", None)
    elif key == "reentry":
        s["reentry"] = "after_exit" if text == "after_exit" else "never"
    elif key == "exit_on":
        events = [e.strip() for e in text.split(",") if e.strip()]
        if events:
            s["exit_on"] = events
        else:
            s.pop("exit_on", None)
    elif key in ("goal_event", "goal_custom"):
        current = settings_values(s)
        choice = text if key == "goal_event" else current["goal_event"]
        name = text if key == "goal_custom" else current["goal_custom"]
        if choice in ("", "none"):
            s.pop("goal", None)
        elif choice == "custom":
            s["goal"] = {"event": f"custom:{_NAME.sub('_', name) or 'booked'}"}
        else:
            s["goal"] = {"event": choice}
    elif key == "grace_hours":
        hours = to_int(text)
        if hours is None or hours < 0:
            s.pop("past_due_grace", None)
        else:
            s["past_due_grace"] = {"hours": hours}
    elif key == "window_enabled":
        if on:
            s.setdefault("send_window", copy.deepcopy(DEFAULT_WINDOW))
        else:
            s.pop("send_window", None)
    elif key.startswith("window_day_"):
        window = s.setdefault("send_window", copy.deepcopy(DEFAULT_WINDOW))
        window["days"] = _toggle(_days(window.get("days")), key[len("window_day_"):], on)
    elif key in ("window_start", "window_end"):
        window = s.setdefault("send_window", copy.deepcopy(DEFAULT_WINDOW))
        window["start" if key == "window_start" else "end"] = text
    elif key == "holidays":
        calendar = s.setdefault("calendar", {})
        if text and text != "none":
            calendar["holidays"] = text
        else:
            calendar.pop("holidays", None)
    elif key.startswith("closed_") and key != "closed_dates":
        calendar = s.setdefault("calendar", {})
        current = calendar.get("closed_weekdays")
        current = _days(current) if isinstance(current, list) else list(DEFAULT_CLOSED)
        calendar["closed_weekdays"] = _toggle(current, key[len("closed_"):], on)
    elif key == "closed_dates":
        calendar = s.setdefault("calendar", {})
        dates = [d.strip() for d in re.split(r"[,\s]+", text) if d.strip()]
        if dates:
            calendar["closed_dates"] = dates
        else:
            calendar.pop("closed_dates", None)
    if isinstance(s.get("calendar"), dict) and not s["calendar"]:
        s.pop("calendar")
    return s
