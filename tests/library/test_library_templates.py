"""The template library: every shipped journey loads, is valid `journeys/v1`, uses only known
forms and template variables, is laid out left to right, and copes with late bookings."""
from __future__ import annotations

import re
import warnings
from collections import Counter

import pytest
from jinja2 import nodes as jn

from engine.errors import NotFound
from engine.graph.validate import validate
from engine.library import TRADES, TemplateInfo, list_forms, list_templates, load_template
from engine.templating import ENV

KEYS = [info.key for info in list_templates()]
BIG_PLANNER = "planner_full_service"

DOCUMENT_KEYS = {"format", "name", "description", "settings", "nodes", "edges"}
NODE_KEYS = {"id", "type", "title", "config", "position"}
ID_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")

# What a library template may read (the brief's list): attribute paths under each top-level name.
ALLOWED_PATHS = {
    ("client", "name"), ("client", "email"), ("client", "wedding_date"), ("client", "tags"),
    ("client", "dates", "*"), ("client", "fields", "*"),
    ("vendor", "name"), ("vendor", "email"), ("vendor", "phone"),
    ("journey", "name"),
}
ALLOWED_FILTERS = {"longdate", "shortdate", "default"}


def _edges_by_source(doc):
    out: dict[str, dict] = {}
    for edge in doc["edges"]:
        out.setdefault(edge["from"], {})[edge.get("when")] = edge["to"]
    return out


def _templates_of(doc):
    """(node id, field, source, allows form_url) for every template in the document."""
    for node in doc["nodes"]:
        cfg = node["config"]
        if node["type"] in ("email", "form"):
            for field in ("subject", "body", "to"):
                if field in cfg:
                    yield node["id"], field, cfg[field], node["type"] == "form"
        if node["type"] == "action" and cfg.get("action") == "webhook" and "body" in cfg:
            yield node["id"], "body", cfg["body"], False


def _attribute_path(node):
    """('client', 'fields', 'x') for client.fields.x; None if the chain does not end in a Name."""
    parts = []
    while isinstance(node, (jn.Getattr, jn.Getitem)):
        if isinstance(node, jn.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, jn.Const):
            parts.append(str(node.arg.value))
        else:
            return None
        node = node.node
    if not isinstance(node, jn.Name):
        return None
    return (node.name, *reversed(parts))


def _path_allowed(path) -> bool:
    for allowed in ALLOWED_PATHS:
        if len(path) < len(allowed) and allowed[:len(path)] == path[:len(allowed)]:
            continue  # a prefix like ('client',) alone is not a read of a value
        if len(path) == len(allowed) and all(a in ("*", p) for a, p in zip(allowed, path)):
            return True
    return False


def _variable_problems(source: str, allow_form_url: bool) -> list[str]:
    ast = ENV.parse(source)
    problems = []
    chains = set()
    for node in ast.find_all((jn.Getattr, jn.Getitem)):
        path = _attribute_path(node)
        if path is not None:
            chains.add(path)
    # keep only maximal chains (client.fields.x, not also client.fields)
    maximal = {c for c in chains
               if not any(o != c and o[:len(c)] == c for o in chains)}
    for path in sorted(maximal):
        if not _path_allowed(path):
            problems.append(".".join(path))
    for name in ast.find_all(jn.Name):
        if name.ctx != "load":
            continue
        if name.name == "form_url":
            if not allow_form_url:
                problems.append("form_url outside a form node")
            continue
        if name.name not in ("client", "vendor", "journey"):
            problems.append(f"unknown variable {name.name}")
    for flt in ast.find_all(jn.Filter):
        if flt.name not in ALLOWED_FILTERS:
            problems.append(f"filter {flt.name}")
    # a bare {{ client }} or {{ vendor }} would dump a whole object
    for output in ast.find_all(jn.Output):
        for child in output.nodes:
            if isinstance(child, jn.Name):
                if child.name != "form_url":
                    problems.append(f"bare {child.name}")
    return problems


# -- the catalogue ------------------------------------------------------------------------


def test_at_least_eleven_templates_with_catalogue_entries():
    infos = list_templates()
    assert len(infos) >= 11
    assert all(isinstance(i, TemplateInfo) for i in infos)
    assert [i.key for i in infos] == list(TRADES)  # every catalogued key ships, in order
    for info in infos:
        doc = load_template(info.key)
        assert info.name == doc["name"]
        assert info.description == doc["description"]
        assert info.node_count == len(doc["nodes"])
        assert info.trade == TRADES[info.key]


def test_trades_covered():
    trades = {i.trade for i in list_templates()}
    assert {"photographer", "videographer", "planner", "venue", "florist", "dj_band",
            "caterer", "any"} <= trades


def test_unknown_template_raises_not_found():
    with pytest.raises(NotFound) as caught:
        load_template("no_such_template")
    assert caught.value.kind == "template"
    assert caught.value.ident == "no_such_template"
    with pytest.raises(LookupError):
        load_template("../forms")
    with pytest.raises(NotFound):
        load_template(None)  # type: ignore[arg-type]


def test_load_template_returns_a_fresh_copy():
    first = load_template(KEYS[0])
    first["nodes"].clear()
    first["settings"]["reentry"] = "changed"
    second = load_template(KEYS[0])
    assert second["nodes"]
    assert second["settings"].get("reentry") != "changed"


# -- every template ------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_template_has_no_validation_errors(key):
    problems = validate(load_template(key))
    errors = [f"{p.code} {p.node}: {p.message}" for p in problems if p.severity == "error"]
    assert errors == []
    for p in problems:
        if p.severity != "error":
            warnings.warn(f"{key}: {p.code} {p.node}: {p.message}")


@pytest.mark.parametrize("key", KEYS)
def test_template_shape(key):
    doc = load_template(key)
    assert doc["format"] == "journeys/v1"
    assert set(doc) <= DOCUMENT_KEYS
    assert doc["name"] and doc["description"]
    assert [n["type"] for n in doc["nodes"]].count("trigger") == 1
    for node in doc["nodes"]:
        assert set(node) == NODE_KEYS, node["id"]
        assert ID_RE.fullmatch(node["id"]), node["id"]
        assert node["title"].strip(), node["id"]
    # exit_on and a cancellation path: every library journey stops for a cancelled booking
    assert "custom:booking_cancelled" in doc["settings"].get("exit_on", [])


@pytest.mark.parametrize("key", KEYS)
def test_canvas_positions_left_to_right(key):
    doc = load_template(key)
    pos = {n["id"]: (n["position"]["x"], n["position"]["y"]) for n in doc["nodes"]}
    assert len(set(pos.values())) == len(pos), "two nodes share a canvas position"
    trigger = next(n["id"] for n in doc["nodes"] if n["type"] == "trigger")
    assert pos[trigger] == (0, 0)
    for edge in doc["edges"]:
        (x1, _), (x2, _) = pos[edge["from"]], pos[edge["to"]]
        is_loop_back = doc_node_type(doc, edge["to"]) == "delay" and x2 < x1
        assert x2 > x1 or is_loop_back, f"edge {edge['from']} -> {edge['to']} goes left"
    for x, y in pos.values():
        assert x % 260 == 0 and y % 140 == 0


def doc_node_type(doc, node_id):
    return next(n["type"] for n in doc["nodes"] if n["id"] == node_id)


@pytest.mark.parametrize("key", KEYS)
def test_templates_use_only_documented_variables_and_filters(key):
    doc = load_template(key)
    found = []
    for node_id, field, source, is_form in _templates_of(doc):
        found += [f"{node_id}.{field}: {p}" for p in _variable_problems(source, is_form)]
        if is_form and field == "body":
            assert "{{ form_url }}" in source, node_id
    assert found == []


@pytest.mark.parametrize("key", KEYS)
def test_every_email_has_real_copy(key):
    doc = load_template(key)
    for node in doc["nodes"]:
        if node["type"] in ("email", "form"):
            cfg = node["config"]
            assert 8 <= len(cfg["subject"]) <= 90, node["id"]
            assert len(cfg["body"]) >= 150, node["id"]
            assert "{{ client.name }}" in cfg["body"], node["id"]  # a personal greeting
            assert "{{ vendor.name }}" in cfg["body"], node["id"]  # signed by the vendor
            assert "TODO" not in cfg["body"] and "lorem" not in cfg["body"].lower()


@pytest.mark.parametrize("key", KEYS)
def test_forms_and_form_fields_exist(key):
    forms = {f["key"]: {q["key"] for q in f["questions"]} for f in list_forms()}
    doc = load_template(key)

    def fields_of(group):
        if isinstance(group, dict):
            if "field" in group:
                yield group["field"], group.get("value")
            for member in group.get("all", []) + group.get("any", []):
                yield from fields_of(member)

    for node in doc["nodes"]:
        cfg = node["config"]
        if node["type"] == "form":
            assert cfg["form"] in forms, f"{node['id']}: unknown form {cfg['form']!r}"
        groups = []
        if node["type"] == "condition":
            groups.append(cfg)
        if node["type"] in ("trigger", "wait_for") and "match" in cfg:
            groups.append(cfg["match"])
        for group in groups:
            for field, value in fields_of(group):
                if field.startswith("form."):
                    _, form_key, question = field.split(".", 2)
                    assert form_key in forms, f"{node['id']}: {field}"
                    assert question in forms[form_key], f"{node['id']}: {field}"
                if field == "event.form":
                    assert value in forms, f"{node['id']}: waits for unknown form {value!r}"


@pytest.mark.parametrize("key", KEYS)
def test_date_anchored_steps_handle_late_arrival(key):
    """A delay anchored on a client date that leads straight to an email or form either has a
    `past_due` edge (late bookings take a catch-up or skip route) or sends only on approval."""
    doc = load_template(key)
    nodes = {n["id"]: n for n in doc["nodes"]}
    out = _edges_by_source(doc)
    for node in doc["nodes"]:
        cfg = node["config"]
        if node["type"] != "delay" or "until" not in cfg or "anchor" not in cfg["until"]:
            continue
        nxt = nodes[out[node["id"]][None]]
        if nxt["type"] in ("email", "form") and "past_due" not in out[node["id"]]:
            assert nxt["config"].get("requires_approval"), (
                f"{node['id']} -> {nxt['id']} has no past_due route")


@pytest.mark.parametrize("key", KEYS)
def test_anchored_dates_other_than_wedding_are_checked_first(key):
    """A step anchored on an optional client date is reached only after a condition checked
    that the date exists (else the run would wait forever for it)."""
    doc = load_template(key)
    nodes = {n["id"]: n for n in doc["nodes"]}
    anchors = set()
    for node in doc["nodes"]:
        cfg = node["config"]
        for spec in (cfg.get("until"), cfg.get("timeout")):
            if isinstance(spec, dict) and spec.get("anchor") not in (None, "wedding_date"):
                anchors.add(spec["anchor"])
    trigger = nodes.get(next(n["id"] for n in doc["nodes"] if n["type"] == "trigger"))
    if trigger["config"]["event"] == "date":
        anchors.discard(trigger["config"]["anchor"])  # the trigger itself needs the date
    checked = set()
    for node in doc["nodes"]:
        if node["type"] == "condition":
            for member in node["config"].get("all", []):
                if member.get("op") == "exists" and member["field"].startswith("client.dates."):
                    checked.add(member["field"].removeprefix("client.dates."))
    assert anchors <= checked, f"unchecked anchors: {sorted(anchors - checked)}"


# -- the big planner journey --------------------------------------------------------------


def test_full_service_planner_is_big_and_branchy():
    doc = load_template(BIG_PLANNER)
    assert len(doc["nodes"]) > 50
    types = Counter(n["type"] for n in doc["nodes"])
    assert types["condition"] >= 5
    assert types["wait_for"] >= 3
    assert types["split"] >= 1
    assert {"email", "form", "delay", "action", "exit"} <= set(types)
