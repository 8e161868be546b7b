"""SQL building blocks that differ between SQLite and PostgreSQL, in one place.

Everything else in engine.analytics is dialect-free SQLAlchemy Core. Here:

- durations in seconds between two timestamp columns (EXTRACT(EPOCH ...) / julianday);
- the UTC calendar day of a timestamp, and the year-month of a date;
- JSON values as text (`detail ->> 'branch'` / json_extract), normalised in Python;
- percentiles per group: percentile_cont on PostgreSQL; on SQLite, which has none, a
  row_number() window over each group picks the two order statistics around p*(n-1) and the
  value is interpolated exactly as percentile_cont does (so both databases agree).
"""
from __future__ import annotations

import math
from datetime import date
from typing import Any, Iterable, Sequence

from sqlalchemy import Date, Float, Integer, case, cast, func, literal_column, select
from sqlalchemy.engine import Connection


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def selective(conn: Connection, condition: Any, probability: float = 0.01) -> Any:
    """`condition`, marked for SQLite's planner as true for few rows (likelihood()). Its
    statistics assume statuses are evenly spread, so without this it reads every run of a
    journey through another index to find the few open ones."""
    if is_postgres(conn):
        return condition
    return func.likelihood(condition, literal_column(repr(float(probability))))


def seconds_between(conn: Connection, later: Any, earlier: Any) -> Any:
    """`later - earlier` in seconds (a float), NULL if either is NULL."""
    if is_postgres(conn):
        return cast(func.extract("epoch", later - earlier), Float)
    # julianday() is a double in days: ~20 microseconds of resolution at today's dates, so the
    # product is rounded to the millisecond to give whole seconds back exactly.
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def utc_day(conn: Connection, column: Any) -> Any:
    """The UTC calendar day of a timestamp column (text 'YYYY-MM-DD' on SQLite)."""
    if is_postgres(conn):
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def year_month(conn: Connection, column: Any) -> Any:
    """'YYYY-MM' of a date column."""
    if is_postgres(conn):
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def json_text(column: Any, key: str) -> Any:
    """column ->> key (PostgreSQL) / json_extract(column, '$."key"') (SQLite)."""
    return column[key].as_string()


def as_day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def json_scalar_text(value: Any) -> str | None:
    """A JSON scalar read back as text, the same on both databases: SQLite's json_extract gives
    1/0 for true/false and numbers as numbers; PostgreSQL's ->> gives 'true'/'false' text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


EXACT_ROWS = 50_000


def percentiles(conn: Connection, group: Any, value: Any, where: Iterable[Any],
                ps: Sequence[float] = (0.5, 0.9), source: Any = None,
                rows: int | None = None) -> dict[Any, tuple[int, list[float | None]]]:
    """{group key: (count, [percentile_cont(p) for p in ps])} over the rows matching `where`
    whose value is not NULL (`source`: the FROM clause, when it cannot be inferred; `rows`:
    how many such rows there are, if known).

    PostgreSQL: percentile_cont, exact. SQLite: exact through row_number() up to EXACT_ROWS
    rows; above that the window sort costs seconds, so the values are counted into the 1%-wide
    log buckets of engine.analytics.rollup (count, min and max per bucket) by one GROUP BY and
    read back as percentile_cont would (exact when a bucket holds equal values, else within 1%)."""
    where = [*where, value.isnot(None)]
    if is_postgres(conn):
        cols = [func.percentile_cont(p).within_group(value) for p in ps]
        rows = conn.execute(select(group, func.count(), *cols).where(*where).group_by(group))
        return {row[0]: (row[1], [None if v is None else float(v) for v in row[2:]])
                for row in rows}
    if rows is None:  # how many values (the caller may know: it saves a pass)
        counted = select(func.count()).where(*where)
        if source is not None:
            counted = counted.select_from(source)
        rows = conn.execute(counted).scalar_one()
    if rows > EXACT_ROWS:
        return _histogram_percentiles(conn, group, value, where, ps, source)
    ranked = select(
        group.label("g"), value.label("v"),
        (func.row_number().over(partition_by=group, order_by=value) - 1).label("rn"),
        func.count().over(partition_by=group).label("n"),
    ).where(*where).subquery()
    picks = []
    for p in ps:
        position = (ranked.c.n - 1) * p
        low = cast(position, Integer)  # floor: position is never negative
        high = low + case((position > low, 1), else_=0)
        picks.append(func.max(case((ranked.c.rn == low, ranked.c.v))))
        picks.append(func.max(case((ranked.c.rn == high, ranked.c.v))))
    rows = conn.execute(select(ranked.c.g, func.max(ranked.c.n), *picks).group_by(ranked.c.g))
    out: dict[Any, tuple[int, list[float | None]]] = {}
    for row in rows:
        n = row[1]
        values: list[float | None] = []
        for i, p in enumerate(ps):
            low, high = row[2 + 2 * i], row[3 + 2 * i]
            if low is None:
                values.append(None)
                continue
            fraction = (n - 1) * p - math.floor((n - 1) * p)
            values.append(float(low) + fraction * (float(high) - float(low)))
        out[row[0]] = (n, values)
    return out


def _histogram_percentiles(conn: Connection, group: Any, value: Any, where: list[Any],
                           ps: Sequence[float], source: Any
                           ) -> dict[Any, tuple[int, list[float | None]]]:
    from engine.analytics import rollup  # rollup builds on this module

    rollup._ensure_ln(conn)
    g, b = group.label("g"), rollup._bucket_expr(value).label("b")
    stmt = select(g, b, func.count(), func.min(value), func.max(value)).where(*where)
    if source is not None:
        stmt = stmt.select_from(source)
    groups: dict[Any, list[tuple[int, int, float, float]]] = {}
    for key, bucket, n, low, high in conn.execute(stmt.group_by(g, b)):
        groups.setdefault(key, []).append((int(bucket), int(n), float(low), float(high)))
    out = {}
    for key, entries in groups.items():
        n, values = rollup.histogram_percentiles(sorted(entries), ps)
        out[key] = (n, values)
    return out
