"""Analytics' own tables (summaries of the step log) and the indexes its queries need.

Listed in engine.storage.sql.metadata.TABLE_MODULES, created by the Alembic revision
`a1_analytics`. The step log stays the source of truth: these summaries can be dropped and
rebuilt from it at any time (engine.analytics.rollup.rebuild).

- analytics_step_day: node executions per (journey, version, UTC day, node, type, outcome,
  label), with how many were first visits. `label` is the edge a condition ("true"/"false") or a
  split (the branch) took, '' for other nodes. Funnels, moves between nodes and daily trends
  are sums over it: ~50 nodes x a few outcomes x 365 days, whatever the number of runs.
- analytics_node_time: a histogram of the time spent in each node per (journey, version),
  log-spaced buckets 1% wide, each with its count and the smallest and largest value in it, so
  a percentile is exact when its bucket holds one value (typical: fixed delays, instant nodes)
  and within 1% otherwise.
- analytics_step_total: the same without the day, for all-time funnels (~ nodes x outcomes).
- analytics_day_outcome: the same without the node, for daily trends (~ days x outcomes).
- analytics_split_run: each run's first pass through each split and the branch it took (the
  split results join it to the run table's covering index for goal and status).
- analytics_watermark: the last step id folded into the summaries.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Date, Float, Index, Integer, PrimaryKeyConstraint,
                        String, Table, text)
from sqlmodel import SQLModel

from engine.storage.sql import tables as T
from engine.storage.sql.types import UtcDateTime

metadata = SQLModel.metadata

step_day = Table(
    "analytics_step_day", metadata,
    Column("journey_id", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("node", String, nullable=False),
    Column("type", String, nullable=False),
    Column("outcome", String, nullable=False),
    Column("label", String, nullable=False),
    Column("vendor_id", String, nullable=False),
    Column("steps", BigInteger, nullable=False),
    Column("first_visits", BigInteger, nullable=False),
    PrimaryKeyConstraint("journey_id", "version", "day", "node", "type", "outcome", "label"),
)

node_time = Table(
    "analytics_node_time", metadata,
    Column("journey_id", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("node", String, nullable=False),
    Column("bucket", Integer, nullable=False),
    Column("vendor_id", String, nullable=False),
    Column("steps", BigInteger, nullable=False),
    Column("min_seconds", Float, nullable=False),
    Column("max_seconds", Float, nullable=False),
    PrimaryKeyConstraint("journey_id", "version", "node", "bucket"),
)

step_total = Table(
    "analytics_step_total", metadata,
    Column("journey_id", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("node", String, nullable=False),
    Column("type", String, nullable=False),
    Column("outcome", String, nullable=False),
    Column("label", String, nullable=False),
    Column("vendor_id", String, nullable=False),
    Column("steps", BigInteger, nullable=False),
    Column("first_visits", BigInteger, nullable=False),
    PrimaryKeyConstraint("journey_id", "version", "node", "type", "outcome", "label"),
)

day_outcome = Table(
    "analytics_day_outcome", metadata,
    Column("journey_id", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("type", String, nullable=False),
    Column("outcome", String, nullable=False),
    Column("vendor_id", String, nullable=False),
    Column("steps", BigInteger, nullable=False),
    Column("first_visits", BigInteger, nullable=False),
    PrimaryKeyConstraint("journey_id", "version", "day", "type", "outcome"),
)

split_run = Table(
    "analytics_split_run", metadata,
    Column("journey_id", String, nullable=False),
    Column("node", String, nullable=False),
    Column("run_id", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("vendor_id", String, nullable=False),
    Column("branch", String, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    # Keyed by run so that a scan of the journey's runs (their covering index) probes it
    # directly; on SQLite the key is the table (WITHOUT ROWID: one lookup, branch included).
    PrimaryKeyConstraint("journey_id", "run_id", "node"),
    sqlite_with_rowid=False,
)

watermark = Table(
    "analytics_watermark", metadata,
    Column("name", String, nullable=False),
    Column("step_id", BigInteger, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("name"),
)

# Indexes on the engine's tables for the queries that read them directly.
# Run totals, versions, daily run trends, split and cohort joins: one covering index over a
# journey's runs (index-only scans: no run row, with its JSON columns, is read).
Index("ix_run_analytics", T.run.c.journey_id, T.run.c.version, T.run.c.status,
      T.run.c.started_at, T.run.c.goal_at, T.run.c.ended_at, T.run.c.id, T.run.c.client_id)
# Cohorts by wedding month join clients through this instead of their rows.
Index("ix_client_id_wedding", T.client.c.id, T.client.c.wedding_date)

ANALYTICS_TABLES = (step_day, step_total, day_outcome, node_time, split_run, watermark)
