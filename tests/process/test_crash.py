"""A real engine process runs 1,000 clients through a 5-step journey with short delays while the
test SIGKILLs it at random moments and restarts it. At the end every run is complete and each
(run, node, visit) is in the step log once, each email once in the outbox. SQLite and PostgreSQL."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

from .crash_harness import (EXPECTED_NODES, VirtualTime, exactly_once_report, kill_repeatedly,
                            seed)

CLIENTS = 1000
KILLS = 12

pytestmark = pytest.mark.slow


def _crash_run(url: str, tmp_path, capsys) -> None:
    migrate(url)
    sa_engine = make_engine(url)
    vt = VirtualTime()
    engine = Engine(SqlStore(sa_engine), vt.clock)
    seed(engine, CLIENTS)

    def done() -> bool:
        with sa_engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM run WHERE status = 'completed'")
                                ).scalar() == CLIENTS

    killed = kill_repeatedly(url, vt, tmp_path / "worker.log", KILLS, random.Random(7), done)
    report = exactly_once_report(sa_engine)
    with capsys.disabled():
        print(f"\n[crash] {url.split(':')[0]}: {killed} SIGKILLs; runs {report['runs']}; "
              f"steps per node {report['steps_per_node']}; effects {report['effects']}")
    assert killed >= 10
    assert report["runs"] == {"completed": CLIENTS}, (tmp_path / "worker.log").read_text()[-3000:]
    assert report["step_dupes"] == [] and report["effect_dupes"] == []
    assert report["steps_per_node"] == {node: CLIENTS for node in EXPECTED_NODES}
    assert report["effects"] == 2 * CLIENTS  # hello and checkin, once each per run
    assert report["wakeups"] == 0
    sa_engine.dispose()


def test_crash_sqlite(tmp_path, capsys):
    _crash_run(f"sqlite:///{tmp_path}/crash.db", tmp_path, capsys)


@pytest.mark.postgres
def test_crash_postgres(tmp_path, capsys, fresh_pg_url):
    _crash_run(fresh_pg_url, tmp_path, capsys)


def test_second_engine_on_one_sqlite_file_refuses_to_start(tmp_path):
    import subprocess
    import sys
    import time

    from .crash_harness import ROOT, start_worker

    url = f"sqlite:///{tmp_path}/one.db"
    vt = VirtualTime()
    first = start_worker(url, vt, tmp_path / "first.log")
    try:
        time.sleep(3)
        second = subprocess.run([sys.executable, "-m", "engine.cli", "worker",
                                 "--database-url", url], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 2
        assert "already running" in second.stderr and "PostgreSQL" in second.stderr
        assert "Traceback" not in second.stderr
        assert first.poll() is None  # the first one is unaffected
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_sigterm_finishes_in_flight_steps_and_stops_cleanly(tmp_path):
    import signal
    import time

    from .crash_harness import start_worker

    url = f"sqlite:///{tmp_path}/term.db"
    migrate(url)
    sa_engine = make_engine(url)
    vt = VirtualTime()
    engine = Engine(SqlStore(sa_engine), vt.clock)
    seed(engine, 200)
    worker = start_worker(url, vt, tmp_path / "w.log")
    deadline = time.monotonic() + 60  # a cold interpreter can take a while to import
    while "started" not in (tmp_path / "w.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # let it get into the work
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert "worker stopped" in (tmp_path / "w.log").read_text()
    # Nothing lost: a new worker takes over and every run completes exactly once.
    worker = start_worker(url, vt, tmp_path / "w2.log")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if exactly_once_report(sa_engine)["runs"] == {"completed": 200}:
                break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    report = exactly_once_report(sa_engine)
    assert report["runs"] == {"completed": 200}
    assert report["step_dupes"] == [] and report["effects"] == 400
    sa_engine.dispose()
