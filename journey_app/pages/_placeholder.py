"""Shared builder for pages that are only a placeholder so far."""

from __future__ import annotations

import reflex as rx

from journey_app.components.shell import app_shell, placeholder


def placeholder_page(title: str, active: str, text: str) -> rx.Component:
    return app_shell(placeholder(text), title=title, active=active)
