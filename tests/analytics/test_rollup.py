"""The summaries: folding is incremental and idempotent, and reading summary + delta stays exact
however the step log is cut."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from engine.analytics import Analytics, rollup
from engine.analytics import tables as A
from engine.storage.database import make_engine

from . import handmade as H


@pytest.fixture
def engine(sql_url):
    engine = make_engine(sql_url, poolclass=NullPool)
    yield engine
    engine.dispose()


def _summary_total(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.sum(A.step_day.c.steps), 0))).scalar()


def test_refresh_is_incremental_and_idempotent(engine):
    with engine.begin() as conn:
        H.load(conn, steps="first")
    first = rollup.refresh(engine)
    assert first > 0 and rollup.refresh(engine) == 0
    with engine.begin() as conn:
        H.load(conn, runs=False, steps="rest")
    assert rollup.refresh(engine) > 0 and rollup.refresh(engine) == 0
    total = sum(len(rows) for rows in H.STEPS.values())
    assert _summary_total(engine) == total
    assert rollup.rebuild(engine) > 0 and _summary_total(engine) == total


def test_small_chunks_fold_the_same(engine):
    with engine.begin() as conn:
        H.load(conn)
    rollup.refresh(engine, chunk=3)
    chunked = Analytics(engine, auto_refresh=False).funnel(H.VENDOR, H.JOURNEY)
    rollup.rebuild(engine)
    whole = Analytics(engine, auto_refresh=False).funnel(H.VENDOR, H.JOURNEY)
    assert chunked == whole


def test_auto_refresh_folds_a_large_backlog(engine, monkeypatch):
    monkeypatch.setattr(rollup, "AUTO_REFRESH_ROWS", 5)
    with engine.begin() as conn:
        H.load(conn)
    Analytics(engine).funnel(H.VENDOR, H.JOURNEY)
    with engine.connect() as conn:
        assert rollup.watermark(conn) == rollup.max_step_id(conn)


def test_histogram_percentiles_match_percentile_cont():
    values = [0, 0, 5, 60, 60, 61, 3600, 86400, 86400 * 7]
    entries = {}
    for v in values:
        b = rollup.bucket_of(v)
        n, lo, hi = entries.get(b, (0, v, v))
        entries[b] = (n + 1, min(lo, v), max(hi, v))
    hist = sorted((b, n, lo, hi) for b, (n, lo, hi) in entries.items())
    n, (median, p90) = rollup.histogram_percentiles(hist)
    assert n == len(values) and median == 60
    # percentile_cont(0.9): position 7.2 -> 86400 + 0.2 * (604800 - 86400)
    assert p90 == pytest.approx(86400 + 0.2 * (604800 - 86400))
    # a bucket holding different values is read within its 1% width
    n, (median, _) = rollup.histogram_percentiles([(500, 3, 100.0, 100.9)])
    assert median == pytest.approx(100.45)


def test_windows_with_partial_days_read_summaries_plus_edges_exactly(engine):
    """A window that does not fall on midnights reads its whole days from the summaries and its
    partial days (and the steps past the watermark) from the log: the same figures as the log
    alone, for any cut."""
    from datetime import timedelta

    from sqlalchemy import update

    with engine.begin() as conn:
        H.load(conn, steps="first")
    rollup.refresh(engine)
    with engine.begin() as conn:
        H.load(conn, runs=False, steps="rest")
    a = Analytics(engine, auto_refresh=False)
    windows = [(H.T0 + timedelta(hours=h1), H.T0 + timedelta(days=d, hours=h2))
               for h1 in (-5, 0, 3, 30) for d, h2 in ((2, 0), (3, 7), (9, 1), (20, 0))]
    windows += [(None, H.T0 + timedelta(days=2, hours=5)), (H.T0 + timedelta(hours=5), None)]

    def figures():
        out = []
        for since, until in windows:
            f = a.funnel(H.VENDOR, H.JOURNEY, since=since, until=until)
            t = a.trends(H.VENDOR, H.JOURNEY, since=since, until=until)
            out.append((f.nodes, f.transitions, f.runs, t))
        return out

    with engine.connect() as conn:
        assert rollup.watermark(conn) > 0
    summarised = figures()
    with engine.begin() as conn:  # the same database read from the log alone
        conn.execute(update(A.watermark).values(step_id=0))
    assert figures() == summarised
    assert any(n.visits for f in summarised for n in f[0])
