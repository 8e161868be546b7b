"""JourneyGraph: lookups for the runtime and the canvas auto-layout."""
from __future__ import annotations

import json

import networkx as nx
import pytest

from engine.errors import InvalidInput, NotFound
from engine.graph import JourneyGraph, document_from_dict
from engine.graph.graph import LAYER_GAP, ROW_GAP

from .helpers import CATALOG, chain, doc, edge, email, exit_, minimal, node, trigger

VALID = sorted((CATALOG / "valid").glob("*.json"))


def _graph(d: dict) -> JourneyGraph:
    return JourneyGraph(document_from_dict(d))


def _branchy() -> dict:
    cond = node("c", "condition", {"all": []})
    w = node("w", "wait_for", {"event": "custom:x", "timeout": {"days": 1}})
    return doc([trigger(), cond, email("yes"), email("no"), w, exit_()],
               [edge("start", "c"), edge("c", "yes", "true"), edge("c", "no", "false"),
                edge("yes", "w"), edge("no", "end"), edge("w", "end", "event"),
                edge("w", "yes", "timeout")])


def test_lookups():
    g = _graph(_branchy())
    assert g.trigger.id == "start"
    assert g.node("yes").type == "email"
    assert g.next("start") == "c"
    assert g.next("c", "true") == "yes" and g.next("c", "false") == "no"
    assert g.next("c") is None and g.next("end") is None
    assert g.next("w", "timeout") == "yes"
    assert g.labels("c") == {"true": "yes", "false": "no"}
    assert g.labels("end") == {}
    assert "yes" in g and "ghost" not in g and [] not in g
    assert g.doc.name == "Test journey"


def test_labels_returns_a_copy():
    g = _graph(minimal())
    g.labels("start")["x"] = "y"
    assert g.labels("start") == {None: "hello"}


def test_unknown_nodes_raise_not_found():
    g = _graph(minimal())
    for call in (lambda: g.node("ghost"), lambda: g.next("ghost"), lambda: g.labels("ghost")):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(LookupError):
        g.node("ghost")


def test_missing_trigger_raises_only_when_asked():
    g = _graph(chain(email("a"), exit_()))
    with pytest.raises(InvalidInput):
        g.trigger
    assert g.next("a") == "end"


def test_tolerates_invalid_drafts():
    d = minimal()
    d["nodes"].append(email("hello", subject="dup"))
    d["edges"] += [edge("hello", "ghost"), edge("ghost", "end"), edge("hello", "start")]
    g = _graph(d)
    assert g.node("hello").config["subject"] == "Hello"  # first wins
    assert g.next("hello") == "end"  # first unlabelled edge wins
    assert set(g.layered_layout()) == {"start", "hello", "end"}


def test_to_networkx():
    g = _graph(_branchy()).to_networkx()
    assert isinstance(g, nx.DiGraph)
    assert list(g.nodes) == ["start", "c", "yes", "no", "w", "end"]
    assert g.nodes["c"]["type"] == "condition"
    assert g.edges["c", "yes"]["label"] == "true"
    assert g.edges["start", "c"]["label"] is None
    assert g.number_of_edges() == 7


def test_parallel_edges_merge_labels():
    cond = node("c", "condition", {"all": []})
    d = doc([trigger(), cond, exit_()],
            [edge("start", "c"), edge("c", "end", "true"), edge("c", "end", "false")])
    g = _graph(d).to_networkx()
    assert g.edges["c", "end"]["labels"] == ["true", "false"]


def test_back_edges_break_every_cycle():
    g = _graph(_branchy())
    assert g.back_edges() == [("w", "yes")]
    dag = g.to_networkx()
    dag.remove_edges_from(g.back_edges())
    assert nx.is_directed_acyclic_graph(dag)


def test_layout_is_left_to_right_layers():
    g = _graph(_branchy())
    pos = g.layered_layout()
    assert set(pos) == {"start", "c", "yes", "no", "w", "end"}
    assert pos["start"]["x"] == 0
    assert pos["c"]["x"] == LAYER_GAP
    assert pos["yes"]["x"] == pos["no"]["x"] == 2 * LAYER_GAP
    assert pos["yes"]["y"] < pos["no"]["y"]  # true above false
    assert abs(pos["yes"]["y"] - pos["no"]["y"]) == ROW_GAP
    assert pos["end"]["x"] > pos["w"]["x"] > pos["yes"]["x"]
    assert all(isinstance(v, int) for p in pos.values() for v in p.values())


def test_layout_places_orphans_and_is_deterministic():
    d = minimal()
    d["nodes"].append(email("orphan"))
    g = _graph(d)
    first = g.layered_layout()
    assert first == _graph(d).layered_layout()
    assert first["orphan"]["x"] == 0
    assert first["start"]["y"] <= first["orphan"]["y"]
    assert len({(p["x"], p["y"]) for p in first.values()}) == len(first)  # no overlaps


def test_layout_of_an_empty_document():
    assert _graph(doc([], [])).layered_layout() == {}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_layout_of_catalog_journeys(path):
    g = JourneyGraph(document_from_dict(json.loads(path.read_text())))
    pos = g.layered_layout()
    assert set(pos) == {n.id for n in g.doc.nodes}
    back = set(g.back_edges())
    for e in g.edges:
        if (e.source, e.target) not in back:
            assert pos[e.source]["x"] < pos[e.target]["x"], (e.source, e.target)
    assert len({(p["x"], p["y"]) for p in pos.values()}) == len(pos)
    # Every labelled edge of the document can be followed.
    for e in g.doc.edges:
        assert g.next(e.source, e.when) == e.target
