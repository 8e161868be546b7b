"""Build the Reflex app and register its pages. Nothing else lives here."""

from __future__ import annotations

import reflex as rx

from journey_app import engine_access, routes
from journey_app.api import create_api
from journey_app.errors import handle_backend_error
from journey_app.pages import (analytics, approvals, auth, client_detail, clients, editor,
                               journeys, outbox, settings, simulate)
from journey_app.session import SessionState

STYLE = {
    "font_family": "var(--default-font-family)",
}

api = create_api()

app = rx.App(
    style=STYLE,
    stylesheets=["/app.css"],
    api_transformer=api,
    backend_exception_handler=handle_backend_error,
)
# One Engine per process, shared with the REST API; its worker runs journeys while we are up.
app.register_lifespan_task(engine_access.lifespan_task(api))

signed_in = SessionState.require_login

app.add_page(auth.login_page, route=routes.LOGIN, title="Log in · Journeys",
             on_load=auth.AuthState.open_page)
app.add_page(auth.signup_page, route=routes.SIGNUP, title="Sign up · Journeys",
             on_load=auth.AuthState.open_page)
for route in (routes.INDEX, routes.JOURNEYS):
    app.add_page(journeys.page, route=route, title="Journeys",
                 on_load=[signed_in, journeys.JourneysState.load])
app.add_page(editor.page, route=routes.JOURNEY_EDITOR, title="Journey editor",
             on_load=[signed_in, editor.EditorState.load])
app.add_page(simulate.page, route=simulate.ROUTE, title=simulate.TITLE,
             on_load=[signed_in, simulate.SimulationState.load])
app.add_page(clients.page, route=clients.ROUTE, title=clients.TITLE,
             on_load=[signed_in, clients.ClientsState.load])
app.add_page(client_detail.page, route=client_detail.ROUTE, title=client_detail.TITLE,
             on_load=[signed_in, client_detail.ClientState.load])
app.add_page(approvals.page, route=approvals.ROUTE, title=approvals.TITLE,
             on_load=[signed_in, approvals.ApprovalsState.load])
app.add_page(outbox.page, route=outbox.ROUTE, title=outbox.TITLE,
             on_load=[signed_in, outbox.OutboxState.load])
app.add_page(analytics.page, route=analytics.ROUTE, title=analytics.TITLE,
             on_load=[signed_in, analytics.AnalyticsState.load])
app.add_page(settings.page, route=settings.ROUTE, title=settings.TITLE,
             on_load=[signed_in, settings.SettingsState.load])
