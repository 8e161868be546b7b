"""Approvals page (being built)."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.components.shell import app_shell, empty_state
from journey_app.session import SessionState

ROUTE = routes.APPROVALS
TITLE = "Approvals"


class ApprovalsState(SessionState):
    @rx.event
    def load(self):
        pass


def page() -> rx.Component:
    return app_shell(empty_state("construction", "Approvals", "Coming soon."), title=TITLE,
                     active=routes.APPROVALS)
