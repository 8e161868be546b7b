"""split: a weighted random branch that is deterministic per run, node and visit."""
from __future__ import annotations

from collections import Counter

from engine.runtime.walker import split_choice

from .helpers import World, email, journey, split, trigger

BRANCHES = [{"label": "a", "weight": 50}, {"label": "b", "weight": 30},
            {"label": "control", "weight": 20}]


def ab_test() -> dict:
    return journey([trigger("manual"), split(a=50, b=30, control=20), email("mail_a"),
                    email("mail_b"), email("mail_control")],
                   [("start", "ab"), ("ab", "mail_a", "a"), ("ab", "mail_b", "b"),
                    ("ab", "mail_control", "control")])


def test_the_same_run_node_and_visit_always_take_the_same_branch():
    first = split_choice("0", "c1:1", "ab", 1, BRANCHES)
    assert all(split_choice("0", "c1:1", "ab", 1, BRANCHES) == first for _ in range(50))


def test_weights_are_respected_over_many_runs():
    counts = Counter(split_choice("0", f"client-{i}:1", "ab", 1, BRANCHES) for i in range(20_000))
    assert abs(counts["a"] / 20_000 - 0.50) < 0.02
    assert abs(counts["b"] / 20_000 - 0.30) < 0.02
    assert abs(counts["control"] / 20_000 - 0.20) < 0.02


def test_each_visit_and_each_split_node_draws_anew():
    by_visit = {split_choice("0", "c1:1", "ab", v, BRANCHES) for v in range(1, 40)}
    by_node = {split_choice("0", "c1:1", f"split{n}", 1, BRANCHES) for n in range(40)}
    assert by_visit == by_node == {"a", "b", "control"}


def test_the_seed_changes_the_draw():
    draws = {seed: [split_choice(seed, f"c{i}:1", "ab", 1, BRANCHES) for i in range(30)]
             for seed in ("0", "1")}
    assert draws["0"] != draws["1"]


def test_split_step_logs_the_branch_and_follows_it(world: World):
    world.publish(ab_test())
    world.add("c1")
    world.event("c1", "manual")
    [step] = [s for s in world.log() if s.node == "ab"]
    assert step.outcome == "done"
    assert world.path() == ["start", "ab", f"mail_{step.detail['branch']}"]


def test_the_same_client_takes_the_same_branch_in_two_engines():
    branches = []
    for _ in range(2):
        world = World()
        world.publish(ab_test())
        for i in range(12):
            world.add(f"c{i}")
            world.event(f"c{i}", "manual")
        branches.append([world.path(f"c{i}")[-1] for i in range(12)])
    assert branches[0] == branches[1]
    assert len(set(branches[0])) > 1  # and the clients do not all go the same way


def test_live_runs_spread_over_every_branch(world: World):
    world.publish(ab_test())
    seen = Counter()
    for i in range(200):
        world.add(f"c{i}")
        world.event(f"c{i}", "manual")
        seen[world.path(f"c{i}")[-1]] += 1
    assert set(seen) == {"mail_a", "mail_b", "mail_control"}
    assert seen["mail_a"] > seen["mail_b"] > seen["mail_control"]
