"""document_from_dict / document_to_dict: the lossless round trip."""
from __future__ import annotations

import copy
import json

import pytest

from engine.graph import (Edge, JourneyDocument, Node, document_from_dict, document_to_dict,
                          validate)

from .helpers import CATALOG, minimal

VALID = sorted((CATALOG / "valid").glob("*.json"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_catalog_round_trip_is_lossless_and_ordered(path):
    text = path.read_text()
    d = json.loads(text)
    out = document_to_dict(document_from_dict(d))
    assert out == d
    assert json.dumps(out) == json.dumps(d)  # same key order too


def test_fields():
    d = minimal()
    d["description"] = "desc"
    d["settings"] = {"timezone": "UTC"}
    d["nodes"][1]["title"] = "Hello"
    d["nodes"][1]["position"] = {"x": 1, "y": 2}
    d["edges"][0]["when"] = None
    doc = document_from_dict(d)
    assert doc.name == "Test journey" and doc.description == "desc"
    assert doc.settings == {"timezone": "UTC"}
    assert [n.id for n in doc.nodes] == ["start", "hello", "end"]
    hello = doc.nodes[1]
    assert (hello.type, hello.title, hello.position) == ("email", "Hello", {"x": 1, "y": 2})
    assert hello.config["subject"] == "Hello"
    assert doc.nodes[2].config == {}
    assert doc.edges[0] == Edge("start", "hello", None)
    assert doc.edges[1].source == "hello" and doc.edges[1].target == "end"
    assert doc.format == "journeys/v1"


def test_absent_optional_keys_stay_absent():
    d = minimal()  # no description, settings, titles, positions, whens; exit without config
    out = document_to_dict(document_from_dict(d))
    assert out == d
    assert "config" not in out["nodes"][2]
    assert "when" not in out["edges"][0]
    assert "settings" not in out and "description" not in out


def test_present_empty_and_null_optional_keys_come_back():
    d = minimal()
    d["description"] = None
    d["settings"] = {}
    d["nodes"][2]["config"] = {}
    d["nodes"][1]["title"] = None
    d["nodes"][1]["position"] = None
    d["edges"][0]["when"] = None
    assert document_to_dict(document_from_dict(d)) == d


def test_key_order_of_the_input_is_kept():
    d = {"edges": [{"to": "end", "when": None, "from": "start"}],
         "nodes": [{"config": {"event": "manual"}, "type": "trigger", "id": "start"},
                   {"type": "exit", "id": "end"}],
         "name": "Order", "format": "journeys/v1"}
    out = document_to_dict(document_from_dict(d))
    assert json.dumps(out) == json.dumps(d)


def test_documents_built_in_code_use_the_canonical_shape():
    doc = JourneyDocument(
        name="Built",
        nodes=[Node("start", "trigger", {"event": "manual"}), Node("end", "exit", title="Done")],
        edges=[Edge("start", "end")])
    out = document_to_dict(doc)
    assert out == {"format": "journeys/v1", "name": "Built", "settings": {},
                   "nodes": [{"id": "start", "type": "trigger", "config": {"event": "manual"}},
                             {"id": "end", "type": "exit", "title": "Done", "config": {}}],
                   "edges": [{"from": "start", "to": "end"}]}
    assert list(out) == ["format", "name", "settings", "nodes", "edges"]
    assert list(out["nodes"][1]) == ["id", "type", "title", "config"]
    assert validate(out) == []


def test_changes_after_loading_are_written():
    doc = document_from_dict(minimal())
    doc.nodes[2].config["x"] = 1  # was absent: now non-empty, so written
    doc.nodes[1].title = "New title"
    doc.edges[1].when = "past_due"
    doc.description = "now described"
    out = document_to_dict(doc)
    assert out["nodes"][2]["config"] == {"x": 1}
    assert out["nodes"][1]["title"] == "New title"
    assert out["edges"][1]["when"] == "past_due"
    assert out["description"] == "now described"
    assert list(out)[-1] == "description"  # new keys go after the source's keys


def test_no_sharing_between_input_document_and_output():
    d = minimal()
    d["nodes"][1]["position"] = {"x": 1, "y": 1}
    snapshot = copy.deepcopy(d)
    doc = document_from_dict(d)
    doc.nodes[1].config["subject"] = "changed"
    doc.nodes[1].position["x"] = 99
    assert d == snapshot
    out = document_to_dict(doc)
    out["nodes"][1]["config"]["subject"] = "again"
    assert doc.nodes[1].config["subject"] == "changed"


def test_from_dict_rejects_non_objects():
    with pytest.raises(TypeError):
        document_from_dict([])  # type: ignore[arg-type]


def test_from_dict_tolerates_drafts():
    doc = document_from_dict({"format": "journeys/v1", "nodes": [{"id": "a"}, "junk"],
                              "edges": "nope"})
    assert [n.id for n in doc.nodes] == ["a", None]
    assert doc.edges == []


def test_equality_ignores_source_key_order():
    a = document_from_dict(minimal())
    b = document_from_dict(json.loads(json.dumps(minimal(), sort_keys=True)))
    assert a == b
