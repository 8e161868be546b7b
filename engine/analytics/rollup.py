"""Summaries of the step log, kept up to date incrementally, so funnels stay fast at any size.

The step log only grows (rows are inserted, never changed), and `step.id` increases with every
row. A watermark W says "every step with id <= W is folded into the summary tables"
(engine.analytics.tables). A query then reads

    summary (steps <= W)  +  delta (steps > W, aggregated live from the step log)

which is exact whatever W is: the delta is read in the same snapshot. `refresh()` folds the delta
into the summaries (INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE, in chunks) and moves
W; queries call it themselves when the delta has grown past AUTO_REFRESH_ROWS, and a worker may
call it on a timer.

Moving W safely: a step row with a smaller id must never commit after W has passed it. SQLite
has one writer at a time, so max(id) is always safe. On PostgreSQL a transaction may hold an id
below the visible maximum without having committed yet, so refresh() first takes a SHARE lock on
the step table (it waits for in-flight writers, with a short lock_timeout, and is released at
once), reads max(id) as the bound, and folds up to that bound without holding any lock.
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import Integer, String, case, cast, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from engine.analytics import sql
from engine.analytics import tables as A
from engine.storage.sql import tables as T

log = logging.getLogger("journeys.analytics")

S = T.step
BUCKET_RATIO = 1.01
_LOG_RATIO = math.log(BUCKET_RATIO)
AUTO_REFRESH_ROWS = 20_000
CHUNK_ROWS = 250_000
LOCK_TIMEOUT_MS = 500
ANALYZE_AFTER = 100_000
TIMED_OUTCOMES = ("sent", "done", "event", "timeout", "past_due", "skipped")


# -- expressions shared by the summaries and the live delta -------------------------------------

def label_expr() -> Any:
    """The edge a step took, as text: a split's branch, a condition's "true"/"false", else ''."""
    branch = cast(sql.json_text(S.c.detail, "branch"), String)
    result = cast(sql.json_text(S.c.detail, "result"), String)
    return case((S.c.type == "split", func.coalesce(branch, "")),
                (S.c.type == "condition", case((result.in_(("true", "1")), "true"),
                                               else_="false")),
                else_="")


def bucket_of(seconds: float) -> int:
    return 0 if seconds < 1 else 1 + int(math.floor(math.log(seconds) / _LOG_RATIO))


def _bucket_expr(seconds: Any) -> Any:
    return case((seconds < 1, 0),
                else_=1 + cast(func.floor(func.ln(seconds) / _LOG_RATIO), Integer))


def _insert(conn: Connection, table: Any) -> Any:
    return (postgresql.insert if sql.is_postgres(conn) else sqlite.insert)(table)


def _least(conn: Connection, a: Any, b: Any) -> Any:
    return func.least(a, b) if sql.is_postgres(conn) else func.min(a, b)


def _greatest(conn: Connection, a: Any, b: Any) -> Any:
    return func.greatest(a, b) if sql.is_postgres(conn) else func.max(a, b)


def _ensure_ln(conn: Connection) -> None:
    """SQLite builds without the math functions get a Python ln() on this connection."""
    if sql.is_postgres(conn):
        return
    try:
        conn.exec_driver_sql("SELECT ln(2.0)").scalar()
    except DBAPIError:
        raw = conn.connection.driver_connection
        raw.create_function("ln", 1, lambda x: math.log(x) if x and x > 0 else None,
                            deterministic=True)


# -- the watermark ------------------------------------------------------------------------------

def watermark(conn: Connection) -> int:
    found = conn.execute(select(A.watermark.c.step_id).where(A.watermark.c.name == "steps"))
    return found.scalar() or 0


def max_step_id(conn: Connection) -> int:
    return conn.execute(select(func.max(S.c.id))).scalar() or 0


def _safe_bound(engine: Engine) -> int | None:
    """The largest step id below which every row has committed (None: could not tell now)."""
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            with conn.begin():
                return max_step_id(conn)
        try:
            with conn.begin():
                conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'"))
                conn.execute(text("LOCK TABLE step IN SHARE MODE"))
                return max_step_id(conn)
        except DBAPIError as error:  # a long writer holds the table: fold next time
            log.info("analytics refresh skipped: %s", error.orig)
            return None


def refresh(engine: Engine, *, chunk: int = CHUNK_ROWS) -> int:
    """Fold every committed step past the watermark into the summaries, and the run-change log
    into the run summaries. Returns the number of step ids covered (0 if nothing was new, or if
    a writer kept the table busy)."""
    fold_runs(engine)
    upper = _safe_bound(engine)
    if upper is None:
        return 0
    folded = 0
    while True:
        with engine.begin() as conn:
            _ensure_ln(conn)
            conn.execute(_insert(conn, A.watermark).values(name="steps", step_id=0)
                         .on_conflict_do_nothing(index_elements=["name"]))
            stmt = select(A.watermark.c.step_id).where(A.watermark.c.name == "steps")
            if sql.is_postgres(conn):
                stmt = stmt.with_for_update()  # one refresher at a time
            low = conn.execute(stmt).scalar_one()
            if low >= upper:
                break
            high = min(upper, low + chunk)
            _fold(conn, low, high)
            conn.execute(A.watermark.update().where(A.watermark.c.name == "steps")
                         .values(step_id=high))
            folded += high - low
    if folded >= ANALYZE_AFTER and engine.dialect.name == "postgresql":
        # The summaries grew a lot (a first fold): give the planner their new sizes now rather
        # than at autovacuum's next pass (with the old estimate it nests loops over 100k rows).
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE " + ", ".join(t.name for t in A.ANALYTICS_TABLES)))
    return folded


def rebuild(engine: Engine) -> int:
    """Empty the summaries and fold the whole step log again; recompute the run summaries
    from the run table and the split steps (keeping each run's recorded cohort keys: they are
    history, not derived data; runs without one get their client's current values)."""
    with engine.begin() as conn:
        if sql.is_postgres(conn):  # no run, step or client write may slip between the reads
            conn.execute(text("LOCK TABLE run, step, client IN SHARE MODE"))
        for table in A.STEP_SUMMARIES:
            conn.execute(table.delete())
        _reseed_runs(conn)
    return refresh(engine)


def _fold_counts(conn: Connection, table: Any, keys: list[tuple[str, Any]],
                 where: list[Any]) -> None:
    """INSERT INTO table SELECT keys, vendor, count, first visits ... GROUP BY keys, adding to
    the rows already there."""
    cols = [expr.label(name) for name, expr in keys]
    counts = (select(*cols, func.max(S.c.vendor_id), func.count(),
                     func.sum(case((S.c.visit == 1, 1), else_=0)))
              .where(*where).group_by(*cols))
    names = [name for name, _ in keys]
    ins = _insert(conn, table).from_select([*names, "vendor_id", "steps", "first_visits"], counts)
    conn.execute(ins.on_conflict_do_update(
        index_elements=names,
        set_={"steps": table.c.steps + ins.excluded.steps,
              "first_visits": table.c.first_visits + ins.excluded.first_visits}))


def _fold(conn: Connection, low: int, high: int) -> None:
    in_range = [S.c.id > low, S.c.id <= high]
    nodes = [*in_range, S.c.type != "control", S.c.node.isnot(None)]
    day = sql.utc_day(conn, S.c.at)
    base = [("journey_id", S.c.journey_id), ("version", S.c.version)]
    what = [("type", S.c.type), ("outcome", S.c.outcome)]
    _fold_counts(conn, A.step_day, [*base, ("day", day), ("node", S.c.node), *what,
                                    ("label", label_expr())], nodes)
    _fold_counts(conn, A.step_total, [*base, ("node", S.c.node), *what,
                                      ("label", label_expr())], nodes)
    _fold_counts(conn, A.day_outcome, [*base, ("day", day), *what],
                 [*in_range, S.c.type != "control"])

    seconds = sql.seconds_between(conn, S.c.at, S.c.entered_at)
    bucket = _bucket_expr(seconds).label("bucket")
    times = (select(S.c.journey_id, S.c.version, S.c.node, bucket, func.max(S.c.vendor_id),
                    func.count(), func.min(seconds), func.max(seconds))
             .where(*in_range, S.c.outcome.in_(TIMED_OUTCOMES), S.c.entered_at.isnot(None),
                    S.c.node.isnot(None))
             .group_by(S.c.journey_id, S.c.version, S.c.node, bucket))
    ins = _insert(conn, A.node_time).from_select(
        ["journey_id", "version", "node", "bucket", "vendor_id", "steps", "min_seconds",
         "max_seconds"], times)
    conn.execute(ins.on_conflict_do_update(
        index_elements=["journey_id", "version", "node", "bucket"],
        set_={"steps": A.node_time.c.steps + ins.excluded.steps,
              "min_seconds": _least(conn, A.node_time.c.min_seconds, ins.excluded.min_seconds),
              "max_seconds": _greatest(conn, A.node_time.c.max_seconds,
                                       ins.excluded.max_seconds)}))


# -- reading: summary + live delta --------------------------------------------------------------

def _day_bounds(scope: Any) -> tuple[date | None, date | None] | None:
    """The scope's window as whole UTC days, or None if it does not fall on midnights."""
    bounds = []
    for moment in (scope.since, scope.until):
        if moment is None:
            bounds.append(None)
            continue
        utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
        if (utc.hour, utc.minute, utc.second, utc.microsecond) != (0, 0, 0, 0):
            return None
        bounds.append(utc.date())
    return bounds[0], bounds[1]


def _full_days(scope: Any) -> tuple[date | None, date | None, list[tuple[Any, Any]]] | None:
    """The scope's window as (first whole UTC day, day after the last, [partial-day edges as
    half-open instant ranges]); None when it holds no whole day (then the log is read)."""
    first = last = None
    edges = []
    if scope.since is not None:
        utc = _utc(scope.since)
        first = utc.date()
        if (utc.hour, utc.minute, utc.second, utc.microsecond) != (0, 0, 0, 0):
            first += timedelta(days=1)
            edges.append((scope.since, _midnight(first)))
    if scope.until is not None:
        utc = _utc(scope.until)
        last = utc.date()
        if (utc.hour, utc.minute, utc.second, utc.microsecond) != (0, 0, 0, 0):
            edges.append((_midnight(last), scope.until))
    if first is not None and last is not None and first >= last:
        return None
    return first, last, edges


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _edge(scope: Any, low: Any, high: Any, mark: int) -> list[Any]:
    """Steps folded into the summaries (id <= mark) logged in [low, high): a partial day at a
    window's edge. Only the time index is offered to the planner (the journey and id tests are
    wrapped), so it reads that range and not the journey's whole slice."""
    where = [func.coalesce(S.c.journey_id, "") == scope.journey_id, S.c.at >= low,
             S.c.at < high, S.c.id + 0 <= mark]
    if scope.version is not None:
        where.append(S.c.version == scope.version)
    return where


def _summary_where(table: Any, scope: Any) -> list[Any]:
    where = [table.c.journey_id == scope.journey_id]  # the vendor is checked on the journey
    if scope.version is not None:
        where.append(table.c.version == scope.version)
    return where


def usable_watermark(conn: Connection, engine: Engine | None, scope: Any,
                     day_based: bool = True) -> int:
    """The watermark to read summaries at for `scope` (0: read the step log only). Refreshes
    first when the delta has grown large and an engine to write with is given."""
    if day_based and _full_days(scope) is None:
        return 0
    mark = watermark(conn)
    if engine is not None and max_step_id(conn) - mark > AUTO_REFRESH_ROWS:
        refresh(engine)
        mark = watermark(conn)  # the reader's snapshot may predate the refresh: then 0 delta
    return mark


def _delta(scope: Any, mark: int) -> list[Any]:
    """The scope's steps logged after the watermark. With a watermark the delta is small and
    its natural path is the primary key range; the journey test is wrapped so that neither
    planner (SQLite's in particular) scans the journey's whole slice of a journey index instead."""
    if not mark:
        return scope.steps()
    where = [S.c.id > mark, func.coalesce(S.c.journey_id, "") == scope.journey_id]
    if scope.version is not None:
        where.append(S.c.version == scope.version)
    if scope.since is not None:
        where.append(S.c.at >= scope.since)
    if scope.until is not None:
        where.append(S.c.at < scope.until)
    return where


def step_counts(conn: Connection, scope: Any, mark: int
                ) -> list[tuple[int, str, str, str, str, int, int]]:
    """(version, node, type, outcome, label, executions, first visits) for the scope."""
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    label = label_expr().label("label")
    reads = [_delta(scope, mark)]
    if mark:
        first, last, edges = _full_days(scope)
        reads += [_edge(scope, low, high, mark) for low, high in edges]
        D = A.step_total if first is None and last is None else A.step_day
        where = _summary_where(D, scope)
        if first is not None:
            where.append(D.c.day >= first)
        if last is not None:
            where.append(D.c.day < last)
        for v, node, typ, outcome, lab, n, fv in conn.execute(
                select(D.c.version, D.c.node, D.c.type, D.c.outcome, D.c.label,
                       func.sum(D.c.steps), func.sum(D.c.first_visits))
                .where(*where).group_by(D.c.version, D.c.node, D.c.type, D.c.outcome,
                                        D.c.label)):
            acc = rows[(v, node, typ, outcome, lab)]
            acc[0] += int(n)
            acc[1] += int(fv)
    for where in reads:  # the delta, and the partial days at the window's edges
        for v, node, typ, outcome, lab, n, fv in conn.execute(
                select(S.c.version, S.c.node, S.c.type, S.c.outcome, label, func.count(),
                       func.sum(case((S.c.visit == 1, 1), else_=0)))
                .where(*where, S.c.type != "control", S.c.node.isnot(None))
                .group_by(S.c.version, S.c.node, S.c.type, S.c.outcome, label)):
            acc = rows[(v, node, typ, outcome, lab)]
            acc[0] += int(n)
            acc[1] += int(fv or 0)
    return [(*k, n, fv) for k, (n, fv) in rows.items()]


def step_days(conn: Connection, scope: Any, mark: int
              ) -> dict[date, tuple[dict[str, int], int]]:
    """{UTC day: ({outcome: executions}, runs started)} for the scope (a run starts with its
    trigger's first step)."""
    out: dict[date, tuple[dict[str, int], list[int]]] = defaultdict(
        lambda: (defaultdict(int), [0]))

    def add(d: Any, typ: str, outcome: str, n: int, first: int) -> None:
        outcomes, started = out[sql.as_day(d)]
        outcomes[outcome] += int(n)
        if typ == "trigger":
            started[0] += int(first or 0)

    reads = [_delta(scope, mark)]
    if mark:
        D = A.day_outcome
        where = _summary_where(D, scope)
        first, last, edges = _full_days(scope)
        reads += [_edge(scope, low, high, mark) for low, high in edges]
        if first is not None:
            where.append(D.c.day >= first)
        if last is not None:
            where.append(D.c.day < last)
        for row in conn.execute(select(D.c.day, D.c.type, D.c.outcome, func.sum(D.c.steps),
                                       func.sum(D.c.first_visits))
                                .where(*where).group_by(D.c.day, D.c.type, D.c.outcome)):
            add(*row)
    day = sql.utc_day(conn, S.c.at).label("day")
    for where in reads:  # the delta, and the partial days at the window's edges
        for row in conn.execute(
                select(day, S.c.type, S.c.outcome, func.count(),
                       func.sum(case((S.c.visit == 1, 1), else_=0)))
                .where(*where, S.c.type != "control")
                .group_by(day, S.c.type, S.c.outcome)):
            add(*row)
    return {d: (dict(outcomes), started[0]) for d, (outcomes, started) in out.items()}


def split_branches(conn: Connection, scope: Any
                   ) -> dict[str, dict[str, tuple[int, int, int]]]:
    """{split node: {branch: (runs, converted, completed)}}: each run's first pass through each
    split (the facts the step trigger records with the step), with the run's goal and status
    now. Without a window: the split totals plus the change log; with one: the facts in the
    window joined to their runs."""
    R = T.run
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))

    def add(node: str, branch: Any, n: int, converted: int, completed: Any) -> None:
        label = sql.json_scalar_text(branch)
        if label is None:
            return
        acc = found[node][label]
        acc[0] += int(n)
        acc[1] += int(converted or 0)
        acc[2] += int(completed or 0)

    if scope.since is None and scope.until is None:
        for version, node, branch, status, converted, n in split_rows(conn, scope):
            add(node, branch, n, n if converted else 0, n if status == "completed" else 0)
    else:
        completed = func.sum(case((R.c.status == "completed", 1), else_=0))
        F = A.split_run
        where = [F.c.journey_id == scope.journey_id, R.c.journey_id == scope.journey_id]
        if scope.version is not None:
            where.append(F.c.version == scope.version)
        if scope.since is not None:
            where.append(F.c.at >= scope.since)
        if scope.until is not None:
            where.append(F.c.at < scope.until)
        for row in conn.execute(
                select(F.c.node, F.c.branch, func.count(), func.count(R.c.goal_at), completed)
                .select_from(F.join(R, R.c.id == F.c.run_id)).where(*where)
                .group_by(F.c.node, F.c.branch)):
            add(*row)
    return {node: {k: tuple(v) for k, v in branches.items()}
            for node, branches in found.items()}


def node_histograms(conn: Connection, scope: Any, mark: int
                    ) -> dict[str, list[tuple[int, int, float, float]]]:
    """{node: [(bucket, count, min, max)...] sorted by bucket}, summary plus delta."""
    merged: dict[str, dict[int, list[float]]] = defaultdict(dict)

    def add(node: str, bucket: int, n: int, low: float, high: float) -> None:
        entry = merged[node].get(bucket)
        if entry is None:
            merged[node][bucket] = [n, low, high]
        else:
            entry[0] += n
            entry[1], entry[2] = min(entry[1], low), max(entry[2], high)

    H = A.node_time
    for node, bucket, n, low, high in conn.execute(
            select(H.c.node, H.c.bucket, func.sum(H.c.steps), func.min(H.c.min_seconds),
                   func.max(H.c.max_seconds))
            .where(*_summary_where(H, scope)).group_by(H.c.node, H.c.bucket)):
        add(node, int(bucket), int(n), float(low), float(high))
    seconds = sql.seconds_between(conn, S.c.at, S.c.entered_at).label("seconds")
    for node, value, n in conn.execute(
            select(S.c.node, seconds, func.count())
            .where(*_delta(scope, mark), S.c.outcome.in_(TIMED_OUTCOMES),
                   S.c.entered_at.isnot(None))
            .group_by(S.c.node, seconds)):
        if value is not None:
            add(node, bucket_of(float(value)), int(n), float(value), float(value))
    return {node: sorted((b, int(e[0]), e[1], e[2]) for b, e in buckets.items())
            for node, buckets in merged.items()}


def histogram_percentiles(entries: Sequence[tuple[int, int, float, float]],
                          ps: Iterable[float] = (0.5, 0.9)) -> tuple[int, list[float | None]]:
    """(count, percentile_cont(p) for each p) of a histogram. Inside a bucket its values are
    taken as evenly spread between its smallest and largest, so the result is exact for a bucket
    of equal values and within the bucket's 1% width otherwise."""
    total = sum(e[1] for e in entries)
    if total == 0:
        return 0, [None for _ in ps]

    def order_statistic(k: int) -> float:
        seen = 0
        for _, n, low, high in entries:
            if k < seen + n:
                if n == 1 or high == low:
                    return low
                return low + (high - low) * (k - seen) / (n - 1)
            seen += n
        return entries[-1][3]

    values = []
    for p in ps:
        position = (total - 1) * p
        lower = math.floor(position)
        low = order_statistic(lower)
        high = order_statistic(min(lower + 1, total - 1))
        values.append(low + (position - lower) * (high - low))
    return total, values


# -- run summaries: the change log the triggers append, folded ----------------------------------
#
# Every row of analytics_run_change is a run's (or a split fact's) contribution with a sign.
# Summary + the rows still in the log, read in one snapshot, is exact at any moment; folding
# moves rows from the log into the summaries in one transaction (SQLite: the one writer;
# PostgreSQL: REPEATABLE READ, so the rows folded are exactly the rows deleted, and a second
# refresher folding the same rows fails on the delete and rolls back).

ENDED = ("completed", "exited", "cancelled", "failed")
RC = A.run_change


def status_class(column: Any) -> Any:
    """What RunTotals counts a status as: completed / exited / cancelled / failed / active."""
    return case((column.in_(ENDED), column), else_="active")


def _converted(goal_at: Any) -> Any:
    return case((goal_at.is_(None), 0), else_=1)


def _month_key(conn: Connection, wedding_date: Any) -> Any:
    return func.coalesce(sql.year_month(conn, wedding_date), "")


def _source_key(lead_source: Any) -> Any:
    return case((lead_source.is_(None), ""), else_="=" + lead_source)


def source_value(key: str) -> str | None:
    return None if key == "" else key[1:]


def _goal_seconds(conn: Connection, goal_at: Any, started_at: Any) -> Any:
    return sql.seconds_between(conn, goal_at, started_at)


def _fold_counter(conn: Connection, table: Any, keys: list[tuple[str, Any]], where: list[Any],
                  extra: list[tuple[str, Any, Any]] = ()) -> None:
    """INSERT INTO table SELECT keys, sum(sign) [, extra aggregates] FROM the change log
    GROUP BY keys, adding to the rows there (extra: (name, aggregate, merge(old, new)))."""
    cols = [expr.label(name) for name, expr in keys]
    rows = select(*cols, func.sum(RC.c.sign), *[agg for _, agg, _ in extra]) \
        .where(*where).group_by(*cols)
    names = [name for name, _ in keys]
    ins = _insert(conn, table).from_select([*names, "runs", *[n for n, _, _ in extra]], rows)
    set_ = {"runs": table.c.runs + ins.excluded.runs}
    for name, _, merge in extra:
        set_[name] = merge(table.c[name], ins.excluded[name])
    conn.execute(ins.on_conflict_do_update(index_elements=names, set_=set_))
    conn.execute(table.delete().where(table.c.runs == 0))


def _fold_run_changes(conn: Connection) -> None:
    _ensure_ln(conn)
    run_rows = [RC.c.node.is_(None)]
    base = [("journey_id", RC.c.journey_id), ("version", RC.c.version)]
    _fold_counter(conn, A.run_total, [
        *base, ("status", status_class(RC.c.status)), ("converted", _converted(RC.c.goal_at)),
        ("wedding_month", _month_key(conn, RC.c.wedding_date)),
        ("lead_source", _source_key(RC.c.lead_source))], run_rows)
    ended = sql.utc_day(conn, RC.c.ended_at)
    for kind, day, where in (
            ("completed", ended, [RC.c.status == "completed", RC.c.ended_at.isnot(None)]),
            ("exited", ended, [RC.c.status.in_(("exited", "cancelled")),
                               RC.c.ended_at.isnot(None)]),
            ("converted", sql.utc_day(conn, RC.c.goal_at), [RC.c.goal_at.isnot(None)])):
        _fold_counter(conn, A.run_day, [*base, ("day", day), ("kind", literal(kind))],
                      [*run_rows, *where])
    seconds = _goal_seconds(conn, RC.c.goal_at, RC.c.started_at)
    plus = RC.c.sign > 0
    _fold_counter(conn, A.goal_time, [*base, ("bucket", _bucket_expr(seconds))],
                  [*run_rows, seconds.isnot(None)],
                  # Only +1 rows bring values (a -1 cannot shrink a bucket's range: it stays
                  # a bound, so a percentile there is still within the bucket's 1% width).
                  [("min_seconds", func.min(case((plus, seconds))),
                    lambda old, new: func.coalesce(_least(conn, old, new), old, new)),
                   ("max_seconds", func.max(case((plus, seconds))),
                    lambda old, new: func.coalesce(_greatest(conn, old, new), old, new))])
    _fold_counter(conn, A.split_total, [
        ("journey_id", RC.c.journey_id), ("version", RC.c.split_version), ("node", RC.c.node),
        ("branch", RC.c.branch), ("status", status_class(RC.c.status)),
        ("converted", _converted(RC.c.goal_at))], [RC.c.node.isnot(None)])
    conn.execute(RC.delete())


VACUUM_AFTER = 10_000


def fold_runs(engine: Engine) -> bool:
    """Fold the run-change log into the run summaries (False: another refresher was folding
    the same rows; they are folded once all the same)."""
    postgres = engine.dialect.name == "postgresql"
    try:
        with engine.connect() as conn:
            if postgres:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if conn.execute(select(RC.c.id).limit(1)).first() is None:
                    return True
                span = run_backlog(conn)
                _fold_run_changes(conn)
    except DBAPIError as error:
        if not postgres:
            raise
        log.info("analytics run fold skipped: %s", error.orig)
        return False
    if postgres and span >= VACUUM_AFTER:
        # The folded rows are dead index entries until a vacuum: every backlog probe (min/max
        # id) would step over them. Clear them now rather than at autovacuum's next pass.
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text(f"VACUUM ANALYZE {RC.name}"))
    return True


def _reseed_runs(conn: Connection) -> None:
    """Start the run summaries over from the run table and the split steps."""
    for table in (A.run_change, A.run_total, A.run_day, A.goal_time, A.split_total,
                  A.split_run):
        conn.execute(table.delete())
    R, C, K, F = T.run, T.client, A.run_key, A.split_run
    branch = cast(sql.json_text(S.c.detail, "branch"), String)
    conn.execute(_insert(conn, F).from_select(
        ["journey_id", "node", "run_id", "version", "vendor_id", "branch", "at"],
        select(S.c.journey_id, S.c.node, S.c.run_id, func.min(S.c.version),
               func.min(S.c.vendor_id), func.min(branch), func.min(S.c.at))
        .where(S.c.type == "split", S.c.visit == 1, S.c.outcome == "done", branch.isnot(None),
               S.c.node.isnot(None))
        .group_by(S.c.journey_id, S.c.run_id, S.c.node)))
    conn.execute(_insert(conn, K).from_select(
        ["run_id", "journey_id", "wedding_date", "lead_source"],
        select(R.c.id, R.c.journey_id, C.c.wedding_date,
               cast(sql.json_text(C.c.fields, "lead_source"), String))
        .select_from(R.outerjoin(C, C.c.id == R.c.client_id))
        .where(~select(K.c.run_id).where(K.c.run_id == R.c.id).exists())))
    conn.execute(RC.insert().from_select(
        ["sign", "journey_id", "version", "status", "started_at", "ended_at", "goal_at",
         "wedding_date", "lead_source"],
        select(literal(1), R.c.journey_id, R.c.version, R.c.status, R.c.started_at,
               R.c.ended_at, R.c.goal_at, K.c.wedding_date, K.c.lead_source)
        .select_from(R.join(K, K.c.run_id == R.c.id))))
    conn.execute(RC.insert().from_select(
        ["sign", "journey_id", "version", "status", "goal_at", "node", "branch",
         "split_version"],
        select(literal(1), R.c.journey_id, R.c.version, R.c.status, R.c.goal_at, F.c.node,
               F.c.branch, F.c.version)
        .select_from(F.join(R, (R.c.id == F.c.run_id) & (R.c.journey_id == F.c.journey_id)))))


def _change_where(scope: Any, split: bool) -> list[Any]:
    where = [RC.c.journey_id == scope.journey_id,
             RC.c.node.isnot(None) if split else RC.c.node.is_(None)]
    if scope.version is not None:
        where.append((RC.c.split_version if split else RC.c.version) == scope.version)
    return where


def run_rows(conn: Connection, scope: Any) -> list[tuple[int, str, int, str, str, int]]:
    """(version, status class, converted, wedding month key, lead source key, runs) for the
    scope's journey (and version): the run totals plus the change log."""
    acc: dict[tuple, int] = defaultdict(int)
    Tt = A.run_total
    keys = (Tt.c.version, Tt.c.status, Tt.c.converted, Tt.c.wedding_month, Tt.c.lead_source)
    for *k, n in conn.execute(select(*keys, func.sum(Tt.c.runs))
                              .where(*_summary_where(Tt, scope)).group_by(*keys)):
        acc[tuple(k)] += int(n)
    live = (RC.c.version, status_class(RC.c.status), _converted(RC.c.goal_at),
            _month_key(conn, RC.c.wedding_date), _source_key(RC.c.lead_source))
    labelled = [e.label(f"k{i}") for i, e in enumerate(live)]
    for *k, n in conn.execute(select(*labelled, func.sum(RC.c.sign))
                              .where(*_change_where(scope, False)).group_by(*labelled)):
        acc[tuple(k)] += int(n)
    return [(*k, n) for k, n in acc.items() if n]


def run_days(conn: Connection, scope: Any, first: date | None, last: date | None
             ) -> dict[date, dict[str, int]]:
    """{UTC day: {"completed"|"exited"|"converted": runs}} in [first, last)."""
    out: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    D = A.run_day
    where = _summary_where(D, scope)
    if first is not None:
        where.append(D.c.day >= first)
    if last is not None:
        where.append(D.c.day < last)
    for day, kind, n in conn.execute(select(D.c.day, D.c.kind, func.sum(D.c.runs))
                                     .where(*where).group_by(D.c.day, D.c.kind)):
        out[sql.as_day(day)][kind] += int(n)
    ended, goal = sql.utc_day(conn, RC.c.ended_at), sql.utc_day(conn, RC.c.goal_at)
    for kind, day, extra in (
            ("completed", ended, [RC.c.status == "completed", RC.c.ended_at.isnot(None)]),
            ("exited", ended, [RC.c.status.in_(("exited", "cancelled")),
                               RC.c.ended_at.isnot(None)]),
            ("converted", goal, [RC.c.goal_at.isnot(None)])):
        d = day.label("day")
        for value, n in conn.execute(select(d, func.sum(RC.c.sign))
                                     .where(*_change_where(scope, False), *extra).group_by(d)):
            value = sql.as_day(value)
            if (first is None or value >= first) and (last is None or value < last):
                out[value][kind] += int(n)
    return {d: {k: n for k, n in kinds.items() if n} for d, kinds in out.items()}


def goal_histograms(conn: Connection, scope: Any
                    ) -> dict[int, list[tuple[int, int, float, float]]]:
    """{version: [(bucket, runs, min, max)...]} of the seconds from start to goal."""
    _ensure_ln(conn)
    merged: dict[int, dict[int, list[Any]]] = defaultdict(dict)

    def add(version: int, bucket: int, n: int, low: Any, high: Any) -> None:
        entry = merged[version].setdefault(bucket, [0, None, None])
        entry[0] += int(n)
        if low is not None:
            entry[1] = low if entry[1] is None else min(entry[1], low)
            entry[2] = high if entry[2] is None else max(entry[2], high)

    G = A.goal_time
    for row in conn.execute(select(G.c.version, G.c.bucket, func.sum(G.c.runs),
                                   func.min(G.c.min_seconds), func.max(G.c.max_seconds))
                            .where(*_summary_where(G, scope)).group_by(G.c.version, G.c.bucket)):
        add(*row)
    seconds = _goal_seconds(conn, RC.c.goal_at, RC.c.started_at)
    bucket = _bucket_expr(seconds).label("bucket")
    plus = RC.c.sign > 0
    for row in conn.execute(select(RC.c.version, bucket, func.sum(RC.c.sign),
                                   func.min(case((plus, seconds))),
                                   func.max(case((plus, seconds))))
                            .where(*_change_where(scope, False), seconds.isnot(None))
                            .group_by(RC.c.version, bucket)):
        add(*row)
    return {v: sorted((b, e[0], float(e[1] or 0.0), float(e[2] or 0.0))
                      for b, e in buckets.items() if e[0] > 0)
            for v, buckets in merged.items()}


def split_rows(conn: Connection, scope: Any) -> list[tuple[int, str, str, str, int, int]]:
    """(step version, node, branch, run status class, converted, runs): split totals plus the
    change log."""
    acc: dict[tuple, int] = defaultdict(int)
    P = A.split_total
    keys = (P.c.version, P.c.node, P.c.branch, P.c.status, P.c.converted)
    for *k, n in conn.execute(select(*keys, func.sum(P.c.runs))
                              .where(*_summary_where(P, scope)).group_by(*keys)):
        acc[tuple(k)] += int(n)
    live = (RC.c.split_version, RC.c.node, RC.c.branch, status_class(RC.c.status),
            _converted(RC.c.goal_at))
    labelled = [e.label(f"k{i}") for i, e in enumerate(live)]
    for *k, n in conn.execute(select(*labelled, func.sum(RC.c.sign))
                              .where(*_change_where(scope, True)).group_by(*labelled)):
        acc[tuple(k)] += int(n)
    return [(*k, n) for k, n in acc.items() if n]


def run_backlog(conn: Connection) -> int:
    """About how many rows the run-change log holds (its id span: two index probes)."""
    low, high = conn.execute(select(func.min(RC.c.id), func.max(RC.c.id))).one()
    return 0 if low is None else int(high) - int(low) + 1


__all__ = ["AUTO_REFRESH_ROWS", "bucket_of", "histogram_percentiles", "node_histograms",
           "fold_runs", "goal_histograms", "rebuild", "refresh", "run_days", "run_rows",
           "split_branches", "split_rows", "step_counts", "step_days",
           "usable_watermark", "watermark"]
