"""Events that arrive while a run is held by a send window or an approval are not lost on a
wait_for that comes right after the hold: a couple who paid while the invoice email waited for
Monday is not chased for the payment."""
from __future__ import annotations

from .helpers import VENDOR, World, email, exit_, journey, trigger, wait_for

WEEKDAYS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "18:00"}


def invoice_then_wait(approval: bool = False, match: dict | None = None) -> dict:
    config = {"requires_approval": True} if approval else {}
    return journey(
        [trigger("manual"), email("invoice", subject="Your invoice", **config),
         wait_for(event="payment_received", timeout={"days": 7}, match=match),
         email("thanks", subject="Thank you"), email("chase", subject="A gentle reminder"),
         exit_()],
        [("start", "invoice"), ("invoice", "await"), ("await", "thanks", "event"),
         ("await", "chase", "timeout"), ("thanks", "end"), ("chase", "end")],
        settings={"send_window": WEEKDAYS})


def test_a_payment_during_the_window_hold_is_taken_by_the_wait_after_it():
    world = World("2027-01-09T12:00:00Z")  # Saturday: the invoice waits for Monday 09:00
    world.publish(invoice_then_wait())
    world.add("c1")
    world.event("c1", "manual")
    assert world.due() == "2027-01-11T09:00:00Z"
    world.advance(hours=3)
    world.event("c1", "payment_received", {"amount": 1200})
    world.go("2027-01-20T00:00:00Z")
    assert world.path() == ["start", "invoice", "await", "thanks", "end"]
    assert world.steps()[1] == ("await", "event", "2027-01-11T09:00:00Z")
    assert [e.payload["subject"] for e in world.effects("email")] == ["Your invoice",
                                                                      "Thank you"]
    assert world.run().event == {"amount": 1200}


def test_a_payment_during_an_approval_is_taken_after_approval():
    world = World("2027-01-04T10:00:00Z")  # Monday: open window
    world.publish(invoice_then_wait(approval=True))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "payment_received", {"amount": 500})
    [approval] = world.engine.runs.approvals(VENDOR)
    world.engine.runs.decide(VENDOR, approval.id, decision="approved", actor="vendor")
    assert world.path() == ["start", "invoice", "await", "thanks", "end"]


def test_a_payment_during_an_approval_survives_a_window_hold_after_it():
    world = World("2027-01-08T17:00:00Z")  # Friday 17:00
    world.publish(invoice_then_wait(approval=True))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "payment_received", {"amount": 500})
    world.advance(hours=2)  # approved after hours: the invoice waits for Monday
    [approval] = world.engine.runs.approvals(VENDOR)
    world.engine.runs.decide(VENDOR, approval.id, decision="approved", actor="vendor")
    assert world.due() == "2027-01-11T09:00:00Z"
    world.go("2027-01-12T00:00:00Z")
    assert world.path() == ["start", "invoice", "await", "thanks", "end"]


def test_an_event_that_does_not_match_is_not_taken():
    world = World("2027-01-09T12:00:00Z")
    world.publish(invoice_then_wait(match={"all": [{"field": "event.amount", "op": "gte",
                                                    "value": 1000}]}))
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "payment_received", {"amount": 100})  # a deposit, not the balance
    world.go("2027-01-20T00:00:00Z")
    assert world.path() == ["start", "invoice", "await", "chase", "end"]


def test_an_event_before_the_hold_is_not_taken():
    world = World("2027-01-09T12:00:00Z")
    world.publish(invoice_then_wait())
    world.add("c1")
    world.event("c1", "payment_received", {"amount": 1200})  # before the journey started
    world.event("c1", "manual")
    world.go("2027-01-20T00:00:00Z")
    assert world.path() == ["start", "invoice", "await", "chase", "end"]
