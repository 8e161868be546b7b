"""Settings page (being built)."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.components.shell import app_shell, empty_state
from journey_app.session import SessionState

ROUTE = routes.SETTINGS
TITLE = "Settings"


class SettingsState(SessionState):
    @rx.event
    def load(self):
        pass


def page() -> rx.Component:
    return app_shell(empty_state("construction", "Settings", "Coming soon."), title=TITLE,
                     active=routes.SETTINGS)
