"""Reschedules: a changed client date re-times waiting runs in the same transaction, and a
preview of the change is exactly what applying it does. Also needs_date and its resume."""
from __future__ import annotations

import pytest

from engine.domain import RunStatus

from .helpers import World, chain, delay, email, exit_, journey, trigger, wait_for

MONTH_BEFORE = {"anchor": "wedding_date", "offset": {"days": -30}, "at": "10:00"}


def countdown(past_due_edge: bool = True) -> dict:
    nodes = [trigger("manual"), delay("month_before", until=MONTH_BEFORE),
             email("planning", subject="Planning call"), email("rush", subject="Short notice"),
             exit_()]
    edges = [("start", "month_before"), ("month_before", "planning"), ("planning", "end"),
             ("rush", "end")]
    if past_due_edge:
        edges.append(("month_before", "rush", "past_due"))
    else:
        nodes.pop(3)
        edges.remove(("rush", "end"))
    return journey(nodes, edges)


def booked(world: World, document: dict | None = None, **client) -> None:
    world.publish(document or countdown())
    world.add("c1", **{"wedding_date": "2027-09-18", **client})
    world.event("c1", "manual")


def test_a_later_wedding_moves_the_wait_later(world: World):
    booked(world)
    assert world.due() == "2027-08-19T10:00:00Z"
    _, report = world.update("c1", wedding_date="2027-10-16")
    assert world.due() == "2027-09-16T10:00:00Z"
    assert report.to_dict()["runs"] == [{
        "run_id": world.run().id, "journey_id": world.run().journey_id, "node": "month_before",
        "from": "2027-08-19T10:00:00Z", "to": "2027-09-16T10:00:00Z", "outcome": "moved",
        "now_at": "month_before", "status": "waiting"}]
    world.go("2027-08-20T00:00:00Z")
    assert world.effects() == []  # nothing at the old time
    world.go("2027-09-17T00:00:00Z")
    assert world.steps()[:2] == [("month_before", "done", "2027-09-16T10:00:00Z"),
                                 ("planning", "sent", "2027-09-16T10:00:00Z")]


def test_an_earlier_wedding_moves_the_wait_earlier(world: World):
    booked(world)
    world.update("c1", wedding_date="2027-05-01")
    assert world.due() == "2027-04-01T10:00:00Z"  # 10:00 in the vendor zone (UTC)


def test_a_wedding_moved_so_close_that_the_time_has_passed_takes_past_due_at_once():
    world = World("2027-03-01T12:00:00Z")
    booked(world)
    _, report = world.update("c1", wedding_date="2027-03-20")  # 30 days before was Feb 18
    assert world.steps() == [("month_before", "past_due", "2027-03-01T12:00:00Z"),
                             ("rush", "sent", "2027-03-01T12:00:00Z"),
                             ("end", "done", "2027-03-01T12:00:00Z")]
    assert report.runs[0]["outcome"] == "past_due"
    assert world.run().status == RunStatus.COMPLETED


def test_a_wedding_moved_into_the_past_without_past_due_edge_continues_at_once():
    world = World("2027-03-01T12:00:00Z")
    booked(world, countdown(past_due_edge=False))
    world.update("c1", wedding_date="2027-02-01")
    assert world.steps()[:2] == [("month_before", "past_due", "2027-03-01T12:00:00Z"),
                                 ("planning", "sent", "2027-03-01T12:00:00Z")]


def test_preview_shows_exactly_what_applying_does_and_writes_nothing():
    world = World("2027-03-01T12:00:00Z")
    booked(world)
    before = (world.run(), world.steps(), world.effects(), world.client().wedding_date)
    _, preview = world.update("c1", preview=True, wedding_date="2027-03-20")
    assert (world.run(), world.steps(), world.effects(), world.client().wedding_date) == before
    _, applied = world.update("c1", wedding_date="2027-03-20")
    assert preview.applied is False and applied.applied is True
    assert {**preview.to_dict(), "applied": None} == {**applied.to_dict(), "applied": None}
    assert preview.runs[0]["outcome"] == "past_due"


def test_preview_of_a_move_later(world: World):
    booked(world)
    _, preview = world.update("c1", preview=True, wedding_date="2027-10-16")
    assert preview.runs[0]["to"].isoformat() == "2027-09-16T10:00:00+00:00"
    assert world.due() == "2027-08-19T10:00:00Z"


def test_another_date_changing_leaves_a_wedding_anchored_wait_alone(world: World):
    booked(world, dates={"shoot": "2027-04-10"})
    _, report = world.update("c1", dates={"shoot": "2027-05-01"})
    assert report.runs == [] and world.due() == "2027-08-19T10:00:00Z"


def test_a_duration_delay_is_not_moved_by_a_reschedule(world: World):
    booked(world, chain(trigger("manual"), delay(duration={"days": 3}), email(), exit_()))
    world.update("c1", wedding_date="2027-10-16")
    assert world.due() == "2027-01-07T09:00:00Z"


def test_a_wait_for_timeout_is_moved_and_takes_the_timeout_edge_when_passed():
    world = World("2027-03-01T12:00:00Z")
    document = journey([trigger("manual"),
                        wait_for(timeout={"anchor": "wedding_date", "offset": {"days": -14}}),
                        email("thanks"), email("nudge"), exit_()],
                       [("start", "await"), ("await", "thanks", "event"),
                        ("await", "nudge", "timeout"), ("thanks", "end"), ("nudge", "end")])
    booked(world, document)
    world.update("c1", wedding_date="2027-10-16")
    assert world.due() == "2027-10-02T09:00:00Z"
    world.update("c1", wedding_date="2027-03-05")  # two weeks before is already past
    assert world.steps()[:2] == [("await", "timeout", "2027-03-01T12:00:00Z"),
                                 ("nudge", "sent", "2027-03-01T12:00:00Z")]


def test_a_new_client_zone_retimes_a_local_time(world: World):
    booked(world)
    world.update("c1", timezone="America/New_York")
    assert world.due() == "2027-08-19T14:00:00Z"  # 10:00 EDT


def test_two_waiting_runs_of_one_client_move_together(world: World):
    world.publish(countdown())
    other = chain(trigger("manual"), delay(until={"anchor": "wedding_date", "offset": {"days": 1}}),
                  email(), exit_())
    other["name"] = "Thank-you"
    world.publish(other)
    world.add("c1", wedding_date="2027-09-18")
    world.event("c1", "manual")
    _, report = world.update("c1", wedding_date="2027-10-16")
    assert sorted(r["to"].isoformat() for r in report.runs) == [
        "2027-09-16T10:00:00+00:00", "2027-10-17T09:00:00+00:00"]


# -- needs_date -------------------------------------------------------------------------------
def test_a_client_without_the_date_waits_in_needs_date(world: World):
    world.publish(countdown())
    world.add("c1")  # an inquiry: no wedding date yet
    world.event("c1", "manual")
    run = world.run()
    assert run.status == RunStatus.NEEDS_DATE and run.node == "month_before"
    assert run.due_at is None and world.wakeups() == 0


def test_setting_the_date_resumes_a_needs_date_run(world: World):
    world.publish(countdown())
    world.add("c1")
    world.event("c1", "manual")
    _, report = world.update("c1", wedding_date="2027-09-18")
    assert world.run().status == RunStatus.WAITING and world.due() == "2027-08-19T10:00:00Z"
    assert report.runs[0]["outcome"] == "scheduled"
    world.go("2027-08-20T00:00:00Z")
    assert world.steps()[0] == ("month_before", "done", "2027-08-19T10:00:00Z")


def test_setting_a_date_whose_time_has_passed_resumes_through_past_due():
    world = World("2027-03-01T12:00:00Z")
    world.publish(countdown())
    world.add("c1")
    world.event("c1", "manual")
    world.update("c1", wedding_date="2027-03-10")
    assert world.steps()[:2] == [("month_before", "past_due", "2027-03-01T12:00:00Z"),
                                 ("rush", "sent", "2027-03-01T12:00:00Z")]


def test_removing_the_date_puts_a_waiting_run_back_in_needs_date(world: World):
    booked(world)
    world.update("c1", wedding_date=None)
    run = world.run()
    assert run.status == RunStatus.NEEDS_DATE and world.wakeups() == 0
    world.update("c1", wedding_date="2027-10-16")
    assert world.due() == "2027-09-16T10:00:00Z"


def test_a_needs_date_run_is_not_logged_until_it_moves(world: World):
    world.publish(countdown())
    world.add("c1")
    world.event("c1", "manual")
    assert world.steps() == []


def test_a_reschedule_is_one_transaction_all_or_nothing():
    world = World("2027-03-01T12:00:00Z")
    world.publish(countdown())
    second = countdown()
    second["name"] = "Second"
    world.publish(second)
    world.add("c1", wedding_date="2027-09-18")
    world.event("c1", "manual")
    before = sorted((r.id, r.due_at, r.status) for r in world.runs("c1"))
    seen = []

    def crash_on_second_run(step, client):
        seen.append(step.run_id)
        if len(set(seen)) == 2:
            raise RuntimeError("crash while re-timing the second run")
    world.engine.runtime.step_hooks.append(crash_on_second_run)
    with pytest.raises(RuntimeError):
        world.update("c1", wedding_date="2027-03-10")  # both runs would go past due
    assert sorted((r.id, r.due_at, r.status) for r in world.runs("c1")) == before
    assert world.client().wedding_date.isoformat() == "2027-09-18"
    assert world.effects() == [] and all(world.steps(run=r) == [] for r in world.runs("c1"))
