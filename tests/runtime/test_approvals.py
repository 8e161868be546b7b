"""Emails that need approval: held for the vendor, approved (maybe edited), rejected, or timed out."""
from __future__ import annotations

import pytest

from engine.domain import RunStatus
from engine.errors import Conflict, InvalidInput, NotFound

from .helpers import VENDOR, World, chain, email, exit_, trigger


def held(approval: dict | None = None, settings: dict | None = None) -> dict:
    config = {"requires_approval": True}
    if approval is not None:
        config["approval"] = approval
    return chain(trigger("manual"), email(subject="Welcome {{ client.first_name }}", **config),
                 exit_(), settings=settings)


def start(world: World, document: dict) -> None:
    world.publish(document)
    world.add("c1")
    world.event("c1", "manual")


def pending(world: World):
    [approval] = world.engine.runs.approvals(VENDOR)
    return approval


def decide(world: World, decision: str, **kw):
    return world.engine.runs.decide(VENDOR, pending(world).id, decision=decision,
                                    actor="maria@lens.example", **kw)


def test_an_email_needing_approval_is_held_not_sent(world: World):
    start(world, held())
    approval = pending(world)
    assert approval.email["subject"] == "Welcome Ana" and approval.node == "mail"
    assert approval.status == "pending"
    assert world.effects() == [] and world.run().status == RunStatus.WAITING


def test_approving_sends_it(world: World):
    start(world, held())
    world.advance(hours=3)
    result = decide(world, "approved")
    assert result.status == "approved" and result.decided_by == "maria@lens.example"
    assert world.sent() == [("email", "Welcome Ana", "2027-01-04T12:00:00Z")]
    assert world.steps() == [("mail", "sent", "2027-01-04T12:00:00Z"),
                             ("end", "done", "2027-01-04T12:00:00Z")]


def test_approving_with_edits_sends_the_edited_email(world: World):
    start(world, held())
    decide(world, "approved", edits={"subject": "Welcome, Ana & Ben!", "text": "Line one\nTwo"})
    [mail] = world.effects()
    assert mail.payload["subject"] == "Welcome, Ana & Ben!"
    assert mail.payload["text"] == "Line one\nTwo"
    assert mail.payload["html"] == "Line one<br>\nTwo"


def test_rejecting_skips_the_email_and_carries_on(world: World):
    start(world, held())
    decide(world, "rejected")
    assert world.effects() == []
    assert world.steps()[0] == ("mail", "skipped", "2027-01-04T09:00:00Z")
    assert world.run().status == RunStatus.COMPLETED


def test_timeout_with_send_sends_it_at_the_deadline(world: World):
    start(world, held({"timeout": {"hours": 24}, "on_timeout": "send"}))
    world.go("2027-01-10T00:00:00Z")
    assert world.sent() == [("email", "Welcome Ana", "2027-01-05T09:00:00Z")]
    assert world.engine.runs.approvals(VENDOR, status=None)[0].status == "expired"


def test_timeout_with_skip_skips_it_at_the_deadline(world: World):
    start(world, held({"timeout": {"days": 1, "hours": 12}, "on_timeout": "skip"}))
    world.go("2027-01-10T00:00:00Z")
    assert world.effects() == []
    assert world.steps()[0] == ("mail", "skipped", "2027-01-05T21:00:00Z")


def test_without_a_timeout_it_waits_for_the_vendor(world: World):
    start(world, held())
    world.advance(days=60)
    assert world.run().status == RunStatus.WAITING and world.effects() == []


def test_an_approved_email_outside_the_send_window_waits_for_it():
    world = World("2027-01-08T17:00:00Z")  # Friday afternoon
    start(world, held(settings={"send_window": {"days": ["mon", "tue", "wed", "thu", "fri"],
                                                "start": "09:00", "end": "18:00"}}))
    world.advance(hours=3)  # approved on Friday evening
    decide(world, "approved", edits={"subject": "Edited"})
    assert world.effects() == [] and world.due() == "2027-01-11T09:00:00Z"
    world.go("2027-01-12T00:00:00Z")
    assert world.sent() == [("email", "Edited", "2027-01-11T09:00:00Z")]


def test_a_decision_is_final(world: World):
    start(world, held())
    approval_id = pending(world).id
    decide(world, "approved")
    with pytest.raises(Conflict):
        world.engine.runs.decide(VENDOR, approval_id, decision="rejected", actor="x")
    assert len(world.effects()) == 1


def test_deciding_an_unknown_approval_is_not_found(world: World):
    with pytest.raises(NotFound):
        world.engine.runs.decide(VENDOR, "nope", decision="approved", actor="x")


def test_a_decision_must_be_approved_or_rejected(world: World):
    start(world, held())
    with pytest.raises(InvalidInput):
        decide(world, "maybe")


def test_cancelling_the_run_withdraws_the_approval(world: World):
    start(world, held())
    approval_id = pending(world).id
    world.engine.runs.cancel(VENDOR, world.run().id, actor="maria")
    assert world.engine.runs.approvals(VENDOR) == []
    with pytest.raises(Conflict):
        world.engine.runs.decide(VENDOR, approval_id, decision="approved", actor="x")
    assert world.effects() == []


@pytest.mark.parametrize("on_timeout, outcome", [("send", "sent"), ("skip", "skipped")])
def test_a_zero_timeout_leaves_no_time_to_approve(world: World, on_timeout, outcome):
    start(world, held({"timeout": {"minutes": 0}, "on_timeout": on_timeout}))
    assert world.steps()[0] == ("mail", outcome, "2027-01-04T09:00:00Z")
    assert world.engine.runs.approvals(VENDOR, status=None) == []


def test_timeout_without_on_timeout_skips(world: World):
    start(world, held({"timeout": {"hours": 2}}))
    world.advance(hours=3)
    assert world.steps()[0] == ("mail", "skipped", "2027-01-04T11:00:00Z")
    assert world.effects() == []
