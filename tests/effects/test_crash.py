"""A dispatcher process sends 1,000 emails to a real SMTP server while the test SIGKILLs it at
random moments (at least 10 times) and restarts it, on a SQLite file store.

At the end every email has arrived, and a Message-ID arrived twice only for an email that was in
the documented crash window: handed to the server (accepted) but not yet marked sent when the
process died. At most one such email per kill."""
from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.effects.message import message_id
from engine.storage.database import migrate
from engine.storage.sql import SqlStore
from outbox_helpers import SmtpServer, make_effect

pytestmark = pytest.mark.slow

EMAILS = 1000
KILLS = 11
PAST = datetime(2025, 1, 1, tzinfo=timezone.utc)
WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def in_flight(log: str) -> str | None:
    """The key a killed worker had announced but not marked: the crash window."""
    started, marked = [], set()
    for line in log.splitlines():
        parts = line.split()
        if len(parts) < 2:  # the last line, cut short by the kill
            continue
        if parts[0] == "S":
            started.append(parts[1])
        elif parts[0] == "M":
            marked.add(parts[1])
    open_keys = [k for k in started if k not in marked]
    return open_keys[-1] if open_keys else None


def test_sigkilled_dispatcher_delivers_everything_duplicates_only_in_the_window(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/outbox.db"
    migrate(url)
    store = SqlStore(url)
    with store.transaction() as tx:
        effects = [make_effect(at=PAST) for _ in range(EMAILS)]  # due for a SystemClock
        for effect in effects:
            tx.add_effect(effect)
    store.close()
    key_of = {message_id(e.key, "journeys.local"): e.key for e in effects}

    server = SmtpServer().start()
    rng = random.Random(20270601)
    kills: list[dict] = []
    started: list[subprocess.Popen] = []

    def spawn(number: int):
        log_path = tmp_path / f"worker{number}.log"
        with open(log_path, "w") as out:
            proc = subprocess.Popen([sys.executable, str(WORKER), url, str(server.port), "--wait"],
                                    cwd=ROOT, stdin=subprocess.PIPE, stdout=out,
                                    stderr=subprocess.STDOUT, text=True)
        started.append(proc)
        return proc, log_path

    def go(proc) -> None:
        proc.stdin.write("go\n")
        proc.stdin.close()

    try:
        proc, log_path = spawn(0)
        go(proc)
        while len(kills) < KILLS:
            before = len(server.inbox.messages)
            # The next worker imports while this one runs; it starts only when told to.
            following = spawn(len(kills) + 1)
            # A random moment while it is sending: after 1 to 80 emails, plus up to 50 ms.
            wanted, deadline = before + rng.randint(1, 80), time.monotonic() + 60
            while (len(server.inbox.messages) < wanted and proc.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.05))
            if proc.poll() is not None:
                pytest.fail(f"worker ended before kill {len(kills) + 1}: "
                            + log_path.read_text()[-2000:])
            proc.kill()
            proc.wait()
            kills.append({"delivered": len(server.inbox.messages) - before,
                          "window": in_flight(log_path.read_text())})
            proc, log_path = following
            go(proc)

        final_log = log_path
        result = proc.wait(timeout=120)
        assert result == 0, final_log.read_text()[-3000:]
        received = server.inbox.ids()
    finally:
        for leftover in started:  # only the processes this test started, by their handle
            if leftover.poll() is None:
                leftover.kill()
                leftover.wait()
        server.stop()

    assert set(received) == set(key_of), f"{len(set(key_of) - set(received))} emails missing"
    duplicates = {key_of[mid]: n for mid, n in received.items() if n > 1}
    windows = [k["window"] for k in kills]
    store = SqlStore(url)
    with store.transaction() as tx:
        statuses = Counter(e.status for e in tx.list_effects(limit=EMAILS + 1))
    store.close()

    with capsys.disabled():
        print(f"\n[outbox crash] {EMAILS} emails, {len(kills)} SIGKILLs; delivered per worker "
              f"life before its kill: {[k['delivered'] for k in kills]}")
        for number, kill in enumerate(kills, 1):
            dup = kill["window"] in duplicates if kill["window"] else False
            print(f"  kill {number:2d}: in flight {kill['window'] or '-'}"
                  f" -> {'delivered twice (accepted, not yet marked)' if dup else 'no duplicate'}")
        print(f"  duplicates in the crash window: {len(duplicates)} "
              f"(<= {len(kills)} kills); statuses {dict(statuses)}; "
              f"final worker: {final_log.read_text().splitlines()[-1]}")

    assert statuses == {"sent": EMAILS}
    assert all(n == 2 for n in duplicates.values()), duplicates
    assert set(duplicates) <= {w for w in windows if w}, "a duplicate outside the crash window"
    assert len(duplicates) <= len(kills)
