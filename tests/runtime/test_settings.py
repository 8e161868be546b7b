"""Journey settings: send_window, calendar, time zones, reentry, exit_on and goal."""
from __future__ import annotations

from engine.domain import RunStatus

from .helpers import (World, action, chain, delay, email, exit_, form, journey, trigger,
                      wait_for)

NY = "America/New_York"
WEEKDAYS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "18:00"}


def windowed(*nodes, **settings) -> dict:
    return chain(trigger("manual"), *nodes, exit_(), settings={"send_window": WEEKDAYS, **settings})


# -- send_window ------------------------------------------------------------------------------
def test_an_email_inside_the_window_goes_at_once():
    world = World("2027-01-04T15:00:00Z")  # Mon 10:00 in New York
    world.publish(windowed(email()))
    world.add("c1", timezone=NY)
    world.event("c1", "manual")
    assert world.steps()[0] == ("mail", "sent", "2027-01-04T15:00:00Z")


def test_an_email_after_hours_waits_for_the_next_opening_in_the_client_zone():
    world = World("2027-01-04T23:30:00Z")  # Mon 18:30 in New York
    world.publish(windowed(email()))
    world.add("c1", timezone=NY)
    world.event("c1", "manual")
    assert world.effects() == [] and world.due() == "2027-01-05T14:00:00Z"  # Tue 09:00 EST
    world.go("2027-01-06T00:00:00Z")
    assert world.steps()[0] == ("mail", "sent", "2027-01-05T14:00:00Z")
    assert world.sent() == [("email", "Hello Ana", "2027-01-05T14:00:00Z")]


def test_an_email_on_friday_evening_waits_for_monday():
    world = World("2027-01-08T19:00:00Z")  # Friday 19:00 UTC
    world.publish(windowed(email()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-01-11T09:00:00Z"


def test_a_form_is_held_by_the_window_too():
    world = World("2027-01-09T12:00:00Z")  # Saturday
    world.publish(windowed(form()))
    world.add("c1")
    world.event("c1", "manual")
    world.go("2027-01-12T00:00:00Z")
    assert world.steps()[0] == ("ask", "sent", "2027-01-11T09:00:00Z")


def test_actions_are_not_held_by_the_window():
    world = World("2027-01-09T12:00:00Z")  # Saturday
    world.publish(windowed(action(action="webhook", url="https://h.example.com/x"), email()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.sent() == [("webhook", "https://h.example.com/x", "2027-01-09T12:00:00Z")]
    assert world.due() == "2027-01-11T09:00:00Z"


def test_the_window_skips_the_calendars_holidays_and_closed_dates():
    world = World("2027-01-15T19:00:00Z")  # Fri evening; Mon 18th is MLK day; Tue closed
    world.publish(windowed(email(), calendar={"holidays": "US", "closed_dates": ["2027-01-19"]}))
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-01-20T09:00:00Z"


def test_a_window_that_names_saturday_sends_on_saturday():
    world = World("2027-01-08T19:00:00Z")  # Friday evening
    world.publish(chain(trigger("manual"), email(), exit_(), settings={
        "send_window": {"days": ["sat"], "start": "10:00", "end": "12:00"}}))
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-01-09T10:00:00Z"


def test_an_email_held_by_the_window_shows_data_as_it_is_when_it_goes():
    world = World("2027-01-09T12:00:00Z")  # Saturday
    world.publish(windowed(email(subject="See you {{ client.wedding_date | shortdate }}")))
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "manual")
    world.update("c1", wedding_date="2027-06-19")
    world.go("2027-01-12T00:00:00Z")
    assert world.effects()[0].payload["subject"] == "See you 19 Jun 2027"


def test_a_window_wait_moves_when_the_client_zone_changes():
    world = World("2027-01-04T20:00:00Z")  # Mon 20:00 UTC: closed; 15:00 in New York: open
    world.publish(windowed(email()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-01-05T09:00:00Z"
    world.update("c1", timezone=NY)
    world.engine.run_due()
    assert world.steps()[0] == ("mail", "sent", "2027-01-04T20:00:00Z")


# -- time zone precedence ---------------------------------------------------------------------
def tz_journey(settings: dict | None = None) -> dict:
    return chain(trigger("manual"), delay(until={"date": "2027-02-01", "at": "09:00"}), exit_(),
                 settings=settings)


def test_the_client_zone_comes_first():
    world = World(vendor_tz="Europe/Berlin")
    world.publish(tz_journey({"timezone": "America/Los_Angeles"}))
    world.add("c1", timezone="Asia/Tokyo")
    world.event("c1", "manual")
    assert world.due() == "2027-02-01T00:00:00Z"


def test_the_journey_zone_is_for_clients_without_one():
    world = World(vendor_tz="Europe/Berlin")
    world.publish(tz_journey({"timezone": "America/Los_Angeles"}))
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-02-01T17:00:00Z"


def test_the_vendor_zone_is_the_last_resort():
    world = World(vendor_tz="Europe/Berlin")
    world.publish(tz_journey())
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-02-01T08:00:00Z"


# -- reentry ----------------------------------------------------------------------------------
def test_reentry_never_runs_a_client_through_once(world: World):
    world.publish(chain(trigger("manual"), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "manual")
    assert len(world.runs("c1")) == 1 and len(world.effects()) == 1


def test_reentry_after_exit_starts_again_once_the_run_has_ended(world: World):
    world.publish(chain(trigger("manual"), email(), exit_(), settings={"reentry": "after_exit"}))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "manual")
    assert len(world.runs("c1")) == 2 and len(world.effects()) == 2


def test_reentry_after_exit_never_runs_two_at_once(world: World):
    world.publish(chain(trigger("manual"), delay(duration={"days": 3}), email(), exit_(),
                        settings={"reentry": "after_exit"}))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "manual")
    assert len(world.runs("c1")) == 1
    world.advance(days=4)
    world.event("c1", "manual")
    assert len(world.runs("c1")) == 2


# -- exit_on ----------------------------------------------------------------------------------
def cancellable() -> dict:
    return chain(trigger("manual"), delay(duration={"days": 7}), email(), exit_(),
                 settings={"exit_on": ["custom:booking_cancelled"]})


def test_an_exit_on_event_ends_the_active_run_as_exited(world: World):
    world.publish(cancellable())
    world.add("c1")
    world.event("c1", "manual")
    answer = world.event("c1", "custom:booking_cancelled")
    run = world.run()
    assert run.status == RunStatus.EXITED and answer["exited"] == [run.id]
    assert world.log()[-1].type == "control" and world.log()[-1].outcome == "exited"
    world.advance(days=30)
    assert world.effects() == [] and world.wakeups() == 0


def test_an_exit_on_event_ends_a_paused_run_too(world: World):
    world.publish(cancellable())
    world.add("c1")
    world.event("c1", "manual")
    world.engine.runs.pause("v1", world.run().id, actor="planner")
    world.event("c1", "custom:booking_cancelled")
    assert world.run().status == RunStatus.EXITED


def test_an_exit_on_event_of_one_journey_leaves_other_journeys_alone(world: World):
    world.publish(cancellable())
    other = chain(trigger("manual"), delay(duration={"days": 7}), email(), exit_())
    other["name"] = "Other"
    other_id = world.publish(other)
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "custom:booking_cancelled")
    assert world.run("c1", journey_id=other_id).status == RunStatus.WAITING


# -- goal -------------------------------------------------------------------------------------
def test_the_goal_event_marks_the_run_converted_without_ending_it(world: World):
    world.publish(chain(trigger("manual"), delay(duration={"days": 7}), email(), exit_(),
                        settings={"goal": {"event": "payment_received"}}))
    world.add("c1")
    world.event("c1", "manual")
    world.advance(days=1)
    answer = world.event("c1", "payment_received", {"amount": 500})
    world.advance(days=1)
    world.event("c1", "payment_received", {"amount": 900})
    run = world.run()
    assert answer["goals"] == [run.id]
    assert run.goal_at.isoformat() == "2027-01-05T09:00:00+00:00"  # the first time only
    assert run.status == RunStatus.WAITING


def test_a_goal_with_match(world: World):
    world.publish(chain(trigger("manual"), delay(duration={"days": 7}), exit_(), settings={
        "goal": {"event": "payment_received",
                 "match": {"all": [{"field": "event.kind", "op": "eq", "value": "deposit"}]}}}))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "payment_received", {"kind": "final"})
    assert world.run().goal_at is None
    world.event("c1", "payment_received", {"kind": "deposit"})
    assert world.run().goal_at is not None


def test_a_wait_for_and_exit_on_the_same_event_exit_wins(world: World):
    world.publish(journey([trigger("manual"), wait_for(event="custom:cancel"), email(), exit_()],
                          [("start", "await"), ("await", "mail", "event"),
                           ("await", "end", "timeout")],
                          {"exit_on": ["custom:cancel"]}))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "custom:cancel")
    assert world.run().status == RunStatus.EXITED and world.effects() == []


# -- an email held by the window after a date-anchored delay follows that date -----------------
def thirty_days_before():
    return windowed(delay(until={"anchor": "wedding_date", "offset": {"days": -30},
                                 "at": "10:00"}),
                    email(subject="30 days to go"))


def test_an_email_held_after_an_anchored_delay_is_re_timed_when_the_wedding_moves_later():
    world = World("2027-01-04T09:00:00Z")
    world.publish(thirty_days_before())
    world.add("c1", wedding_date="2027-03-15")  # 30 days before: Saturday 13 Feb 2027
    world.event("c1", "manual")
    world.go("2027-02-13T12:00:00Z")  # the delay is over; the window holds the email to Monday
    assert world.path() == ["start", "wait"] and world.due() == "2027-02-15T09:00:00Z"
    world.update("c1", wedding_date="2027-06-16")  # moved three months later
    assert world.due() == "2027-05-17T10:00:00Z"  # 30 days before the new date (a Monday)
    world.go("2027-02-16T00:00:00Z")
    assert world.effects() == []  # not on the old Monday
    world.update("c1", wedding_date="2027-06-14")  # again: 30 days before is a Saturday
    assert world.due() == "2027-05-17T09:00:00Z"  # held to the window's Monday opening
    world.go("2027-05-18T00:00:00Z")
    assert world.steps()[-2:] == [("mail", "sent", "2027-05-17T09:00:00Z"),
                                  ("end", "done", "2027-05-17T09:00:00Z")]


def test_a_held_email_whose_wedding_moves_earlier_still_goes_at_the_next_opening():
    world = World("2027-01-04T09:00:00Z")
    world.publish(thirty_days_before())
    world.add("c1", wedding_date="2027-03-15")
    world.event("c1", "manual")
    world.go("2027-02-13T12:00:00Z")  # held to Monday 15 Feb 09:00
    world.update("c1", wedding_date="2027-03-10")  # its moment (8 Feb) is past: still Monday
    assert world.due() == "2027-02-15T09:00:00Z"
    world.go("2027-02-16T00:00:00Z")
    assert world.steps()[-2][:2] == ("mail", "sent")


def test_a_held_email_that_was_not_after_an_anchored_delay_ignores_date_changes():
    world = World("2027-01-09T12:00:00Z")  # Saturday
    world.publish(windowed(email()))
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "manual")
    world.update("c1", wedding_date="2027-09-12")
    assert world.due() == "2027-01-11T09:00:00Z"
