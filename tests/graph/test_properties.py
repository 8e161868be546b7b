"""Property tests: generated journeys validate clean and round-trip losslessly; the validator
never raises on arbitrary JSON or on randomly damaged real journeys."""
from __future__ import annotations

import copy
import json

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.graph import JourneyGraph, document_from_dict, document_to_dict, validate
from engine.graph.validate import _validate

from .helpers import CATALOG

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])

# -- a generator of valid journeys ------------------------------------------------------------------

CONFIGS = {
    "email": [
        {"subject": "Hi {{ client.name }}", "body": "Welcome from {{ vendor.name }}"},
        {"subject": "Reminder", "body": "<p>{{ client.wedding_date | longdate }}</p>",
         "to": "{{ client.email }}", "requires_approval": True,
         "approval": {"timeout": {"hours": 12}, "on_timeout": "skip"}},
    ],
    "form": [{"form": "questionnaire", "subject": "Questions",
              "body": "Fill this in: {{ form_url }}"}],
    "delay": [{"duration": {"days": 2}}, {"business_days": 3},
              {"until": {"anchor": "wedding_date", "offset": {"days": -14}, "at": "10:00"}},
              {"until": {"date": "2027-03-01"}}],
    "wait_for": [{"event": "form_submitted", "match": {"form": "questionnaire"},
                  "timeout": {"days": 5}},
                 {"event": "custom:replied", "timeout": {"anchor": "wedding_date",
                                                         "offset": {"business_days": -5}}}],
    "condition": [{"all": [{"field": "client.status", "op": "eq", "value": "booked"}]},
                  {"any": [{"field": "client.wedding_date", "op": "days_until_lte", "value": 30},
                           {"all": [{"field": "client.tags", "op": "contains", "value": "vip"},
                                    {"field": "event.amount", "op": "gte", "value": 100}]}]}],
    "split": [{"branches": [{"label": "a", "weight": 1}, {"label": "b", "weight": 2}]},
              {"branches": [{"label": "x", "weight": 0.5}, {"label": "y", "weight": 0.25},
                            {"label": "z", "weight": 10}]}],
    "action": [{"action": "add_tag", "tag": "vip"}, {"action": "update_status", "status": "won"},
               {"action": "set_field", "field": "budget", "value": [1, {"a": None}]},
               {"action": "create_task", "title": "Call", "due": {"days": 1}},
               {"action": "webhook", "url": "https://example.com/h", "method": "POST",
                "headers": {"X-A": "1"}, "body": "{{ client.name }}"}],
    "exit": [{}],
}
TRIGGERS = [{"event": "manual"}, {"event": "client_added"},
            {"event": "form_submitted", "match": {"all": [{"field": "event.form", "op": "eq",
                                                           "value": "contract"}]}},
            {"event": "date", "anchor": "wedding_date", "offset": {"days": -30}, "at": "09:30"},
            {"event": "custom:booking_made"}]
SETTINGS_CHOICES = {
    "timezone": ["Europe/London", "America/New_York", "UTC"],
    "send_window": [{"days": ["mon", "fri"], "start": "09:00", "end": "17:00"}],
    "calendar": [{"holidays": "US"}, {"holidays": "GB-ENG", "closed_weekdays": ["sat", "sun"],
                                      "closed_dates": ["2027-12-24"]}],
    "reentry": ["never", "after_exit"],
    "exit_on": [[], ["custom:cancelled", "payment_received"]],
    "goal": [{"event": "payment_received"}, {"event": "custom:x", "match": {"kind": "deposit"}}],
    "past_due_grace": [{"hours": 1}, {"minutes": 0}],
}
NODE_ORDER = ["exit"] + sorted(t for t in CONFIGS if t != "exit")  # shrinks towards short journeys
ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def _slots(node_type: str, config: dict) -> list[str | None]:
    if node_type == "condition":
        return ["true", "false"]
    if node_type == "wait_for":
        return ["event", "timeout"]
    if node_type == "split":
        return [b["label"] for b in config["branches"]]
    if node_type == "exit":
        return []
    return [None]


@st.composite
def journeys(draw) -> dict:
    nodes: list[dict] = []
    edges: list[dict] = []
    used: set[str] = set()

    def new_id() -> str:
        while True:
            candidate = draw(st.text(ID_CHARS, min_size=1, max_size=12))
            if candidate not in used:
                used.add(candidate)
                return candidate

    def extras(n: dict) -> None:
        if draw(st.booleans()):
            n["title"] = draw(st.text(max_size=20))
        if draw(st.booleans()):
            n["position"] = {"x": draw(st.integers(-500, 5000)), "y": draw(st.integers(-500, 500))}

    def add_edge(a: str, b: str, label: str | None) -> None:
        e = {"from": a, "to": b}
        if label is not None:
            e["when"] = label
        elif draw(st.integers(0, 4)) == 0:
            e["when"] = None
        edges.append(e)

    def build(depth: int, path: list[str]) -> str:
        if depth >= 5 or len(nodes) >= 14:
            node_type = "exit"
        else:
            node_type = draw(st.sampled_from(NODE_ORDER))
        config = copy.deepcopy(draw(st.sampled_from(CONFIGS[node_type])))
        node_id = new_id()
        n = {"id": node_id, "type": node_type}
        if node_type != "exit" or draw(st.booleans()):
            n["config"] = config
        extras(n)
        nodes.append(n)
        for label in _slots(node_type, config):
            if node_type == "wait_for" and label == "timeout" and draw(st.booleans()):
                # Loop back to an ancestor (or itself): the cycle passes this wait_for.
                add_edge(node_id, draw(st.sampled_from(path + [node_id])), label)
                continue
            add_edge(node_id, build(depth + 1, path + [node_id]), label)
        if node_type == "delay" and draw(st.integers(0, 3)) == 0:
            add_edge(node_id, build(depth + 1, path + [node_id]), "past_due")
        return node_id

    start = new_id()
    t = {"id": start, "type": "trigger", "config": copy.deepcopy(draw(st.sampled_from(TRIGGERS)))}
    extras(t)
    nodes.append(t)
    add_edge(start, build(1, []), None)
    d: dict = {"format": "journeys/v1", "name": draw(st.text(min_size=1, max_size=30).filter(str.strip))}
    if draw(st.booleans()):
        d["description"] = draw(st.text(max_size=40))
    if draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(sorted(SETTINGS_CHOICES)), unique=True))
        d["settings"] = {k: copy.deepcopy(draw(st.sampled_from(SETTINGS_CHOICES[k]))) for k in keys}
    order = draw(st.permutations(range(len(nodes))))
    d["nodes"] = [nodes[i] for i in order]  # the trigger need not come first
    d["edges"] = draw(st.permutations(edges))
    return d


@SETTINGS
@given(journeys())
def test_generated_journeys_are_valid(d):
    problems = validate(d)
    assert problems == [], [p.to_dict() for p in problems]


@SETTINGS
@given(journeys())
def test_generated_journeys_round_trip(d):
    text = json.dumps(d)
    out = document_to_dict(document_from_dict(json.loads(text)))
    assert out == d
    assert json.dumps(out) == text
    # and again, from the output
    assert document_to_dict(document_from_dict(out)) == d


@SETTINGS
@given(journeys())
def test_graph_follows_every_edge_and_lays_out_left_to_right(d):
    g = JourneyGraph(document_from_dict(d))
    for e in d["edges"]:
        assert g.next(e["from"], e.get("when")) == e["to"]
    assert g.trigger.type == "trigger"
    pos = g.layered_layout()
    assert set(pos) == {n["id"] for n in d["nodes"]}
    dag = g.to_networkx()
    dag.remove_edges_from(g.back_edges())
    assert nx.is_directed_acyclic_graph(dag)
    for a, b in dag.edges:
        assert pos[a]["x"] < pos[b]["x"]


# -- the validator never raises ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["journeys/v1", "trigger", "email", "delay", "wait_for", "condition",
                       "split", "action", "exit", "true", "event", "past_due", "date",
                       "wedding_date", "client.status", "eq", "in", "{{ client.name }}",
                       "{{", "Europe/London", "US", "{{ x | nosuch }}",
                       "{% if a is nosuch %}{% endif %}", "{{ form_url }}", "custom:x",
                       "09:00"]),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.sampled_from(["format", "name", "nodes", "edges", "settings", "id",
                                       "type", "config", "from", "to", "when", "event", "all",
                                       "any", "field", "op", "value", "branches", "label",
                                       "weight", "duration", "until", "anchor", "offset",
                                       "days", "timezone", "calendar", "match", "action",
                                       "subject", "body", "x"]) | st.text(max_size=5),
                      children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_validator_never_raises_on_arbitrary_json(value):
    problems = _validate(value)  # the unguarded core: a bug would raise here
    assert isinstance(problems, list)
    assert all(p.severity in ("error", "warning") for p in problems)
    if isinstance(value, str):  # a str is read as JSON text, not as a JSON string value
        return
    try:
        text = json.dumps(value, allow_nan=False)
    except ValueError:
        return
    assert [p.code for p in _validate(text)] == [p.code for p in problems]


CATALOG_DOCS = [json.loads(p.read_text()) for p in sorted((CATALOG / "valid").glob("*.json"))]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_validator_never_raises_on_damaged_journeys(data):
    d = copy.deepcopy(data.draw(st.sampled_from(CATALOG_DOCS)))
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(d) if p]
        path = data.draw(st.sampled_from(paths))
        parent = d
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()):
            parent[path[-1]] = data.draw(json_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    problems = _validate(d)
    assert all(p.message and p.code for p in problems)
    for p in problems:
        assert p.to_dict()["severity"] in ("error", "warning")
        if p.edge is not None:
            assert isinstance(p.edge, tuple) and len(p.edge) == 2
    json.dumps([p.to_dict() for p in problems])
