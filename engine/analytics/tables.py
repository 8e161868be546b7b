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
- analytics_split_run: each run's first pass through each split and the branch it took. Kept
  by a trigger on `step` (revision 0007), in the transaction that logs the split step.
- analytics_watermark: the last step id folded into the summaries.

Run summaries (revision 0007). The run table is current state and changes without a step (a
goal arriving, say), so a step watermark cannot follow it; database triggers on `run` and
`step` (created by alembic/versions/0007_analytics_run_summaries.py) append each change of a
run's contribution, as a -1 row for what it was and a +1 row for what it is, to
analytics_run_change in the writer's own transaction. refresh() folds that log into:

- analytics_run_total: runs per (journey, version, status class, converted, wedding month,
  lead source) -- run totals, per-version comparison, both cohorts;
- analytics_run_day: runs completed / exited / converted per UTC day -- trends;
- analytics_goal_time: a 1% histogram of the time from start to goal per version;
- analytics_split_total: split facts per (journey, step version, node, branch, run status
  class, converted) -- split results.

analytics_run_key holds each run's cohort keys, the client's wedding date and
fields.lead_source read when the run was inserted (started): a run's cohort is fixed at its
start, so editing or deleting the client later does not move its history.
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


def _counter(name: str, *keys: Column, extra: tuple = ()) -> Table:
    return Table(name, metadata, *keys, Column("runs", BigInteger, nullable=False), *extra,
                 PrimaryKeyConstraint(*[k.name for k in keys]))


def _s(name: str) -> Column:
    return Column(name, String, nullable=False)


# The log of run contributions, appended by the triggers and emptied by refresh(). `node` is
# NULL for a run's own row, and the split node for a split fact's row (then `branch` and
# `split_version` are set). `lead_source` is the client's fields.lead_source as text.
run_change = Table(
    "analytics_run_change", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("sign", Integer, nullable=False),
    Column("journey_id", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("started_at", UtcDateTime()),
    Column("ended_at", UtcDateTime()),
    Column("goal_at", UtcDateTime()),
    Column("wedding_date", Date),
    Column("lead_source", String),
    Column("node", String),
    Column("branch", String),
    Column("split_version", Integer),
)
Index("ix_analytics_run_change_journey", run_change.c.journey_id)

run_key = Table(
    "analytics_run_key", metadata,
    Column("run_id", String, nullable=False),
    Column("journey_id", String, nullable=False),
    Column("wedding_date", Date),
    Column("lead_source", String),
    PrimaryKeyConstraint("run_id"),
    sqlite_with_rowid=False,
)

# Key columns cannot be NULL: no wedding date is '' and a lead source is stored as '=' + value
# ('' when the client has none), so an empty-string source stays distinct from none.
run_total = _counter("analytics_run_total", _s("journey_id"),
                     Column("version", Integer, nullable=False), _s("status"),
                     Column("converted", Integer, nullable=False), _s("wedding_month"),
                     _s("lead_source"))
run_day = _counter("analytics_run_day", _s("journey_id"),
                   Column("version", Integer, nullable=False), Column("day", Date, nullable=False),
                   _s("kind"))
goal_time = _counter("analytics_goal_time", _s("journey_id"),
                     Column("version", Integer, nullable=False),
                     Column("bucket", Integer, nullable=False),
                     extra=(Column("min_seconds", Float), Column("max_seconds", Float)))
split_total = _counter("analytics_split_total", _s("journey_id"),
                       Column("version", Integer, nullable=False), _s("node"), _s("branch"),
                       _s("status"), Column("converted", Integer, nullable=False))

# Indexes on the engine's tables for the queries that read them directly.
# Run totals, versions, daily run trends, split and cohort joins: one covering index over a
# journey's runs (index-only scans: no run row, with its JSON columns, is read).
Index("ix_run_analytics", T.run.c.journey_id, T.run.c.version, T.run.c.status,
      T.run.c.started_at, T.run.c.goal_at, T.run.c.ended_at, T.run.c.id, T.run.c.client_id)
# Cohorts by wedding month join clients through this instead of their rows.
Index("ix_client_id_wedding", T.client.c.id, T.client.c.wedding_date)

# Folded from the step log up to the watermark (rebuild() empties and refolds them).
STEP_SUMMARIES = (step_day, step_total, day_outcome, node_time, watermark)
# Kept by the triggers (rebuild() reseeds them from the run and step tables).
RUN_SUMMARIES = (run_change, run_total, run_day, goal_time, split_total, split_run, run_key)
ANALYTICS_TABLES = (*STEP_SUMMARIES, *RUN_SUMMARIES)
