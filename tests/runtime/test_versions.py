"""Versions: runs stay on the version they started on; moving them is explicit, previewed by
node, and re-times their waits."""
from __future__ import annotations

import pytest

from engine.domain import RunStatus
from engine.errors import InvalidInput, NotFound

from .helpers import VENDOR, World, chain, delay, email, exit_, journey, trigger


def v1() -> dict:
    return chain(trigger("manual"), delay(duration={"days": 7}), email(subject="Version one"),
                 exit_())


def v2(wait_id: str = "wait", days: int = 3) -> dict:
    return chain(trigger("manual"), delay(wait_id, duration={"days": days}),
                 email(subject="Version two"), exit_())


def two_versions(world: World, second: dict | None = None, clients=("c1",)) -> str:
    jid = world.publish(v1())
    for c in clients:
        world.add(c)
        world.event(c, "manual")
    world.engine.journeys.update_draft(VENDOR, jid, second or v2())
    world.engine.journeys.publish(VENDOR, jid)
    return jid


def test_a_run_stays_on_its_version_after_a_new_publish(world: World):
    two_versions(world)
    world.add("c2")
    world.event("c2", "manual")
    assert (world.run("c1").version, world.run("c2").version) == (1, 2)
    world.advance(days=8)
    subjects = {e.client_id: e.payload["subject"] for e in world.effects()}
    assert subjects == {world.cid("c1"): "Version one", world.cid("c2"): "Version two"}


def test_published_versions_are_frozen(world: World):
    jid = two_versions(world)
    world.engine.journeys.update_draft(VENDOR, jid, v2(days=30))
    first = world.engine.journeys.version(VENDOR, jid, 1)
    assert first.document == v1()
    assert [v.version for v in world.engine.journeys.versions(VENDOR, jid)] == [1, 2]


def test_preview_counts_the_runs_that_would_move_by_node(world: World):
    jid = two_versions(world, clients=("c1", "c2", "c3"))
    world.engine.runs.cancel(VENDOR, world.run("c3").id, actor="x")  # ended runs never move
    preview = world.engine.journeys.preview_migration(VENDOR, jid, to_version=2,
                                                      mapping={"wait": "wait"})
    assert preview.to_dict() == {"journey_id": jid, "to_version": 2, "total": 2,
                                 "moves": [{"from_version": 1, "from_node": "wait",
                                            "to_node": "wait", "runs": 2}],
                                 "unmapped": []}
    assert world.run("c1").version == 1  # a preview moves nothing


def test_runs_at_unmapped_nodes_are_reported_and_stay(world: World):
    jid = two_versions(world)
    preview = world.engine.journeys.migrate_runs(VENDOR, jid, to_version=2, mapping={})
    assert preview.unmapped == [{"from_version": 1, "node": "wait", "runs": 1}]
    assert world.run().version == 1


def test_migrate_moves_runs_and_re_times_the_delay_from_when_it_started(world: World):
    jid = two_versions(world)
    world.advance(days=1)
    result = world.engine.journeys.migrate_runs(VENDOR, jid, to_version=2,
                                                mapping={"wait": "wait"}, actor="maria")
    run = world.run()
    assert result.total == 1 and (run.version, run.node) == (2, "wait")
    assert world.due() == "2027-01-07T09:00:00Z"  # entered Jan 4 + 3 days, not 7
    [entry] = [s for s in world.log() if s.type == "control"]
    assert (entry.outcome, entry.actor) == ("migrated", "maria")
    assert entry.detail == {"from_version": 1, "from_node": "wait", "to_version": 2,
                            "to_node": "wait"}
    world.advance(days=3)
    assert world.effects()[0].payload["subject"] == "Version two"


def test_preview_matches_what_migrate_does(world: World):
    jid = two_versions(world, clients=("c1", "c2"))
    preview = world.engine.journeys.preview_migration(VENDOR, jid, to_version=2,
                                                      mapping={"wait": "wait"})
    done = world.engine.journeys.migrate_runs(VENDOR, jid, to_version=2, mapping={"wait": "wait"})
    assert preview.to_dict() == done.to_dict()


def test_a_mapping_to_an_unknown_node_writes_nothing(world: World):
    jid = two_versions(world)
    with pytest.raises(InvalidInput) as error:
        world.engine.journeys.migrate_runs(VENDOR, jid, to_version=2, mapping={"wait": "nope"})
    assert "nope" in str(error.value)
    assert world.run().version == 1 and [s for s in world.log() if s.type == "control"] == []


def test_migrating_to_an_unknown_version_is_not_found(world: World):
    jid = two_versions(world)
    with pytest.raises(NotFound):
        world.engine.journeys.migrate_runs(VENDOR, jid, to_version=9, mapping={"wait": "wait"})


def test_a_run_moved_to_a_renamed_node_keeps_its_step_log_unique(world: World):
    looping = journey([trigger("manual"), delay("daily", duration={"days": 1}), email()],
                      [("start", "daily"), ("daily", "mail"), ("mail", "daily")])
    jid = two_versions(world, looping)
    world.engine.journeys.migrate_runs(VENDOR, jid, to_version=2, mapping={"wait": "daily"})
    world.advance(days=3, hours=1)
    run = world.run()
    assert run.status == RunStatus.WAITING and run.error is None
    assert [s[:2] for s in world.steps()] == [("daily", "done"), ("mail", "sent")] * 3
    keys = [s.key for s in world.log()]
    assert len(keys) == len(set(keys))


def test_a_held_approval_moved_to_another_node_is_asked_again(world: World):
    held = chain(trigger("manual"), email("old", requires_approval=True), exit_())
    jid = world.publish(held)
    world.add("c1")
    world.event("c1", "manual")
    world.engine.journeys.update_draft(VENDOR, jid, chain(
        trigger("manual"), email("new", subject="New text", requires_approval=True), exit_()))
    world.engine.journeys.publish(VENDOR, jid)
    world.engine.journeys.migrate_runs(VENDOR, jid, to_version=2, mapping={"old": "new"})
    [approval] = world.engine.runs.approvals(VENDOR)
    assert (approval.node, approval.email["subject"]) == ("new", "New text")
    world.engine.runs.decide(VENDOR, approval.id, decision="approved", actor="maria")
    assert world.sent() == [("email", "New text", "2027-01-04T09:00:00Z")]
