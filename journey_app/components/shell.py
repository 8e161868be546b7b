"""The desktop-style application shell: a fixed sidebar, a top bar and a content area."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from journey_app import routes

SIDEBAR_WIDTH = "220px"
TOPBAR_HEIGHT = "52px"


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Journeys", routes.JOURNEYS, "waypoints"),
    NavItem("Clients", routes.CLIENTS, "users"),
    NavItem("Approvals", routes.APPROVALS, "circle_check"),
    NavItem("Outbox", routes.OUTBOX, "send"),
    NavItem("Analytics", routes.ANALYTICS, "chart_line"),
    NavItem("Settings", routes.SETTINGS, "settings"),
)


def _nav_link(item: NavItem, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(item.icon, size=16),
            rx.text(item.label, size="2", weight="medium"),
            align="center",
            spacing="3",
            padding_x="10px",
            padding_y="7px",
            border_radius="var(--radius-2)",
            background=rx.cond(active, "var(--accent-3)", "transparent"),
            color=rx.cond(active, "var(--accent-11)", "var(--gray-11)"),
            _hover={"background": "var(--gray-3)", "color": "var(--gray-12)"},
            width="100%",
        ),
        href=item.route,
        underline="none",
        width="100%",
        aria_current="page" if active else None,
    )


def sidebar(active: str) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.center(
                    rx.icon("heart", size=16, color="white"),
                    width="28px",
                    height="28px",
                    border_radius="var(--radius-2)",
                    background="var(--accent-9)",
                ),
                rx.text("Journeys", size="4", weight="bold"),
                align="center",
                spacing="2",
                padding_x="10px",
                padding_bottom="12px",
            ),
            *[_nav_link(item, item.route == active) for item in NAV_ITEMS],
            spacing="1",
            width="100%",
            padding="14px 10px",
        ),
        role="navigation",
        aria_label="Main",
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        height="100vh",
        border_right="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        overflow_y="auto",
    )


def topbar(title: str | rx.Var[str], *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="4", weight="medium", as_="h1"),
        rx.spacer(),
        *actions,
        align="center",
        height=TOPBAR_HEIGHT,
        min_height=TOPBAR_HEIGHT,
        padding_x="20px",
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        width="100%",
        role="banner",
    )


def app_shell(
    *content: rx.Component,
    title: str | rx.Var[str],
    active: str,
    actions: tuple[rx.Component, ...] = (),
    padded: bool = True,
) -> rx.Component:
    """Wrap page content in the sidebar + top bar frame.

    ``active`` is the route constant of the sidebar entry to highlight.
    ``padded=False`` gives the content area edge to edge (used by the canvas).
    """
    return rx.hstack(
        sidebar(active),
        rx.vstack(
            topbar(title, *actions),
            rx.box(
                *content,
                role="main",
                flex="1",
                width="100%",
                min_height="0",
                overflow="auto" if padded else "hidden",
                padding="20px" if padded else "0",
                position="relative",
            ),
            spacing="0",
            flex="1",
            min_width="0",
            height="100vh",
        ),
        spacing="0",
        width="100vw",
        height="100vh",
        overflow="hidden",
        background="var(--gray-2)",
    )


def placeholder(text: str) -> rx.Component:
    """An empty-state panel for pages that are not built yet."""
    return rx.card(
        rx.vstack(
            rx.text(text, size="3", color_scheme="gray"),
            spacing="2",
        ),
        width="100%",
        max_width="720px",
    )
