"""validate(): node configs, conditions, templates, times and settings."""
from __future__ import annotations

import pytest

from engine.graph import validate

from .helpers import check, chain, doc, edge, email, exit_, minimal, node, only, trigger, with_node


def _cfg(node_type: str, config) -> dict:
    """A document around one node of `node_type` with `config`, all labels wired."""
    n = node("x", node_type, config)
    labels = {"condition": ["true", "false"], "wait_for": ["event", "timeout"]}.get(node_type)
    if node_type == "split" and isinstance(config, dict):
        labels = [b["label"] for b in config.get("branches", []) if isinstance(b, dict)
                  and isinstance(b.get("label"), str)]
    if node_type == "trigger":
        return doc([n, exit_()], [edge("x", "end")])
    if labels is None:
        return with_node(n)
    return doc([trigger(), n, exit_()],
               [edge("start", "x")] + [edge("x", "end", lab) for lab in dict.fromkeys(labels)])


def codes_for(node_type: str, config) -> list[str]:
    return check(_cfg(node_type, config))


def one(node_type: str, config, code: str):
    (p,) = only(_cfg(node_type, config), code)
    assert p.node == "x"
    return p


# -- config basics ----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [[], "x", 3, True])
def test_config_must_be_an_object(bad):
    one("email", bad, "INVALID_CONFIG")


def test_null_or_absent_config_is_empty_config():
    assert check(chain(trigger(), {"id": "x", "type": "exit", "config": None})) == []
    assert check(chain(trigger(), {"id": "x", "type": "exit"})) == []
    assert codes_for("email", None) == ["INVALID_CONFIG", "INVALID_CONFIG"]  # subject, body


# -- trigger ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("event", ["client_added", "form_submitted", "payment_received", "manual",
                                   "custom:booking_cancelled", "custom:a.b-c_d"])
def test_trigger_events(event):
    assert codes_for("trigger", {"event": event}) == []


@pytest.mark.parametrize("event", ["client_updated", "custom:", "custom:has space", "CLIENT_ADDED",
                                   "", 5, None, ["manual"]])
def test_bad_trigger_events(event):
    one("trigger", {"event": event}, "INVALID_CONFIG")


def test_trigger_needs_an_event():
    p = one("trigger", {}, "INVALID_CONFIG")
    assert "config.event is required" in p.message


def test_trigger_unknown_config_key():
    p = one("trigger", {"event": "manual", "filter": {}}, "INVALID_CONFIG")
    assert "'filter'" in p.message


def test_date_trigger():
    ok = {"event": "date", "anchor": "wedding_date", "offset": {"days": -30}, "at": "10:00"}
    assert codes_for("trigger", ok) == []
    assert codes_for("trigger", {"event": "date", "anchor": "dates.engagement"}) == []
    assert codes_for("trigger", {"event": "date", "anchor": "engagement",
                                 "offset": {"business_days": 5}}) == []


def test_date_trigger_needs_an_anchor():
    p = one("trigger", {"event": "date", "offset": {"days": 1}}, "INVALID_CONFIG")
    assert "anchor" in p.message


def test_date_trigger_time_problems():
    assert codes_for("trigger", {"event": "date", "anchor": "wedding_date",
                                 "offset": {"weeks": 1}}) == ["INVALID_TIME"]
    assert codes_for("trigger", {"event": "date", "anchor": "wedding_date",
                                 "at": "9am"}) == ["INVALID_TIME"]
    assert codes_for("trigger", {"event": "date", "anchor": "bad name!"}) == ["INVALID_TIME"]


def test_date_trigger_cannot_use_an_absolute_date():
    assert codes_for("trigger", {"event": "date", "date": "2027-01-01"}) == \
        ["INVALID_CONFIG", "INVALID_CONFIG"]  # unknown key 'date', anchor required


def test_time_keys_only_on_date_triggers():
    p = one("trigger", {"event": "manual", "anchor": "wedding_date"}, "INVALID_CONFIG")
    assert "only for date triggers" in p.message


def test_trigger_match_filters():
    group = {"all": [{"field": "event.form", "op": "eq", "value": "contract"}]}
    assert codes_for("trigger", {"event": "form_submitted", "match": group}) == []
    assert codes_for("trigger", {"event": "form_submitted", "match": {"form": "contract"}}) == []
    assert codes_for("trigger", {"event": "form_submitted",
                                 "match": {"event.form": "contract", "event.a.b": [1]}}) == []
    pred = {"field": "event.amount", "op": "gte", "value": 100}
    assert codes_for("trigger", {"event": "payment_received", "match": pred}) == []
    assert codes_for("trigger", {"event": "manual", "match": None}) == []


def test_match_fields_are_event_fields():
    bad = {"all": [{"field": "client.status", "op": "eq", "value": "lead"}]}
    p = one("trigger", {"event": "client_added", "match": bad}, "INVALID_CONDITION")
    assert "event" in p.message


@pytest.mark.parametrize("bad", [[], "form", 3, {"": 1}, {"event.": 1}, {"a..b": 1}])
def test_bad_match(bad):
    one("trigger", {"event": "form_submitted", "match": bad}, "INVALID_CONDITION")


# -- email ------------------------------------------------------------------------------------------

def test_email_full_config():
    assert codes_for("email", {
        "subject": "Hi {{ client.name }}", "body": "<p>{{ vendor.name }}</p>",
        "to": "{{ client.email }}", "requires_approval": True,
        "approval": {"timeout": {"hours": 4}, "on_timeout": "skip"}}) == []
    assert codes_for("email", {"subject": "s", "body": "b", "requires_approval": False}) == []
    assert codes_for("email", {"subject": "s", "body": "b", "requires_approval": True,
                               "approval": {"timeout": {"days": 1}}}) == []


@pytest.mark.parametrize("missing", ["subject", "body"])
def test_email_required_keys(missing):
    config = {"subject": "s", "body": "b"}
    del config[missing]
    p = one("email", config, "INVALID_CONFIG")
    assert f"config.{missing} is required" in p.message


@pytest.mark.parametrize("config", [
    {"subject": "", "body": "b"},
    {"subject": "s", "body": "   "},
    {"subject": 3, "body": "b"},
    {"subject": "s", "body": ["b"]},
    {"subject": "line\nbreak", "body": "b"},
    {"subject": "s", "body": "b", "to": ""},
    {"subject": "s", "body": "b", "to": 5},
    {"subject": "s", "body": "b", "cc": "x"},
    {"subject": "s", "body": "b", "requires_approval": "yes"},
    {"subject": "s", "body": "b", "requires_approval": 1},
    {"subject": "s", "body": "b", "requires_approval": True, "approval": "1 day"},
    {"subject": "s", "body": "b", "requires_approval": True, "approval": {}},
    {"subject": "s", "body": "b", "requires_approval": True,
     "approval": {"timeout": {"days": 1}, "on_timeout": "discard"}},
    {"subject": "s", "body": "b", "requires_approval": True,
     "approval": {"timeout": {"days": 1}, "notify": True}},
])
def test_bad_email_configs(config):
    one("email", config, "INVALID_CONFIG")


def test_approval_timeout_is_a_duration():
    one("email", {"subject": "s", "body": "b", "requires_approval": True,
                  "approval": {"timeout": {"days": -1}, "on_timeout": "send"}},
        "INVALID_DURATION")


# -- templates --------------------------------------------------------------------------------------

def test_template_that_does_not_compile():
    p = one("email", {"subject": "s", "body": "Hi {{ client.name "}, "INVALID_TEMPLATE")
    assert "config.body does not compile" in p.message


def test_template_with_unknown_filter():
    p = one("email", {"subject": "s", "body": "{{ client.name | shout }}"}, "INVALID_TEMPLATE")
    assert "shout" in p.message


def test_template_with_unknown_variable():
    p = one("email", {"subject": "Hi {{ clinet.name }}", "body": "b"}, "INVALID_TEMPLATE")
    assert "'clinet'" in p.message and p.message.startswith("node 'x': config.subject")


def test_template_variables_allowed():
    body = ("{{ client.name }} {{ vendor.name }} {{ event.form }} {{ journey.name }} "
            "{% for t in client.tags %}{{ loop.index }}{{ t }}{% endfor %}{% set n = 2 %}{{ n }}"
            "{{ range(3) | list }}{{ client.wedding_date | longdate }}")
    assert codes_for("email", {"subject": "s", "body": body}) == []


def test_form_url_only_in_form_nodes():
    one("email", {"subject": "s", "body": "{{ form_url }}"}, "INVALID_TEMPLATE")
    assert codes_for("form", {"form": "f", "subject": "s", "body": "Go: {{ form_url }}"}) == []


def test_to_is_a_template():
    one("email", {"subject": "s", "body": "b", "to": "{{ planner.email }}"}, "INVALID_TEMPLATE")


def test_templates_may_not_include_other_templates():
    one("email", {"subject": "s", "body": "{% include 'footer.html' %}"}, "INVALID_TEMPLATE")
    one("email", {"subject": "s", "body": "{% extends 'base' %}"}, "INVALID_TEMPLATE")


def test_several_unknown_variables_give_several_problems():
    problems = validate(_cfg("email", {"subject": "s", "body": "{{ a }}{{ b }}"}))
    assert [p.code for p in problems] == ["INVALID_TEMPLATE", "INVALID_TEMPLATE"]


# -- form -------------------------------------------------------------------------------------------

def test_form_requires_all_keys():
    problems = validate(_cfg("form", {}))
    assert [p.code for p in problems] == ["INVALID_CONFIG"] * 3


def test_form_body_must_show_form_url():
    p = one("form", {"form": "q", "subject": "s", "body": "Please fill it in"}, "INVALID_CONFIG")
    assert "form_url" in p.message
    assert codes_for("form", {"form": "q", "subject": "s",
                              "body": "{% if form_url %}<a href='{{ form_url }}'>go</a>{% endif %}"}) == []


@pytest.mark.parametrize("key", ["", "has space", "a.b", 5])
def test_bad_form_key(key):
    one("form", {"form": key, "subject": "s", "body": "{{ form_url }}"}, "INVALID_CONFIG")


def test_form_takes_no_other_keys():
    one("form", {"form": "q", "subject": "s", "body": "{{ form_url }}", "to": "x"}, "INVALID_CONFIG")


# -- delay ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [
    {"duration": {"days": 3}},
    {"duration": {"weeks": 1, "days": 2, "hours": 3, "minutes": 4}},
    {"duration": {}},
    {"business_days": 0},
    {"business_days": 10},
    {"until": {"anchor": "wedding_date", "offset": {"days": -30}, "at": "10:00"}},
    {"until": {"anchor": "dates.shoot", "offset": {"business_days": -2}}},
    {"until": {"date": "2027-01-15", "at": "09:00"}},
    {"until": {"date": "2027-01-15"}},
])
def test_good_delays(config):
    assert codes_for("delay", config) == []


def test_delay_needs_exactly_one_option():
    p = one("delay", {}, "INVALID_CONFIG")
    assert "exactly one" in p.message
    p = one("delay", {"duration": {"days": 1}, "business_days": 2}, "INVALID_CONFIG")
    assert "duration and business_days" in p.message


@pytest.mark.parametrize("n", [-3, 1.5, "3", True, None])
def test_bad_business_days(n):
    p = one("delay", {"business_days": n}, "INVALID_CONFIG")
    assert "config.business_days" in p.message


def test_negative_duration():
    p = one("delay", {"duration": {"days": -3}}, "INVALID_DURATION")
    assert p.message.startswith("node 'x': config.duration.days") and "-3" in p.message


@pytest.mark.parametrize("duration", [{"days": 1.5}, {"months": 1}, {"days": "1"}, "1 day", 5,
                                      {"hours": True}])
def test_bad_durations(duration):
    one("delay", {"duration": duration}, "INVALID_DURATION")


@pytest.mark.parametrize("until", [{"anchor": "wedding_date", "at": "24:00"},
                                   {"date": "2027-02-30"}, {"date": "15/01/2027"},
                                   {"anchor": "wedding_date", "date": "2027-01-01"},
                                   {"at": "09:00"}, "2027-01-01",
                                   {"anchor": "wedding_date", "offset": {"days": 1.5}},
                                   {"anchor": "wedding_date", "offset": {"days": 1, "business_days": 1}}])
def test_bad_until(until):
    one("delay", {"until": until}, "INVALID_TIME")


def test_delay_unknown_key():
    one("delay", {"duration": {"days": 1}, "jitter": 5}, "INVALID_CONFIG")


# -- wait_for ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("timeout", [{"days": 3}, {"hours": 1, "minutes": 30},
                                     {"anchor": "wedding_date", "offset": {"days": -7}},
                                     {"date": "2027-06-01", "at": "12:00"}])
def test_wait_for_timeouts(timeout):
    assert codes_for("wait_for", {"event": "form_submitted", "timeout": timeout}) == []


def test_wait_for_requires_event_and_timeout():
    problems = validate(_cfg("wait_for", {}))
    assert [p.code for p in problems] == ["INVALID_CONFIG", "INVALID_CONFIG"]


def test_wait_for_cannot_wait_for_a_date():
    p = one("wait_for", {"event": "date", "timeout": {"days": 1}}, "INVALID_CONFIG")
    assert "only for triggers" in p.message


def test_wait_for_bad_timeout():
    one("wait_for", {"event": "manual", "timeout": {"days": -1}}, "INVALID_DURATION")
    one("wait_for", {"event": "manual", "timeout": {"anchor": "wedding_date", "at": "x"}},
        "INVALID_TIME")
    one("wait_for", {"event": "manual", "timeout": "3 days"}, "INVALID_DURATION")


def test_wait_for_match():
    assert codes_for("wait_for", {"event": "form_submitted", "match": {"form": "q"},
                                  "timeout": {"days": 1}}) == []
    one("wait_for", {"event": "form_submitted", "timeout": {"days": 1},
                     "match": {"any": [{"field": "form.q.a", "op": "eq", "value": 1}]}},
        "INVALID_CONDITION")


# -- condition --------------------------------------------------------------------------------------

def _pred(field="client.status", op="eq", value="lead", **extra):
    p = {"field": field, "op": op, "value": value}
    p.update(extra)
    return p


@pytest.mark.parametrize("field", ["client.name", "client.email", "client.status",
                                   "client.wedding_date", "client.tags", "client.timezone",
                                   "client.fields.budget", "client.fields.venue-type",
                                   "client.dates.engagement", "event.form", "event.answers.q1",
                                   "form.questionnaire.guest_count"])
def test_condition_fields(field):
    assert codes_for("condition", {"all": [_pred(field=field)]}) == []


@pytest.mark.parametrize("field", ["client", "client.shoe_size", "client.fields", "client.dates",
                                   "client.dates.a.b", "event", "form.q", "vendor.name", "status",
                                   "client..name", ""])
def test_bad_condition_fields(field):
    one("condition", {"all": [_pred(field=field)]}, "INVALID_CONDITION")


@pytest.mark.parametrize("op,value", [("eq", "x"), ("ne", None), ("eq", {"a": 1}), ("gt", 3),
                                      ("gte", 2.5), ("lt", "2027-01-01"), ("lte", 0),
                                      ("in", ["a", "b"]), ("not_in", []), ("contains", "vip"),
                                      ("contains", 3), ("days_until_lte", 30),
                                      ("days_until_gte", -10)])
def test_condition_ops(op, value):
    field = "client.wedding_date" if op.startswith("days") else "client.fields.x"
    assert codes_for("condition", {"any": [_pred(field=field, op=op, value=value)]}) == []


@pytest.mark.parametrize("op", ["exists", "not_exists"])
def test_unary_ops_need_no_value(op):
    assert codes_for("condition", {"all": [{"field": "client.email", "op": op}]}) == []
    assert codes_for("condition", {"all": [{"field": "client.email", "op": op,
                                            "value": None}]}) == []
    one("condition", {"all": [{"field": "client.email", "op": op, "value": True}]},
        "INVALID_CONDITION")


@pytest.mark.parametrize("pred", [
    {"field": "client.status", "op": "eq"},                         # value required
    {"field": "client.status", "op": "equals", "value": 1},         # unknown op
    {"field": "client.status", "value": 1},                         # op required
    {"op": "eq", "value": 1},                                       # field required
    {"field": 5, "op": "eq", "value": 1},
    {"field": "client.status", "op": "in", "value": "lead"},        # list required
    {"field": "client.status", "op": "not_in", "value": {"a": 1}},
    {"field": "client.status", "op": "gt", "value": [1]},
    {"field": "client.status", "op": "gt", "value": True},
    {"field": "client.tags", "op": "contains", "value": ["a"]},
    {"field": "client.wedding_date", "op": "days_until_lte", "value": "30"},
    {"field": "client.wedding_date", "op": "days_until_gte", "value": 1.5},
    {"field": "client.name", "op": "days_until_lte", "value": 3},   # not a date field
    {"field": "client.status", "op": "eq", "value": 1, "negate": True},
])
def test_bad_predicates(pred):
    one("condition", {"all": [pred]}, "INVALID_CONDITION")


@pytest.mark.parametrize("config", [
    {"all": "x"}, {"any": {"field": "client.status"}}, {"all": [], "any": []},
    {"all": [], "note": "x"}, {"all": [5]}, {"all": [[]]}, {"none": []},
    {"all": [{"any": [{"all": [{"foo": 1}]}]}]},
])
def test_bad_groups(config):
    one("condition", config, "INVALID_CONDITION")


def test_empty_condition_config():
    one("condition", {}, "INVALID_CONDITION")


def test_nested_groups_and_top_level_predicate():
    nested = {"any": [{"all": [_pred(), _pred(op="ne", value="x")]},
                      {"any": [{"field": "client.tags", "op": "contains", "value": "vip"}]}]}
    assert codes_for("condition", nested) == []
    assert codes_for("condition", _pred()) == []
    assert codes_for("condition", {"all": []}) == []


def test_too_deep_nesting_is_reported_not_raised():
    deep: dict = _pred()
    for _ in range(200):
        deep = {"all": [deep]}
    one("condition", deep, "INVALID_CONDITION")


def test_condition_problem_path():
    p = one("condition", {"all": [_pred(), {"any": [_pred(op="nope")]}]}, "INVALID_CONDITION")
    assert p.message.startswith("node 'x': config.all[1].any[0].op")


# -- split ------------------------------------------------------------------------------------------

def _split(*branches):
    return {"branches": list(branches)}


def test_good_split():
    assert codes_for("split", _split({"label": "a", "weight": 50}, {"label": "b", "weight": 50})) == []
    assert codes_for("split", _split({"label": "a", "weight": 0.5},
                                     {"label": "b", "weight": 33.3})) == []
    ten = [{"label": f"v{i}", "weight": 1} for i in range(10)]
    assert codes_for("split", _split(*ten)) == []


@pytest.mark.parametrize("weight", [0, -1, "50", None, True, [50], float("nan"), float("inf")])
def test_bad_split_weights(weight):
    p = one("split", _split({"label": "a", "weight": weight}, {"label": "b", "weight": 1}),
            "INVALID_SPLIT_WEIGHT")
    assert "branches[0].weight" in p.message


def test_missing_split_weight():
    one("split", _split({"label": "a"}, {"label": "b", "weight": 1}), "INVALID_SPLIT_WEIGHT")


@pytest.mark.parametrize("count", [0, 1, 11])
def test_split_branch_count(count):
    branches = [{"label": f"v{i}", "weight": 1} for i in range(count)]
    d = _cfg("split", _split(*branches))
    found = set(check(d))
    assert "INVALID_CONFIG" in found and found <= {"INVALID_CONFIG", "DEAD_END", "UNREACHABLE_NODE"}


@pytest.mark.parametrize("config", [
    {}, {"branches": "a,b"}, {"branches": [{"label": "a", "weight": 1}, "b"]},
    {"branches": [{"label": "a", "weight": 1}, {"label": "a", "weight": 1}]},
    {"branches": [{"label": "", "weight": 1}, {"label": "b", "weight": 1}]},
    {"branches": [{"label": 1, "weight": 1}, {"label": "b", "weight": 1}]},
    {"branches": [{"weight": 1}, {"label": "b", "weight": 1}]},
    {"branches": [{"label": "a", "weight": 1, "colour": "red"}, {"label": "b", "weight": 1}]},
    {"branches": [{"label": "a", "weight": 1}, {"label": "b", "weight": 1}], "seed": 3},
])
def test_bad_split_configs(config):
    assert "INVALID_CONFIG" in codes_for("split", config)


def test_split_labels_come_from_branches():
    s = node("s", "split", _split({"label": "a", "weight": 1}, {"label": "b", "weight": 1}))
    d = doc([trigger(), s, exit_()],
            [edge("start", "s"), edge("s", "end", "a"), edge("s", "end", "b"),
             edge("s", "end", "c")])
    (p,) = only(d, "INVALID_EDGE_LABEL")
    assert "'c'" in p.message


# -- action -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [
    {"action": "update_status", "status": "booked"},
    {"action": "set_field", "field": "budget", "value": 5000},
    {"action": "set_field", "field": "notes", "value": None},
    {"action": "set_field", "field": "meta", "value": {"a": [1, 2]}},
    {"action": "add_tag", "tag": "vip"},
    {"action": "remove_tag", "tag": "vip"},
    {"action": "create_task", "title": "Call them"},
    {"action": "create_task", "title": "Call them", "due": {"days": 2}},
    {"action": "create_task", "title": "Call them", "due": {"anchor": "wedding_date",
                                                            "offset": {"days": -7}}},
    {"action": "webhook", "url": "https://example.com/hook"},
    {"action": "webhook", "url": "http://localhost:8080/x?y=1", "method": "PUT",
     "headers": {"Authorization": "Bearer abc", "X-Id": "1"},
     "body": '{"name": "{{ client.name }}"}'},
    {"action": "webhook", "url": "https://example.com", "method": "get", "body": ""},
])
def test_good_actions(config):
    assert codes_for("action", config) == []


@pytest.mark.parametrize("config", [
    {},
    {"action": "send_sms"},
    {"action": 3},
    {"action": "update_status"},
    {"action": "update_status", "status": ""},
    {"action": "update_status", "status": 5},
    {"action": "update_status", "status": "booked", "tag": "x"},
    {"action": "set_field", "field": "budget"},
    {"action": "set_field", "value": 1},
    {"action": "set_field", "field": "", "value": 1},
    {"action": "add_tag"},
    {"action": "remove_tag", "tag": ["a"]},
    {"action": "create_task"},
    {"action": "create_task", "title": " "},
    {"action": "webhook"},
    {"action": "webhook", "url": "example.com/hook"},
    {"action": "webhook", "url": "ftp://example.com/hook"},
    {"action": "webhook", "url": "https://"},
    {"action": "webhook", "url": "https://exa mple.com"},
    {"action": "webhook", "url": "https://example.com", "method": "FETCH"},
    {"action": "webhook", "url": "https://example.com", "method": 1},
    {"action": "webhook", "url": "https://example.com", "headers": "X-A: 1"},
    {"action": "webhook", "url": "https://example.com", "headers": {"X-A": 1}},
    {"action": "webhook", "url": "https://example.com", "headers": {"Bad Name": "1"}},
    {"action": "webhook", "url": "https://example.com", "headers": {"X-A": "1\r\nX-B: 2"}},
    {"action": "webhook", "url": "https://example.com", "body": {"a": 1}},
    {"action": "webhook", "url": "https://example.com", "retries": 3},
])
def test_bad_actions(config):
    one("action", config, "INVALID_CONFIG")


def test_task_due_is_checked():
    one("action", {"action": "create_task", "title": "t", "due": {"days": -1}}, "INVALID_DURATION")
    one("action", {"action": "create_task", "title": "t", "due": {"date": "2027-13-01"}},
        "INVALID_TIME")


def test_webhook_body_template():
    one("action", {"action": "webhook", "url": "https://e.com", "body": "{{ secret }}"},
        "INVALID_TEMPLATE")
    one("action", {"action": "webhook", "url": "https://e.com", "body": "{{ form_url }}"},
        "INVALID_TEMPLATE")


# -- exit -------------------------------------------------------------------------------------------

def test_exit_takes_no_config():
    assert check(chain(trigger(), node("x", "exit", {}))) == []
    (p,) = only(chain(trigger(), node("x", "exit", {"status": "won"})), "INVALID_CONFIG")
    assert p.node == "x"


# -- settings ---------------------------------------------------------------------------------------

FULL_SETTINGS = {
    "timezone": "Europe/London",
    "send_window": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "18:00"},
    "calendar": {"holidays": "GB-ENG", "closed_weekdays": ["sat", "sun"],
                 "closed_dates": ["2027-12-24"]},
    "reentry": "after_exit",
    "exit_on": ["custom:booking_cancelled", "payment_received"],
    "goal": {"event": "payment_received", "match": {"kind": "deposit"}},
    "past_due_grace": {"hours": 2},
}


def test_full_settings_are_valid():
    assert check({**minimal(), "settings": FULL_SETTINGS}) == []
    assert check({**minimal(), "settings": {}}) == []


def test_null_setting_means_default():
    assert check({**minimal(), "settings": {k: None for k in FULL_SETTINGS}}) == []
    assert check({**minimal(), "settings": None}) == []


def _settings(**values):
    return check({**minimal(), "settings": values})


def test_settings_must_be_an_object():
    assert check({**minimal(), "settings": []}) == ["INVALID_SETTINGS"]


def test_unknown_setting():
    (p,) = only({**minimal(), "settings": {"language": "en"}}, "UNKNOWN_KEY")
    assert p.message.startswith("settings: unknown key 'language'")


@pytest.mark.parametrize("tz", ["Mars/Olympus", "EST5EDT ", "europe/london", "localtime"])
def test_unknown_timezone(tz):
    assert _settings(timezone=tz) == ["UNKNOWN_TIMEZONE"]


def test_timezone_wrong_type():
    assert _settings(timezone=5) == ["INVALID_SETTINGS"]


@pytest.mark.parametrize("code", ["US", "GB-ENG", "US-CA", "DE-BY", "FR", "AU-NSW"])
def test_holiday_codes(code):
    assert _settings(calendar={"holidays": code}) == []


@pytest.mark.parametrize("code", ["XX", "US-ZZ", "us"])
def test_unknown_holiday_code(code):
    assert _settings(calendar={"holidays": code}) == ["UNKNOWN_HOLIDAY_CODE"]


def test_bad_calendar():
    assert _settings(calendar={"closed_weekdays": ["someday"]}) == ["INVALID_CALENDAR"]
    assert _settings(calendar={"closed_dates": ["2027-02-30"]}) == ["INVALID_CALENDAR"]
    assert _settings(calendar="US") == ["INVALID_CALENDAR"]


def test_bad_send_window():
    assert _settings(send_window={"days": ["mon"], "start": "18:00", "end": "09:00"}) == \
        ["INVALID_SEND_WINDOW"]
    assert "INVALID_SEND_WINDOW" in _settings(send_window={"days": ["mon"]})


@pytest.mark.parametrize("value", ["always", "", 1, True])
def test_bad_reentry(value):
    assert _settings(reentry=value) == ["INVALID_SETTINGS"]


@pytest.mark.parametrize("value", ["custom:x", ["date"], ["booking_cancelled"], [1], {"a": 1}])
def test_bad_exit_on(value):
    assert _settings(exit_on=value) == ["INVALID_SETTINGS"]


def test_exit_on_empty_list():
    assert _settings(exit_on=[]) == []


@pytest.mark.parametrize("goal,code", [
    ("payment_received", "INVALID_SETTINGS"),
    ({}, "INVALID_SETTINGS"),
    ({"event": "date"}, "INVALID_SETTINGS"),
    ({"event": "payment_received", "value": 100}, "INVALID_SETTINGS"),
    ({"event": "payment_received", "match": {"all": [{"field": "client.status", "op": "eq",
                                                      "value": "x"}]}}, "INVALID_CONDITION"),
])
def test_bad_goal(goal, code):
    assert _settings(goal=goal) == [code]


def test_bad_past_due_grace():
    assert _settings(past_due_grace={"hours": -1}) == ["INVALID_DURATION"]
    assert _settings(past_due_grace="1h") == ["INVALID_DURATION"]
