"""The claim-with-lease part of the storage contract, on every store (memory, SQLite, PostgreSQL):
claim_due, renew_leases, release_leases and lock_wakeup."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.domain import WakeUp

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)
LEASE = timedelta(seconds=30)


def wakeup(i: int, due: datetime | None = None, **extra) -> WakeUp:
    return WakeUp(id=f"w:r{i:03d}", vendor_id="v1", kind="run",
                  due_at=due or NOW - timedelta(minutes=i), run_id=f"r{i:03d}", journey_id="j1",
                  client_id=f"c{i}", **extra)


def seed(store, *wakeups: WakeUp) -> None:
    with store.transaction() as tx:
        for w in wakeups:
            tx.put_wakeup(w)


def claim(store, owner: str, *, limit: int = 10, now: datetime = NOW,
          lease_now: datetime | None = None) -> list[WakeUp]:
    with store.transaction() as tx:
        return tx.claim_due(now, limit, owner=owner, lease_until=(lease_now or now) + LEASE,
                            lease_now=lease_now)


def test_claim_leases_due_wakeups_earliest_first(store):
    seed(store, *(wakeup(i) for i in range(5)), wakeup(9, NOW + timedelta(seconds=1)))
    got = claim(store, "a", limit=3)
    assert [w.id for w in got] == ["w:r004", "w:r003", "w:r002"]
    assert {(w.lease_owner, w.lease_until) for w in got} == {("a", NOW + LEASE)}
    with store.transaction() as tx:
        assert tx.get_run_wakeup("r004").lease_owner == "a"
        assert tx.get_run_wakeup("r000").lease_owner is None
        assert tx.count_wakeups() == 6  # claiming consumes nothing


def test_a_live_lease_keeps_others_out_until_it_ends(store):
    seed(store, *(wakeup(i) for i in range(4)))
    first = claim(store, "a", limit=2)
    second = claim(store, "b", limit=10)
    assert {w.id for w in first}.isdisjoint(w.id for w in second)
    assert len(second) == 2
    assert claim(store, "c") == []  # everything is held
    # The holder may claim its own rows again (a worker that lost its batch in a reconnect).
    assert {w.id for w in claim(store, "a")} == {w.id for w in first}
    # Once the leases have ended (on the lease clock), anyone takes them over.
    later = NOW + LEASE + timedelta(seconds=1)
    taken = claim(store, "c", lease_now=later)
    assert len(taken) == 4 and {w.lease_owner for w in taken} == {"c"}
    assert {w.lease_until for w in taken} == {later + LEASE}


def test_lease_clock_is_separate_from_due_time(store):
    seed(store, wakeup(1))
    claim(store, "a")
    # Virtual due time may race ahead; only the lease clock decides when a lease has ended.
    assert claim(store, "b", now=NOW + timedelta(days=3), lease_now=NOW + LEASE / 2) == []
    assert len(claim(store, "b", now=NOW + timedelta(days=3), lease_now=NOW + 2 * LEASE)) == 1


def test_renew_and_release(store):
    seed(store, *(wakeup(i) for i in range(4)))
    held = claim(store, "a", limit=3)
    ids = [w.id for w in held]
    with store.transaction() as tx:
        assert tx.renew_leases("a", NOW + 3 * LEASE, ids[:2]) == 2
        assert tx.renew_leases("b", NOW + 3 * LEASE) == 0
    late = NOW + 2 * LEASE  # the third lease has ended, the renewed two have not
    assert [w.id for w in claim(store, "b", lease_now=late)] == [ids[2], "w:r000"]
    with store.transaction() as tx:
        assert tx.release_leases("a", [ids[0]]) == 1
        assert tx.release_leases("a", []) == 0
    assert [w.id for w in claim(store, "c", lease_now=NOW)] == [ids[0]]
    with store.transaction() as tx:
        assert tx.renew_leases("a", NOW + 9 * LEASE) == 1  # all of a's: ids[1] only
        assert tx.release_leases("a") == 1
        assert tx.get_run_wakeup("r002").lease_owner is None


def test_rewriting_a_wakeup_clears_its_lease(store):
    seed(store, wakeup(1))
    (held,) = claim(store, "a")
    with store.transaction() as tx:
        tx.put_wakeup(wakeup(1, NOW + timedelta(days=1)))
        fresh = tx.lock_wakeup(held.id)
    assert fresh.lease_owner is None and fresh.lease_until is None
    assert fresh.due_at == NOW + timedelta(days=1)


def test_lock_wakeup_reads_the_current_row(store):
    seed(store, wakeup(1), wakeup(2))
    claim(store, "a", limit=1)
    with store.transaction() as tx:
        current = tx.lock_wakeup("w:r002")
        assert current.lease_owner == "a" and current.run_id == "r002"
        tx.delete_run_wakeup("r002")
        assert tx.lock_wakeup("w:r002") is None
    with store.transaction() as tx:
        assert tx.lock_wakeup("nope") is None


def test_a_rolled_back_claim_leaves_no_lease(store):
    seed(store, wakeup(1))
    try:
        with store.transaction() as tx:
            assert len(tx.claim_due(NOW, 5, owner="a", lease_until=NOW + LEASE)) == 1
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert [w.lease_owner for w in claim(store, "b")] == ["b"]


def test_date_triggers_are_claimed_too(store):
    trigger = WakeUp(id="dt:j1:c1", vendor_id="v1", kind="date_trigger",
                     due_at=NOW - timedelta(hours=1), journey_id="j1", client_id="c1")
    seed(store, trigger, wakeup(1))
    assert [w.id for w in claim(store, "a")] == ["dt:j1:c1", "w:r001"]


def test_lock_wakeups_reads_several_in_id_order(store):
    seed(store, wakeup(3), wakeup(1), wakeup(2))
    with store.transaction() as tx:
        found = tx.lock_wakeups(["w:r003", "w:r001", "gone", "w:r001"])
        assert [w.id for w in found] == ["w:r001", "w:r003"]
        assert tx.lock_wakeups([]) == []


def test_lock_runs_reads_several_in_id_order(store):
    from engine.domain import Run

    with store.transaction() as tx:
        for rid in ("r2", "r1", "r3"):
            tx.put_run(Run(id=rid, vendor_id="v1", journey_id="j1", version=1, client_id="c1",
                           status="waiting", node="wait"))
    with store.transaction() as tx:
        assert [r.id for r in tx.lock_runs(["r3", "r1", "nope", "r1"])] == ["r1", "r3"]
        assert tx.lock_runs([]) == []


def test_lock_clients_reads_several_in_id_order(store):
    from engine.domain import Client, Vendor

    with store.transaction() as tx:
        tx.put_vendor(Vendor(id="v1", name="V", timezone="UTC"))
        for cid in ("c2", "c1", "c3"):
            tx.put_client(Client(id=cid, vendor_id="v1", name=cid, email=f"{cid}@example.com"))
    with store.transaction() as tx:
        assert [c.id for c in tx.lock_clients(["c3", "c1", "nope", "c1"])] == ["c1", "c3"]
        assert tx.lock_clients([]) == []


def test_add_steps_writes_a_walk_in_order_and_refuses_a_duplicate(store):
    import pytest

    from engine.domain import StepRecord
    from engine.errors import DuplicateStep

    def step(key: str) -> StepRecord:
        return StepRecord(run_id="r1", key=key, node=key.split("#")[0], visit=1, type="email",
                          outcome="sent", at=NOW, seq=1, actor="engine", detail={},
                          vendor_id="v1", journey_id="j1", version=1, client_id="c1")

    with store.transaction() as tx:
        tx.add_steps([step("a#1"), step("b#1"), step("c#1")])
        tx.add_steps([])
    with store.transaction() as tx:
        assert [s.key for s in tx.steps_for_run("r1")] == ["a#1", "b#1", "c#1"]
    with pytest.raises(DuplicateStep):
        with store.transaction() as tx:
            tx.add_steps([step("d#1"), step("b#1")])
    with store.transaction() as tx:
        assert [s.key for s in tx.steps_for_run("r1")] == ["a#1", "b#1", "c#1"]
