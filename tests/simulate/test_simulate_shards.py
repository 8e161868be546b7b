"""Sharded simulation (engine.simulation.shards): many clients run in shards across processes,
and every client gets exactly the steps and runs a single process gives it; the output is the
same on every run and every machine; errors in a shard surface as the same clear error."""
from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.library import load_template
from engine.simulate import Simulation, _Event, simulate
from engine.simulation import shards
from engine.simulation.couples import generate_couples

from .documents import ab_test

START = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
UNTIL = START + timedelta(days=365)
JOURNEYS = Path(sys.executable).with_name("journeys")


@pytest.fixture(scope="module")
def planner():
    """A big template (splits, forms, waits, conditions, actions) and couples with events."""
    couples = generate_couples(60, start=START, seed=3)
    document = load_template("planner_full_service")
    trigger = next(n for n in document["nodes"] if n["type"] == "trigger")
    trigger["config"] = {"event": "client_added"}  # every couple enrolls at once
    return document, couples.clients, couples.events


@pytest.fixture
def forked(monkeypatch):
    """Shards in child processes even here (pytest-xdist workers have a thread of their own)."""
    monkeypatch.setattr(shards, "PARALLEL", True)


def run(document, clients, events, **kw) -> dict:
    return Simulation(document, clients, events, start=START, until=UNTIL, seed=7,
                      **kw).run().to_dict()


def per_client(result: dict) -> dict:
    by: dict = {}
    for key in ("steps", "runs"):
        for line in result[key]:
            by.setdefault((key, line["client"]), []).append(line)
    return by


def no_children_left() -> bool:
    return multiprocessing.active_children() == []


# -- the same steps for every client -----------------------------------------------------------
@pytest.mark.parametrize("count", [2, 3])
def test_every_client_gets_the_same_steps_and_runs_in_shards_as_in_one_process(planner, forked,
                                                                               count):
    single = run(*planner)
    sharded = run(*planner, shards=count)
    assert len(sharded["steps"]) == len(single["steps"]) > 1000
    assert per_client(sharded) == per_client(single)
    assert no_children_left()


def test_the_split_branches_do_not_depend_on_the_shard_a_client_runs_in(forked):
    clients = [{"id": f"k{i}", "wedding_date": "2027-09-18"} for i in range(40)]
    single = run(ab_test(), clients, [])
    sharded = run(ab_test(), clients, [], shards=3)
    assert {s["node"] for s in single["steps"]} == {"ab", "mail_a", "mail_b"}
    assert per_client(sharded) == per_client(single)
    # Runs that start at one instant come in the clients' order in the input.
    assert [r["client"] for r in sharded["runs"]] == [c["id"] for c in clients]


def test_sharded_steps_stay_chronological(planner, forked):
    out = run(*planner, shards=2)
    instants = [s["at"] for s in out["steps"]]
    assert instants == sorted(instants)
    single_runs = run(*planner)["runs"]
    assert sorted(map(json.dumps, out["runs"])) == sorted(map(json.dumps, single_runs))


# -- deterministic, whatever the machine -------------------------------------------------------
def test_a_sharded_simulation_gives_the_same_bytes_every_time(planner, forked):
    first, second = run(*planner, shards=2), run(*planner, shards=2)
    assert json.dumps(first) == json.dumps(second)


def test_the_output_is_the_same_with_or_without_child_processes(planner, monkeypatch):
    monkeypatch.setattr(shards, "PARALLEL", True)
    forked_out = run(*planner, shards=2)
    monkeypatch.setattr(shards, "PARALLEL", False)
    serial_out = run(*planner, shards=2)
    assert json.dumps(forked_out) == json.dumps(serial_out)


def test_the_output_is_the_same_whatever_the_number_of_shards(planner, forked):
    outputs = {json.dumps(run(*planner, shards=count)) for count in (2, 3, 4, 7)}
    assert len(outputs) == 1


def test_sharded_steps_at_one_instant_follow_the_clients_order_in_the_input(planner, forked):
    place = {c["id"]: i for i, c in enumerate(planner[1])}
    out = run(*planner, shards=3)
    keys = [(s["at"], place[s["client"]]) for s in out["steps"]]
    assert keys == sorted(keys)


def test_sharding_starts_at_a_number_of_clients_whatever_the_machine(monkeypatch):
    clients = [{"id": f"c{i}"} for i in range(shards.AUTO_MIN_CLIENTS)]
    assert shards.plan_shards(clients[:-1], [], "auto") == [[c["id"] for c in clients[:-1]]]
    for cores in (1, 2, 64):
        monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(cores)))
        plan = shards.plan_shards(clients, [], "auto")
        assert len(plan) == 2  # 1,000 clients: two shards of 500, even on one core
        assert sorted(len(p) for p in plan) == [len(clients) // 2] * 2
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(64)))
    assert len(shards.plan_shards(clients * 3, [], "auto")) == 6


def test_few_clients_run_in_one_process_with_exactly_the_single_process_output(planner):
    assert simulate(*planner, start=START, until=UNTIL, seed=7) == run(*planner)


def test_clients_whose_events_share_an_idempotency_key_share_a_shard():
    clients = [{"id": f"c{i}"} for i in range(6)]
    events = [_Event(at=START, client="c1", type="x", data={}, index=0, key="same"),
              _Event(at=START, client="c4", type="x", data={}, index=1, key="same")]
    plan = shards.plan_shards(clients, events, 2)
    assert any({"c1", "c4"} <= set(p) for p in plan)
    assert sorted(cid for p in plan for cid in p) == sorted(c["id"] for c in clients)


def test_a_client_renamed_by_an_event_keeps_every_client_in_one_shard():
    clients = [{"id": f"c{i}"} for i in range(6)]
    events = [_Event(at=START, client="c1", type="client_updated", data={"external_id": "c2"},
                     index=0)]
    assert shards.plan_shards(clients, events, 3) == [[c["id"] for c in clients]]


def test_an_event_key_still_counts_once_across_clients_in_shards(forked):
    clients = [{"id": f"c{i}", "wedding_date": "2027-09-18"} for i in range(8)]
    events = [{"at": "2027-02-01T10:00:00Z", "client": cid, "type": "custom:stop", "key": "k"}
              for cid in ("c1", "c6")]
    document = {"format": "journeys/v1", "name": "Stop",
                "settings": {"exit_on": ["custom:stop"]},
                "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
                          {"id": "wait", "type": "delay", "config": {"duration": {"days": 60}}},
                          {"id": "mail", "type": "email", "config": {"subject": "s", "body": "b"}}],
                "edges": [{"from": "start", "to": "wait"}, {"from": "wait", "to": "mail"}]}
    single, sharded = run(document, clients, events), run(document, clients, events, shards=3)
    assert per_client(sharded) == per_client(single)
    status = {r["client"]: r["status"] for r in sharded["runs"]}
    assert status["c1"] == "exited" and status["c6"] == "completed"  # the second is a replay


# -- progress, errors, interruptions -----------------------------------------------------------
def test_progress_reports_the_slowest_shard_up_to_the_end(planner, forked):
    seen: list[datetime] = []
    Simulation(*planner, start=START, until=UNTIL, seed=7, shards=2,
               progress=lambda now, until: seen.append(now)).run()
    assert seen and seen == sorted(seen)
    assert seen[-1] == UNTIL and all(START <= t <= UNTIL for t in seen)


def test_progress_runs_through_when_shards_take_turns(planner, monkeypatch):
    monkeypatch.setattr(shards, "PARALLEL", False)
    seen: list[datetime] = []
    Simulation(*planner, start=START, until=UNTIL, seed=7, shards=2,
               progress=lambda now, until: seen.append(now)).run()
    assert seen == sorted(seen) and seen[-1] == UNTIL


def late_event_inputs():
    clients = [{"id": f"c{i}", "added_at": "2027-03-01T00:00:00Z"} for i in range(6)]
    events = [{"at": "2027-02-01T00:00:00Z", "client": "c5", "type": "form_submitted"},
              {"at": "2027-02-02T00:00:00Z", "client": "c0", "type": "form_submitted"}]
    return ab_test(), clients, events


@pytest.mark.parametrize("parallel", [True, False])
def test_an_error_in_a_shard_is_the_error_one_process_meets_first(monkeypatch, parallel):
    monkeypatch.setattr(shards, "PARALLEL", parallel)
    with pytest.raises(InvalidInput) as single:
        run(*late_event_inputs())
    with pytest.raises(InvalidInput) as sharded:
        run(*late_event_inputs(), shards=3)
    assert type(sharded.value) is type(single.value)
    assert sharded.value.message == single.value.message
    assert "'c5'" in sharded.value.message
    assert no_children_left()


def test_an_unexpected_crash_in_a_child_shard_is_raised_in_the_parent(forked, monkeypatch):
    clients = [{"id": f"c{i}"} for i in range(4)]

    def broken(self, event):
        raise ZeroDivisionError("boom")
    monkeypatch.setattr(Simulation, "_deliver", broken)  # the fork inherits it
    events = [{"at": "2027-02-01T00:00:00Z", "client": "c3", "type": "form_submitted"}]
    with pytest.raises(ZeroDivisionError, match="boom") as raised:
        run(ab_test(), clients, events, shards=2)
    assert any("simulation shard 1" in note for note in raised.value.__notes__)
    assert no_children_left()


def test_an_interrupted_parent_leaves_no_child_running(planner, forked):
    calls = {"n": 0}

    def interrupt(now, until):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        Simulation(*planner, start=START, until=UNTIL, seed=7, shards=3,
                   progress=interrupt).run()
    assert no_children_left()


def test_shards_must_be_a_positive_number_or_auto():
    with pytest.raises(InvalidInput, match="shards"):
        Simulation(ab_test(), [], start=START, shards=0)


# -- the real command --------------------------------------------------------------------------
def test_the_command_shards_many_clients_with_the_same_bytes_and_clean_errors(tmp_path):
    count = shards.AUTO_MIN_CLIENTS
    clients = [{"id": f"c{i}", "wedding_date": "2027-09-18"} for i in range(count)]
    (tmp_path / "journey.json").write_text(json.dumps(ab_test()))
    (tmp_path / "clients.json").write_text(json.dumps(clients))
    args = [str(JOURNEYS), "simulate", str(tmp_path / "journey.json"), "--clients",
            str(tmp_path / "clients.json"), "--start", "2027-01-04T10:00:00Z", "--seed", "5"]
    first = subprocess.run(args, capture_output=True, timeout=120)
    second = subprocess.run(args, capture_output=True, timeout=120)
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stderr == b""
    out = json.loads(first.stdout)
    assert len(out["runs"]) == count and len(out["steps"]) == 2 * count
    # The same journey and clients in one process give every client the same lines.
    single = simulate(ab_test(), clients, start=datetime(2027, 1, 4, 10, tzinfo=timezone.utc),
                      seed=5, shards=1)
    assert per_client(out) == per_client(single)

    clients[-1]["added_at"] = "2027-03-01T00:00:00Z"  # lands in the second shard
    (tmp_path / "clients.json").write_text(json.dumps(clients))
    (tmp_path / "events.json").write_text(json.dumps(
        [{"at": "2027-02-01T00:00:00Z", "client": clients[-1]["id"], "type": "form_submitted"}]))
    failed = subprocess.run(args + ["--events", str(tmp_path / "events.json")],
                            capture_output=True, timeout=120, text=True)
    assert failed.returncode == 2
    assert failed.stderr.startswith("journeys simulate: event at 2027-02-01T00:00:00Z")
    assert "before that client was added" in failed.stderr
    assert "Traceback" not in failed.stderr and failed.stderr.count("\n") == 1
