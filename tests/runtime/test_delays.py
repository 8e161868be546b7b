"""delay: calendar days vs elapsed hours, business days, until TIME, and the past-due rule."""
from __future__ import annotations

import pytest

from engine.domain import RunStatus

from .helpers import World, chain, delay, email, exit_, journey, trigger

NY = "America/New_York"


def start_with(world: World, wait: dict, settings: dict | None = None, **client) -> None:
    world.publish(chain(trigger("manual"), wait, email(), exit_(), settings=settings))
    world.add("c1", **client)
    world.event("c1", "manual")


# -- duration ---------------------------------------------------------------------------------
def test_a_day_is_a_calendar_day_in_local_time_across_spring_forward():
    world = World("2027-03-13T14:00:00Z")  # Sat 09:00 EST; clocks go forward that night
    start_with(world, delay(duration={"days": 1}), timezone=NY)
    assert world.due() == "2027-03-14T13:00:00Z"  # Sun 09:00 EDT
    world.go("2027-03-14T12:59:00Z")
    assert world.effects() == []
    world.go("2027-03-14T13:00:00Z")
    assert world.steps() == [("wait", "done", "2027-03-14T13:00:00Z"),
                             ("mail", "sent", "2027-03-14T13:00:00Z"),
                             ("end", "done", "2027-03-14T13:00:00Z")]


def test_hours_are_elapsed_time_across_spring_forward():
    world = World("2027-03-13T14:00:00Z")
    start_with(world, delay(duration={"hours": 24}), timezone=NY)
    assert world.due() == "2027-03-14T14:00:00Z"  # 10:00 EDT: 24 real hours later


def test_a_day_is_a_calendar_day_across_fall_back():
    world = World("2027-11-06T13:00:00Z")  # Sat 09:00 EDT
    start_with(world, delay(duration={"days": 1}), timezone=NY)
    assert world.due() == "2027-11-07T14:00:00Z"  # Sun 09:00 EST


def test_weeks_days_hours_and_minutes_add_up():
    world = World("2027-01-04T09:00:00Z")
    start_with(world, delay(duration={"weeks": 1, "days": 2, "hours": 3, "minutes": 30}))
    assert world.due() == "2027-01-13T12:30:00Z"


def test_a_zero_duration_continues_at_once(world: World):
    start_with(world, delay(duration={"minutes": 0}))
    assert world.path() == ["start", "wait", "mail", "end"]


def test_a_delay_uses_the_client_zone_not_utc():
    world = World("2027-01-04T23:30:00Z")  # Tue 10:30 in Sydney
    start_with(world, delay(duration={"days": 1}), timezone="Australia/Sydney")
    assert world.due() == "2027-01-05T23:30:00Z"


# -- business_days ----------------------------------------------------------------------------
def test_business_days_skip_the_weekend():
    world = World("2027-01-08T15:00:00Z")  # Friday
    start_with(world, delay(business_days=1))
    assert world.due() == "2027-01-11T15:00:00Z"  # Monday, same time


def test_business_days_skip_the_calendars_holidays():
    world = World("2027-01-15T15:00:00Z")  # Friday before Martin Luther King Day (Mon 18th)
    start_with(world, delay(business_days=1), settings={"calendar": {"holidays": "US"}})
    assert world.due() == "2027-01-19T15:00:00Z"


def test_business_days_skip_closed_dates():
    world = World("2027-01-05T10:00:00Z")  # Tuesday
    start_with(world, delay(business_days=2),
               settings={"calendar": {"closed_dates": ["2027-01-06"]}})
    assert world.due() == "2027-01-08T10:00:00Z"  # Wed closed: Thu is 1, Fri is 2


def test_business_days_follow_closed_weekdays():
    world = World("2027-01-08T15:00:00Z")  # Friday; this vendor works Saturdays
    start_with(world, delay(business_days=1),
               settings={"calendar": {"closed_weekdays": ["sun", "mon"]}})
    assert world.due() == "2027-01-09T15:00:00Z"


def test_business_days_count_in_the_client_zone():
    world = World("2027-01-09T02:00:00Z")  # Sat 02:00Z is still Fri 21:00 in New York
    start_with(world, delay(business_days=1), timezone=NY)
    assert world.due() == "2027-01-12T02:00:00Z"  # Mon 21:00 EST


def test_vendor_blackout_dates_are_closed_days():
    world = World("2027-01-05T10:00:00Z")
    world.engine.update_vendor("v1", blackout_dates=["2027-01-06"])
    start_with(world, delay(business_days=1))
    assert world.due() == "2027-01-07T10:00:00Z"


# -- until TIME -------------------------------------------------------------------------------
def test_until_a_time_before_the_wedding_in_the_client_zone(world: World):
    start_with(world, delay(until={"anchor": "wedding_date", "offset": {"days": -30},
                                   "at": "10:00"}),
               wedding_date="2027-06-12", timezone="Europe/London")
    assert world.due() == "2027-05-13T09:00:00Z"  # 10:00 BST
    world.go("2027-06-01T00:00:00Z")
    assert world.steps()[0] == ("wait", "done", "2027-05-13T09:00:00Z")


def test_until_at_defaults_to_nine(world: World):
    start_with(world, delay(until={"anchor": "wedding_date", "offset": {"days": 2}}),
               wedding_date="2027-06-12", timezone=NY)
    assert world.due() == "2027-06-14T13:00:00Z"


def test_until_a_named_client_date(world: World):
    start_with(world, delay(until={"anchor": "dates.engagement_shoot", "offset": {"days": -1},
                                   "at": "18:00"}),
               dates={"engagement_shoot": "2027-04-10"})
    assert world.due() == "2027-04-09T18:00:00Z"  # the vendor zone, UTC


def test_until_business_days_before_the_wedding(world: World):
    start_with(world, delay(until={"anchor": "wedding_date", "offset": {"business_days": -5}}),
               wedding_date="2027-06-12", timezone="UTC")  # a Saturday
    assert world.due() == "2027-06-07T09:00:00Z"  # Fri 11, Thu 10, Wed 9, Tue 8, Mon 7


def test_until_an_absolute_date(world: World):
    start_with(world, delay(until={"date": "2027-02-14", "at": "08:00"}), timezone=NY)
    assert world.due() == "2027-02-14T13:00:00Z"


def test_until_a_time_in_the_spring_forward_gap_moves_forward_by_the_gap(world: World):
    start_with(world, delay(until={"date": "2027-03-14", "at": "02:30"}), timezone=NY)
    assert world.due() == "2027-03-14T07:30:00Z"  # 03:30 EDT


def test_until_an_ambiguous_fall_back_time_is_the_first_occurrence(world: World):
    start_with(world, delay(until={"date": "2027-11-07", "at": "01:30"}), timezone=NY)
    assert world.due() == "2027-11-07T05:30:00Z"  # 01:30 EDT, not 01:30 EST


# -- past due ---------------------------------------------------------------------------------
def late_booking(settings: dict | None = None, past_due_edge: bool = True) -> dict:
    nodes = [trigger("payment_received"),
             delay("month_before", until={"anchor": "wedding_date", "offset": {"days": -30}}),
             {"id": "planning", "type": "email",
              "config": {"subject": "Planning call", "body": "Let's plan"}},
             {"id": "rush", "type": "email",
              "config": {"subject": "We'll be quick", "body": "Short notice!"}},
             delay("week_before", until={"anchor": "wedding_date", "offset": {"days": -7}}),
             exit_()]
    edges = [("start", "month_before"), ("month_before", "planning"), ("planning", "week_before"),
             ("rush", "week_before"), ("week_before", "end")]
    if past_due_edge:
        edges.append(("month_before", "rush", "past_due"))
    else:
        nodes.remove(nodes[3])
        edges.remove(("rush", "week_before"))
    return journey(nodes, edges, settings)


def test_a_couple_booking_ten_days_before_takes_the_past_due_edge():
    world = World("2027-06-02T15:00:00Z")  # wedding 2027-06-12: "30 days before" was May 13
    world.publish(late_booking())
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "payment_received")
    assert world.steps() == [("month_before", "past_due", "2027-06-02T15:00:00Z"),
                             ("rush", "sent", "2027-06-02T15:00:00Z")]
    assert [e.payload["subject"] for e in world.effects("email")] == ["We'll be quick"]
    # the next step is still in the future and is waited for normally
    assert world.run().status == RunStatus.WAITING
    assert world.due() == "2027-06-05T09:00:00Z"  # 7 days before at 09:00


def test_without_a_past_due_edge_the_run_continues_at_once():
    world = World("2027-06-02T15:00:00Z")
    world.publish(late_booking(past_due_edge=False))
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "payment_received")
    assert world.steps()[:2] == [("month_before", "past_due", "2027-06-02T15:00:00Z"),
                                 ("planning", "sent", "2027-06-02T15:00:00Z")]


def test_a_time_just_passed_within_the_grace_continues_normally():
    world = World("2027-05-13T09:30:00Z")  # due 09:00Z; 30 min late < 1 h grace
    world.publish(late_booking())
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "payment_received")
    assert world.steps()[:2] == [("month_before", "done", "2027-05-13T09:30:00Z"),
                                 ("planning", "sent", "2027-05-13T09:30:00Z")]


def test_a_time_more_than_the_grace_ago_is_past_due():
    world = World("2027-05-13T10:00:01Z")  # just over one hour late
    world.publish(late_booking())
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "payment_received")
    assert world.steps()[0] == ("month_before", "past_due", "2027-05-13T10:00:01Z")


@pytest.mark.parametrize("grace, outcome", [({"days": 1}, "done"), ({"minutes": 30}, "past_due")])
def test_past_due_grace_is_a_setting(grace, outcome):
    world = World("2027-05-13T11:00:00Z")  # two hours after the due time
    world.publish(late_booking({"past_due_grace": grace}))
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "payment_received")
    assert world.steps()[0][:2] == ("month_before", outcome)


def test_a_wake_up_that_fires_late_because_the_engine_was_down_is_not_past_due():
    world = World("2027-05-01T09:00:00Z")
    world.publish(late_booking())
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "payment_received")
    world.jump("2027-05-20T09:00:00Z")  # down for a week across the due time
    world.engine.run_due()
    assert world.steps()[:2] == [("month_before", "done", "2027-05-20T09:00:00Z"),
                                 ("planning", "sent", "2027-05-20T09:00:00Z")]
