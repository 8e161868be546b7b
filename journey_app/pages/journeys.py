"""Journeys list page. Lists a sample journey until the engine's storage lands."""

from __future__ import annotations

from typing import Any

import reflex as rx

from journey_app import routes
from journey_app.components.shell import app_shell
from journey_app.pages.sample import SAMPLE_JOURNEY_ID, sample_document

ROUTE = routes.JOURNEYS
TITLE = "Journeys"


class JourneysState(rx.State):
    """Rows of the journeys table."""

    journeys: list[dict[str, Any]] = []

    @rx.event
    def load(self):
        doc = sample_document()
        self.journeys = [
            {
                "id": SAMPLE_JOURNEY_ID,
                "name": doc["name"],
                "status": "draft",
                "steps": len(doc["nodes"]),
                "href": routes.journey_editor(SAMPLE_JOURNEY_ID),
            }
        ]


def _row(journey: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(journey["name"].to(str), href=journey["href"].to(str))),
        rx.table.cell(rx.badge(journey["status"].to(str), color_scheme="gray")),
        rx.table.cell(journey["steps"].to(int)),
        rx.table.cell(
            rx.link(rx.button("Open editor", size="1", variant="soft"), href=journey["href"].to(str))
        ),
    )


def page() -> rx.Component:
    return app_shell(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Name"),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Steps"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(JourneysState.journeys, _row)),
            variant="surface",
            width="100%",
            aria_label="Journeys",
        ),
        title=TITLE,
        active=ROUTE,
        actions=(
            rx.button(rx.icon("plus", size=14), "New journey", size="2", disabled=True),
        ),
    )
