"""The in-memory form of a `journeys/v1` document, and the lossless conversion to and from JSON.

`document_from_dict` assumes the document has been validated (see engine.graph.validate); it does
not check anything, but it does not crash on a half-built document either (the canvas lays out
drafts), it just takes what it can.

Round trips are lossless: `document_to_dict(document_from_dict(d)) == d` for every valid `d`,
including optional keys that were present (`description`, `title`, `position`, `when`, an empty
`config`, even when null) and the absence of those that were not. Keys come back in the order
they came in; objects built in code use the canonical order of the spec.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .schema import FORMAT

__all__ = ["Node", "Edge", "JourneyDocument", "document_from_dict", "document_to_dict"]

_DOC_ORDER = ("format", "name", "description", "settings", "nodes", "edges")
_NODE_ORDER = ("id", "type", "title", "config", "position")
_EDGE_ORDER = ("from", "to", "when")


@dataclass
class Node:
    id: str
    type: str
    config: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    position: dict[str, Any] | None = None
    # Keys of the source object, in order; None for nodes built in code. Not part of equality.
    _keys: tuple[str, ...] | None = field(default=None, repr=False, compare=False)


@dataclass
class Edge:
    source: str
    target: str
    when: str | None = None
    _keys: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str | None:
        return self.when


@dataclass
class JourneyDocument:
    name: str
    description: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    _keys: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    format = FORMAT


def _copy(value: Any) -> Any:
    """Deep copy of JSON data (fast paths for the common immutable leaves)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return copy.deepcopy(value)


def _keys_of(d: Any) -> tuple[str, ...] | None:
    return tuple(k for k in d if isinstance(k, str)) if isinstance(d, dict) else None


def _node_from_dict(d: Any) -> Node:
    if not isinstance(d, dict):
        d = {}
    config = d.get("config")
    return Node(
        id=d.get("id"),
        type=d.get("type"),
        config=_copy(config) if isinstance(config, dict) else {},
        title=d.get("title"),
        position=_copy(d.get("position")),
        _keys=_keys_of(d),
    )


def _edge_from_dict(d: Any) -> Edge:
    if not isinstance(d, dict):
        d = {}
    return Edge(source=d.get("from"), target=d.get("to"), when=d.get("when"), _keys=_keys_of(d))


def document_from_dict(d: dict[str, Any]) -> JourneyDocument:
    """Build a JourneyDocument from a (validated) `journeys/v1` dict. The input is not shared."""
    if not isinstance(d, dict):
        raise TypeError(f"a journey document is a JSON object, got {type(d).__name__}")
    settings = d.get("settings")
    nodes = d.get("nodes")
    edges = d.get("edges")
    return JourneyDocument(
        name=d.get("name"),
        description=d.get("description"),
        settings=_copy(settings) if isinstance(settings, dict) else {},
        nodes=[_node_from_dict(n) for n in nodes] if isinstance(nodes, list) else [],
        edges=[_edge_from_dict(e) for e in edges] if isinstance(edges, list) else [],
        _keys=_keys_of(d),
    )


def _emit(keys: tuple[str, ...] | None, order: tuple[str, ...], values: dict[str, Any],
          optional: dict[str, bool]) -> dict[str, Any]:
    """Build an output object.

    `optional[k]` is True when k is an optional key whose value is "empty" (None / {}): such a
    key is written only if the source object had it. Other keys are always written. Order: the
    source's key order, then any remaining keys in canonical order.
    """
    present = set(keys) if keys is not None else None
    out: dict[str, Any] = {}
    for k in (keys or ()) + order:
        if k in out or k not in values:
            continue
        if optional.get(k) and (present is None or k not in present):
            continue
        out[k] = values[k]
    return out


def _node_to_dict(node: Node) -> dict[str, Any]:
    config = node.config if node.config is not None else {}
    values = {"id": node.id, "type": node.type, "title": node.title, "config": _copy(config),
              "position": _copy(node.position)}
    optional = {"title": node.title is None, "position": node.position is None,
                # built in code: always write config; loaded: keep an absent empty config absent
                "config": node._keys is not None and not config}
    return _emit(node._keys, _NODE_ORDER, values, optional)


def _edge_to_dict(edge: Edge) -> dict[str, Any]:
    values = {"from": edge.source, "to": edge.target, "when": edge.when}
    return _emit(edge._keys, _EDGE_ORDER, values, {"when": edge.when is None})


def document_to_dict(doc: JourneyDocument) -> dict[str, Any]:
    """The exact `journeys/v1` shape of `doc` (fresh objects, safe to mutate or serialise)."""
    settings = doc.settings if doc.settings is not None else {}
    values = {
        "format": FORMAT,
        "name": doc.name,
        "description": doc.description,
        "settings": _copy(settings),
        "nodes": [_node_to_dict(n) for n in doc.nodes],
        "edges": [_edge_to_dict(e) for e in doc.edges],
    }
    optional = {"description": doc.description is None,
                "settings": doc._keys is not None and not settings}
    return _emit(doc._keys, _DOC_ORDER, values, optional)
