"""`Analytics`: the face of engine.analytics for the UI, the API and the benchmarks.

    analytics = Analytics(sql_engine)            # or Analytics.for_store(sql_store)
    funnel = analytics.funnel("ven_1", "jny_1")  # -> engine.analytics.results.Funnel

Every method opens one read-only transaction (a deferred BEGIN on SQLite, so a dashboard never
queues behind the engine's writer) and returns plain dataclasses. Nothing here reads the clock:
`stuck()` takes `now`.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Iterator

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from engine.analytics import queries, rollup
from engine.analytics.queries import Scope
from engine.analytics.results import (Cohort, DayTrend, Funnel, NodeTiming, SplitResult,
                                      StuckRun, VersionStats)
from engine.analytics.stats import DEFAULT_ALPHA


class Analytics:
    """`auto_refresh`: before a query, fold the steps logged since the last refresh into the
    summaries when there are more than rollup.AUTO_REFRESH_ROWS of them (a write; off for a
    read-only replica, where a worker calls refresh() instead)."""

    def __init__(self, engine: Engine, *, auto_refresh: bool = True):
        self.engine = engine
        self.auto_refresh = auto_refresh

    @classmethod
    def for_store(cls, store: Any) -> "Analytics":
        """Analytics over the database of a SqlStore."""
        return cls(store.engine)

    def refresh(self) -> int:
        """Fold new steps into the summaries now (see engine.analytics.rollup)."""
        return rollup.refresh(self.engine)

    def rebuild(self) -> int:
        """Recompute the summaries from the whole step log."""
        return rollup.rebuild(self.engine)

    @staticmethod
    def _snapshot(conn: Connection) -> Connection:
        """One snapshot for every statement of a query (summary + live rows must agree):
        SQLite's deferred read transaction; REPEATABLE READ on PostgreSQL (read-only there, so
        it never fails to serialize)."""
        if conn.dialect.name == "sqlite":
            return conn.execution_options(sqlite_begin="DEFERRED")
        return conn.execution_options(isolation_level="REPEATABLE READ")

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self.auto_refresh:
            with self.engine.connect() as conn:
                conn = self._snapshot(conn)
                with conn.begin():
                    behind = rollup.max_step_id(conn) - rollup.watermark(conn)
                    runs_behind = rollup.run_backlog(conn)
            if behind > rollup.AUTO_REFRESH_ROWS:
                rollup.refresh(self.engine)
            elif runs_behind > rollup.AUTO_REFRESH_ROWS:
                rollup.fold_runs(self.engine)
        with self.engine.connect() as conn:
            conn = self._snapshot(conn)
            with conn.begin():
                yield conn

    @staticmethod
    def scope(vendor_id: str, journey_id: str, version: int | None = None,
              since: datetime | None = None, until: datetime | None = None) -> Scope:
        return Scope(vendor_id=vendor_id, journey_id=journey_id, version=version, since=since,
                     until=until)

    def funnel(self, vendor_id: str, journey_id: str, *, version: int | None = None,
               since: datetime | None = None, until: datetime | None = None,
               with_times: bool = True) -> Funnel:
        """Per node entered / completed / skipped / failed / waiting, with median and p90 time
        in the node; the moves between nodes (conversion, and drop-off as what is left); run
        totals and conversion to the journey's goal."""
        with self._read() as conn:
            return queries.funnel(conn, self.scope(vendor_id, journey_id, version, since, until),
                                  with_times=with_times)

    def node_times(self, vendor_id: str, journey_id: str, *, version: int | None = None,
                   since: datetime | None = None, until: datetime | None = None
                   ) -> dict[str, NodeTiming]:
        with self._read() as conn:
            return queries.node_times(conn, self.scope(vendor_id, journey_id, version, since,
                                                       until))

    def stuck(self, vendor_id: str, journey_id: str, *, now: datetime,
              threshold: timedelta = timedelta(days=7),
              grace: timedelta = timedelta(minutes=15), version: int | None = None,
              limit: int = 100) -> tuple[int, list[StuckRun]]:
        with self._read() as conn:
            return queries.stuck(conn, self.scope(vendor_id, journey_id, version), now=now,
                                 threshold=threshold, grace=grace, limit=limit)

    def trends(self, vendor_id: str, journey_id: str, *, since: datetime | None = None,
               until: datetime | None = None, version: int | None = None) -> list[DayTrend]:
        with self._read() as conn:
            return queries.trends(conn, self.scope(vendor_id, journey_id, version, since, until))

    def cohorts(self, vendor_id: str, journey_id: str, *, by: str = "wedding_month",
                version: int | None = None, since: datetime | None = None,
                until: datetime | None = None) -> list[Cohort]:
        """Runs by the client's wedding month (`by="wedding_month"`) or by a custom client field
        (`by="fields.lead_source"`, or just `"lead_source"`)."""
        scope = self.scope(vendor_id, journey_id, version, since, until)
        with self._read() as conn:
            if by == "wedding_month":
                return queries.cohorts_by_wedding_month(conn, scope)
            field = by.removeprefix("fields.")
            return queries.cohorts_by_field(conn, scope, field)

    def versions(self, vendor_id: str, journey_id: str, *, since: datetime | None = None,
                 until: datetime | None = None) -> list[VersionStats]:
        with self._read() as conn:
            return queries.versions(conn, self.scope(vendor_id, journey_id, None, since, until))

    def splits(self, vendor_id: str, journey_id: str, *, version: int | None = None,
               since: datetime | None = None, until: datetime | None = None,
               alpha: float = DEFAULT_ALPHA) -> list[SplitResult]:
        with self._read() as conn:
            return queries.splits(conn, self.scope(vendor_id, journey_id, version, since, until),
                                  alpha=alpha)
