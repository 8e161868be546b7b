"""The analytics queries: SQL aggregates over the step log and the run table.

Each function takes an open SQLAlchemy Connection and a Scope, runs a handful of GROUP BY
statements (never one row per run back to Python) and folds their small results into the
dataclasses of engine.analytics.results. Both SQLite and PostgreSQL run the same statements
except for the few expressions in engine.analytics.sql.

How the step log is read (engine.runtime writes it):
- a node's step is logged when the node is done with: outcome sent | done | event | timeout |
  past_due | skipped | failed; `entered_at` is when the run entered the node, `at` when the
  step was logged, so `at - entered_at` is the time spent in the node;
- a run waiting at a node has no step for that visit yet: it is counted from the run table;
- `visit` is 1 on a run's first visit of a node, so "runs that reached the node" is the number
  of visit-1 steps plus the runs waiting at their first visit now (no COUNT(DISTINCT));
- control lines (type "control": pause, cancel, exits by event...) are not node executions;
- which edge a step took follows from its node type, outcome and detail (a split's
  {"branch": label}, a condition's {"result": bool}), mapped through the version's document.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import and_, case, func, literal, or_, select, true
from sqlalchemy.engine import Connection, Engine

from engine.analytics import rollup, sql
from engine.analytics import tables as A
from engine.analytics.results import (BranchResult, Cohort, DayTrend, Funnel, NodeStats,
                                      NodeTiming, RunTotals, SplitResult, StuckRun, Transition,
                                      VersionStats)
from engine.analytics.stats import DEFAULT_ALPHA, conversion_test
from engine.storage.sql import tables as T

S, R, C = T.step, T.run, T.client
K = A.run_key

OPEN_WAITING = ("active", "waiting", "needs_date", "paused")
MOVED_ON = ("sent", "done", "event", "timeout", "past_due")
TIMED_OUTCOMES = (*MOVED_ON, "skipped")


@dataclass(frozen=True)
class Scope:
    """Which runs and steps a query looks at. `version` None: every version of the journey.
    `since`/`until` (optional, half-open [since, until)): steps logged in the window and runs
    started in it. The vendor is checked once, on the journey (`owned`); the step and run
    filters then need only the journey, which keeps them on covering indexes."""
    vendor_id: str
    journey_id: str
    version: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def steps(self) -> list[Any]:
        where = [S.c.journey_id == self.journey_id]
        if self.version is not None:
            where.append(S.c.version == self.version)
        if self.since is not None:
            where.append(S.c.at >= self.since)
        if self.until is not None:
            where.append(S.c.at < self.until)
        return where

    def runs(self) -> list[Any]:
        where = [R.c.journey_id == self.journey_id]
        if self.version is not None:
            where.append(R.c.version == self.version)
        if self.since is not None:
            where.append(R.c.started_at >= self.since)
        if self.until is not None:
            where.append(R.c.started_at < self.until)
        return where


# -- journey documents -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Shape:
    """What a version's document says about its nodes: type, title, and label -> target."""
    types: dict[str, str]
    titles: dict[str, str | None]
    order: list[str]
    edges: dict[str, dict[str | None, str]]
    goal: dict | None


def _shape(document: dict[str, Any]) -> _Shape:
    types, titles, order = {}, {}, []
    for node in document.get("nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("id"), str) and node["id"] not in types:
            types[node["id"]] = node.get("type")
            titles[node["id"]] = node.get("title")
            order.append(node["id"])
    edges: dict[str, dict[str | None, str]] = defaultdict(dict)
    for edge in document.get("edges") or []:
        if isinstance(edge, dict) and edge.get("from") in types and edge.get("to") in types:
            edges[edge["from"]].setdefault(edge.get("when"), edge["to"])
    goal = (document.get("settings") or {}).get("goal")
    return _Shape(types, titles, order, dict(edges), goal)


def shapes(conn: Connection, scope: Scope) -> dict[int, _Shape]:
    """{version: shape} for the versions in scope (all published ones when version is None)."""
    V, J = T.journey_version, T.journey
    stmt = (select(V.c.version, V.c.document).select_from(V.join(J, J.c.id == V.c.journey_id))
            .where(V.c.journey_id == scope.journey_id, J.c.vendor_id == scope.vendor_id))
    if scope.version is not None:
        stmt = stmt.where(V.c.version == scope.version)
    return {row[0]: _shape(row[1]) for row in conn.execute(stmt)}


def owned(conn: Connection, scope: Scope) -> bool:
    """Does the journey belong to the scope's vendor? (Every query answers nothing otherwise.)"""
    J = T.journey
    return conn.execute(select(J.c.id).where(J.c.id == scope.journey_id,
                                             J.c.vendor_id == scope.vendor_id)).first() is not None


def _label_for(shape: _Shape, node: str, node_type: str | None, outcome: str,
               branch: str | None, result: str | None) -> tuple[bool, str | None]:
    """(moves on?, edge label) for a step, mirroring engine.runtime.walker."""
    if outcome == "failed":
        return False, None
    labels = shape.edges.get(node, {})
    if outcome == "skipped":  # a manual skip takes the walker's default way out
        if node_type == "wait_for":
            return True, "timeout"
        if node_type == "condition":
            return True, "false"
        if node_type == "split":
            return True, branch if branch is not None else next(
                (k for k in labels if k is not None), None)
        return True, None
    if node_type == "wait_for":
        return True, "event" if outcome == "event" else "timeout"
    if node_type == "condition":
        return True, "true" if result in ("true", "1") else "false"
    if node_type == "split":
        return True, branch
    if node_type == "delay" and outcome == "past_due":
        return True, "past_due" if "past_due" in labels else None
    return True, None


# -- the funnel --------------------------------------------------------------------------------

def _totals(counts: Iterable[tuple[Any, str, int, int]]) -> dict[Any, RunTotals]:
    """RunTotals per key from (key, status class, converted 0/1, runs)."""
    acc: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for k, status, converted, n in counts:
        bucket = acc[k]
        bucket["started"] += n
        bucket["converted"] += n if converted else 0
        bucket[status if status in rollup.ENDED else "active"] += n
    return {k: RunTotals(**v) for k, v in acc.items()}


def summary_totals(conn: Connection, scope: Scope, by: str | None = None
                   ) -> dict[Any, RunTotals]:
    """RunTotals for the scope (no time window) from the run summaries, per `by`: None (one
    entry, key None), "version", "wedding_month" or "lead_source" (as of each run's start)."""
    rows = rollup.run_rows(conn, scope)
    if by is None:
        return _totals((None, s, c, n) for v, s, c, m, ls, n in rows)
    if by == "version":
        return _totals((v, s, c, n) for v, s, c, m, ls, n in rows)
    if by == "wedding_month":
        return _totals((m or None, s, c, n) for v, s, c, m, ls, n in rows)
    return _totals((rollup.source_value(ls), s, c, n) for v, s, c, m, ls, n in rows)


def _windowed(scope: Scope) -> bool:
    return scope.since is not None or scope.until is not None


def run_totals(conn: Connection, scope: Scope, group: Any = None,
               extra_where: Iterable[Any] = (), join_client: bool = False,
               join_keys: bool = False) -> dict[Any, RunTotals]:
    """RunTotals per value of `group` (one entry, key None, without a group), read from the
    run table (`join_keys`: with each run's cohort keys, analytics_run_key, joined)."""
    # Grouped by the label, not the expression: PostgreSQL sees two bound parameters (a JSON key,
    # a format) in the SELECT and GROUP BY as different expressions.
    key = (group if group is not None else literal(None)).label("k")
    source = R.outerjoin(C, C.c.id == R.c.client_id) if join_client else R
    if join_keys:
        source = R.outerjoin(K, K.c.run_id == R.c.id)
    stmt = (select(key, R.c.status, func.count(), func.count(R.c.goal_at))
            .select_from(source).where(*scope.runs(), *extra_where))
    stmt = stmt.group_by(key, R.c.status) if group is not None else stmt.group_by(R.c.status)
    acc: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for k, status, n, converted in conn.execute(stmt):
        bucket = acc[k]
        bucket["started"] += n
        bucket["converted"] += converted
        field = {"completed": "completed", "exited": "exited", "cancelled": "cancelled",
                 "failed": "failed"}.get(status, "active")
        bucket[field] += n
    return {k: RunTotals(**v) for k, v in acc.items()}


def funnel(conn: Connection, scope: Scope, *, with_times: bool = True,
           refresher: Engine | None = None) -> Funnel:
    """The funnel of a journey. Node executions come from the step-log summaries plus the steps
    logged since (engine.analytics.rollup); `refresher`, an engine that may write, lets the
    query fold a large backlog first."""
    if not owned(conn, scope):
        return Funnel(journey_id=scope.journey_id, version=scope.version, nodes=[],
                      transitions=[], runs=RunTotals(), goal=None)
    by_version = shapes(conn, scope)
    latest = by_version[max(by_version)] if by_version else _Shape({}, {}, [], {}, None)
    mark = rollup.usable_watermark(conn, refresher, scope)
    # Runs at a node now (no step logged for that visit yet, unless the run failed there).
    at_node = (select(R.c.node, R.c.status, R.c.paused_status,
                      func.sum(case((R.c.visit == 1, 1), else_=0)), func.count())
               .where(*scope.runs(),
                      sql.selective(conn, R.c.status.in_((*OPEN_WAITING, "failed"))))
               .group_by(R.c.node, R.c.status, R.c.paused_status))

    stats: dict[str, dict[str, Any]] = {}

    def node_entry(node: str) -> dict[str, Any]:
        if node not in stats:
            stats[node] = {"entered": 0, "visits": 0, "completed": 0, "skipped": 0,
                           "failed": 0, "waiting": 0, "failed_now": 0, "outcomes": {}}
        return stats[node]

    moves: dict[tuple[str, str | None, str], int] = defaultdict(int)
    for version, node, node_type, outcome, label, n, first in rollup.step_counts(conn, scope,
                                                                                  mark):
        entry = node_entry(node)
        entry["visits"] += n
        entry["entered"] += first
        entry["outcomes"][outcome] = entry["outcomes"].get(outcome, 0) + n
        if outcome in MOVED_ON:
            entry["completed"] += n
        elif outcome == "skipped":
            entry["skipped"] += n
        elif outcome == "failed":
            entry["failed"] += n
        shape = by_version.get(version, latest)
        moved, edge = _label_for(shape, node, node_type, outcome, label or None, label or None)
        target = shape.edges.get(node, {}).get(edge) if moved else None
        if target is not None:
            moves[(node, edge, target)] += n
    for node, status, paused_status, first, n in conn.execute(at_node):
        if node is None:
            continue
        entry = node_entry(node)
        if status == "failed":
            entry["failed_now"] += n  # its failed step is already counted above
            continue
        if status == "paused" and paused_status == "failed":
            continue
        entry["waiting"] += n
        entry["visits"] += n
        entry["entered"] += int(first or 0)

    timings = node_times(conn, scope, mark=mark) if with_times else {}
    order = list(latest.order)
    for shape in by_version.values():
        order += [n for n in shape.order if n not in order]
    order += sorted(n for n in stats if n not in order)
    types = {**{n: t for s in by_version.values() for n, t in s.types.items()}, **latest.types}
    titles = {**{n: t for s in by_version.values() for n, t in s.titles.items()}, **latest.titles}
    nodes = []
    for node in order:
        entry = stats.get(node) or node_entry(node)
        timing = timings.get(node)
        nodes.append(NodeStats(node=node, type=types.get(node), title=titles.get(node),
                               median_seconds=timing.median_seconds if timing else None,
                               p90_seconds=timing.p90_seconds if timing else None, **entry))
    visits = {n.node: n.visits for n in nodes}
    transitions = [Transition(source=a, target=b, label=label, runs=n,
                              rate=n / visits[a] if visits.get(a) else None)
                   for (a, label, b), n in sorted(moves.items(), key=lambda kv: (
                       order.index(kv[0][0]) if kv[0][0] in order else 10**6, str(kv[0][1])))]
    found = run_totals(conn, scope) if _windowed(scope) else summary_totals(conn, scope)
    totals = found.get(None, RunTotals())
    return Funnel(journey_id=scope.journey_id, version=scope.version, nodes=nodes,
                  transitions=transitions, runs=totals, goal=latest.goal)


def node_times(conn: Connection, scope: Scope, *, mark: int | None = None,
               refresher: Engine | None = None) -> dict[str, NodeTiming]:
    """Median and 90th percentile of the time spent in each node (steps that moved on or were
    skipped; instant nodes count as 0 s). Over all time: from the summaries' histograms plus the
    steps since (exact for equal values, else within 1%); in a window: exact, from the log."""
    if not owned(conn, scope):
        return {}
    if scope.since is None and scope.until is None:
        if mark is None:
            mark = rollup.usable_watermark(conn, refresher, scope)
        if mark:
            out = {}
            for node, entries in rollup.node_histograms(conn, scope, mark).items():
                n, (median, p90) = rollup.histogram_percentiles(entries)
                out[node] = NodeTiming(node=node, count=n, median_seconds=median, p90_seconds=p90)
            return out
    seconds = sql.seconds_between(conn, S.c.at, S.c.entered_at)
    found = sql.percentiles(conn, S.c.node, seconds,
                            [*scope.steps(), S.c.outcome.in_(TIMED_OUTCOMES)])
    return {node: NodeTiming(node=node, count=n, median_seconds=values[0],
                             p90_seconds=values[1]) for node, (n, values) in found.items()}


# -- stuck clients -----------------------------------------------------------------------------

def stuck(conn: Connection, scope: Scope, *, now: datetime, threshold: timedelta,
          grace: timedelta = timedelta(minutes=15), limit: int = 100
          ) -> tuple[int, list[StuckRun]]:
    """(how many, the longest-waiting `limit` of them) open runs that need a look:
    failed; waiting for a client date; a wake-up more than `grace` overdue; or waiting longer
    than `threshold` for something other than time (an event, an approval, a send window
    never counts: those resume by themselves)."""
    if not owned(conn, scope):
        return 0, []
    kind = sql.json_text(R.c.wait, "kind")
    overdue = and_(R.c.status == "waiting", R.c.due_at < now - grace)
    long_wait = and_(R.c.status == "waiting", R.c.entered_at < now - threshold,
                     or_(kind.is_(None), kind.notin_(("delay", "window"))))
    condition = or_(R.c.status.in_(("failed", "needs_date")), overdue, long_wait)
    where = [*scope.runs(),
             sql.selective(conn, R.c.status.in_(("failed", "needs_date", "waiting"))), condition]
    total = conn.execute(select(func.count()).select_from(R).where(*where)).scalar_one()
    rows = conn.execute(
        select(R.c.id, R.c.client_id, C.c.name, R.c.node, R.c.status, R.c.entered_at,
               R.c.due_at)
        .select_from(R.outerjoin(C, C.c.id == R.c.client_id)).where(*where)
        .order_by(R.c.entered_at, R.c.id).limit(limit))
    out = []
    for run_id, client_id, name, node, status, entered_at, due_at in rows:
        if status == "failed":
            reason = "failed"
        elif status == "needs_date":
            reason = "needs_date"
        elif due_at is not None and due_at < now - grace:
            reason = "overdue"
        else:
            reason = "waiting_long"
        waited = (now - entered_at).total_seconds() if entered_at is not None else None
        out.append(StuckRun(run_id=run_id, client_id=client_id, client_name=name, node=node,
                            status=status, reason=reason, entered_at=entered_at, due_at=due_at,
                            waiting_seconds=waited))
    return total, out


# -- trends ------------------------------------------------------------------------------------

def trends(conn: Connection, scope: Scope, *, refresher: Engine | None = None
           ) -> list[DayTrend]:
    """Per UTC day: runs started, completed, exited and converted that day, and steps logged."""
    if not owned(conn, scope):
        return []
    days: dict[Any, dict[str, Any]] = defaultdict(lambda: {"started": 0, "completed": 0,
                                                          "exited": 0, "converted": 0,
                                                          "steps": 0, "outcomes": {}})
    mark = rollup.usable_watermark(conn, refresher, scope)
    for d, (outcomes, started) in rollup.step_days(conn, scope, mark).items():
        entry = days[d]
        entry["steps"] += sum(outcomes.values())
        entry["outcomes"] = dict(outcomes)
        entry["started"] += started
    base = [R.c.journey_id == scope.journey_id]
    if scope.version is not None:
        base.append(R.c.version == scope.version)

    bounds = rollup._day_bounds(scope)
    if bounds is not None:  # whole UTC days: the run summaries
        for d, kinds in rollup.run_days(conn, scope, *bounds).items():
            for kind, n in kinds.items():
                days[d][kind] += n
    else:  # one pass over the journey's runs (the covering index) for all three counts
        def within(column: Any) -> Any:
            return and_(column >= scope.since if scope.since is not None else column.isnot(None),
                        column < scope.until if scope.until is not None else true())

        ended, goal = within(R.c.ended_at), within(R.c.goal_at)
        in_end = case((ended, 1), else_=0).label("in_end")
        in_goal = case((goal, 1), else_=0).label("in_goal")
        ended_day = sql.utc_day(conn, R.c.ended_at).label("ended_day")
        goal_day = sql.utc_day(conn, R.c.goal_at).label("goal_day")
        for status, end_day, conv_day, e, g, n in conn.execute(
                select(R.c.status, ended_day, goal_day, in_end, in_goal, func.count())
                .where(*base, or_(and_(ended, R.c.status.in_(("completed", "exited",
                                                              "cancelled"))), goal))
                .group_by(R.c.status, ended_day, goal_day, in_end, in_goal)):
            if e and status == "completed":
                days[sql.as_day(end_day)]["completed"] += n
            elif e and status in ("exited", "cancelled"):
                days[sql.as_day(end_day)]["exited"] += n
            if g:
                days[sql.as_day(conv_day)]["converted"] += n
    return [DayTrend(day=d, **v) for d, v in sorted(days.items())]


# -- cohorts and versions ----------------------------------------------------------------------

def cohorts_by_wedding_month(conn: Connection, scope: Scope) -> list[Cohort]:
    """Runs by the wedding month of their client as the run started (analytics_run_key)."""
    if not owned(conn, scope):
        return []
    if _windowed(scope):
        found = run_totals(conn, scope, sql.year_month(conn, K.c.wedding_date), join_keys=True)
    else:
        found = summary_totals(conn, scope, "wedding_month")
    return [Cohort(key=k, runs=v) for k, v in sorted(found.items(), key=_none_last)]


def cohorts_by_field(conn: Connection, scope: Scope, field: str) -> list[Cohort]:
    """Runs by a custom client field: `lead_source` as the run started (analytics_run_key),
    any other field as the client has it now."""
    if not owned(conn, scope):
        return []
    if field == "lead_source" and not _windowed(scope):
        found = summary_totals(conn, scope, "lead_source")
    elif field == "lead_source":
        found = run_totals(conn, scope, K.c.lead_source, join_keys=True)
    else:
        found = run_totals(conn, scope, sql.json_text(C.c.fields, field), join_client=True)
    return [Cohort(key=None if k is None else str(k), runs=v)
            for k, v in sorted(found.items(), key=_none_last)]


def versions(conn: Connection, scope: Scope) -> list[VersionStats]:
    """Run totals and the median time from start to goal per version. Without a window: the
    run summaries and the goal-time histograms (exact when a 1% bucket holds equal values,
    else within 1%); with one: the run table."""
    if not owned(conn, scope):
        return []
    if not _windowed(scope):
        found = summary_totals(conn, scope, "version")
        to_goal = {v: rollup.histogram_percentiles(entries, (0.5,))
                   for v, entries in rollup.goal_histograms(conn, scope).items()}
    else:
        found = run_totals(conn, scope, R.c.version)
        to_goal = sql.percentiles(conn, R.c.version,
                                  sql.seconds_between(conn, R.c.goal_at, R.c.started_at),
                                  scope.runs(), ps=(0.5,),
                                  rows=sum(t.converted for t in found.values()))
    return [VersionStats(version=v, runs=totals,
                         median_seconds_to_goal=to_goal.get(v, (0, [None]))[1][0])
            for v, totals in sorted(found.items())]


def _none_last(item: tuple[Any, Any]) -> tuple[bool, str]:
    return (item[0] is None, str(item[0]))


# -- splits ------------------------------------------------------------------------------------

def splits(conn: Connection, scope: Scope, *, alpha: float = DEFAULT_ALPHA,
           refresher: Engine | None = None) -> list[SplitResult]:
    """Each split node's branches: runs sent down each (their first pass of the split), how many
    reached the goal and completed, and a chi-square test of the conversion rates."""
    if not owned(conn, scope):
        return []
    by_version = shapes(conn, scope)
    split_nodes: dict[str, tuple[str | None, list[str]]] = {}
    for version in sorted(by_version):
        shape = by_version[version]
        for node, node_type in shape.types.items():
            if node_type == "split":
                labels = [k for k in shape.edges.get(node, {}) if k is not None]
                known = split_nodes.get(node, (None, []))[1]
                split_nodes[node] = (shape.titles.get(node),
                                     known + [x for x in labels if x not in known])
    if not split_nodes:
        return []
    found = rollup.split_branches(conn, scope)
    goal = any(s.goal for s in by_version.values())
    out = []
    for node, (title, labels) in split_nodes.items():
        seen = found.get(node, {})
        names = labels + sorted(k for k in seen if k not in labels)
        branches = [BranchResult(label=k, runs=seen.get(k, (0, 0, 0))[0],
                                 converted=seen.get(k, (0, 0, 0))[1],
                                 completed=seen.get(k, (0, 0, 0))[2]) for k in names]
        test = conversion_test([b.converted for b in branches], [b.runs for b in branches],
                               alpha=alpha) if goal else None
        out.append(SplitResult(node=node, title=title, branches=branches, test=test))
    return out
