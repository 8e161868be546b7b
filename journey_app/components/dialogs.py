"""Dialogs: the frame every dialog shares, its Cancel-and-actions footer, and the "Delete …?"
confirmation."""

from __future__ import annotations

from typing import Any

import reflex as rx


def dialog_actions(*actions: rx.Component, cancel: str | None = "Cancel",
                   on_cancel: Any = None) -> rx.Component:
    """A dialog's buttons, on the right: ``cancel`` (a grey button that closes the dialog,
    running ``on_cancel`` too when given; None for no such button), then ``actions``."""
    buttons = list(actions)
    if cancel is not None:
        extra = {} if on_cancel is None else {"on_click": on_cancel}
        buttons.insert(0, rx.dialog.close(rx.button(cancel, variant="soft", color_scheme="gray",
                                                    **extra)))
    return rx.hstack(*buttons, justify="end", spacing="2")


def dialog(title: Any, description: Any, *body: rx.Component, footer: rx.Component | None,
           open: Any, max_width: str, on_open_change: Any = None) -> rx.Component:
    """A modal dialog: title, a one-line description, the body, then ``footer`` (usually
    :func:`dialog_actions`; None when the body holds its own buttons, as a form does).
    Without ``on_open_change`` it cannot be dismissed (Escape or a click outside)."""
    content = rx.dialog.content(
        rx.dialog.title(title),
        rx.dialog.description(description, size="2"),
        *body,
        *([footer] if footer is not None else []),
        max_width=max_width,
    )
    if on_open_change is None:
        return rx.dialog.root(content, open=open)
    return rx.dialog.root(content, open=open, on_open_change=on_open_change)


def confirm_dialog(title: Any, description: str, confirm: str, on_confirm: Any, *, open: Any,
                   on_open_change: Any) -> rx.Component:
    """An alert dialog asking before something that cannot be undone: Cancel, or the red
    ``confirm`` button that runs ``on_confirm``."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm, color_scheme="red",
                                                 on_click=on_confirm)),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
        ),
        open=open,
        on_open_change=on_open_change,
    )
