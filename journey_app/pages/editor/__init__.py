"""Journey editor: palette + React Flow canvas, inspector, validation, history, publishing."""

from __future__ import annotations

import reflex as rx

from journey_app import routes
from journey_app.components.flow import journey_canvas
from journey_app.components.shell import app_shell, empty_state, loading_block
from journey_app.pages.editor.dialogs import (import_dialog, migrate_dialog, publish_dialog,
                                              templates_dialog)
from journey_app.pages.editor.inspector import inspector
from journey_app.pages.editor.state import EditorState

ROUTE = routes.JOURNEY_EDITOR
ACTIVE_NAV = routes.JOURNEYS
TITLE = "Journey editor"

S = EditorState

__all__ = ["EditorState", "ROUTE", "TITLE", "page"]


def _stat(label: str, value: rx.Var[int], testid: str) -> rx.Component:
    return rx.text(
        rx.text(value, as_="span", custom_attrs={"data-testid": testid}),
        f" {label}",
        size="1",
        color_scheme="gray",
        white_space="nowrap",
    )


def _status() -> rx.Component:
    return rx.hstack(
        rx.badge(
            rx.icon(rx.cond(S.is_live, "radio", "pencil"), size=12),
            S.status_label,
            color_scheme=rx.cond(S.is_live, "green", "gray"),
            variant="soft",
            size="2",
            custom_attrs={"data-testid": "journey-status"},
        ),
        rx.cond(
            S.error_count > 0,
            rx.badge(rx.icon("circle_x", size=12), S.error_count, " to fix",
                     color_scheme="red", variant="soft", size="2", cursor="pointer",
                     on_click=S.set_tab("problems"),
                     custom_attrs={"data-testid": "error-badge"}),
            rx.badge(rx.icon("circle_check", size=12), "Valid", color_scheme="green",
                     variant="soft", size="2", custom_attrs={"data-testid": "valid-badge"}),
        ),
        rx.cond(S.dirty, rx.badge("Unsaved changes", color_scheme="amber", variant="surface",
                                  size="2", custom_attrs={"data-testid": "dirty-badge"})),
        spacing="2",
        align="center",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.tooltip(rx.icon_button(rx.icon("undo_2", size=15), variant="ghost", size="2",
                                  color_scheme="gray", aria_label="Undo",
                                  disabled=~S.can_undo, on_click=S.undo),
                   content="Undo (Ctrl+Z)"),
        rx.tooltip(rx.icon_button(rx.icon("redo_2", size=15), variant="ghost", size="2",
                                  color_scheme="gray", aria_label="Redo",
                                  disabled=~S.can_redo, on_click=S.redo),
                   content="Redo (Ctrl+Y)"),
        rx.separator(orientation="vertical", size="1"),
        rx.tooltip(rx.button(rx.icon("layout_dashboard", size=14), "Auto-layout", variant="ghost",
                             size="2", color_scheme="gray", on_click=S.auto_layout),
                   content="Arrange the steps left to right"),
        rx.menu.root(
            rx.menu.trigger(rx.button("More", rx.icon("chevron_down", size=14), variant="ghost",
                                      size="2", color_scheme="gray", aria_label="More actions")),
            rx.menu.content(
                rx.menu.item(rx.icon("layout_template", size=14), "Start from a template…",
                             on_click=S.open_templates),
                rx.menu.item(rx.icon("file_up", size=14), "Import JSON…",
                             on_click=S.set_import_open(True)),
                rx.menu.item(rx.icon("file_down", size=14), "Export JSON",
                             on_click=rx.download(url=S.download_url,
                                                  filename=S.download_name)),
                rx.menu.separator(),
                rx.menu.item(rx.icon("flask_conical", size=14), "Simulate…",
                             on_click=S.open_simulation),
                rx.menu.item(rx.icon("rotate_ccw", size=14), "Discard unsaved changes",
                             on_click=S.discard_changes, disabled=~S.dirty),
                rx.cond(S.is_live, rx.menu.item(rx.icon("circle_pause", size=14),
                                                "Unpublish (stop new clients)",
                                                on_click=S.unpublish, color="red")),
            ),
        ),
        rx.spacer(),
        _stat("steps", S.node_count, "node-count"),
        rx.text("·", size="1", color_scheme="gray"),
        _stat("connections", S.edge_count, "edge-count"),
        rx.cond(S.updated_text != "",
                rx.text("· saved ", S.updated_text, size="1", color_scheme="gray",
                        white_space="nowrap")),
        spacing="1",
        align="center",
        width="100%",
        height="40px",
        min_height="40px",
        padding_x="10px",
        border_bottom="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        role="toolbar",
        aria_label="Editor tools",
    )


def _actions() -> tuple[rx.Component, ...]:
    return (
        _status(),
        rx.button(rx.icon("save", size=14), "Save draft", variant="soft", size="2",
                  on_click=S.save_draft, loading=S.busy == "save", disabled=~S.dirty),
        rx.button(rx.icon("rocket", size=14), "Publish", size="2", on_click=S.open_publish),
    )


def _empty_canvas_hint() -> rx.Component:
    return rx.cond(
        (S.node_count == 0) & ~S.loading,
        rx.center(
            rx.vstack(
                rx.text("This journey is empty", weight="bold", size="3"),
                rx.text("Drag a Trigger from the palette to say when it starts, or begin "
                        "with a ready-made wedding journey.", size="2", color_scheme="gray",
                        text_align="center", max_width="320px"),
                rx.button(rx.icon("layout_template", size=14), "Start from a template",
                          on_click=S.open_templates, pointer_events="auto"),
                align="center",
                spacing="2",
                padding="20px",
                background="var(--color-panel-solid)",
                border="1px solid var(--gray-5)",
                border_radius="var(--radius-4)",
                box_shadow="var(--shadow-3)",
            ),
            position="absolute",
            inset="0",
            pointer_events="none",
            z_index="5",
        ),
    )


def _canvas() -> rx.Component:
    return rx.box(
        journey_canvas(
            nodes=S.nodes,
            edges=S.edges,
            revision=S.revision,
            fit_key=S.fit_key,
            highlight=S.error_nodes,
            warn=S.warning_nodes,
            highlight_edges=S.problem_edges,
            problems=S.problem_map,
            summaries=S.summaries,
            select_id=S.select_id,
            select_key=S.select_key,
            dirty=S.dirty,
            on_graph_change=S.graph_changed,
            on_select=S.node_selected,
            on_undo=S.undo,
            on_redo=S.redo,
            on_save=S.save_draft,
        ),
        _empty_canvas_hint(),
        rx.el.pre(S.document_json, custom_attrs={"data-testid": "document-json"},
                  display="none"),
        flex="1",
        min_height="0",
        width="100%",
        position="relative",
    )


def _body() -> rx.Component:
    return rx.cond(
        S.load_error != "",
        empty_state("file_question", "Journey not found", S.load_error,
                    rx.link(rx.button("Back to journeys"), href=routes.JOURNEYS)),
        rx.hstack(
            rx.vstack(_toolbar(), _canvas(), spacing="0", flex="1", min_width="0",
                      height="100%"),
            inspector(),
            rx.cond(S.loading, rx.box(loading_block("Loading the journey…"), position="absolute",
                                      inset="0", background="var(--color-overlay)",
                                      z_index="10")),
            spacing="0",
            width="100%",
            height="100%",
            position="relative",
        ),
    )


def page() -> rx.Component:
    return app_shell(
        _body(),
        publish_dialog(),
        migrate_dialog(),
        templates_dialog(),
        import_dialog(),
        title=rx.cond(S.name != "", S.name, TITLE),
        active=ACTIVE_NAV,
        padded=False,
        show_search=False,
        compact_nav=True,
        actions=_actions(),
    )
