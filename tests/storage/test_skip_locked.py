"""PostgreSQL: concurrent claimers of due wake-ups (and due effects) never get the same row."""
from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone

import pytest

from engine.domain import Effect, WakeUp
from engine.storage.sql import SqlStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def wakeup(i: int) -> WakeUp:
    return WakeUp(id=f"w{i:03d}", vendor_id="v1", kind="run", due_at=NOW - timedelta(seconds=i),
                  run_id=f"r{i:03d}", journey_id="j1", client_id=f"c{i}")


def outbox_row(i: int) -> Effect:
    return Effect(id=f"f{i:03d}", vendor_id="v1", key=f"k{i}", kind="email", payload={},
                  created_at=NOW - timedelta(seconds=i), next_attempt_at=NOW)


@pytest.fixture
def pg_store(pg_url):
    store = SqlStore(pg_url)
    yield store
    store.close()


def test_open_claims_hold_disjoint_rows(pg_store):
    with pg_store.transaction() as tx:
        for i in range(6):
            tx.put_wakeup(wakeup(i))
            tx.add_effect(outbox_row(i))
    with ExitStack() as stack:
        first = stack.enter_context(pg_store.transaction())
        second = stack.enter_context(pg_store.transaction())
        a = [w.id for w in first.due_wakeups(NOW, 4)]
        b = [w.id for w in second.due_wakeups(NOW, 4)]  # does not wait for `first`
        assert len(a) == 4 and len(b) == 2 and not set(a) & set(b)
        assert a == ["w005", "w004", "w003", "w002"]  # earliest first
        fa = [e.id for e in first.due_effects(NOW, 3)]
        fb = [e.id for e in second.due_effects(NOW, 10)]
        assert len(fa) == 3 and len(fb) == 3 and not set(fa) & set(fb)
        third = stack.enter_context(pg_store.transaction())
        assert third.due_wakeups(NOW, 10) == []  # everything is claimed
    # Claims end with their transactions; nothing was consumed.
    with pg_store.transaction() as tx:
        assert len(tx.due_wakeups(NOW, 10)) == 6


def test_concurrent_workers_claim_each_wakeup_once(pg_store):
    total, workers = 60, 6
    with pg_store.transaction() as tx:
        for i in range(total):
            tx.put_wakeup(wakeup(i))
    claimed: list[list[str]] = [[] for _ in range(workers)]
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(slot: int) -> None:
        try:
            start.wait()
            while True:
                with pg_store.transaction() as tx:
                    due = tx.due_wakeups(NOW, 2)
                    if not due:
                        return
                    for w in due:
                        claimed[slot].append(w.id)
                        time.sleep(0.002)  # hold the lock while "processing"
                        tx.delete_run_wakeup(w.run_id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    everything = [wid for ids in claimed for wid in ids]
    assert len(everything) == len(set(everything)) == total
    assert sum(1 for ids in claimed if ids) > 1  # the work really was shared
    with pg_store.transaction() as tx:
        assert tx.count_wakeups() == 0
