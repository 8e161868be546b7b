"""The desktop-style application shell: a fixed sidebar, a top bar and a content area."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from journey_app import routes
from journey_app.session import SessionState

SIDEBAR_WIDTH = "220px"
COMPACT_SIDEBAR_WIDTH = "60px"
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


def _nav_badge(item: NavItem, compact: bool) -> rx.Component:
    """The number of emails waiting for approval, beside "Approvals"."""
    if item.route != routes.APPROVALS:
        return rx.fragment()
    return rx.cond(
        SessionState.pending_approvals > 0,
        rx.badge(SessionState.pending_approvals, color_scheme="amber", radius="full",
                 size="1", margin_left="auto" if not compact else "-6px",
                 custom_attrs={"data-testid": "approvals-count"}),
    )


def _nav_link(item: NavItem, active: bool, compact: bool = False) -> rx.Component:
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=16 if not compact else 18),
            rx.fragment() if compact else rx.text(item.label, size="2", weight="medium"),
            _nav_badge(item, compact),
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
        aria_label=item.label if compact else None,
    )
    return rx.tooltip(link, content=item.label, side="right") if compact else link


def sidebar(active: str, compact: bool = False) -> rx.Component:
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
                rx.fragment() if compact else rx.text("Journeys", size="4", weight="bold"),
                align="center",
                spacing="2",
                padding_x="10px",
                padding_bottom="12px",
            ),
            *[_nav_link(item, item.route == active, compact) for item in NAV_ITEMS],
            spacing="1",
            width="100%",
            padding="14px 10px",
        ),
        role="navigation",
        aria_label="Main",
        width=COMPACT_SIDEBAR_WIDTH if compact else SIDEBAR_WIDTH,
        min_width=COMPACT_SIDEBAR_WIDTH if compact else SIDEBAR_WIDTH,
        height="100vh",
        border_right="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        overflow_y="auto",
    )


def _search_box() -> rx.Component:
    return rx.form(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            name="q",
            placeholder="Search clients",
            aria_label="Search clients",
            size="2",
            width="180px",
        ),
        on_submit=SessionState.search,
        reset_on_submit=True,
    )


def _user_menu(compact: bool = False) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.initials, size="1", radius="full"),
                rx.fragment() if compact else rx.text(
                    SessionState.vendor_name, size="2", weight="medium", max_width="150px",
                    white_space="nowrap", overflow="hidden", text_overflow="ellipsis"),
                rx.icon("chevron_down", size=14),
                variant="ghost",
                color_scheme="gray",
                aria_label="Account menu",
            ),
        ),
        rx.menu.content(
            rx.box(rx.text(SessionState.vendor_name, size="2", weight="medium"),
                   rx.text(SessionState.user_email, size="1", color_scheme="gray"),
                   padding="4px 8px"),
            rx.menu.separator(),
            rx.menu.item(rx.icon("settings", size=14), "Settings",
                         on_click=rx.redirect(routes.SETTINGS)),
            rx.menu.item(rx.icon("log_out", size=14), "Log out", on_click=SessionState.log_out),
        ),
    )


def topbar(title: str | rx.Var[str], *actions: rx.Component,
           show_search: bool = True) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="4", weight="medium", as_="h1", flex="0 0 auto",
                   max_width="36%", white_space="nowrap", overflow="hidden",
                   text_overflow="ellipsis"),
        rx.spacer(),
        rx.hstack(*actions, spacing="3", align="center", flex_shrink="0"),
        rx.separator(orientation="vertical", size="2"),
        _search_box() if show_search else rx.fragment(),
        _user_menu(compact=not show_search),
        align="center",
        spacing="3",
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
    show_search: bool = True,
    compact_nav: bool = False,
) -> rx.Component:
    """Wrap page content in the sidebar + top bar frame.

    ``active`` is the route constant of the sidebar entry to highlight.
    ``padded=False`` gives the content area edge to edge (used by the canvas).
    """
    return rx.hstack(
        sidebar(active, compact_nav),
        rx.vstack(
            topbar(title, *actions, show_search=show_search),
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


def empty_state(icon: str, title: str, text: str | rx.Var[str], *actions: rx.Component,
                testid: str = "empty-state") -> rx.Component:
    """What an empty page or panel shows: what is missing and what to do next."""
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=22, color="var(--accent-11)"),
                width="44px",
                height="44px",
                border_radius="999px",
                background="var(--accent-3)",
            ),
            rx.heading(title, size="4", weight="medium", text_align="center", as_="h2"),
            rx.text(text, size="2", color_scheme="gray", text_align="center", max_width="440px"),
            rx.hstack(*actions, spacing="2", justify="center", wrap="wrap"),
            align="center",
            spacing="3",
        ),
        padding="48px 24px",
        width="100%",
        custom_attrs={"data-testid": testid},
    )


def loading_block(text: str = "Loading…") -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="2"), rx.text(text, size="2", color_scheme="gray"),
                  align="center", spacing="2"),
        padding="40px",
        width="100%",
        role="status",
    )


def list_or_empty(content: rx.Component, *, loading: rx.Var[bool], loading_text: str,
                  empty: rx.Var[bool], empty_view: rx.Component) -> rx.Component:
    """A page's list: a spinner while ``loading``, then ``empty_view`` (usually an
    :func:`empty_state`) in a card when ``empty``, else ``content``."""
    return rx.cond(
        loading,
        loading_block(loading_text),
        rx.cond(empty, rx.card(empty_view, width="100%"), content),
    )
