"""Fast checks of the canvas' Python side and the mounted API (no browser, no build).

Not marked e2e: these run in the ordinary test pass.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from journey_app.api import create_api
from journey_app.components.flow import normalize_graph
from journey_app.components.node_catalog import NODE_CATALOG, output_labels
from .helpers import SAMPLE_JOURNEY

SPEC_TYPES = {"trigger", "email", "form", "delay", "wait_for", "condition", "split", "action", "exit"}


def test_health():
    client = TestClient(create_api())
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 404  # FastAPI pages stay under /api/v1


def test_catalog_covers_every_node_type_with_its_edge_labels():
    assert set(NODE_CATALOG) == SPEC_TYPES
    assert output_labels("condition") == ["true", "false"]
    assert output_labels("wait_for") == ["event", "timeout"]
    assert output_labels("delay") == [None, "past_due"]
    assert output_labels("exit") == []
    assert output_labels("split", {"branches": [{"label": "x", "weight": 1}, {"label": "y", "weight": 3}]}) == ["x", "y"]
    assert output_labels("split", NODE_CATALOG["split"]["defaults"]["config"]) == ["a", "b"]
    assert NODE_CATALOG["trigger"]["target"] is False


def test_normalize_keeps_a_valid_document_unchanged():
    doc = SAMPLE_JOURNEY
    nodes, edges = normalize_graph(doc)
    assert nodes == doc["nodes"]
    assert edges == doc["edges"]


def test_normalize_drops_malformed_browser_input():
    nodes, edges = normalize_graph(
        {
            "nodes": [
                {"id": "a", "type": "email", "position": {"x": 10.4, "y": "7"}, "config": {}, "note": "kept"},
                {"id": "a", "type": "exit"},  # duplicate id
                {"id": "bad id!", "type": "exit"},
                {"id": "b", "type": "exit", "position": {"x": float("nan")}, "title": ""},
                "not a node",
                {"id": "c"},  # no type
            ],
            "edges": [
                {"from": "a", "to": "b", "when": ""},
                {"from": "a", "to": "ghost"},
                {"from": "b", "to": "a", "when": "past_due"},
                ["a", "b"],
            ],
        }
    )
    assert nodes == [
        {"note": "kept", "id": "a", "type": "email", "config": {}, "position": {"x": 10, "y": 7}},
        {"id": "b", "type": "exit", "config": {}, "position": {"x": 0, "y": 0}},
    ]
    assert edges == [{"from": "a", "to": "b"}, {"from": "b", "to": "a", "when": "past_due"}]
    assert normalize_graph(None) == ([], [])
