"""Reflex configuration for the Journeys UI.

Environment overrides use Reflex's ``REFLEX_<FIELD>`` convention (for example
``REFLEX_FRONTEND_PORT``); ``scripts/env.sh`` exports the ones this machine
needs (bun path, telemetry off, no version check).
"""

import reflex as rx

config = rx.Config(
    app_name="journey_app",
    # Never phone home: the machines running this have no internet access.
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Prod mode serves UI, websocket and the mounted REST API on this one port.
    frontend_port=3000,
    # Reflex's own rx.Model database is unused: the engine owns storage via
    # plain SQLModel tables (DATABASE_URL, SQLite by default).
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="light",
                accent_color="iris",
                gray_color="slate",
                radius="medium",
                scaling="100%",
            )
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
