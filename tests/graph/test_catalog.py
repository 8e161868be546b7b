"""The sample journeys in tests/catalog: valid ones are clean, invalid ones report exactly the
codes listed in their sibling `<name>.expected` file (one code per line)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.graph import has_errors, validate
from engine.graph.schema import ACTION_KINDS, NODE_TYPES, OPS, SETTINGS_KEYS

from .helpers import CATALOG

VALID = sorted((CATALOG / "valid").glob("*.json"))
INVALID = sorted((CATALOG / "invalid").glob("*.json"))


def test_catalog_is_there():
    assert len(VALID) >= 6 and len(INVALID) >= 8


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_journeys_have_no_problems(path: Path):
    problems = validate(path.read_bytes())
    assert problems == [], [p.to_dict() for p in problems]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_journeys_report_the_expected_codes(path: Path):
    expected_file = path.with_suffix(".expected")
    assert expected_file.exists(), f"{path.name} needs a sibling {expected_file.name}"
    expected = {line.strip() for line in expected_file.read_text().splitlines() if line.strip()}
    problems = validate(path.read_bytes())
    assert has_errors(problems)
    assert {p.code for p in problems} == expected, [p.to_dict() for p in problems]


def _walk(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_valid_catalog_covers_every_node_type_action_op_and_setting():
    docs = [json.loads(p.read_text()) for p in VALID]
    nodes = [n for d in docs for n in d["nodes"]]
    assert {n["type"] for n in nodes} == set(NODE_TYPES)
    assert {n["config"]["action"] for n in nodes if n["type"] == "action"} == set(ACTION_KINDS)
    assert {k for d in docs for k in d.get("settings", {})} == set(SETTINGS_KEYS)
    ops = {obj["op"] for d in docs for obj in _walk(d) if "op" in obj and "field" in obj}
    assert ops == set(OPS)
    delays = [n["config"] for n in nodes if n["type"] == "delay"]
    assert {k for c in delays for k in c} == {"duration", "business_days", "until"}
    events = {n["config"]["event"] for n in nodes if n["type"] == "trigger"}
    assert {"client_added", "form_submitted", "payment_received", "manual", "date"} <= events
    assert any(e.startswith("custom:") for e in events)
    labels = {e.get("when") for d in docs for e in d["edges"]}
    assert {None, "true", "false", "event", "timeout", "past_due"} <= labels
