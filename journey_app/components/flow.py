"""The journey canvas: React Flow (@xyflow/react 12) wrapped as a Reflex component.

The React side lives in ``assets/flow/journey_flow.jsx`` (Reflex copies ``assets/``
to ``.web/public``). It keeps the live graph in React state and reports each
committed edit (drop, connect, drag end, delete) through ``on_graph_change`` as
``{"nodes": [...], "edges": [...]}`` in the journeys/v1 shape. Python replaces
the canvas content by changing ``revision``; prop changes without a new
revision are ignored by the canvas (they are the echo of its own edits).

Usage from a page state::

    journey_canvas(
        nodes=EditorState.nodes, edges=EditorState.edges,
        revision=EditorState.revision,
        on_graph_change=EditorState.graph_changed,
        on_select=EditorState.node_selected,
    )

``normalize_graph`` turns what the browser sent into clean journeys/v1 nodes and
edges (the browser is not trusted to send well-formed data).
"""

from __future__ import annotations

import re
from typing import Any

import reflex as rx

from journey_app.components.node_catalog import NODE_CATALOG

# Pinned: the resolved version is also recorded in reflex.lock/ by Reflex.
XYFLOW_PACKAGE = "@xyflow/react@12.12.1"
CANVAS_MODULE = "$/public/flow/journey_flow.jsx"

_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _graph_change_spec(graph: rx.Var[dict[str, Any]]) -> tuple[rx.Var[dict[str, Any]]]:
    return (graph,)


def _select_spec(node_id: rx.Var[str]) -> tuple[rx.Var[str]]:
    return (node_id,)


def _no_args_spec() -> tuple:
    return ()


class JourneyCanvas(rx.NoSSRComponent):
    """Palette + React Flow canvas for one journey graph (client-side only)."""

    library = CANVAS_MODULE
    tag = "JourneyCanvas"
    # lucide-react is Reflex's own icon package; unpinned so rx.icon's pin wins.
    lib_dependencies: list[str] = [XYFLOW_PACKAGE, "lucide-react"]

    # journeys/v1 nodes: {id, type, title?, config, position}
    nodes: rx.Var[list[dict[str, Any]]]
    # journeys/v1 edges: {from, to, when?}
    edges: rx.Var[list[dict[str, Any]]]
    # Bump to make the canvas replace its content with nodes/edges (viewport and selection kept).
    revision: rx.Var[int]
    # Bump to fit the view to the graph (on load, import, auto-layout).
    fit_key: rx.Var[int]
    # Node type catalog (see node_catalog.NODE_CATALOG).
    catalog: rx.Var[dict[str, Any]]
    # Node ids to outline as errors / warnings (validation results).
    highlight: rx.Var[list[str]]
    warn: rx.Var[list[str]]
    # Edges to draw as problems, as "from->to".
    highlight_edges: rx.Var[list[str]]
    # {node id: problem message} (node tooltip) and {node id: one-line summary} (node body).
    problems: rx.Var[dict[str, str]]
    summaries: rx.Var[dict[str, str]]
    # Bump select_key to select and centre the node select_id.
    select_id: rx.Var[str]
    select_key: rx.Var[int]
    read_only: rx.Var[bool]
    show_palette: rx.Var[bool]
    show_minimap: rx.Var[bool]
    # Unsaved changes: warn before leaving the page or following a link.
    dirty: rx.Var[bool]

    # Fired once per committed edit with {"nodes": [...], "edges": [...]}.
    on_graph_change: rx.EventHandler[_graph_change_spec]
    # Fired with the id of the single selected node, or "" when none.
    on_select: rx.EventHandler[_select_spec]
    # Keyboard shortcuts (Ctrl/Cmd+Z, Ctrl+Y or Ctrl+Shift+Z, Ctrl+S), not while typing.
    on_undo: rx.EventHandler[_no_args_spec]
    on_redo: rx.EventHandler[_no_args_spec]
    on_save: rx.EventHandler[_no_args_spec]


def journey_canvas(**props: Any) -> rx.Component:
    """Create the canvas with the default node catalog and full-size layout."""
    props.setdefault("catalog", NODE_CATALOG)
    props.setdefault("highlight", [])
    props.setdefault("width", "100%")
    props.setdefault("height", "100%")
    return JourneyCanvas.create(**props)


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number and abs(number) < 1e9 else 0.0  # drop NaN/inf


def normalize_graph(graph: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Clean a graph reported by the canvas into journeys/v1 nodes and edges.

    Keeps unknown node types and extra node keys (the validator reports them);
    drops entries that are not objects, nodes with invalid or duplicate ids,
    and edges whose ends are not nodes of this graph.
    """
    raw_nodes = graph.get("nodes") if isinstance(graph, dict) else None
    raw_edges = graph.get("edges") if isinstance(graph, dict) else None
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in raw_nodes if isinstance(raw_nodes, list) else []:
        if not isinstance(raw, dict):
            continue
        node_id, node_type = raw.get("id"), raw.get("type")
        if not isinstance(node_id, str) or not _ID_RE.match(node_id) or node_id in seen:
            continue
        if not isinstance(node_type, str) or not node_type:
            continue
        seen.add(node_id)
        position = raw.get("position") if isinstance(raw.get("position"), dict) else {}
        node = {k: v for k, v in raw.items() if k not in {"id", "type", "title", "config", "position"}}
        node.update(
            id=node_id,
            type=node_type,
            config=raw.get("config") if isinstance(raw.get("config"), dict) else {},
            position={"x": round(_number(position.get("x"))), "y": round(_number(position.get("y")))},
        )
        if isinstance(raw.get("title"), str) and raw["title"]:
            node["title"] = raw["title"]
        nodes.append(node)
    edges: list[dict[str, Any]] = []
    for raw in raw_edges if isinstance(raw_edges, list) else []:
        if not isinstance(raw, dict):
            continue
        source, target, when = raw.get("from"), raw.get("to"), raw.get("when")
        if source not in seen or target not in seen:
            continue
        edge: dict[str, Any] = {"from": source, "to": target}
        if isinstance(when, str) and when:
            edge["when"] = when
        edges.append(edge)
    return nodes, edges
