"""A client's other dates (engagement shoot, final payment…) as editable rows of name + date:
the row component and the list operations its state's event handlers apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

DateRows = list[dict[str, str]]


def added(rows: DateRows) -> DateRows:
    """The rows with an empty one at the end."""
    return [*rows, {"name": "", "date": ""}]


def updated(rows: DateRows, index: int, key: str, value: str) -> DateRows:
    """The rows with row ``index``'s ``key`` ("name" or "date") set to ``value``."""
    out = [dict(r) for r in rows]
    if 0 <= index < len(out):
        out[index][key] = value
    return out


def removed(rows: DateRows, index: int) -> DateRows:
    """The rows without row ``index``."""
    return [r for i, r in enumerate(rows) if i != index]


def as_dates(rows: DateRows) -> dict[str, str]:
    """``{name: ISO date}`` of the rows that have both."""
    return {r["name"].strip(): r["date"] for r in rows if r["name"].strip() and r["date"]}


def date_row(row: Any, index: Any, set_field: Callable[..., Any], remove: Callable[..., Any],
             placeholder: str | None = None) -> rx.Component:
    """One row: the date's name, the date and a remove button. ``set_field(index, key, value)``
    and ``remove(index)`` are the state's event handlers."""
    hint = {} if placeholder is None else {"placeholder": placeholder}
    return rx.hstack(
        rx.input(value=row["name"], aria_label="Date name", width="200px",
                 on_change=lambda v: set_field(index, "name", v), **hint),
        rx.input(value=row["date"], type="date", aria_label="Date",
                 on_change=lambda v: set_field(index, "date", v)),
        rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                       aria_label="Remove date", on_click=remove(index)),
        spacing="2",
        align="center",
    )
