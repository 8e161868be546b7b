"""A worker started before PostgreSQL is reachable waits for it, then runs; one that waits in
vain exits with a one-line message naming the problem (never a traceback)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from engine.ops.wait_for_database import open_when_reachable
from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

from .crash_harness import ROOT, VirtualTime, seed

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Forwarder:
    """A TCP forwarder to PostgreSQL that starts listening only when told to: for the worker,
    the database "comes up" at that moment."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port, self.target = port, target
        self.server: socket.socket | None = None

    def start(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()


def test_worker_waits_for_the_database_then_runs(fresh_pg_url, tmp_path):
    migrate(fresh_pg_url)
    sa_engine = make_engine(fresh_pg_url)
    vt = VirtualTime()
    engine = Engine(SqlStore(sa_engine), vt.clock)
    vendor_id = seed(engine, 3)
    real = make_url(fresh_pg_url)
    port = _free_port()
    proxied = real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    env = {**os.environ, "JOURNEYS_CLOCK": vt.spec, "JOURNEYS_TICK_SECONDS": "0.2",
           "DATABASE_URL": proxied, "JOURNEYS_DISPATCH_OUTBOX": "false"}
    log_path = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "engine.cli", "worker",
                               "--wait-for-database", "60"], cwd=ROOT, env=env,
                              stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    forwarder = Forwarder(port, (real.host or "127.0.0.1", real.port or 5432))
    try:
        # The database is "down": the worker must say so and keep waiting (a second try at least).
        deadline = time.monotonic() + 60
        while log_path.read_text().count("database unreachable") < 2 \
                and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker.poll() is None, log_path.read_text()[-2000:]
        assert log_path.read_text().count("database unreachable") >= 2
        forwarder.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with engine.store.transaction() as tx:
                runs = tx.list_runs(vendor_id)
            if all(r.status == "completed" for r in runs):
                break
            time.sleep(0.5)
        assert [r.status for r in runs] == ["completed"] * 3, log_path.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        forwarder.stop()
        sa_engine.dispose()
    assert worker.returncode == 0


def test_worker_gives_up_with_a_clear_message(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/test"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "engine.cli", "worker", "--wait-for-database",
                           "2"], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert time.monotonic() - started >= 2
    assert "database is unreachable (waited 2 s)" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "trying again" in done.stderr + done.stdout


def test_retry_pauses_grow_and_stop_at_the_deadline():
    now = [0.0]
    pauses: list[float] = []
    attempts = []

    def fails():
        attempts.append(now[0])
        raise OperationalError("connect", {}, Exception("connection refused"))

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    with pytest.raises(OperationalError):
        open_when_reachable(fails, 10, sleep=sleep, monotonic=lambda: now[0])
    assert pauses[:4] == [0.5, 1.0, 2.0, 4.0] and sum(pauses) == pytest.approx(10)
    calls = iter([OperationalError("c", {}, Exception("x")), "ok"])

    def flaky():
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    assert open_when_reachable(flaky, 10, sleep=sleep, monotonic=lambda: now[0]) == "ok"
