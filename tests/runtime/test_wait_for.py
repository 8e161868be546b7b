"""wait_for: the event edge when the awaited event comes, the timeout edge when it does not."""
from __future__ import annotations

from engine.domain import RunStatus

from .helpers import World, condition, email, exit_, journey, trigger, wait_for


def waiting(timeout: dict | None = None, **config) -> dict:
    return journey(
        [trigger("manual"), wait_for(timeout=timeout or {"days": 7}, **config),
         email("thanks", subject="Thanks {{ event.form }}"), email("nudge", subject="Reminder"),
         exit_()],
        [("start", "await"), ("await", "thanks", "event"), ("await", "nudge", "timeout"),
         ("thanks", "end"), ("nudge", "end")])


def test_the_event_takes_the_event_edge(world: World):
    world.publish(waiting())
    world.add("c1")
    world.event("c1", "manual")
    world.advance(days=2)
    world.event("c1", "form_submitted", {"form": "questionnaire", "answers": {"guests": 90}})
    assert world.steps() == [("await", "event", "2027-01-06T09:00:00Z"),
                             ("thanks", "sent", "2027-01-06T09:00:00Z"),
                             ("end", "done", "2027-01-06T09:00:00Z")]
    assert world.effects("email")[0].payload["subject"] == "Thanks questionnaire"


def test_no_event_takes_the_timeout_edge_at_the_timeout(world: World):
    world.publish(waiting({"days": 7}))
    world.add("c1")
    world.event("c1", "manual")
    world.go("2027-01-11T08:59:59Z")
    assert world.run().status == RunStatus.WAITING
    world.go("2027-01-20T00:00:00Z")
    assert world.steps() == [("await", "timeout", "2027-01-11T09:00:00Z"),
                             ("nudge", "sent", "2027-01-11T09:00:00Z"),
                             ("end", "done", "2027-01-11T09:00:00Z")]


def test_an_event_after_the_timeout_changes_nothing(world: World):
    world.publish(waiting({"hours": 1}))
    world.add("c1")
    world.event("c1", "manual")
    world.advance(hours=2)
    world.event("c1", "form_submitted", {"form": "questionnaire"})
    assert [s[:2] for s in world.steps()] == [("await", "timeout"), ("nudge", "sent"),
                                              ("end", "done")]


def test_match_ignores_other_events_of_the_same_type(world: World):
    world.publish(waiting(match={"all": [{"field": "event.form", "op": "eq",
                                          "value": "questionnaire"}]}))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "form_submitted", {"form": "contract"})
    assert world.run().status == RunStatus.WAITING
    world.event("c1", "form_submitted", {"form": "questionnaire"})
    assert world.steps()[0][:2] == ("await", "event")


def test_an_event_of_another_type_is_ignored(world: World):
    world.publish(waiting())
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "payment_received", {"amount": 100})
    assert world.run().status == RunStatus.WAITING and world.steps() == []


def test_an_event_for_another_client_is_ignored(world: World):
    world.publish(waiting())
    world.add("c1")
    world.add("c2")
    world.event("c1", "manual")
    world.event("c2", "form_submitted", {"form": "questionnaire"})
    assert world.run("c1").status == RunStatus.WAITING


def test_the_resuming_event_is_what_later_conditions_see(world: World):
    world.publish(journey(
        [trigger("manual"), wait_for(event="payment_received"),
         condition(all=[{"field": "event.kind", "op": "eq", "value": "final"}]),
         email("paid"), exit_("other"), exit_("timeout")],
        [("start", "await"), ("await", "check", "event"), ("await", "timeout", "timeout"),
         ("check", "paid", "true"), ("check", "other", "false")]))
    world.add("c1")
    world.event("c1", "manual", {"kind": "ignored"})
    world.event("c1", "payment_received", {"kind": "final", "amount": 2000})
    assert world.path() == ["start", "await", "check", "paid"]


def test_form_answers_are_kept_on_the_client_for_conditions(world: World):
    world.publish(journey(
        [trigger("manual"), wait_for(event="form_submitted"),
         condition(all=[{"field": "form.questionnaire.guests", "op": "gte", "value": 150}]),
         email("big"), email("small"), exit_()],
        [("start", "await"), ("await", "check", "event"), ("await", "end", "timeout"),
         ("check", "big", "true"), ("check", "small", "false")]))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "form_submitted", {"form": "questionnaire", "answers": {"guests": 180}})
    assert world.path() == ["start", "await", "check", "big"]
    assert world.client().form_answers == {"questionnaire": {"guests": 180}}


def test_a_timeout_time_anchored_on_the_wedding(world: World):
    world.publish(waiting({"anchor": "wedding_date", "offset": {"days": -14}, "at": "12:00"}))
    world.add("c1", wedding_date="2027-06-12", timezone="Europe/Paris")
    world.event("c1", "manual")
    assert world.due() == "2027-05-29T10:00:00Z"  # 12:00 CEST
    world.go("2027-06-01T00:00:00Z")
    assert world.steps()[0] == ("await", "timeout", "2027-05-29T10:00:00Z")


def test_a_timeout_time_already_past_takes_the_timeout_edge_at_once():
    world = World("2027-06-02T09:00:00Z")  # booked ten days before the wedding
    world.publish(waiting({"anchor": "wedding_date", "offset": {"days": -14}}))
    world.add("c1", wedding_date="2027-06-12")
    world.event("c1", "manual")
    assert world.steps()[:2] == [("await", "timeout", "2027-06-02T09:00:00Z"),
                                 ("nudge", "sent", "2027-06-02T09:00:00Z")]


def test_a_timeout_on_a_missing_date_still_listens_for_the_event(world: World):
    world.publish(waiting({"anchor": "wedding_date", "offset": {"days": -14}}))
    world.add("c1")  # no wedding date yet
    world.event("c1", "manual")
    assert world.run().status == RunStatus.NEEDS_DATE
    world.event("c1", "form_submitted", {"form": "questionnaire"})
    assert world.steps()[0] == ("await", "event", "2027-01-04T09:00:00Z")
    assert world.run().status == RunStatus.COMPLETED


def test_a_timeout_on_a_missing_date_is_timed_once_the_date_is_set(world: World):
    world.publish(waiting({"anchor": "wedding_date", "offset": {"days": -14}}))
    world.add("c1")
    world.event("c1", "manual")
    world.update("c1", wedding_date="2027-06-12")
    run = world.run()
    assert run.status == RunStatus.WAITING and world.due() == "2027-05-29T09:00:00Z"
    world.event("c1", "form_submitted", {"form": "questionnaire"})
    assert world.steps()[0][:2] == ("await", "event")
