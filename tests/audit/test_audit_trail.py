"""The audit trail: effect attempts in their own table, a client's timeline, a journey's history.
Driven the way it happens: journeys edited through the service, events through signed hooks and
the public form page (real HTTP), emails through the dispatcher."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from engine.audit import AuditService, audit_records
from engine.audit.changes import draft_diff
from engine.effects import Delivery, Dispatcher, RetryPolicies, RetryPolicy
from engine.effects.audit import history
from engine.effects.signing import sign
from engine.errors import EffectError, NotFound
from forms.world import FIRST_LOOK_JOURNEY, SECRET, World, add_client, publish

TIMELINE_ANSWERS = {"getting_ready_location": "Home", "ceremony_start": "2pm",
                    "first_look": "yes"}


class FlakyMail:
    """Refuses the first `failures` sends (to `only`, if given) with a retryable error."""

    def __init__(self, failures: int, only: str | None = None):
        self.failures, self.only = failures, only

    def destination(self, effect) -> str:
        return "smtp://relay.example:587"

    def send(self, effect) -> Delivery:
        if self.failures and self.only in (None, effect.payload.get("to")):
            self.failures -= 1
            raise EffectError("421 try again later", retryable=True)
        return Delivery("sent", {"message_id": f"<{effect.key}@x>"})

    def close(self) -> None:
        pass


def flaky_dispatcher(world: World, failures: int, only: str | None = None) -> Dispatcher:
    sender = FlakyMail(failures, only)
    return Dispatcher(world.store, world.clock, {"email": sender, "form": sender},
                      RetryPolicies.seeded(5, email=RetryPolicy(max_attempts=2,
                                                                base=timedelta(seconds=10),
                                                                cap=timedelta(seconds=10)),
                                           form=RetryPolicy(max_attempts=5,
                                                            base=timedelta(seconds=10),
                                                            cap=timedelta(seconds=10))))


def test_effect_attempts_are_rows_with_who_and_what(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    d = flaky_dispatcher(world, failures=1)
    d.run_once()
    world.clock.advance(seconds=11)
    d.run_once()
    with world.store.transaction() as tx:
        [effect] = tx.list_effects(world.vendor_id)
    assert effect.status == "sent" and "_attempts" not in effect.payload
    rows = AuditService(world.engine).effect_attempts(world.vendor_id, effect.id)
    assert [(a.outcome, a.attempt, a.retryable, a.actor) for a in rows] == [
        ("retry", 1, True, "dispatcher"), ("sent", 2, None, "dispatcher")]
    assert rows[0].error == "421 try again later"
    assert rows[0].destination == "smtp://relay.example:587" and rows[0].kind == "form"
    assert rows[0].client_id == sam.id and rows[0].run_id == effect.run_id
    assert "retry_at" in rows[0].detail and rows[1].detail["message_id"].startswith("<")
    assert rows[1].at - rows[0].at == timedelta(seconds=11)
    assert [h["outcome"] for h in history(effect, world.store)] == ["retry", "sent"]
    with pytest.raises(NotFound):
        AuditService(world.engine).effect_attempts("ven_other", effect.id)


def test_dead_letter_decisions_are_recorded_with_the_person(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    add_client(world, "Sam Rivers", "sam@example.com")
    d = Dispatcher(world.store, world.clock, {}, RetryPolicies.seeded(1))  # no sender: dead
    d.run_once()
    with world.store.transaction() as tx:
        [effect] = tx.list_effects(world.vendor_id)
    d.replay(effect.id, actor="ana@lumen")
    d.discard(effect.id, actor="ben@lumen")
    rows = AuditService(world.engine).effect_attempts(world.vendor_id, effect.id)
    assert [(a.outcome, a.actor) for a in rows] == [
        ("dead", "dispatcher"), ("replayed", "ana@lumen"), ("discarded", "ben@lumen")]
    assert rows[1].detail == {"previous": "dead"}


def test_attempts_roll_back_with_their_transaction(world: World):
    from engine.audit import EffectAttempt

    with pytest.raises(RuntimeError):
        with world.store.transaction() as tx:
            audit_records(tx).add_attempt(EffectAttempt(
                effect_id="eff_x", at=world.clock.now(), outcome="sent",
                vendor_id=world.vendor_id, client_id="cli_x", kind="email"))
            raise RuntimeError("boom")
    with world.store.transaction() as tx:
        assert audit_records(tx).attempts_for_effects(["eff_x"]) == {"eff_x": []}


def test_a_clients_timeline_tells_the_whole_story_in_order(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    w = world
    sam = add_client(w, "Sam Rivers", "sam@example.com", external_id="crm-7")
    add_client(w, "Someone Else", "else@example.com")
    w.clock.advance(minutes=1)
    flaky_dispatcher(w, failures=1, only="sam@example.com").run_once()  # fails once
    w.clock.advance(minutes=1)
    flaky_dispatcher(w, failures=0).run_once()  # ... then goes
    run = w.run_of(sam.id)
    w.clock.advance(minutes=1)
    w.engine.runs.pause(w.vendor_id, run.id, actor="ana@lumen")
    w.clock.advance(minutes=1)
    w.engine.runs.resume(w.vendor_id, run.id, actor="ana@lumen")
    w.clock.advance(minutes=1)
    body = json.dumps({"client": "crm-7", "type": "custom:call_booked"}).encode()
    hook = w.http.post(f"/api/v1/hooks/{w.vendor_id}/events", content=body, headers={
        "X-Journeys-Signature": sign(SECRET, body, w.clock.now()),
        "Content-Type": "application/json"})
    assert hook.status_code == 200
    w.clock.advance(minutes=1)
    with w.store.transaction() as tx:  # the form email went through the flaky relay
        token = next(e.payload["token"] for e in tx.list_effects(w.vendor_id)
                     if e.kind == "form" and e.client_id == sam.id)
    assert w.http.post(f"/f/{token}", data=TIMELINE_ANSWERS).status_code == 200
    w.clock.advance(minutes=1)
    w.deliver()

    timeline = AuditService(w.engine).client_timeline(w.vendor_id, sam.id)
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert all(e.client_id == sam.id for e in timeline)
    story = [(e.kind, e.outcome or e.type, e.actor) for e in timeline]
    assert story == [
        ("event", "client_added", None),
        ("run_started", None, "engine"),
        ("step", "done", "engine"),            # trigger
        ("step", "sent", "engine"),            # the form node
        ("effect_attempt", "retry", "dispatcher"),
        ("effect_attempt", "sent", "dispatcher"),
        ("control", "paused", "ana@lumen"),
        ("control", "resumed", "ana@lumen"),
        ("event", "custom:call_booked", None),
        ("event", "form_submitted", "client"),
        ("step", "event", "engine"),           # wait_for resumed by the form
        ("step", "done", "engine"),            # condition
        ("step", "sent", "engine"),            # first_look email
        ("run_ended", "completed", "engine"),
        ("effect_attempt", "captured", "dispatcher"),
    ]
    summaries = [e.summary for e in timeline]
    assert "Started “Timeline questionnaire” (version 1)" in summaries
    assert "Run paused by ana@lumen" in summaries
    assert "Form email failed, will retry (attempt 1): 421 try again later" in summaries
    assert "Form “timeline_questionnaire” answered" in summaries
    assert timeline[1].journey_name == "Timeline questionnaire" and timeline[1].version == 1

    only = AuditService(w.engine).client_timeline(w.vendor_id, sam.id,
                                                  kinds=["control", "effect_attempt"])
    assert [e.kind for e in only] == ["effect_attempt"] * 2 + ["control"] * 2 + [
        "effect_attempt"]
    later = AuditService(w.engine).client_timeline(w.vendor_id, sam.id,
                                                   since=timeline[8].at)
    assert later[0].type == "custom:call_booked"
    with pytest.raises(NotFound):
        AuditService(w.engine).client_timeline("ven_other", sam.id)


def test_a_journeys_history_says_who_changed_what_and_published_which_version(world: World):
    w = world
    journeys = w.engine.journeys
    doc = copy.deepcopy(FIRST_LOOK_JOURNEY)
    journey = journeys.create(w.vendor_id, doc, actor="ana@lumen")
    w.clock.advance(minutes=5)
    doc["nodes"][4]["config"]["subject"] = "Your first look"
    doc["nodes"].append({"id": "extra", "type": "exit"})
    doc["edges"].append({"from": "first_look", "to": "extra"})
    journeys.update_draft(w.vendor_id, journey.id, doc, actor="ben@lumen")
    w.clock.advance(minutes=5)
    journeys.publish(w.vendor_id, journey.id, actor="ana@lumen")
    w.clock.advance(days=1)
    doc["name"] = "Timeline (v2)"
    journeys.update_draft(w.vendor_id, journey.id, doc, actor="ana@lumen")
    journeys.publish(w.vendor_id, journey.id, actor="ben@lumen")
    w.clock.advance(hours=1)
    journeys.unpublish(w.vendor_id, journey.id, actor="ana@lumen")
    add_client(w, "Sam Rivers", "sam@example.com")  # not enrolled: unpublished
    journeys.delete(w.vendor_id, journey.id, actor="ana@lumen")  # no runs: deleted

    history_ = AuditService(w.engine).journey_history(w.vendor_id, journey.id)
    assert [(h.kind, h.actor, h.version) for h in history_] == [
        ("created", "ana@lumen", None), ("draft_saved", "ben@lumen", None),
        ("published", "ana@lumen", 1), ("draft_saved", "ana@lumen", None),
        ("published", "ben@lumen", 2), ("unpublished", "ana@lumen", 2),
        ("deleted", "ana@lumen", None)]
    edit = history_[1]
    assert edit.detail == {"nodes_added": ["extra"], "nodes_changed": ["first_look"],
                           "edges_added": 1}
    assert edit.summary == "Draft saved: added extra; changed first_look; rewired"
    assert history_[3].summary == "Draft saved: name changed"
    assert history_[2].summary == "Published version 1" and history_[4].name == "Timeline (v2)"
    with pytest.raises(NotFound):
        AuditService(w.engine).journey_history("ven_other", journey.id)


def test_history_of_a_journey_with_runs_includes_them_and_older_versions(world: World):
    w = world
    journey_id = publish(w, FIRST_LOOK_JOURNEY)
    add_client(w, "Sam Rivers", "sam@example.com")
    run = w.run_of(w.engine.clients.list(w.vendor_id)[0].id)
    w.engine.runs.cancel(w.vendor_id, run.id, actor="ana@lumen")
    w.engine.journeys.delete(w.vendor_id, journey_id, actor="ana@lumen")  # runs: archived
    # A version published before changes were recorded still shows.
    with w.store.transaction() as tx:
        from engine.domain import JourneyVersion
        tx.add_version(JourneyVersion(journey_id=journey_id, version=9,
                                      document=FIRST_LOOK_JOURNEY,
                                      published_at=w.clock.now() - timedelta(days=400),
                                      published_by="old@lumen"))
    entries = AuditService(w.engine).journey_history(w.vendor_id, journey_id,
                                                     include_runs=True)
    kinds = [(e.kind, e.actor) for e in entries]
    assert kinds[0] == ("published", "old@lumen") and entries[0].version == 9
    assert ("archived", "ana@lumen") in kinds and ("control", "ana@lumen") in kinds
    control = next(e for e in entries if e.kind == "control")
    assert control.outcome == "cancelled" and control.run_id == run.id


def test_draft_diff_spots_moves_and_no_ops():
    doc = copy.deepcopy(FIRST_LOOK_JOURNEY)
    moved = copy.deepcopy(doc)
    moved["nodes"][0]["position"] = {"x": 10, "y": 20}
    assert draft_diff(doc, doc) == {"unchanged": True}
    assert draft_diff(doc, moved) == {"nodes_moved": ["start"]}
    assert draft_diff(None, doc)["nodes_added"][0] == "ask"
