"""Analytics page (placeholder until its feature lands)."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.pages._placeholder import placeholder_page

ROUTE = routes.ANALYTICS
TITLE = "Analytics"


def page() -> rx.Component:
    return placeholder_page(TITLE, ROUTE, "Journey conversion and step timing charts will appear here.")
