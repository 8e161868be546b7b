"""SqlTx.defer_writes (group commit): held writes land at commit as one statement per table,
with the same result as writing each at once; reads in the transaction see them; errors roll
the whole transaction back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from engine.domain import Client, Effect, Run, StepRecord, Vendor, WakeUp
from engine.errors import DuplicateStep
from engine.storage.sql import SqlStore

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(sql_url):
    store = SqlStore(sql_url)
    with store.transaction() as tx:
        tx.put_vendor(Vendor(id="v1", name="V"))
        for cid in ("c1", "c2"):
            tx.put_client(Client(id=cid, vendor_id="v1", name=cid, email=f"{cid}@example.com",
                                 external_id=cid))
    yield store
    store.close()


def a_run(rid: str, client: str = "c1", **kw) -> Run:
    return Run(**{**dict(id=rid, vendor_id="v1", journey_id="j1", version=1, client_id=client,
                         status="waiting", node="n", started_at=T0), **kw})


def a_step(run_id: str, key: str) -> StepRecord:
    node = key.split("#")[0]
    return StepRecord(run_id=run_id, key=key, node=node, visit=1, type="email", outcome="sent",
                      at=T0, seq=1, vendor_id="v1", journey_id="j1", version=1, client_id="c1")


def a_wakeup(run_id: str, due: datetime) -> WakeUp:
    return WakeUp(id=f"w:{run_id}", vendor_id="v1", kind="run", due_at=due, run_id=run_id,
                  journey_id="j1", client_id="c1")


def count_statements(store: SqlStore) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement.split()[0]))
    return seen


def test_held_writes_land_at_commit_with_the_last_write_winning(store):
    statements = count_statements(store)
    with store.transaction() as tx:
        tx.lock_clients(["c1", "c2"])
        before = len(statements)
        tx.defer_writes()
        for i in range(20):
            run = a_run(f"r{i}", due_at=T0 + timedelta(days=1))
            tx.put_run(run)
            tx.put_wakeup(a_wakeup(run.id, T0 + timedelta(days=1)))
            tx.add_steps([a_step(run.id, "hello#1"), a_step(run.id, "pause#1")])
            tx.add_effect(Effect(id=f"e{i}", vendor_id="v1", key=f"r{i}:hello:1", kind="email",
                                 payload={"to": "x@example.com"}, created_at=T0, run_id=run.id,
                                 client_id="c1", next_attempt_at=T0))
        tx.put_run(a_run("r0", status="completed"))  # later writes replace earlier ones
        tx.delete_run_wakeup("r0")
        client = tx.get_client("c1").clone()
        client.tags = ["booked"]
        tx.put_client(client)
        assert len(statements) == before  # nothing sent yet
        assert tx.get_run("r0").status == "completed"  # a read: the held writes go first
    # 20 runs, 21 wake-up writes, 40 steps, 20 effects and a client: one statement per table
    # and kind (runs, wake-up upserts, wake-up deletes, steps, effects; then the client), plus
    # the read. Written one by one they would be over a hundred.
    assert len(statements) - before <= 8
    with store.transaction() as tx:
        assert tx.get_run("r0").status == "completed" and tx.get_run_wakeup("r0") is None
        assert tx.get_run("r19").status == "waiting"
        assert tx.get_run_wakeup("r19").due_at == T0 + timedelta(days=1)
        assert len(tx.steps_for_run("r7")) == 2
        assert len(tx.list_effects("v1", limit=100)) == 20
        assert tx.get_client("c1").tags == ["booked"]


def test_a_read_sees_the_held_writes(store):
    with store.transaction() as tx:
        tx.defer_writes()
        tx.put_run(a_run("r1"))
        tx.put_run(a_run("r2", journey_id="j2"))
        assert [r.id for r in tx.runs_for_client("c1")] == ["r1", "r2"]
        assert [r.id for r in tx.runs_for_client("c1", journey_id="j2")] == ["r2"]


def test_a_duplicate_step_rolls_the_whole_group_back(store):
    with store.transaction() as tx:
        tx.put_run(a_run("r1"))
        tx.add_steps([a_step("r1", "hello#1")])
    with pytest.raises(DuplicateStep, match="hello#1"):
        with store.transaction() as tx:
            tx.defer_writes()
            tx.put_run(a_run("r2"))
            tx.add_steps([a_step("r2", "hello#1")])
            tx.add_steps([a_step("r1", "hello#1")])  # executed already
    with store.transaction() as tx:
        assert tx.get_run("r2") is None
        assert tx.steps_for_run("r2") == []


def test_an_effect_key_written_before_is_skipped_as_without_deferral(store):
    effect = Effect(id="e1", vendor_id="v1", key="r1:hello:1", kind="email", payload={},
                    created_at=T0, next_attempt_at=T0)
    with store.transaction() as tx:
        assert tx.add_effect(effect)
    with store.transaction() as tx:
        tx.defer_writes()
        tx.add_effect(Effect(**{**effect.__dict__, "id": "e2"}))
    with store.transaction() as tx:
        assert [e.id for e in tx.list_effects("v1")] == ["e1"]
