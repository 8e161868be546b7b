"""Clients page (placeholder until its feature lands)."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.pages._placeholder import placeholder_page

ROUTE = routes.CLIENTS
TITLE = "Clients"


def page() -> rx.Component:
    return placeholder_page(TITLE, ROUTE, "Your couples and their wedding dates will be listed here.")
