"""Scale-out faults on PostgreSQL, with real `journeys worker` processes on a fast virtual clock.

- SIGKILL workers, and the leader, at random moments (30 times while thousands of steps run):
  no step lost, none executed twice, every effect once in the outbox.
- Every session of the database is terminated mid-run (what a PostgreSQL restart does to the
  workers, without restarting the server other tests share): workers reconnect and finish.
- When the leader dies another worker leads within two lease periods.
"""
from __future__ import annotations

import random
import time

import pytest
import sqlalchemy as sa

from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore
from tests.process.crash_harness import EXPECTED_NODES, VirtualTime, exactly_once_report

from .harness import (LEASE_SECONDS, Feeder, Workers, leader_pid, new_studio, ready_pids,
                      wait_for)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _setup(url: str):
    migrate(url)
    sa_engine = make_engine(url)
    vt = VirtualTime()
    engine = Engine(SqlStore(sa_engine), vt.clock)
    return sa_engine, vt, engine, new_studio(engine)


def _completed(sa_engine: sa.Engine, clients: int):
    def check() -> bool:
        with sa_engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM run WHERE status = 'completed'")
                                ).scalar() == clients
    return check


def _assert_exactly_once(sa_engine: sa.Engine, clients: int, workers: Workers) -> dict:
    report = exactly_once_report(sa_engine)
    assert report["runs"] == {"completed": clients}, workers.tail()
    assert report["step_dupes"] == [] and report["effect_dupes"] == []
    assert report["steps_per_node"] == {node: clients for node in EXPECTED_NODES}
    assert report["effects"] == 2 * clients  # two emails per run, each once
    assert report["wakeups"] == 0
    return report


def test_sigkill_workers_and_leader_30_times(fresh_pg_url, tmp_path, capsys):
    kills = 30
    sa_engine, vt, engine, vendor_id = _setup(fresh_pg_url)
    workers = Workers(fresh_pg_url, vt, tmp_path)
    names = ["w0", "w1", "w2"]
    for name in names:
        workers.start(name)
    rng = random.Random(8)
    feeder = Feeder(engine, vendor_id, pause=0.01)  # enrolls clients until the kills are over
    feeder.start()
    killed, leaders_killed = 0, 0
    phases = [time.monotonic()]
    try:
        assert wait_for(lambda: len(ready_pids(sa_engine)) == 3, 90), workers.tail()
        phases.append(time.monotonic())
        while killed < kills:
            time.sleep(rng.uniform(0.2, 0.8))
            ready = [n for n in (workers.by_pid(pid) for pid in ready_pids(sa_engine)) if n]
            if killed % 3 == 0:  # every third kill: the leader, once there is one again
                leader = wait_for(lambda: workers.by_pid(leader_pid(sa_engine) or -1), 30)
                assert leader, workers.tail()
                target = leader
                leaders_killed += 1
            elif ready or workers.alive(for_at_least=3.0):
                # a worker at work, else one still starting up (a slow machine restarts slowly)
                target = rng.choice(ready or workers.alive(for_at_least=3.0))
            else:
                continue
            workers.kill(target)
            killed += 1
            workers.start(target)
        clients = feeder.stop()
        phases.append(time.monotonic())
        assert wait_for(_completed(sa_engine, clients), 120), workers.tail()
        phases.append(time.monotonic())
    finally:
        feeder.stop()
        codes = workers.stop_all()
    report = _assert_exactly_once(sa_engine, clients, workers)
    with capsys.disabled():
        print(f"\n[scale-out kill] {killed} SIGKILLs ({leaders_killed} of the leader) while "
              f"{sum(report['steps_per_node'].values())} steps ran for {clients} clients; "
              f"{workers.started} worker starts; runs {report['runs']}; "
              f"effects {report['effects']}; phases (start, kills, finish) "
              f"{[round(b - a, 1) for a, b in zip(phases, phases[1:])]} s")
    assert killed == kills and leaders_killed == kills // 3
    assert sum(report["steps_per_node"].values()) >= 1500  # thousands of steps
    assert set(codes.values()) == {0}, codes  # the survivors stopped cleanly on SIGTERM
    sa_engine.dispose()


def _terminate_sessions(server_url: str, database: str) -> int:
    admin = make_engine(server_url, poolclass=sa.pool.NullPool)
    try:
        with admin.begin() as conn:
            return len(conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).all())
    finally:
        admin.dispose()


def test_workers_reconnect_after_every_session_is_terminated(fresh_pg_url, pg_server_url,
                                                             tmp_path, capsys):
    clients = 400
    sa_engine, vt, engine, vendor_id = _setup(fresh_pg_url)
    database = sa.engine.make_url(fresh_pg_url).database
    workers = Workers(fresh_pg_url, vt, tmp_path)
    for name in ("w0", "w1", "w2"):
        workers.start(name)
    # Running workers lose their sessions (a worker still starting up would exit on its failed
    # migration, as it should: it has nothing to reconnect to yet).
    assert wait_for(lambda: len(ready_pids(sa_engine)) == 3, 120), workers.tail()
    feeder = Feeder(engine, vendor_id, clients, pause=0.01)
    feeder.start()
    terminated = []
    try:
        for at in (clients // 3, 2 * clients // 3):
            assert wait_for(lambda: feeder.added >= at, 120)
            terminated.append(_terminate_sessions(pg_server_url, database))
            time.sleep(1.0)
        feeder.join(timeout=120)
        assert wait_for(_completed(sa_engine, clients), 120), workers.tail()
        alive = workers.alive()
    finally:
        codes = workers.stop_all()
    report = _assert_exactly_once(sa_engine, clients, workers)
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    with capsys.disabled():
        print(f"\n[scale-out terminate] sessions terminated {terminated}; feeder retries "
              f"{feeder.retries}; runs {report['runs']}; effects {report['effects']}")
    # Each round cut live sessions (how many depends on what the pools held at that moment).
    assert all(n >= 1 for n in terminated), terminated
    assert sorted(alive) == ["w0", "w1", "w2"]  # nobody died of it
    assert "reconnecting" in logs or "leader session lost" in logs
    assert set(codes.values()) == {0}, codes


def test_a_new_leader_within_two_lease_periods(fresh_pg_url, tmp_path, capsys):
    sa_engine, vt, _engine, _vendor = _setup(fresh_pg_url)
    workers = Workers(fresh_pg_url, vt, tmp_path)
    for name in ("w0", "w1", "w2"):
        workers.start(name)
    takeovers = []
    try:
        for _ in range(3):
            # every worker up (followers ready to take over), one of them leading
            assert wait_for(lambda: len(ready_pids(sa_engine)) == 3, 90), workers.tail()
            first = wait_for(lambda: workers.by_pid(leader_pid(sa_engine) or -1), 60)
            assert first, workers.tail()
            workers.kill(first)
            killed_at = time.monotonic()
            second = wait_for(lambda: workers.by_pid(leader_pid(sa_engine) or -1), 30, 0.05)
            takeovers.append(time.monotonic() - killed_at)
            assert second and second != first
            workers.start(first)
    finally:
        workers.stop_all()
    with capsys.disabled():
        print(f"\n[scale-out leader] takeovers after SIGKILL: "
              f"{', '.join(f'{t:.2f}s' for t in takeovers)} (lease {LEASE_SECONDS}s)")
    assert max(takeovers) <= 2 * LEASE_SECONDS
    sa_engine.dispose()
