"""A journey's graph, indexed once for the runtime's hot loop, plus the canvas auto-layout."""
from __future__ import annotations

from typing import Any

import networkx as nx

from engine.errors import InvalidInput, NotFound

from .document import Edge, JourneyDocument, Node

__all__ = ["JourneyGraph", "LAYER_GAP", "ROW_GAP"]

# Canvas spacing of layered_layout, in canvas units (pixels at zoom 1).
LAYER_GAP = 280
ROW_GAP = 160


class JourneyGraph:
    """Read-only view of a JourneyDocument with O(1) lookups.

    Build it once per document version and share it: every lookup is a dict access. The graph is
    meant for validated documents, but building it never fails on a draft: duplicate ids keep the
    first node, edges touching unknown nodes are ignored, a second edge with the same label from a
    node is ignored, and `.trigger` raises only when asked for on a document without one.
    """

    __slots__ = ("doc", "_nodes", "_out", "_edges", "_trigger")

    def __init__(self, doc: JourneyDocument):
        self.doc = doc
        nodes: dict[str, Node] = {}
        for n in doc.nodes:
            if isinstance(n.id, str) and n.id not in nodes:
                nodes[n.id] = n
        out: dict[str, dict[str | None, str]] = {node_id: {} for node_id in nodes}
        edges: list[Edge] = []
        for e in doc.edges:
            if e.source in nodes and e.target in nodes:
                labels = out[e.source]
                if e.when not in labels:
                    labels[e.when] = e.target
                    edges.append(e)
        self._nodes = nodes
        self._out = out
        self._edges = edges
        self._trigger = next((n for n in nodes.values() if n.type == "trigger"), None)

    # -- lookups -----------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except (KeyError, TypeError):
            raise NotFound("node", node_id) from None

    def __contains__(self, node_id: object) -> bool:
        try:
            return node_id in self._nodes
        except TypeError:
            return False

    @property
    def nodes(self) -> list[Node]:
        """The nodes in document order (first of any duplicated id)."""
        return list(self._nodes.values())

    @property
    def edges(self) -> list[Edge]:
        """The edges the graph uses, in document order."""
        return list(self._edges)

    @property
    def trigger(self) -> Node:
        if self._trigger is None:
            raise InvalidInput("journey has no trigger node")
        return self._trigger

    def next(self, node_id: str, label: str | None = None) -> str | None:
        """Target of the edge leaving `node_id` with `label` (None: the unlabelled edge).

        None when there is no such edge (the run ends there). Raises NotFound for an unknown node.
        """
        try:
            return self._out[node_id].get(label)
        except (KeyError, TypeError):
            raise NotFound("node", node_id) from None

    def labels(self, node_id: str) -> dict[str | None, str]:
        """{label: target} for every edge leaving `node_id` (a copy; None is the unlabelled edge)."""
        try:
            return dict(self._out[node_id])
        except (KeyError, TypeError):
            raise NotFound("node", node_id) from None

    # -- networkx and layout -----------------------------------------------------------------

    def to_networkx(self) -> nx.DiGraph:
        """A DiGraph of the nodes (attrs: type, title) and edges (attr: label; None unlabelled).

        Two edges between the same pair of nodes (e.g. `true` and `false` to one node) become one
        DiGraph edge whose `labels` attr lists both; `label` is the first.
        """
        g = nx.DiGraph()
        for node_id, n in self._nodes.items():
            g.add_node(node_id, type=n.type, title=n.title)
        for e in self._edges:
            if g.has_edge(e.source, e.target):
                g.edges[e.source, e.target]["labels"].append(e.when)
            else:
                g.add_edge(e.source, e.target, label=e.when, labels=[e.when])
        return g

    def back_edges(self) -> list[tuple[str, str]]:
        """Edges that close a cycle in a depth-first walk from the trigger (then from any node
        not reached yet, in document order). Removing them leaves a DAG."""
        order = list(self._nodes)
        if self._trigger is not None:
            order.remove(self._trigger.id)
            order.insert(0, self._trigger.id)
        state: dict[str, int] = {}  # 1 on the stack, 2 done
        back: list[tuple[str, str]] = []
        for root in order:
            if root in state:
                continue
            state[root] = 1
            stack = [(root, iter(list(dict.fromkeys(self._out[root].values()))))]
            while stack:
                node_id, children = stack[-1]
                child = next(children, None)
                if child is None:
                    state[node_id] = 2
                    stack.pop()
                elif state.get(child) == 1:
                    back.append((node_id, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(list(dict.fromkeys(self._out[child].values())))))
        return back

    def layered_layout(self) -> dict[str, dict[str, int]]:
        """Left-to-right layered positions {node_id: {"x", "y"}} for the canvas auto-layout.

        Back edges are removed (see back_edges), the remaining DAG is split into networkx
        topological generations (one column each, LAYER_GAP apart), and each column is ordered by
        the mean row of its predecessors (fewer crossings), ties in document order, rows ROW_GAP
        apart and columns centred on the tallest one. Deterministic for a given document.
        """
        g = self.to_networkx()
        g.remove_edges_from(self.back_edges())
        doc_index = {node_id: i for i, node_id in enumerate(self._nodes)}
        trigger_id = self._trigger.id if self._trigger is not None else None
        layers: list[list[str]] = []
        row: dict[str, float] = {}
        for generation in nx.topological_generations(g):
            if not layers:
                ordered = sorted(generation,
                                 key=lambda n: (n != trigger_id, doc_index[n]))
            else:
                def key(n: str) -> tuple[float, int, int]:
                    preds = [row[p] for p in g.predecessors(n) if p in row]
                    centre = sum(preds) / len(preds) if preds else float(len(doc_index))
                    # Order among siblings: the order of the labels on the parent (e.g. true
                    # before false), then the document.
                    rank = min((self._label_rank(p, n) for p in g.predecessors(n)), default=0)
                    return (centre, rank, doc_index[n])
                ordered = sorted(generation, key=key)
            for i, n in enumerate(ordered):
                row[n] = i - (len(ordered) - 1) / 2  # centred, like the final positions
            layers.append(ordered)
        tallest = max((len(layer) for layer in layers), default=0)
        positions: dict[str, dict[str, int]] = {}
        for x, layer in enumerate(layers):
            offset = (tallest - len(layer)) * ROW_GAP // 2
            for y, n in enumerate(layer):
                positions[n] = {"x": x * LAYER_GAP, "y": offset + y * ROW_GAP}
        return positions

    def _label_rank(self, source: str, target: str) -> int:
        for i, t in enumerate(self._out[source].values()):
            if t == target:
                return i
        return 0

    def __repr__(self) -> str:
        return f"JourneyGraph({self.doc.name!r}, {len(self._nodes)} nodes, {len(self._edges)} edges)"


def layered_layout(doc: JourneyDocument) -> dict[str, dict[str, Any]]:
    """Shortcut: JourneyGraph(doc).layered_layout()."""
    return JourneyGraph(doc).layered_layout()
