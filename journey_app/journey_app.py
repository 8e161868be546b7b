"""Build the Reflex app and register its pages. Nothing else lives here."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.api import create_api
from journey_app.pages import analytics, approvals, clients, editor, journeys, outbox, settings

STYLE = {
    "font_family": "var(--default-font-family)",
}

app = rx.App(
    style=STYLE,
    api_transformer=create_api(),
)

app.add_page(journeys.page, route=routes.INDEX, title="Journeys", on_load=journeys.JourneysState.load)
app.add_page(journeys.page, route=routes.JOURNEYS, title="Journeys", on_load=journeys.JourneysState.load)
app.add_page(editor.page, route=routes.JOURNEY_EDITOR, title="Journey editor", on_load=editor.EditorState.load)
app.add_page(clients.page, route=clients.ROUTE, title=clients.TITLE)
app.add_page(approvals.page, route=approvals.ROUTE, title=approvals.TITLE)
app.add_page(outbox.page, route=outbox.ROUTE, title=outbox.TITLE)
app.add_page(analytics.page, route=analytics.ROUTE, title=analytics.TITLE)
app.add_page(settings.page, route=settings.ROUTE, title=settings.TITLE)
