"""Small labelled form controls shared by the inspector, dialogs and settings pages.

Every control has a visible label bound to it (``html_for`` / ``aria-label``), so tests and
screen readers find it by its label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx


def _id(key: str) -> str:
    return "f-" + "".join(ch if ch.isalnum() else "-" for ch in key)


def label(text: str, html_for: str | None = None, hint: str | None = None) -> rx.Component:
    return rx.hstack(
        rx.el.label(rx.text(text, size="1", weight="medium", color="var(--gray-11)"),
                    html_for=html_for),
        rx.tooltip(rx.icon("info", size=12, color="var(--gray-9)"), content=hint)
        if hint else rx.fragment(),
        align="center",
        spacing="1",
    )


def text_field(text: str, key: str, value: Any, on_change: Callable, *, placeholder: str = "",
               hint: str | None = None, type_: str = "text", width: str = "100%",
               datalist: str | None = None) -> rx.Component:
    attrs = {"list": datalist} if datalist else {}
    return rx.vstack(
        label(text, _id(key)),
        rx.input(id=_id(key), value=value, on_change=on_change, placeholder=placeholder,
                 type=type_, size="2", width="100%", custom_attrs=attrs),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width=width,
    )


def text_area(text: str, key: str, value: Any, on_change: Callable, *, placeholder: str = "",
              hint: str | None = None, rows: int = 6) -> rx.Component:
    return rx.vstack(
        label(text, _id(key)),
        rx.text_area(id=_id(key), value=value, on_change=on_change, placeholder=placeholder,
                     rows=str(rows), size="2", width="100%", resize="vertical"),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def select_field(text: str, key: str, value: Any, options: list[tuple[str, str]],
                 on_change: Callable, *, width: str = "100%",
                 hide_label: bool = False) -> rx.Component:
    control = rx.select.root(
        rx.select.trigger(aria_label=text, id=_id(key), width="100%"),
        rx.select.content(*[rx.select.item(lbl, value=val) for val, lbl in options]),
        value=value,
        on_change=on_change,
        size="2",
    )
    if hide_label:
        return rx.box(control, width=width)
    return rx.vstack(label(text, _id(key)), control, spacing="1", width=width)


def number_field(text: str, key: str, value: Any, on_change: Callable, *,
                 width: str = "80px", min_: int = 0) -> rx.Component:
    return rx.vstack(
        label(text, _id(key)),
        rx.input(id=_id(key), value=value, on_change=on_change, type="number", min=min_,
                 size="2", width="100%"),
        spacing="1",
        width=width,
    )


def switch_field(text: str, key: str, checked: Any, on_change: Callable,
                 hint: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.switch(id=_id(key), checked=checked, on_change=on_change, aria_label=text),
            rx.el.label(rx.text(text, size="2"), html_for=_id(key)),
            align="center",
            spacing="2",
        ),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def section(title: str, *children: rx.Component, description: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="bold", color="var(--gray-11)",
                style={"text_transform": "uppercase", "letter_spacing": "0.05em"}),
        rx.text(description, size="1", color_scheme="gray") if description else rx.fragment(),
        *children,
        spacing="2",
        width="100%",
    )
