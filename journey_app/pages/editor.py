"""Journey editor: the React Flow canvas, a node inspector and the journeys/v1 export."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from journey_app import routes
from journey_app.components.flow import journey_canvas, normalize_graph
from journey_app.components.shell import app_shell
from journey_app.pages.sample import SAMPLE_JOURNEY_ID, sample_document

ROUTE = routes.JOURNEY_EDITOR
ACTIVE_NAV = routes.JOURNEYS
FORMAT = "journeys/v1"


class EditorState(rx.State):
    """The document being edited. Nodes and edges mirror the canvas."""

    loaded_id: str = ""
    name: str = ""
    description: str = ""
    settings: dict[str, Any] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    # Bumped whenever Python replaces the graph; the canvas reloads on change.
    revision: int = 0
    selected: str = ""

    def _replace_document(self, doc: dict[str, Any]) -> None:
        self.name = doc.get("name", "")
        self.description = doc.get("description", "")
        self.settings = doc.get("settings", {})
        self.nodes, self.edges = normalize_graph(doc)
        self.selected = ""
        self.revision += 1

    @rx.event
    def load(self):
        """on_load: fetch the journey named in the URL (sample only, for now)."""
        journey_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.loaded_id = journey_id
        # TODO(engine): load the draft document from the engine's journey service.
        self._replace_document(sample_document() if journey_id == SAMPLE_JOURNEY_ID else {
            "format": FORMAT, "name": journey_id, "nodes": [], "edges": []})

    @rx.event
    def reset_graph(self):
        """Discard canvas edits and reload the stored document."""
        return EditorState.load

    @rx.event
    def graph_changed(self, graph: dict[str, Any]):
        """A committed canvas edit: keep the document in step with the canvas."""
        self.nodes, self.edges = normalize_graph(graph)
        if self.selected and all(n["id"] != self.selected for n in self.nodes):
            self.selected = ""

    @rx.event
    def node_selected(self, node_id: str):
        self.selected = node_id

    @rx.var
    def node_count(self) -> int:
        return len(self.nodes)

    @rx.var
    def edge_count(self) -> int:
        return len(self.edges)

    @rx.var
    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": FORMAT, "name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.settings:
            doc["settings"] = self.settings
        doc["nodes"] = self.nodes
        doc["edges"] = self.edges
        return doc

    @rx.var
    def document_json(self) -> str:
        return json.dumps(self.document, indent=2, ensure_ascii=False)

    @rx.var
    def selected_node_json(self) -> str:
        for node in self.nodes:
            if node["id"] == self.selected:
                return json.dumps(node, indent=2, ensure_ascii=False)
        return ""

    @rx.var
    def download_name(self) -> str:
        return f"{self.loaded_id or 'journey'}.journey.json"


def _stat(label: str, value: rx.Var[int], testid: str) -> rx.Component:
    return rx.badge(
        rx.text(value, as_="span", custom_attrs={"data-testid": testid}),
        f" {label}",
        variant="soft",
        color_scheme="gray",
        size="2",
    )


def _json_block(value: rx.Var[str], testid: str) -> rx.Component:
    return rx.el.pre(
        value,
        custom_attrs={"data-testid": testid},
        font_family="var(--code-font-family)",
        font_size="11px",
        line_height="1.45",
        white_space="pre",
        overflow="auto",
        padding="10px",
        margin="0",
        border_radius="var(--radius-2)",
        background="var(--gray-3)",
        max_height="100%",
    )


def _inspector() -> rx.Component:
    return rx.vstack(
        rx.heading("Selected step", size="2"),
        rx.cond(
            EditorState.selected != "",
            _json_block(EditorState.selected_node_json, "selected-node-json"),
            rx.text("Click a step on the canvas.", size="1", color_scheme="gray"),
        ),
        rx.separator(size="4"),
        rx.hstack(
            rx.heading("journeys/v1 document", size="2"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("copy", size=14),
                size="1",
                variant="ghost",
                aria_label="Copy JSON",
                on_click=rx.set_clipboard(EditorState.document_json),
            ),
            width="100%",
            align="center",
        ),
        rx.box(_json_block(EditorState.document_json, "document-json"), flex="1", min_height="0",
               width="100%", overflow="auto"),
        width="340px",
        min_width="340px",
        height="100%",
        padding="14px",
        spacing="3",
        border_left="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        aria_label="Inspector",
        role="complementary",
    )


def page() -> rx.Component:
    return app_shell(
        rx.hstack(
            rx.box(
                journey_canvas(
                    nodes=EditorState.nodes,
                    edges=EditorState.edges,
                    revision=EditorState.revision,
                    on_graph_change=EditorState.graph_changed,
                    on_select=EditorState.node_selected,
                ),
                flex="1",
                min_width="0",
                height="100%",
            ),
            _inspector(),
            spacing="0",
            width="100%",
            height="100%",
        ),
        title=rx.cond(EditorState.name != "", EditorState.name, "Journey editor"),
        active=ACTIVE_NAV,
        padded=False,
        actions=(
            _stat("steps", EditorState.node_count, "node-count"),
            _stat("connections", EditorState.edge_count, "edge-count"),
            rx.button(
                rx.icon("rotate_ccw", size=14), "Reset", size="2", variant="soft",
                color_scheme="gray", on_click=EditorState.reset_graph,
            ),
            rx.button(
                rx.icon("download", size=14), "Export JSON", size="2",
                on_click=rx.download(data=EditorState.document_json,
                                     filename=EditorState.download_name),
            ),
        ),
    )
