"""Per-run controls: pause, resume, cancel, skip, retry, reschedule. Each is in the step log with
who did it; a control that does not fit the run's state is a Conflict and writes nothing."""
from __future__ import annotations

import pytest

from engine.clock import parse_instant
from engine.domain import RunStatus
from engine.errors import Conflict, InvalidInput, NotFound

from .helpers import (VENDOR, World, action, chain, delay, email, exit_, journey, trigger,
                      wait_for)

PLANNER = "maria@lens.example"


def waiting_three_days(world: World, settings: dict | None = None) -> str:
    world.publish(chain(trigger("manual"), delay(duration={"days": 3}), email(), exit_(),
                        settings=settings))
    world.add("c1")
    world.event("c1", "manual")
    return world.run().id


def controls(world: World) -> list[tuple[str, str]]:
    return [(s.outcome, s.actor) for s in world.log() if s.type == "control"]


def runs(world: World):
    return world.engine.runs


# -- pause and resume -------------------------------------------------------------------------
def test_a_paused_run_does_not_wake_up(world: World):
    run_id = waiting_three_days(world)
    paused = runs(world).pause(VENDOR, run_id, actor=PLANNER)
    assert paused.status == RunStatus.PAUSED and world.wakeups() == 0
    world.advance(days=10)
    assert world.effects() == []
    assert controls(world) == [("paused", PLANNER)]


def test_resume_restores_the_wait(world: World):
    run_id = waiting_three_days(world)
    runs(world).pause(VENDOR, run_id, actor=PLANNER)
    world.advance(days=1)
    resumed = runs(world).resume(VENDOR, run_id, actor="ben@lens.example")
    assert resumed.status == RunStatus.WAITING and world.due() == "2027-01-07T09:00:00Z"
    assert controls(world) == [("paused", PLANNER), ("resumed", "ben@lens.example")]
    world.advance(days=3)
    assert world.steps()[0] == ("wait", "done", "2027-01-07T09:00:00Z")


def test_resume_after_the_due_time_continues_at_once(world: World):
    run_id = waiting_three_days(world)
    runs(world).pause(VENDOR, run_id, actor=PLANNER)
    world.advance(days=5)
    runs(world).resume(VENDOR, run_id, actor=PLANNER)
    world.engine.run_due()
    assert world.steps()[0] == ("wait", "done", "2027-01-09T09:00:00Z")


def test_resume_after_a_date_anchored_time_has_passed_follows_past_due(world: World):
    world.publish(journey([trigger("manual"),
                           delay(until={"anchor": "wedding_date", "offset": {"days": -7}}),
                           email("reminder"), email("late"), exit_()],
                          [("start", "wait"), ("wait", "reminder"), ("wait", "late", "past_due"),
                           ("reminder", "end"), ("late", "end")]))
    world.add("c1", wedding_date="2027-02-01")
    world.event("c1", "manual")
    runs(world).pause(VENDOR, world.run().id, actor=PLANNER)
    world.go("2027-01-30T09:00:00Z")
    runs(world).resume(VENDOR, world.run().id, actor=PLANNER)
    assert world.steps()[:2] == [("wait", "past_due", "2027-01-30T09:00:00Z"),
                                 ("late", "sent", "2027-01-30T09:00:00Z")]


def test_a_paused_run_ignores_events(world: World):
    world.publish(journey([trigger("manual"), wait_for(timeout={"days": 30}), email("thanks"),
                           exit_()],
                          [("start", "await"), ("await", "thanks", "event"),
                           ("await", "end", "timeout")]))
    world.add("c1")
    world.event("c1", "manual")
    runs(world).pause(VENDOR, world.run().id, actor=PLANNER)
    world.event("c1", "form_submitted", {"form": "q"})
    runs(world).resume(VENDOR, world.run().id, actor=PLANNER)
    assert world.run().status == RunStatus.WAITING and world.effects() == []


def test_a_paused_needs_date_run_resumes_waiting_for_its_date(world: World):
    world.publish(chain(trigger("manual"), delay(until={"anchor": "wedding_date"}), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    runs(world).pause(VENDOR, world.run().id, actor=PLANNER)
    world.update("c1", wedding_date="2027-06-12")
    assert world.run().status == RunStatus.PAUSED
    runs(world).resume(VENDOR, world.run().id, actor=PLANNER)
    assert world.run().status == RunStatus.WAITING and world.due() == "2027-06-12T09:00:00Z"


def test_an_email_held_by_the_window_resumed_at_night_waits_for_the_next_opening():
    world = World("2027-01-04T20:00:00Z")  # Monday evening
    world.publish(chain(trigger("manual"), email(), exit_(), settings={
        "send_window": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00",
                        "end": "18:00"}}))
    world.add("c1")
    world.event("c1", "manual")
    runs(world).pause(VENDOR, world.run().id, actor=PLANNER)
    world.go("2027-01-05T22:00:00Z")  # paused through Tuesday's opening, resumed at night
    runs(world).resume(VENDOR, world.run().id, actor=PLANNER)
    assert world.due() == "2027-01-06T09:00:00Z" and world.effects() == []


# -- cancel -----------------------------------------------------------------------------------
def test_cancel_ends_the_run_for_good(world: World):
    run_id = waiting_three_days(world)
    cancelled = runs(world).cancel(VENDOR, run_id, actor=PLANNER)
    assert cancelled.status == RunStatus.CANCELLED and world.wakeups() == 0
    world.advance(days=10)
    assert world.effects() == [] and controls(world) == [("cancelled", PLANNER)]


# -- skip -------------------------------------------------------------------------------------
def test_skip_a_delay_moves_on_now(world: World):
    run_id = waiting_three_days(world)
    world.advance(hours=1)
    runs(world).skip(VENDOR, run_id, actor=PLANNER)
    log = [(s.node, s.outcome, s.actor) for s in world.log() if s.type != "trigger"]
    assert log == [("wait", "skipped", PLANNER), ("mail", "sent", "engine"),
                   ("end", "done", "engine")]


def test_skip_a_wait_for_takes_the_timeout_edge(world: World):
    world.publish(journey([trigger("manual"), wait_for(), email("thanks"), email("nudge")],
                          [("start", "await"), ("await", "thanks", "event"),
                           ("await", "nudge", "timeout")]))
    world.add("c1")
    world.event("c1", "manual")
    runs(world).skip(VENDOR, world.run().id, actor=PLANNER)
    assert world.path() == ["start", "await", "nudge"]


def test_skip_an_email_held_by_the_window_does_not_send_it():
    world = World("2027-01-09T12:00:00Z")  # Saturday
    world.publish(chain(trigger("manual"), email("first"), email("second"), settings={
        "send_window": {"days": ["mon"], "start": "09:00", "end": "17:00"}}))
    world.add("c1")
    world.event("c1", "manual")
    runs(world).skip(VENDOR, world.run().id, actor=PLANNER)
    assert world.steps()[0] == ("first", "skipped", "2027-01-09T12:00:00Z")
    assert world.run().node == "second" and world.effects() == []


# -- failures, retry --------------------------------------------------------------------------
def failing(world: World) -> str:
    """A subject that divides by the guest count, for a client with none yet: the step fails."""
    world.publish(chain(trigger("manual"),
                        action(action="create_task", title="Seat {{ 100 // client.fields.tables }}"
                               " per table"),
                        email(), exit_()))
    world.add("c1", fields={"tables": 0})
    world.event("c1", "manual")
    return world.run().id


def test_a_step_that_cannot_be_carried_out_fails_the_run(world: World):
    failing(world)
    run = world.run()
    assert run.status == RunStatus.FAILED and run.node == "act"
    assert "division" in run.error
    assert world.steps() == [("act", "failed", "2027-01-04T09:00:00Z")]


def test_retry_runs_the_failed_step_again(world: World):
    run_id = failing(world)
    world.update("c1", fields={"tables": 10})
    retried = runs(world).retry(VENDOR, run_id, actor=PLANNER)
    assert retried.status == RunStatus.COMPLETED and retried.error is None
    assert [e.kind for e in world.effects()] == ["task", "email"]
    assert world.effects()[0].payload["title"] == "Seat 10 per table"
    assert controls(world) == [("retried", PLANNER)]


def test_skip_a_failed_step(world: World):
    run_id = failing(world)
    runs(world).skip(VENDOR, run_id, actor=PLANNER)
    assert [s[:2] for s in world.steps()] == [("act", "failed"), ("act", "skipped"),
                                              ("mail", "sent"), ("end", "done")]


# -- reschedule -------------------------------------------------------------------------------
def test_reschedule_moves_the_wake_up(world: World):
    run_id = waiting_three_days(world)
    runs(world).reschedule(VENDOR, run_id, at=parse_instant("2027-01-05T15:00:00Z"),
                           actor=PLANNER)
    assert world.due() == "2027-01-05T15:00:00Z"
    [entry] = [s for s in world.log() if s.type == "control"]
    assert (entry.outcome, entry.actor, entry.detail) == ("rescheduled", PLANNER,
                                                           {"to": "2027-01-05T15:00:00Z"})
    world.advance(days=2)
    assert world.steps()[0] == ("wait", "done", "2027-01-05T15:00:00Z")


def test_reschedule_to_the_past_runs_it_now(world: World):
    run_id = waiting_three_days(world)
    runs(world).reschedule(VENDOR, run_id, at=parse_instant("2027-01-01T00:00:00Z"), actor=PLANNER)
    world.engine.run_due()
    assert world.steps()[0] == ("wait", "done", "2027-01-04T09:00:00Z")


def test_a_rescheduled_wait_no_longer_follows_its_date(world: World):
    world.publish(chain(trigger("manual"), delay(until={"anchor": "wedding_date"}), exit_()))
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "manual")
    runs(world).reschedule(VENDOR, world.run().id, at=parse_instant("2027-05-01T09:00:00Z"),
                           actor=PLANNER)
    world.update("c1", wedding_date="2027-07-10")
    assert world.due() == "2027-05-01T09:00:00Z"


def test_reschedule_needs_an_aware_instant(world: World):
    from datetime import datetime
    run_id = waiting_three_days(world)
    with pytest.raises(InvalidInput):
        runs(world).reschedule(VENDOR, run_id, at=datetime(2027, 1, 5, 9), actor=PLANNER)


# -- controls that do not fit -----------------------------------------------------------------
@pytest.mark.parametrize("control", ["resume", "retry"])
def test_controls_that_do_not_fit_a_waiting_run(world: World, control):
    run_id = waiting_three_days(world)
    before = world.log()
    with pytest.raises(Conflict):
        getattr(runs(world), control)(VENDOR, run_id, actor=PLANNER)
    assert world.log() == before and world.run().status == RunStatus.WAITING


@pytest.mark.parametrize("control", ["pause", "resume", "cancel", "skip", "retry"])
def test_controls_on_an_ended_run_are_conflicts(world: World, control):
    run_id = waiting_three_days(world)
    runs(world).cancel(VENDOR, run_id, actor=PLANNER)
    before = world.log()
    with pytest.raises(Conflict):
        getattr(runs(world), control)(VENDOR, run_id, actor=PLANNER)
    assert world.log() == before


def test_pausing_twice_is_a_conflict(world: World):
    run_id = waiting_three_days(world)
    runs(world).pause(VENDOR, run_id, actor=PLANNER)
    with pytest.raises(Conflict):
        runs(world).pause(VENDOR, run_id, actor=PLANNER)


def test_rescheduling_a_paused_run_is_a_conflict(world: World):
    run_id = waiting_three_days(world)
    runs(world).pause(VENDOR, run_id, actor=PLANNER)
    with pytest.raises(Conflict):
        runs(world).reschedule(VENDOR, run_id, at=parse_instant("2027-02-01T00:00:00Z"),
                               actor=PLANNER)


@pytest.mark.parametrize("control", ["pause", "resume", "cancel", "skip", "retry"])
def test_controls_on_an_unknown_run_are_not_found(world: World, control):
    with pytest.raises(NotFound):
        getattr(runs(world), control)(VENDOR, "run_nope", actor=PLANNER)


def test_another_vendors_run_is_not_found(world: World):
    run_id = waiting_three_days(world)
    world.engine.create_vendor("Other", vendor_id="v2")
    with pytest.raises(NotFound):
        runs(world).cancel("v2", run_id, actor=PLANNER)
    assert world.run().status == RunStatus.WAITING
