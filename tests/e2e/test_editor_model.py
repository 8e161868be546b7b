"""The editor's pure logic (no browser, no Reflex): inspector forms <-> journeys/v1 config,
journey settings, summaries, diffs, history, layout. Not marked e2e: runs in the normal pass."""

from __future__ import annotations

from datetime import date

from engine.graph.validate import validate
from journey_app import editor_model as em
from journey_app import inspector_model as im
from journey_app import settings_model as sm
from journey_app.email_preview import client_view, render_preview, sample_client

from .helpers import SAMPLE_JOURNEY

TODAY = date(2026, 11, 29)


def _node(node_type: str, config: dict) -> dict:
    return {"id": f"{node_type}_1", "type": node_type, "config": config}


def _valid(nodes: list[dict], edges: list[dict] | None = None) -> list[str]:
    doc = {"format": "journeys/v1", "name": "t", "nodes": nodes, "edges": edges or []}
    return [p.message for p in validate(doc) if p.severity == "error"]


def test_delay_relative_to_the_wedding_date_round_trips():
    node = _node("delay", {"duration": {"days": 1}})
    node = im.apply_field(node, "delay_mode", "until_relative", TODAY)
    node = im.apply_field(node, "until_amount", "45", TODAY)
    node = im.apply_field(node, "until_at", "10:30", TODAY)
    assert node["config"] == {"until": {"anchor": "wedding_date", "offset": {"days": -45},
                                        "at": "10:30"}}
    form = im.form_values(node)
    assert (form["delay_mode"], form["until_amount"], form["until_direction"]) == \
        ("until_relative", "45", "before")
    node = im.apply_field(node, "until_anchor_choice", "other", TODAY)
    node = im.apply_field(node, "until_unit", "business_days", TODAY)
    node = im.apply_field(node, "until_direction", "after", TODAY)
    assert node["config"]["until"] == {"anchor": "engagement_shoot",
                                       "offset": {"business_days": 45}, "at": "10:30"}
    assert em.node_summary(node) == "Until 45 business days after engagement shoot at 10:30"
    trigger = {"id": "start", "type": "trigger", "config": {"event": "client_added"}}
    assert not _valid([trigger, node], [{"from": "start", "to": "delay_1"}])


def test_every_delay_mode_and_duration_validates():
    for mode in ("duration", "business_days", "until_relative", "until_date"):
        node = im.apply_field(_node("delay", {}), "delay_mode", mode, TODAY)
        trigger = {"id": "start", "type": "trigger", "config": {"event": "client_added"}}
        assert not _valid([trigger, node], [{"from": "start", "to": "delay_1"}]), mode
    node = im.apply_field(_node("delay", {"duration": {"days": 1}}), "dur_hours", "5", TODAY)
    node = im.apply_field(node, "dur_days", "", TODAY)
    assert node["config"] == {"duration": {"hours": 5}}


def test_trigger_events_custom_and_date():
    node = _node("trigger", {"event": "client_added"})
    node = im.apply_field(node, "event_choice", "custom", TODAY)
    assert node["config"]["event"] == "custom:my_event"
    node = im.apply_field(node, "custom_event", "tour booked!", TODAY)
    assert node["config"]["event"] == "custom:tour_booked_"
    node = im.apply_field(node, "event_choice", "date", TODAY)
    assert node["config"] == {"event": "date", "anchor": "wedding_date",
                              "offset": {"days": -30}, "at": "09:00"}
    node = im.apply_field(node, "event_choice", "payment_received", TODAY)
    assert node["config"] == {"event": "payment_received"}


def test_condition_rows_and_match_filters():
    node = _node("condition", {"all": [{"field": "client.status", "op": "eq",
                                        "value": "booked"}]})
    node = im.add_row(node, "")
    node = im.set_row(node, "", 1, "field", "client.tags")
    node = im.set_row(node, "", 1, "op", "contains")
    node = im.set_row(node, "", 1, "value", "barn")
    node = im.set_group_kind(node, "", "any")
    assert node["config"] == {"any": [
        {"field": "client.status", "op": "eq", "value": "booked"},
        {"field": "client.tags", "op": "contains", "value": "barn"}]}
    node = im.set_row(node, "", 0, "op", "in")
    node = im.set_row(node, "", 0, "value", "booked, lead, 3")
    assert node["config"]["any"][0]["value"] == ["booked", "lead", 3]
    node = im.set_row(node, "", 0, "op", "exists")
    assert "value" not in node["config"]["any"][0]
    rows = im.rows_for(node, "")
    assert [r["unary"] for r in rows] == [True, False]
    wait = im.add_row(_node("wait_for", {"event": "form_submitted", "timeout": {"days": 7}}),
                      "match")
    assert wait["config"]["match"] == {"all": [{"field": "event.form", "op": "eq",
                                                "value": "questionnaire"}]}
    assert "match" not in im.remove_row(wait, "match", 0)["config"]


def test_split_branches_rename_keeps_edges():
    node = _node("split", {"branches": [{"label": "a", "weight": 50},
                                        {"label": "b", "weight": 50}]})
    node = im.add_branch(node)
    assert [b["label"] for b in node["config"]["branches"]] == ["a", "b", "c"]
    node, old, new = im.set_branch(node, 0, "label", "short")
    edges = em.rename_branch_edges([{"from": "split_1", "to": "x", "when": "a"}], "split_1",
                                   old, new)
    assert edges == [{"from": "split_1", "to": "x", "when": "short"}]
    node, removed = im.remove_branch(node, 2)
    assert removed == "c"
    assert em.node_summary(node) == "short 50% · b 50%"


def test_email_approval_and_preview():
    node = _node("email", {"subject": "Hi {{ client.first_name }}", "body": "See you on "
                           "{{ client.wedding_date | longdate }}"})
    node = im.apply_field(node, "requires_approval", "true", TODAY)
    node = im.apply_field(node, "appr_enabled", "true", TODAY)
    node = im.apply_field(node, "on_timeout", "skip", TODAY)
    assert node["config"]["approval"] == {"timeout": {"days": 2}, "on_timeout": "skip"}
    node = im.apply_field(node, "requires_approval", "false", TODAY)
    assert "approval" not in node["config"] and "requires_approval" not in node["config"]
    client = client_view(sample_client("v", TODAY))
    out = render_preview(node["config"], client=client, vendor={"name": "Studio"},
                         journey_name="J")
    assert out["subject"] == "Hi Alex" and "2027" in out["body"] and not out["error"]
    broken = render_preview({"subject": "{{ client.name ", "body": ""}, client=client,
                            vendor={}, journey_name="J")
    assert broken["error"]


def test_actions_switch_to_valid_defaults():
    trigger = {"id": "start", "type": "trigger", "config": {"event": "client_added"}}
    for action in ("add_tag", "remove_tag", "update_status", "set_field", "create_task",
                   "webhook"):
        node = im.apply_field(_node("action", {}), "action", action, TODAY)
        assert not _valid([trigger, node], [{"from": "start", "to": "action_1"}]), action
    task = im.apply_field(_node("action", {}), "action", "create_task", TODAY)
    task = im.apply_field(task, "due_mode", "relative", TODAY)
    assert task["config"]["due"]["anchor"] == "wedding_date"


def test_journey_settings_panel():
    s = sm.apply_setting({}, "window_enabled", "true")
    s = sm.apply_setting(s, "window_day_sat", "true")
    s = sm.apply_setting(s, "holidays", "GB-ENG")
    s = sm.apply_setting(s, "closed_sat", "false")
    s = sm.apply_setting(s, "goal_event", "payment_received")
    s = sm.apply_setting(s, "grace_hours", "6")
    s = sm.apply_setting(s, "exit_on", "custom:booking_cancelled, ")
    assert s == {"send_window": {"days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                                 "start": "09:00", "end": "18:00"},
                 "calendar": {"holidays": "GB-ENG", "closed_weekdays": ["sun"]},
                 "goal": {"event": "payment_received"}, "past_due_grace": {"hours": 6},
                 "exit_on": ["custom:booking_cancelled"]}
    doc = {**SAMPLE_JOURNEY, "settings": s}
    assert not [p for p in validate(doc) if p.severity == "error"]
    values = sm.settings_values(s)
    assert values["window_day_sat"] == "true" and values["closed_sat"] == "false"
    assert sm.apply_setting(s, "holidays", "none")["calendar"] == {"closed_weekdays": ["sun"]}


def test_changes_since_the_live_version():
    old = SAMPLE_JOURNEY
    new = {**old, "nodes": [dict(n) for n in old["nodes"]], "edges": list(old["edges"])}
    new["nodes"][1] = {**new["nodes"][1], "config": {"subject": "New", "body": "x"},
                       "position": {"x": 5, "y": 5}}
    new["nodes"].append({"id": "bye", "type": "exit", "title": "Bye"})
    new["edges"].append({"from": "thanks", "to": "bye"})
    lines = em.document_changes(old, new)
    assert "Changed “Welcome email”: body, subject" in lines
    assert "Added step “Bye” (exit)" in lines
    assert "Connected “Thanks for your answers” → “Bye”" in lines
    moved = {**old, "nodes": [{**n, "position": {"x": 1, "y": 1}} for n in old["nodes"]]}
    assert em.same_graph(old, moved)
    assert em.document_changes(None, new) == ["First version: everything is new."]


def test_problem_rows_name_steps_by_title_and_history_is_bounded():
    doc = {**SAMPLE_JOURNEY, "edges": SAMPLE_JOURNEY["edges"][:-1]}
    rows = em.problem_rows(validate(doc), doc["nodes"])
    missing = next(r for r in rows if r["code"] == "MISSING_EDGE_LABEL")
    assert missing["node"] == "wait_answers" and missing["message"].startswith("Wait for answers")
    stack: list[str] = []
    for i in range(em.HISTORY_LIMIT + 5):
        stack = em.push_history(stack, str(i))
    assert len(stack) == em.HISTORY_LIMIT and stack[-1] == str(em.HISTORY_LIMIT + 4)
    assert em.push_history(stack, stack[-1]) is stack


def test_auto_layout_uses_the_engines_layers():
    nodes = em.auto_layout(SAMPLE_JOURNEY)
    pos = {n["id"]: n["position"] for n in nodes}
    assert pos["start"]["x"] < pos["welcome"]["x"] < pos["questionnaire"]["x"]
    assert pos["thanks"]["x"] == pos["reminder"]["x"] and pos["thanks"]["y"] != \
        pos["reminder"]["y"]
