"""Outbox page (being built)."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.components.shell import app_shell, empty_state
from journey_app.session import SessionState

ROUTE = routes.OUTBOX
TITLE = "Outbox"


class OutboxState(SessionState):
    @rx.event
    def load(self):
        pass


def page() -> rx.Component:
    return app_shell(empty_state("construction", "Outbox", "Coming soon."), title=TITLE,
                     active=routes.OUTBOX)
