"""Analytics figures against runs built by hand (tests/analytics/handmade.py), on SQLite and
PostgreSQL, read three ways: from the step log only, from the summaries after a refresh, and
from summaries plus steps logged after the refresh. All three must give the same numbers."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.pool import NullPool

from engine.analytics import Analytics
from engine.analytics import rollup
from engine.storage.database import make_engine

from . import handmade as H

DAY = 86400.0


@pytest.fixture(params=["log", "summary", "summary+delta"])
def analytics(request, sql_url):
    engine = make_engine(sql_url, poolclass=NullPool)
    mode = request.param
    with engine.begin() as conn:
        H.load(conn, steps="all" if mode != "summary+delta" else "first")
    if mode != "log":
        assert rollup.refresh(engine) > 0
    if mode == "summary+delta":
        with engine.begin() as conn:
            H.load(conn, runs=False, steps="rest")
    a = Analytics(engine, auto_refresh=False)
    a.mode = mode
    yield a
    engine.dispose()


def test_funnel_counts_per_node(analytics):
    f = analytics.funnel(H.VENDOR, H.JOURNEY, version=1)
    got = {n.node: (n.entered, n.visits, n.completed, n.skipped, n.failed, n.waiting,
                    n.failed_now) for n in f.nodes}
    assert got == {
        #            entered visits completed skipped failed waiting failed_now
        "start":     (6, 6, 6, 0, 0, 0, 0),
        "welcome":   (6, 6, 5, 0, 1, 0, 1),   # r5's welcome failed; r5 is still failed there
        "wait":      (5, 5, 4, 0, 0, 1, 0),   # r4 waits there now
        "nudge":     (1, 1, 1, 0, 0, 0, 0),
        "split":     (3, 3, 3, 0, 0, 0, 0),
        "offer_a":   (2, 2, 1, 0, 0, 1, 0),   # r6 held by the send window
        "offer_b":   (1, 1, 1, 0, 0, 0, 0),
        "end":       (3, 3, 3, 0, 0, 0, 0),
    }
    assert f.node("wait").outcomes == {"event": 3, "timeout": 1}
    assert [n.node for n in f.nodes] == [n["id"] for n in H.DOCUMENT["nodes"]]
    assert f.node("wait").title == "Questionnaire back?" and f.node("wait").type == "wait_for"


def test_transitions_conversion_and_drop_off(analytics):
    f = analytics.funnel(H.VENDOR, H.JOURNEY, version=1)
    moves = {(t.source, t.label, t.target): t.runs for t in f.transitions}
    assert moves == {
        ("start", None, "welcome"): 6, ("welcome", None, "wait"): 5,
        ("wait", "event", "split"): 3, ("wait", "timeout", "nudge"): 1,
        ("nudge", None, "end"): 1, ("split", "a", "offer_a"): 2, ("split", "b", "offer_b"): 1,
        ("offer_a", None, "end"): 1, ("offer_b", None, "end"): 1,
    }
    assert f.conversion("wait", "split") == pytest.approx(3 / 5)
    assert f.conversion("welcome", "wait") == pytest.approx(5 / 6)
    assert f.node("welcome").dropped == 1 and f.node("wait").dropped == 1


def test_run_totals_and_goal_conversion(analytics):
    one = analytics.funnel(H.VENDOR, H.JOURNEY, version=1).runs
    assert (one.started, one.completed, one.active, one.failed, one.converted) == (6, 3, 2, 1, 2)
    assert one.conversion_rate == pytest.approx(2 / 6)
    every = analytics.funnel(H.VENDOR, H.JOURNEY).runs
    assert (every.started, every.completed, every.converted) == (7, 4, 3)


def test_median_and_p90_time_in_node(analytics):
    times = analytics.node_times(H.VENDOR, H.JOURNEY, version=1)
    # wait: 2, 4, 6 and 7 days -> median 5 days, p90 at 0.9 * 3 = 2.7 -> 6.7 days
    assert times["wait"].count == 4
    assert times["wait"].median_seconds == pytest.approx(5 * DAY)
    assert times["wait"].p90_seconds == pytest.approx(6.7 * DAY)
    assert times["welcome"].median_seconds == 0 and times["welcome"].count == 5
    funnel = analytics.funnel(H.VENDOR, H.JOURNEY, version=1)
    assert funnel.node("wait").median_seconds == pytest.approx(5 * DAY)


def test_stuck_clients(analytics):
    total, rows = analytics.stuck(H.VENDOR, H.JOURNEY, now=H.NOW, threshold=timedelta(days=7))
    assert total == 3
    assert [(r.run_id, r.reason) for r in rows] == [
        ("r4", "waiting_long"), ("r5", "failed"), ("r6", "overdue")]
    assert rows[0].client_name == "Couple c4"
    assert rows[0].waiting_seconds == pytest.approx(19 * DAY)
    # a longer threshold: r4 is no longer stuck; the failure and the overdue wake-up still are
    total, rows = analytics.stuck(H.VENDOR, H.JOURNEY, now=H.NOW, threshold=timedelta(days=30))
    assert [r.run_id for r in rows] == ["r5", "r6"] and total == 2


def test_trends_per_day(analytics):
    trend = {d.day: d for d in analytics.trends(H.VENDOR, H.JOURNEY)}
    steps = Counter(row["at"].date() for rows in H.STEPS.values() for row in rows)
    assert {day: t.steps for day, t in trend.items() if t.steps} == dict(steps)
    started = Counter(r["started_at"].date() for r in H.RUNS)
    assert {day: t.started for day, t in trend.items() if t.started} == dict(started)
    converted = Counter(r["goal_at"].date() for r in H.RUNS if r["goal_at"])
    assert {day: t.converted for day, t in trend.items() if t.converted} == dict(converted)
    completed = Counter(r["ended_at"].date() for r in H.RUNS if r["status"] == "completed")
    assert {day: t.completed for day, t in trend.items() if t.completed} == dict(completed)
    third = trend[(H.T0 + 2 * H.DAY).date()]
    assert third.outcomes == {"done": 4, "sent": 2, "failed": 1, "event": 1}


def test_cohorts_by_lead_source_and_wedding_month(analytics):
    by_source = {c.key: c.runs for c in analytics.cohorts(H.VENDOR, H.JOURNEY, by="lead_source")}
    assert set(by_source) == {"instagram", "referral", None}
    insta, referral, none = by_source["instagram"], by_source["referral"], by_source[None]
    assert (insta.started, insta.completed, insta.active, insta.converted) == (3, 2, 1, 1)
    assert (referral.started, referral.completed, referral.active, referral.converted) == (3, 2, 1, 2)
    assert (none.started, none.failed) == (1, 1)
    by_month = analytics.cohorts(H.VENDOR, H.JOURNEY, by="wedding_month")
    assert [c.key for c in by_month] == ["2027-06", "2027-07", None]
    assert by_month[0].runs == insta and by_month[1].runs == referral
    assert analytics.cohorts(H.VENDOR, H.JOURNEY, by="fields.lead_source")[0].key == "instagram"


def test_per_version_comparison(analytics):
    versions = {v.version: v for v in analytics.versions(H.VENDOR, H.JOURNEY)}
    assert set(versions) == {1, 2}
    one, two = versions[1], versions[2]
    assert (one.runs.started, one.runs.converted, one.runs.failed) == (6, 2, 1)
    assert (two.runs.started, two.runs.converted) == (1, 1)
    assert one.median_seconds_to_goal == pytest.approx(4.5 * DAY)  # 2 and 7 days
    assert two.median_seconds_to_goal == pytest.approx(2 * DAY)


def test_split_branches_with_significance(analytics):
    [split] = analytics.splits(H.VENDOR, H.JOURNEY)
    assert split.node == "split" and split.title == "Offer test"
    got = {b.label: (b.runs, b.converted, b.completed) for b in split.branches}
    assert got == {"a": (3, 2, 2), "b": (1, 0, 1)}
    test = split.test
    assert test.statistic == pytest.approx(4 / 3)
    assert test.p_value == pytest.approx(0.2482, abs=1e-4)
    assert not test.enough_data and not test.significant
    [only_v1] = analytics.splits(H.VENDOR, H.JOURNEY, version=1)
    assert {b.label: b.runs for b in only_v1.branches} == {"a": 2, "b": 1}


def test_day_window(analytics):
    since = H.T0 + 2 * timedelta(days=1)
    f = analytics.funnel(H.VENDOR, H.JOURNEY, version=1, since=since,
                         until=since + timedelta(days=1))
    # steps logged on 3 March: r1 (wait, split, offer_a, end), r5 (start, failed welcome),
    # r6 (start, welcome); runs started that day: r5 (failed) and r6 (at offer_a)
    assert f.node("start").visits == 2
    assert (f.node("welcome").visits, f.node("welcome").failed, f.node("welcome").failed_now) \
        == (2, 1, 1)
    assert (f.node("offer_a").visits, f.node("offer_a").waiting) == (2, 1)
    assert f.runs.started == 2
    # a window that does not fall on midnights is read from the log: the same figures here
    g = analytics.funnel(H.VENDOR, H.JOURNEY, version=1, since=since - timedelta(seconds=1),
                         until=since + timedelta(days=1))
    assert [(n.node, n.visits) for n in g.nodes] == [(n.node, n.visits) for n in f.nodes]


def test_other_vendors_see_nothing(analytics):
    f = analytics.funnel("someone_else", H.JOURNEY)
    assert f.runs.started == 0 and f.nodes == [] and f.transitions == []
    assert analytics.splits("someone_else", H.JOURNEY) == []


def test_large_inputs_read_through_histograms_agree(analytics, monkeypatch):
    """SQLite reads percentiles of large inputs from 1%-wide histograms: exact here, where
    each bucket holds one distinct value."""
    from engine.analytics import sql
    monkeypatch.setattr(sql, "EXACT_ROWS", 0)
    since = H.T0
    times = analytics.node_times(H.VENDOR, H.JOURNEY, version=1, since=since)
    assert times["wait"].median_seconds == pytest.approx(5 * DAY)
    assert times["wait"].p90_seconds == pytest.approx(6.7 * DAY)
    versions = {v.version: v for v in analytics.versions(H.VENDOR, H.JOURNEY)}
    assert versions[1].median_seconds_to_goal == pytest.approx(4.5 * DAY)
