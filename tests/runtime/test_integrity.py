"""Exactly once: idempotent events, unique (run, node, visit) steps and effects, and errors
that write nothing."""
from __future__ import annotations

import copy

import pytest

from engine.domain import RunStatus
from engine.errors import DuplicateStep, InvalidDocument, InvalidInput, NotFound
from engine.runtime import causes as c
from engine.runtime.walker import walk

from .helpers import VENDOR, World, chain, delay, email, exit_, journey, trigger


def welcome() -> dict:
    return chain(trigger("payment_received"), email(), exit_())


# -- idempotent events ------------------------------------------------------------------------
def test_the_same_key_twice_has_one_effect_and_returns_the_first_answer(world: World):
    world.publish(welcome())
    world.add("c1")
    first = world.event("c1", "payment_received", {"amount": 500}, key="stripe-evt-1")
    second = world.event("c1", "payment_received", {"amount": 500}, key="stripe-evt-1")
    assert second == first and len(first["started"]) == 1
    assert len(world.effects()) == 1 and len(world.runs("c1")) == 1


def test_a_replayed_key_with_other_data_still_gets_the_first_answer(world: World):
    world.publish(chain(trigger("payment_received"), email(), exit_(),
                        settings={"reentry": "after_exit"}))
    world.add("c1")
    first = world.event("c1", "payment_received", {"amount": 500}, key="k1")
    assert world.event("c1", "payment_received", {"amount": 900}, key="k1") == first
    assert len(world.effects()) == 1


def test_different_keys_are_different_events(world: World):
    world.publish(chain(trigger("payment_received"), email(), exit_(),
                        settings={"reentry": "after_exit"}))
    world.add("c1")
    world.event("c1", "payment_received", key="k1")
    world.event("c1", "payment_received", key="k2")
    assert len(world.effects()) == 2


def test_keys_belong_to_one_vendor(world: World):
    world.publish(welcome())
    world.add("c1")
    world.engine.create_vendor("Other", vendor_id="v2")
    world.engine.clients.add("v2", {"id": "c1", "name": "Cy", "email": "cy@example.com"})
    world.event("c1", "payment_received", key="k1")
    answer = world.engine.events.ingest("v2", client="c1", type="payment_received", key="k1")
    assert answer["client_id"] != world.cid("c1")


def test_an_event_for_an_unknown_client_is_not_found_and_not_kept(world: World):
    world.publish(welcome())
    with pytest.raises(NotFound):
        world.event("nobody", "payment_received", key="k1")
    world.add("nobody")
    answer = world.event("nobody", "payment_received", key="k1")  # the key was not burned
    assert len(answer["started"]) == 1


def test_an_event_for_an_unknown_vendor_is_not_found(world: World):
    with pytest.raises(NotFound):
        world.engine.events.ingest("v9", client="c1", type="manual")


def test_an_unknown_event_type_is_invalid(world: World):
    world.add("c1")
    with pytest.raises(InvalidInput):
        world.event("c1", "payment_recieved")


def test_events_address_clients_by_their_own_id_too(world: World):
    world.publish(welcome())
    client = world.add("c1")
    world.engine.events.ingest(VENDOR, client=client.id, type="payment_received")
    assert len(world.runs("c1")) == 1


# -- unknown ids ------------------------------------------------------------------------------
def test_unknown_ids_are_not_found_and_write_nothing(world: World):
    engine = world.engine
    calls = [
        lambda: engine.journeys.publish(VENDOR, "jny_nope"),
        lambda: engine.journeys.get(VENDOR, "jny_nope"),
        lambda: engine.journeys.update_draft(VENDOR, "jny_nope", welcome()),
        lambda: engine.journeys.preview_migration(VENDOR, "jny_nope", to_version=1, mapping={}),
        lambda: engine.journeys.version(VENDOR, "jny_nope", 1),
        lambda: engine.clients.update(VENDOR, "cli_nope", {"wedding_date": "2027-06-12"}),
        lambda: engine.clients.delete(VENDOR, "cli_nope"),
        lambda: engine.runs.timeline(VENDOR, "run_nope"),
        lambda: engine.journeys.create("v9", welcome()),
        lambda: engine.clients.add("v9", {"name": "A", "email": "a@example.com"}),
    ]
    for call in calls:
        with pytest.raises(NotFound) as error:
            call()
        assert isinstance(error.value, LookupError)
    with world.store.transaction() as tx:
        assert tx.list_journeys(VENDOR) == [] and tx.list_clients(VENDOR) == []
        assert tx.list_events(VENDOR) == []


def test_another_vendors_journey_is_not_found(world: World):
    jid = world.publish(welcome())
    world.engine.create_vendor("Other", vendor_id="v2")
    with pytest.raises(NotFound):
        world.engine.journeys.publish("v2", jid)


# -- invalid drafts ---------------------------------------------------------------------------
def test_publishing_an_invalid_draft_names_the_problems_and_writes_nothing(world: World):
    broken = journey([trigger("manual"), email(), {"id": "lost", "type": "exit"}],
                     [("start", "mail"), ("mail", "ghost")])
    jid = world.engine.journeys.create(VENDOR, broken).id
    with pytest.raises(InvalidDocument) as error:
        world.engine.journeys.publish(VENDOR, jid)
    problems = {(p.code, p.node) for p in error.value.problems if p.severity == "error"}
    assert problems == {("UNREACHABLE_NODE", "lost"), ("UNKNOWN_EDGE_NODE", "mail")}
    assert "ghost" in error.value.message and "lost" in error.value.message
    journey_now = world.engine.journeys.get(VENDOR, jid)
    assert journey_now.live_version is None and journey_now.latest_version == 0
    assert world.engine.journeys.versions(VENDOR, jid) == []


def test_a_journey_document_must_be_an_object(world: World):
    with pytest.raises(InvalidInput):
        world.engine.journeys.create(VENDOR, ["not", "a", "document"])


# -- one step and one effect per (run, node, visit) -------------------------------------------
def test_the_step_log_refuses_a_second_write_of_the_same_step(world: World):
    world.publish(chain(trigger("manual"), delay(duration={"days": 1}), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    world.advance(days=1)
    rt = world.engine.runtime
    with world.store.transaction() as tx:
        run = copy.deepcopy(world.run())
        run.status, run.node, run.visit = RunStatus.WAITING, "wait", 1
        run.wait = {"kind": "delay", "due": "2027-01-05T09:00:00Z"}
        client = tx.get_client(run.client_id)
        vendor = rt.vendor(tx, VENDOR)
        ctx = rt.context(rt.compiled_for(tx, run.journey_id, 1, vendor), client.clone(), vendor,
                         world.clock.now())
        decision = walk(ctx, run, c.Wake())  # the same wake-up, decided a second time
    with pytest.raises(DuplicateStep):
        with world.store.transaction() as tx:
            rt.apply(tx, decision, client, world.clock.now())
    assert len(world.effects()) == 1 and world.run().status == RunStatus.COMPLETED


def test_a_stale_wake_up_delivered_again_does_nothing(world: World):
    world.publish(chain(trigger("manual"), delay(duration={"days": 1}), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    with world.store.transaction() as tx:
        stale = copy.copy(tx.get_run_wakeup(world.run().id))
    world.advance(days=1)
    with world.store.transaction() as tx:
        world.engine.runtime._process(tx, stale)
    assert len(world.effects()) == 1 and len(world.steps()) == 3


def test_the_outbox_takes_one_effect_per_key(world: World):
    world.publish(chain(trigger("manual"), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    [effect] = world.effects()
    duplicate = copy.copy(effect)
    duplicate.id = "eff_again"
    with world.store.transaction() as tx:
        assert tx.add_effect(duplicate) is False
    assert len(world.effects()) == 1


def test_a_looping_run_logs_each_visit_once(world: World):
    world.publish(journey([trigger("manual"), delay("daily", duration={"days": 1}), email()],
                          [("start", "daily"), ("daily", "mail"), ("mail", "daily")]))
    world.add("c1")
    world.event("c1", "manual")
    world.advance(days=5)
    keys = [s.key for s in world.log()]
    assert len(keys) == len(set(keys)) == 11  # start + 5 x (daily, mail)
    effect_keys = [e.key for e in world.effects()]
    assert len(set(effect_keys)) == 5
    assert effect_keys[-1] == f"{world.run().id}:mail:5"


def test_timeline_is_in_step_order(world: World):
    world.publish(chain(trigger("manual"), email("one"), email("two"), email("three"), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    log = world.log()
    assert [s.seq for s in log] == [1, 2, 3, 4, 5]
    assert [s.node for s in log] == ["start", "one", "two", "three", "end"]


# -- one transaction --------------------------------------------------------------------------
def test_a_step_that_breaks_half_way_leaves_nothing_behind(world: World):
    world.publish(chain(trigger("manual"), email(requires_approval=True), email("second"),
                        exit_()))
    world.add("c1")
    world.event("c1", "manual")
    [approval] = world.engine.runs.approvals(VENDOR)
    before = (world.run(), world.log())

    def crash(step, client):
        if step.node == "second":
            raise RuntimeError("the database went away")
    world.engine.runtime.step_hooks.append(crash)
    with pytest.raises(RuntimeError):
        world.engine.runs.decide(VENDOR, approval.id, decision="approved", actor="maria")
    assert (world.run(), world.log()) == before
    assert world.effects() == []
    assert world.engine.runs.approvals(VENDOR)[0].status == "pending"
    world.engine.runtime.step_hooks.remove(crash)
    world.engine.runs.decide(VENDOR, approval.id, decision="approved", actor="maria")
    assert len(world.effects()) == 2


def test_deleting_a_client_cancels_its_runs_with_a_log_line(world: World):
    world.publish(chain(trigger("manual"), email(requires_approval=True), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    run_id = world.run().id
    world.engine.clients.delete(VENDOR, world.cid("c1"), actor="maria")
    assert world.engine.runs.get(VENDOR, run_id).status == RunStatus.CANCELLED
    last = world.engine.runs.timeline(VENDOR, run_id)[-1]
    assert (last.type, last.outcome, last.actor) == ("control", "cancelled", "maria")
    assert world.engine.runs.approvals(VENDOR) == []


def test_a_loop_whose_waits_take_no_time_fails_the_run_and_sends_nothing(world: World):
    # validation accepts it (the cycle has a delay), but the delay is zero-length
    world.publish(journey([trigger("manual"), delay(duration={"minutes": 0}), email()],
                          [("start", "wait"), ("wait", "mail"), ("mail", "wait")]))
    world.add("c1")
    answer = world.event("c1", "manual")
    run = world.run()
    assert answer["started"] == [run.id]
    assert run.status == RunStatus.FAILED and "without a wait" in run.error
    assert world.effects() == [] and world.wakeups() == 0


def test_a_loop_of_zero_timeouts_fails_the_run_and_sends_nothing(world: World):
    world.publish(journey([trigger("manual"), email(), {"id": "await", "type": "wait_for",
                           "config": {"event": "custom:reply", "timeout": {}}}],
                          [("start", "mail"), ("mail", "await"), ("await", "mail", "timeout"),
                           ("await", "mail", "event")]))
    world.add("c1")
    world.event("c1", "manual")
    world.advance(hours=1)
    assert world.run().status == RunStatus.FAILED and world.effects() == []
