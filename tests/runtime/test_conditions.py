"""Conditions: every field kind and op of the spec, missing fields, groups, and the condition node."""
from __future__ import annotations

from datetime import date

import pytest

from engine.clock import parse_instant
from engine.domain import Client
from engine.runtime.conditions import ConditionContext, evaluate
from engine.calendar import get_zone

from .helpers import World, condition, email, journey, trigger

CLIENT = Client(id="cli_1", vendor_id="v1", name="Ana Lima", email="ana@example.com",
                external_id="c1", status="booked", timezone="Europe/London",
                wedding_date=date(2027, 6, 12), dates={"shoot": date(2027, 4, 10)},
                fields={"guests": 120, "venue_type": "estate", "vegan": False},
                tags=["vip", "summer"],
                form_answers={"questionnaire": {"guests": "180", "colour": "sage"}})
EVENT = {"amount": 500, "kind": "deposit", "items": [{"sku": "album"}], "note": ""}


def ctx(now: str = "2027-05-13T09:00:00Z") -> ConditionContext:
    return ConditionContext(client=CLIENT.view(), event=EVENT, forms=CLIENT.form_answers,
                            now=parse_instant(now), tz=get_zone("Europe/London"))


def holds(field: str, op: str, value=None, now: str = "2027-05-13T09:00:00Z") -> bool:
    return evaluate({"all": [{"field": field, "op": op, "value": value}]}, ctx(now))


@pytest.mark.parametrize("field, op, value, expected", [
    # client attributes
    ("client.name", "eq", "Ana Lima", True),
    ("client.name", "eq", "ana lima", False),
    ("client.email", "contains", "@example.com", True),
    ("client.status", "eq", "booked", True),
    ("client.status", "ne", "inquiry", True),
    ("client.status", "in", ["booked", "paid"], True),
    ("client.status", "not_in", ["booked", "paid"], False),
    ("client.timezone", "eq", "Europe/London", True),
    ("client.tags", "contains", "vip", True),
    ("client.tags", "contains", "winter", False),
    ("client.wedding_date", "eq", "2027-06-12", True),
    ("client.wedding_date", "gt", "2027-06-01", True),
    ("client.wedding_date", "lte", "2027-06-11", False),
    # custom fields and dates
    ("client.fields.guests", "gte", 120, True),
    ("client.fields.guests", "gt", 120, False),
    ("client.fields.guests", "lt", "150", True),  # numbers compare as numbers
    ("client.fields.venue_type", "in", ["estate", "marquee"], True),
    ("client.fields.vegan", "eq", False, True),
    ("client.fields.vegan", "exists", None, True),  # false is a value, not a missing one
    ("client.dates.shoot", "lt", "2027-06-12", True),
    ("client.dates.shoot", "exists", None, True),
    # event data, nested paths and list items
    ("event.amount", "gt", 100, True),
    ("event.kind", "eq", "deposit", True),
    ("event.items.0.sku", "eq", "album", True),
    ("event.note", "exists", None, False),  # an empty string counts as missing
    # latest form answers
    ("form.questionnaire.guests", "gte", 150, True),
    ("form.questionnaire.colour", "ne", "blue", True),
    ("form.questionnaire.colour", "not_in", ["blue", "gold"], True),
])
def test_field_kinds_and_ops(field, op, value, expected):
    assert holds(field, op, value) is expected


@pytest.mark.parametrize("op, value, expected", [
    ("days_until_lte", 30, True),
    ("days_until_lte", 29, False),
    ("days_until_gte", 30, True),
    ("days_until_gte", 31, False),
])
def test_days_until_counts_local_days_to_the_date(op, value, expected):
    # 2027-05-13 -> 2027-06-12 is 30 days
    assert holds("client.wedding_date", op, value) is expected


def test_days_until_uses_the_local_date_not_utc():
    # 23:30Z on the 12th is already 00:30 on the 13th in London (BST): 30 days, not 31
    assert holds("client.wedding_date", "days_until_lte", 30, now="2027-05-12T23:30:00Z")


def test_days_until_is_negative_after_the_date():
    assert holds("client.dates.shoot", "days_until_lte", -1)  # the shoot was in April
    assert not holds("client.dates.shoot", "days_until_gte", 0)


@pytest.mark.parametrize("op, value, expected", [
    ("eq", "x", False), ("ne", "x", True), ("gt", 1, False), ("gte", 1, False),
    ("lt", 1, False), ("lte", 1, False), ("in", ["x"], False), ("not_in", ["x"], True),
    ("contains", "x", False), ("exists", None, False), ("not_exists", None, True),
    ("days_until_lte", 10, False), ("days_until_gte", 10, False),
])
def test_a_missing_field(op, value, expected):
    for field in ("client.fields.shoe_size", "client.dates.rehearsal", "event.missing.deep",
                  "form.contract.signed_by"):
        assert holds(field, op, value) is expected, field


def test_all_any_and_nesting():
    yes = {"field": "client.status", "op": "eq", "value": "booked"}
    no = {"field": "client.status", "op": "eq", "value": "lost"}
    assert evaluate({"all": [yes, {"any": [no, yes]}]}, ctx())
    assert not evaluate({"all": [yes, no]}, ctx())
    assert evaluate({"any": [no, {"all": [yes, yes]}]}, ctx())
    assert not evaluate({"any": [no, {"all": [yes, no]}]}, ctx())


def test_conditions_are_data_never_code():
    # a "value" that looks like code is only ever compared as a string
    assert not holds("client.name", "eq", "__import__('os').system('true')")


# -- the condition node -----------------------------------------------------------------------
def vip_journey() -> dict:
    return journey([trigger("manual"),
                    condition(any=[{"field": "client.tags", "op": "contains", "value": "vip"},
                                   {"field": "client.wedding_date", "op": "days_until_lte",
                                    "value": 30}]),
                    email("vip"), email("regular")],
                   [("start", "check"), ("check", "vip", "true"), ("check", "regular", "false")])


def test_condition_node_takes_the_true_edge(world: World):
    world.publish(vip_journey())
    world.add("c1", tags=["vip"], wedding_date="2027-09-18")
    world.event("c1", "manual")
    assert world.path() == ["start", "check", "vip"]
    assert world.steps()[0] == ("check", "done", "2027-01-04T09:00:00Z")


def test_condition_node_takes_the_false_edge(world: World):
    world.publish(vip_journey())
    world.add("c1", wedding_date="2027-09-18")
    world.event("c1", "manual")
    assert world.path() == ["start", "check", "regular"]


def test_condition_node_reads_the_time_when_the_run_gets_there():
    world = World("2027-08-20T09:00:00Z")  # 29 days before the wedding
    world.publish(vip_journey())
    world.add("c1", wedding_date="2027-09-18")
    world.event("c1", "manual")
    assert world.path() == ["start", "check", "vip"]


def test_condition_node_on_a_client_without_the_date_is_false(world: World):
    world.publish(vip_journey())
    world.add("c1")
    world.event("c1", "manual")
    assert world.path() == ["start", "check", "regular"]
