"""What only the SQL store does: engines, URLs, time zones at the boundary, SQLite locking."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from engine.domain import Journey, JourneyVersion, Run, StepRecord, Vendor
from engine.errors import DuplicateStep
from engine.storage.database import database_url_from_env, make_engine, normalize_url
from engine.storage.sql import SqlStore

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def sql_store(sql_url):
    store = SqlStore(sql_url)
    yield store
    store.close()


def a_run(rid: str = "r1", **kw) -> Run:
    return Run(**{**dict(id=rid, vendor_id="v1", journey_id="j1", version=1, client_id="c1",
                         status="waiting", node="n", started_at=T0), **kw})


def test_url_normalisation(monkeypatch):
    assert normalize_url("postgresql://u:p%40ss@db:5432/x") == \
        "postgresql+psycopg://u:p%40ss@db:5432/x"
    assert normalize_url("postgres://db/x") == "postgresql+psycopg://db/x"
    assert normalize_url("postgresql+psycopg://db/x") == "postgresql+psycopg://db/x"
    assert normalize_url("sqlite:///./journeys.db") == "sqlite:///./journeys.db"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url_from_env() == "sqlite:///./journeys.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/prod")
    assert database_url_from_env() == "postgresql+psycopg://db/prod"
    assert make_engine("postgresql://db/prod").dialect.driver == "psycopg"
    with pytest.raises(ValueError):
        make_engine("sqlite:///x.db?synchronous=SOMETIMES")


def test_naive_datetimes_are_refused(sql_store):
    with pytest.raises(Exception, match="naive datetime"):
        with sql_store.transaction() as tx:
            tx.put_run(a_run(due_at=datetime(2026, 6, 1, 9, 0)))
    with sql_store.transaction() as tx:
        assert tx.get_run("r1") is None


def test_datetimes_come_back_in_utc(sql_store):
    paris = datetime(2026, 6, 1, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    with sql_store.transaction() as tx:
        tx.put_run(a_run(due_at=paris))
    with sql_store.transaction() as tx:
        got = tx.get_run("r1").due_at
        assert got == T0 and got.tzinfo is timezone.utc
        assert tx.get_run("r1").started_at.tzinfo is timezone.utc


def test_json_dates_are_written_as_iso_text(sql_store):
    with sql_store.transaction() as tx:
        tx.add_step(StepRecord(run_id="r1", key="a#1", node="a", visit=1, type="t", outcome="o",
                               at=T0, seq=1, detail={"when": T0, "day": date(2026, 6, 1)}))
    with sql_store.transaction() as tx:
        assert tx.steps_for_run("r1")[0].detail == {"when": "2026-06-01T09:00:00+00:00",
                                                   "day": "2026-06-01"}


def test_deleting_a_journey_removes_its_versions(sql_store):
    with sql_store.transaction() as tx:
        tx.put_vendor(Vendor(id="v1", name="V"))
        tx.put_journey(Journey(id="j1", vendor_id="v1", name="J", draft={}))
        tx.add_version(JourneyVersion(journey_id="j1", version=1, document={}, published_at=T0))
    with sql_store.transaction() as tx:
        assert tx.get_version("j1", 1) is not None  # now in the store's version cache
        tx.delete_journey("j1")
    with sql_store.transaction() as tx:
        assert tx.get_version("j1", 1) is None


def test_readonly_transaction_reads(sql_store):
    with sql_store.transaction() as tx:
        tx.put_run(a_run())
    with sql_store.transaction(readonly=True) as tx:
        assert tx.get_run("r1") is not None


def test_duplicate_step_from_a_concurrent_transaction(sql_store):
    """Two transactions executing the same step: exactly one commits it."""
    outcomes: list[str] = []
    go = threading.Barrier(2)

    def execute(name: str) -> None:
        go.wait()
        try:
            with sql_store.transaction() as tx:
                tx.add_step(StepRecord(run_id="r1", key="send#1", node="send", visit=1,
                                       type="email", outcome=name, at=T0, seq=1))
        except DuplicateStep:
            outcomes.append("duplicate")
        else:
            outcomes.append("written")

    threads = [threading.Thread(target=execute, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["duplicate", "written"]
    with sql_store.transaction() as tx:
        assert len(tx.steps_for_run("r1")) == 1


def test_sqlite_writers_queue_instead_of_failing(tmp_path):
    """Read-then-write transactions in many threads: BEGIN IMMEDIATE serialises them, none fails
    with 'database is locked' and no increment is lost."""
    from engine.storage.database import migrate

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    migrate(url)
    store = SqlStore(make_engine(url, pool_size=8))
    with store.transaction() as tx:
        tx.put_run(a_run(seq=0))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with store.transaction() as tx:
                    run = tx.get_run("r1")
                    run.seq += 1
                    tx.put_run(run)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        with store.transaction() as tx:
            assert tx.get_run("r1").seq == 150
    finally:
        store.engine.dispose()


def test_committed_data_survives_reopening(sql_url):
    store = SqlStore(sql_url)
    with store.transaction() as tx:
        tx.put_run(a_run())
    store.close()
    reopened = SqlStore(sql_url)
    try:
        with reopened.transaction() as tx:
            assert tx.get_run("r1") == a_run()
            assert tx.conn.execute(text("SELECT count(*) FROM run")).scalar() == 1
    finally:
        reopened.close()
