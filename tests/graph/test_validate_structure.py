"""validate(): document shape, ids, triggers, edges, labels, reachability, cycles."""
from __future__ import annotations

import json

import pytest

from engine.graph import Problem, errors, has_errors, validate
from engine.graph.validate import CODES

from .helpers import chain, check, codes, doc, edge, email, exit_, minimal, node, only, trigger


def test_minimal_document_is_clean():
    assert validate(minimal()) == []


def test_accepts_text_bytes_and_dict_alike():
    d = minimal()
    text = json.dumps(d)
    assert validate(text) == validate(text.encode()) == validate(d) == []


def test_utf8_bom_is_accepted():
    assert validate(b"\xef\xbb\xbf" + json.dumps(minimal()).encode()) == []


# -- INVALID_JSON / INVALID_FORMAT ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["{", "", "   ", "{'format': 1}", '{"a": 1,}', "nul"])
def test_malformed_json(text):
    (p,) = validate(text)
    assert p.code == "INVALID_JSON" and p.severity == "error" and p.message.startswith("document:")


def test_malformed_json_names_line_and_column():
    (p,) = validate('{\n  "format": "journeys/v1",\n  oops\n}')
    assert "line 3" in p.message


def test_non_utf8_bytes():
    assert check(b'{"name": "\xff"}') == ["INVALID_JSON"]


def test_nan_and_infinity_are_not_json():
    assert check('{"format": "journeys/v1", "x": NaN}') == ["INVALID_JSON"]
    assert check('[Infinity]') == ["INVALID_JSON"]


def test_deeply_nested_json_does_not_raise():
    assert check("[" * 100_000 + "]" * 100_000) in (["INVALID_JSON"], ["INVALID_FORMAT"])


@pytest.mark.parametrize("text", ["[]", "1", '"journeys/v1"', "null", "true"])
def test_json_that_is_not_an_object(text):
    assert check(text) == ["INVALID_FORMAT"]


@pytest.mark.parametrize("value", [None, 3, [minimal()], ("a",), object()])
def test_python_values_that_are_not_documents(value):
    assert check(value) == ["INVALID_FORMAT"]


def test_missing_format():
    d = minimal()
    del d["format"]
    assert check(d) == ["INVALID_FORMAT"]


@pytest.mark.parametrize("fmt", ["journeys/v2", "journeys", None, 1, ""])
def test_wrong_format(fmt):
    assert check({**minimal(), "format": fmt}) == ["INVALID_FORMAT"]


# -- UNKNOWN_KEY / INVALID_DOCUMENT ---------------------------------------------------------------

def test_unknown_top_level_key():
    (p,) = only({**minimal(), "version": 2}, "UNKNOWN_KEY")
    assert "'version'" in p.message and p.node is None


def test_unknown_node_key_names_the_node():
    d = minimal()
    d["nodes"][1]["colour"] = "red"
    (p,) = only(d, "UNKNOWN_KEY")
    assert p.node == "hello"


def test_unknown_edge_key_names_the_edge():
    d = minimal()
    d["edges"][0]["weight"] = 1
    (p,) = only(d, "UNKNOWN_KEY")
    assert p.edge == ("start", "hello")


def test_missing_name():
    d = minimal()
    del d["name"]
    assert check(d) == ["INVALID_DOCUMENT"]


@pytest.mark.parametrize("name", ["", "   ", 3, None, ["x"]])
def test_invalid_name(name):
    assert check({**minimal(), "name": name}) == ["INVALID_DOCUMENT"]


def test_description_must_be_a_string():
    assert check({**minimal(), "description": 5}) == ["INVALID_DOCUMENT"]
    assert check({**minimal(), "description": "About this journey"}) == []


def test_nodes_and_edges_are_required_lists():
    d = minimal()
    del d["edges"]
    assert check(d) == ["INVALID_DOCUMENT"] + ["DEAD_END"] * 2 + ["UNREACHABLE_NODE"] * 2
    d = minimal()
    d["edges"] = {"from": "start"}
    assert "INVALID_DOCUMENT" in check(d)
    assert set(check({**minimal(), "nodes": "start"})) >= {"INVALID_DOCUMENT", "NO_TRIGGER"}
    d = minimal()
    del d["nodes"]
    assert set(check(d)) == {"INVALID_DOCUMENT", "NO_TRIGGER", "UNKNOWN_EDGE_NODE"}


@pytest.mark.parametrize("bad", ["x", 1, None, [], True])
def test_node_that_is_not_an_object(bad):
    d = minimal()
    d["nodes"].append(bad)
    (p,) = only(d, "INVALID_DOCUMENT")
    assert p.message.startswith("nodes[3]:")


@pytest.mark.parametrize("bad", ["x", 1, None, []])
def test_edge_that_is_not_an_object(bad):
    d = minimal()
    d["edges"].append(bad)
    (p,) = only(d, "INVALID_DOCUMENT")
    assert p.message.startswith("edges[2]:")


def test_edge_without_endpoints():
    d = minimal()
    d["edges"].append({"from": "hello"})
    d["edges"].append({"to": 3, "from": "hello"})
    problems = validate(d)
    assert codes(problems) == ["INVALID_DOCUMENT", "INVALID_DOCUMENT"]
    assert all(p.edge is None for p in problems)


def test_title_and_position_types():
    d = minimal()
    d["nodes"][1]["title"] = 5
    d["nodes"][2]["position"] = [0, 0]
    assert check(d) == ["INVALID_DOCUMENT", "INVALID_DOCUMENT"]
    d = minimal()
    d["nodes"][1]["title"] = "Welcome"
    d["nodes"][1]["position"] = {"x": 10.5, "y": -20}
    assert check(d) == []


# -- ids -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["has space", "", "a" * 65, "é", "a.b", "a/b"])
def test_invalid_id_pattern(bad):
    d = chain(trigger(), email(bad), exit_())
    (p,) = only(d, "INVALID_ID")
    assert p.node == bad


@pytest.mark.parametrize("good", ["a", "A-Z_09", "a" * 64, "1"])
def test_valid_ids(good):
    assert check(chain(trigger(), email(good), exit_())) == []


def test_id_missing_or_not_a_string():
    d = minimal()
    d["nodes"].append({"type": "exit"})
    d["nodes"].append({"id": 7, "type": "exit"})
    problems = validate(d)
    assert codes(problems) == ["INVALID_ID", "INVALID_ID"]
    assert [p.node for p in problems] == [None, None]
    assert problems[1].message.startswith("nodes[4]:")


def test_duplicate_id():
    d = minimal()
    d["nodes"].append(email("hello", subject="Again"))
    (p,) = only(d, "DUPLICATE_ID")
    assert p.node == "hello" and "nodes[1]" in p.message and "nodes[3]" in p.message


# -- node types and triggers ------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["sms", "Email", "", 3, None])
def test_unknown_node_type(bad):
    d = chain(trigger(), node("x", bad, {}), exit_())
    (p,) = only(d, "UNKNOWN_NODE_TYPE")
    assert p.node == "x"


def test_missing_node_type():
    d = chain(trigger(), {"id": "x", "config": {}}, exit_())
    assert check(d) == ["UNKNOWN_NODE_TYPE"]


def test_no_trigger():
    d = chain(email("a"), exit_())
    (p,) = only(d, "NO_TRIGGER")
    assert p.node is None


def test_empty_document_has_no_trigger():
    assert check(doc([], [])) == ["NO_TRIGGER"]


def test_multiple_triggers():
    d = doc([trigger("t1"), trigger("t2", "client_added"), exit_()],
            [edge("t1", "end"), edge("t2", "end")])
    (p,) = only(d, "MULTIPLE_TRIGGERS")
    assert p.node == "t2" and "'t1'" in p.message


def test_three_triggers_give_two_problems():
    d = doc([trigger("t1"), trigger("t2"), trigger("t3"), exit_()],
            [edge("t1", "end"), edge("t2", "end"), edge("t3", "end")])
    assert check(d) == ["MULTIPLE_TRIGGERS", "MULTIPLE_TRIGGERS"]


# -- edges -----------------------------------------------------------------------------------------

def test_edge_to_unknown_node():
    d = minimal()
    d["edges"].append(edge("hello", "ghost"))
    problems = validate(d)
    assert set(codes(problems)) == {"UNKNOWN_EDGE_NODE", "DUPLICATE_EDGE_LABEL"}
    p = next(p for p in problems if p.code == "UNKNOWN_EDGE_NODE")
    assert p.edge == ("hello", "ghost") and p.node == "hello" and "'ghost'" in p.message
    assert p.to_dict()["edge"] == ["hello", "ghost"]


def test_edge_from_unknown_node():
    d = minimal()
    d["edges"].append(edge("ghost", "end"))
    (p,) = only(d, "UNKNOWN_EDGE_NODE")
    assert p.edge == ("ghost", "end") and p.node is None


def test_edge_between_two_unknown_nodes():
    d = minimal()
    d["edges"].append(edge("a", "b"))
    (p,) = only(d, "UNKNOWN_EDGE_NODE")
    assert "'a' and 'b' are not nodes" in p.message


def test_edge_into_trigger():
    d = chain(trigger(), node("wait", "delay", {"duration": {"days": 1}}))
    d["edges"].append(edge("wait", "start"))
    (p,) = only(d, "EDGE_INTO_TRIGGER")
    assert p.edge == ("wait", "start")


@pytest.mark.parametrize("source", [trigger(), email("x"), node("x", "form", {
    "form": "f", "subject": "s", "body": "{{ form_url }}"}), node("x", "action", {
        "action": "add_tag", "tag": "t"})])
def test_labels_not_allowed_on_single_exit_nodes(source):
    nodes = [source, exit_()] if source["type"] == "trigger" else [trigger(), source, exit_()]
    d = chain(*nodes)
    d["edges"][-1]["when"] = "next"
    (p,) = only(d, "INVALID_EDGE_LABEL")
    assert p.node == source["id"] and p.edge == (source["id"], "end")


def test_past_due_only_on_delay():
    d = minimal()
    d["edges"].append(edge("hello", "end", "past_due"))
    (p,) = only(d, "INVALID_EDGE_LABEL")
    assert "past_due" in p.message and "delay" in p.message
    d = chain(trigger(), node("d", "delay", {"until": {"anchor": "wedding_date"}}), exit_())
    d["edges"].append(edge("d", "end", "past_due"))
    assert check(d) == []


def test_condition_edges_need_true_false():
    cond = node("c", "condition", {"all": [{"field": "client.status", "op": "eq", "value": "x"}]})
    d = doc([trigger(), cond, exit_()],
            [edge("start", "c"), edge("c", "end", "true"), edge("c", "end", "maybe")])
    assert sorted(check(d)) == ["INVALID_EDGE_LABEL", "MISSING_EDGE_LABEL"]
    d["edges"][2]["when"] = "false"
    assert check(d) == []


def test_unlabelled_edge_from_condition():
    cond = node("c", "condition", {"all": []})
    d = doc([trigger(), cond, exit_()],
            [edge("start", "c"), edge("c", "end", "true"), edge("c", "end", "false"),
             edge("c", "end")])
    (p,) = only(d, "INVALID_EDGE_LABEL")
    assert "needs a label" in p.message


def test_missing_labels_on_wait_for():
    w = node("w", "wait_for", {"event": "form_submitted", "timeout": {"days": 3}})
    d = doc([trigger(), w, exit_()], [edge("start", "w"), edge("w", "end", "event")])
    (p,) = only(d, "MISSING_EDGE_LABEL")
    assert p.node == "w" and "'timeout'" in p.message


def test_missing_labels_on_split():
    s = node("s", "split", {"branches": [{"label": "a", "weight": 1}, {"label": "b", "weight": 1},
                                         {"label": "c", "weight": 2}]})
    d = doc([trigger(), s, exit_()], [edge("start", "s"), edge("s", "end", "a")])
    problems = only(d, "MISSING_EDGE_LABEL")
    assert ["'b'" in problems[0].message, "'c'" in problems[1].message] == [True, True]


def test_branching_node_without_edges_is_an_error_not_a_dead_end():
    cond = node("c", "condition", {"all": []})
    d = doc([trigger(), cond], [edge("start", "c")])
    assert check(d) == ["MISSING_EDGE_LABEL", "MISSING_EDGE_LABEL"]


def test_edge_from_exit():
    d = minimal()
    d["nodes"].append(email("after"))
    d["edges"].append(edge("end", "after"))
    problems = validate(d)
    assert "INVALID_EDGE_LABEL" in codes(problems)
    p = next(p for p in problems if p.code == "INVALID_EDGE_LABEL")
    assert p.node == "end" and "exit" in p.message


@pytest.mark.parametrize("when", ["", "  ", 3, ["true"], True])
def test_invalid_when_values(when):
    d = minimal()
    d["edges"][1]["when"] = when
    (p,) = only(d, "INVALID_EDGE_LABEL")
    assert p.edge == ("hello", "end")


def test_null_when_is_the_unlabelled_edge():
    d = minimal()
    d["edges"][1]["when"] = None
    assert check(d) == []


def test_two_unlabelled_edges():
    d = minimal()
    d["nodes"].append(exit_("end2"))
    d["edges"].append(edge("hello", "end2"))
    (p,) = only(d, "DUPLICATE_EDGE_LABEL")
    assert p.node == "hello" and p.edge == ("hello", "end2")


def test_two_edges_with_the_same_label():
    cond = node("c", "condition", {"any": []})
    d = doc([trigger(), cond, exit_(), exit_("end2")],
            [edge("start", "c"), edge("c", "end", "true"), edge("c", "end", "false"),
             edge("c", "end2", "true")])
    (p,) = only(d, "DUPLICATE_EDGE_LABEL")
    assert "'true'" in p.message


def test_exact_duplicate_edge():
    d = minimal()
    d["edges"].append(edge("hello", "end"))
    assert check(d) == ["DUPLICATE_EDGE_LABEL"]


def test_parallel_edges_with_different_labels_are_fine():
    cond = node("c", "condition", {"all": []})
    d = doc([trigger(), cond, exit_()],
            [edge("start", "c"), edge("c", "end", "true"), edge("c", "end", "false")])
    assert check(d) == []


# -- reachability ----------------------------------------------------------------------------------

def test_unreachable_node():
    d = minimal()
    d["nodes"].append(email("orphan"))
    d["edges"].append(edge("orphan", "end"))
    (p,) = only(d, "UNREACHABLE_NODE")
    assert p.node == "orphan" and p.severity == "error"


def test_unreachable_chain_reports_each_node():
    d = minimal()
    d["nodes"] += [email("o1"), email("o2")]
    d["edges"] += [edge("o1", "o2"), edge("o2", "end")]
    problems = only(d, "UNREACHABLE_NODE")
    assert [p.node for p in problems] == ["o1", "o2"]


def test_no_unreachable_noise_without_a_trigger():
    d = chain(email("a"), email("b"), exit_())
    assert check(d) == ["NO_TRIGGER"]


# -- cycles ----------------------------------------------------------------------------------------

def _loop(*middle: dict) -> dict:
    """start -> m1 -> ... -> mk -> m1 (plus a condition to get out)."""
    cond = node("more", "condition", {"all": [{"field": "client.status", "op": "eq",
                                               "value": "lead"}]})
    nodes = [trigger(), *middle, cond, exit_()]
    ids = [n["id"] for n in middle]
    edges = [edge("start", ids[0])] + [edge(a, b) for a, b in zip(ids, ids[1:])]
    edges += [edge(ids[-1], "more"), edge("more", ids[0], "true"), edge("more", "end", "false")]
    return doc(nodes, edges)


def test_cycle_without_wait():
    (p,) = only(_loop(email("nag")), "CYCLE_WITHOUT_WAIT")
    assert p.node == "nag" and "'nag' -> 'more' -> 'nag'" in p.message


def test_cycle_through_delay_is_fine():
    assert check(_loop(email("nag"), node("pause", "delay", {"duration": {"days": 7}}))) == []


def test_cycle_through_wait_for_is_fine():
    w = node("w", "wait_for", {"event": "custom:reply", "timeout": {"days": 3}})
    d = doc([trigger(), email("ask"), w, exit_()],
            [edge("start", "ask"), edge("ask", "w"), edge("w", "end", "event"),
             edge("w", "ask", "timeout")])
    assert check(d) == []


def test_self_loop_without_wait():
    cond = node("c", "condition", {"all": []})
    d = doc([trigger(), cond, exit_()],
            [edge("start", "c"), edge("c", "c", "true"), edge("c", "end", "false")])
    (p,) = only(d, "CYCLE_WITHOUT_WAIT")
    assert p.node == "c"


def test_self_loop_on_wait_for_is_fine():
    w = node("w", "wait_for", {"event": "custom:reply", "timeout": {"days": 3}})
    d = doc([trigger(), w, exit_()],
            [edge("start", "w"), edge("w", "end", "event"), edge("w", "w", "timeout")])
    assert check(d) == []


def test_every_cycle_must_wait_not_just_one():
    # a -> delay -> cond -> a waits, but cond -> b -> cond does not.
    cond = node("c", "condition", {"all": []})
    d = doc([trigger(), email("a"), node("d", "delay", {"duration": {"days": 1}}), cond,
             node("b", "action", {"action": "add_tag", "tag": "x"})],
            [edge("start", "a"), edge("a", "d"), edge("d", "c"), edge("c", "a", "true"),
             edge("c", "b", "false"), edge("b", "c")])
    (p,) = only(d, "CYCLE_WITHOUT_WAIT")
    assert "'c' -> 'b' -> 'c'" in p.message or "'b' -> 'c' -> 'b'" in p.message


def test_two_separate_bad_cycles_give_two_problems():
    c1 = node("c1", "condition", {"all": []})
    c2 = node("c2", "condition", {"all": []})
    d = doc([trigger(), c1, c2, exit_()],
            [edge("start", "c1"), edge("c1", "c1", "true"), edge("c1", "c2", "false"),
             edge("c2", "c2", "true"), edge("c2", "end", "false")])
    problems = only(d, "CYCLE_WITHOUT_WAIT")
    assert [p.node for p in problems] == ["c1", "c2"]


def test_cycles_among_unreachable_nodes_are_reported_too():
    d = minimal()
    c = node("c", "condition", {"all": []})
    d["nodes"].append(c)
    d["edges"] += [edge("c", "c", "true"), edge("c", "end", "false")]
    assert sorted(check(d)) == ["CYCLE_WITHOUT_WAIT", "UNREACHABLE_NODE"]


# -- DEAD_END --------------------------------------------------------------------------------------

def test_dead_end_is_a_warning():
    d = chain(trigger(), email("last"))
    (p,) = only(d, "DEAD_END")
    assert p.severity == "warning" and p.node == "last"
    assert not has_errors(validate(d))


def test_trigger_without_edges_is_a_dead_end():
    assert check(doc([trigger()], [])) == ["DEAD_END"]


def test_exit_is_never_a_dead_end():
    assert check(minimal()) == []


def test_delay_with_only_past_due_edge_warns():
    d = doc([trigger(), node("d", "delay", {"until": {"date": "2027-01-15"}}), exit_()],
            [edge("start", "d"), edge("d", "end", "past_due")])
    (p,) = only(d, "DEAD_END")
    assert p.node == "d" and "past_due" in p.message


# -- collecting everything -------------------------------------------------------------------------

def test_every_problem_is_reported_at_once():
    d = {
        "format": "journeys/v0",
        "name": "",
        "extra": 1,
        "nodes": [trigger(), trigger("again"), email("dup"), email("dup"), "junk",
                  node("bad id", "delay", {"duration": {"days": -1}}), node("m", "sms", {}),
                  node("c", "condition", {"all": [{"field": "x", "op": "eq", "value": 1}]})],
        "edges": [edge("start", "dup"), edge("dup", "ghost"), edge("dup", "start"),
                  edge("c", "c", "maybe")],
    }
    found = set(check(d))
    assert found >= {"INVALID_FORMAT", "INVALID_DOCUMENT", "UNKNOWN_KEY", "MULTIPLE_TRIGGERS",
                     "DUPLICATE_ID", "INVALID_ID", "INVALID_DURATION", "UNKNOWN_NODE_TYPE",
                     "INVALID_CONDITION", "UNKNOWN_EDGE_NODE", "EDGE_INTO_TRIGGER",
                     "INVALID_EDGE_LABEL", "MISSING_EDGE_LABEL", "UNREACHABLE_NODE",
                     "CYCLE_WITHOUT_WAIT", "DEAD_END", "DUPLICATE_EDGE_LABEL"}


def test_problem_to_dict_shape():
    p = Problem("UNREACHABLE_NODE", "error", "node 'x': is not reachable", "x")
    assert p.to_dict() == {"code": "UNREACHABLE_NODE", "severity": "error", "node": "x",
                           "edge": None, "message": "node 'x': is not reachable"}
    assert list(p.to_dict()) == ["code", "severity", "node", "edge", "message"]
    q = Problem("UNKNOWN_EDGE_NODE", "error", "m", edge=("a", "b"))
    assert q.to_dict()["edge"] == ["a", "b"]
    assert json.loads(json.dumps(q.to_dict()))["edge"] == ["a", "b"]


def test_problems_are_frozen_and_hashable():
    p = Problem("X", "error", "m")
    with pytest.raises(Exception):
        p.code = "Y"  # type: ignore[misc]
    assert len({p, Problem("X", "error", "m")}) == 1


def test_errors_and_has_errors():
    w = Problem("DEAD_END", "warning", "w")
    e = Problem("NO_TRIGGER", "error", "e")
    assert errors([w, e]) == [e]
    assert has_errors([w, e]) and not has_errors([w]) and not has_errors([])


def test_every_reported_code_is_declared_with_its_severity():
    d = {"format": 1, "nodes": [trigger(), email("a"), node("b", "sms")], "edges": [1]}
    for p in validate(d):
        assert CODES[p.code] == p.severity


def test_messages_start_with_their_location():
    d = {
        "format": "journeys/v1", "name": "x", "bogus": 1,
        "settings": {"timezone": "Mars/Base", "reentry": "x"},
        "nodes": [trigger(), node("d", "delay", {"duration": {"days": -1}}), 5],
        "edges": [edge("start", "d"), edge("d", "nowhere"), edge("d", "start")],
    }
    prefixes = ("document:", "settings", "node '", "nodes[", "edge '", "edges[")
    for p in validate(d):
        assert p.message.startswith(prefixes), p.message
        if p.node and p.message.startswith("node '"):
            assert p.message.startswith(f"node {p.node!r}")
