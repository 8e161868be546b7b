"""analytics: run summaries kept by triggers (run totals, cohorts, versions, run trends, split
results), each run's cohort keys as of its start, and split facts written with their step

Revision ID: 0007_analytics_run_summaries
Revises: 0006_analytics_split_by_run
Create Date: 2026-11-29

Frozen history: plain SQLAlchemy types and SQL text only, never imports from engine (the tables
are defined in engine/analytics/tables.py, the reading and folding in engine/analytics/rollup.py).

The triggers append to analytics_run_change, in the writer's transaction, a -1 row for what a
run contributed before a change and a +1 row for what it contributes after:
- run INSERT: records the run's cohort keys (the client's wedding date and fields.lead_source,
  read now) in analytics_run_key, then +1 for the run and for each split fact of the run;
- run UPDATE, only when the status class (active / completed / exited / cancelled / failed),
  goal_at, ended_at, started_at, version or journey change: -1 old, +1 new (run and its split
  facts), with the keys recorded at its start;
- run DELETE: -1 (run and split facts), and its key row goes;
- step INSERT of a split's first pass (type split, visit 1, outcome done, a branch): the split
  fact (analytics_split_run), and +1 for it with the run's current status and goal.
The existing runs and split steps are folded in here (the summaries are derived data).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007_analytics_run_summaries"
down_revision: Union[str, Sequence[str], None] = "0006_analytics_split_by_run"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_ENDED = "('completed', 'exited', 'cancelled', 'failed')"


def _class(status: str) -> str:
    return f"(CASE WHEN {status} IN {_ENDED} THEN {status} ELSE 'active' END)"


def _changed(distinct: str) -> str:
    pairs = [_class("OLD.status") + f" {distinct} " + _class("NEW.status")]
    pairs += [f"OLD.{c} {distinct} NEW.{c}" for c in ("goal_at", "ended_at", "started_at",
                                                        "version", "journey_id")]
    return " OR ".join(pairs)


_RUN_COLS = ("sign, journey_id, version, status, started_at, ended_at, goal_at, wedding_date, "
             "lead_source")
_SPLIT_COLS = "sign, journey_id, version, status, goal_at, node, branch, split_version"


def _run_rows(sign: int, r: str) -> list[str]:
    """The run's own row and one per split fact of the run, with sign, for row alias r."""
    return [
        f"INSERT INTO analytics_run_change ({_RUN_COLS}) "
        f"SELECT {sign}, {r}.journey_id, {r}.version, {r}.status, {r}.started_at, {r}.ended_at, "
        f"{r}.goal_at, k.wedding_date, k.lead_source FROM analytics_run_key k "
        f"WHERE k.run_id = {r}.id",
        f"INSERT INTO analytics_run_change ({_SPLIT_COLS}) "
        f"SELECT {sign}, {r}.journey_id, {r}.version, {r}.status, {r}.goal_at, f.node, "
        f"f.branch, f.version FROM analytics_split_run f "
        f"WHERE f.journey_id = {r}.journey_id AND f.run_id = {r}.id",
    ]


def _sqlite_triggers() -> list[str]:
    lead = "CAST(JSON_EXTRACT(c.fields, '$.\"lead_source\"') AS VARCHAR)"
    key = ("INSERT OR IGNORE INTO analytics_run_key (run_id, journey_id, wedding_date, "
           f"lead_source) SELECT NEW.id, NEW.journey_id, c.wedding_date, {lead} "
           "FROM (SELECT 1) AS one LEFT JOIN client c ON c.id = NEW.client_id")
    branch = "CAST(JSON_EXTRACT(NEW.detail, '$.\"branch\"') AS VARCHAR)"
    body = lambda stmts: "BEGIN " + "; ".join(stmts) + "; END"  # noqa: E731
    return [
        "CREATE TRIGGER analytics_run_insert AFTER INSERT ON run "
        + body([key, *_run_rows(1, "NEW")]),
        f"CREATE TRIGGER analytics_run_update AFTER UPDATE ON run WHEN {_changed('IS NOT')} "
        + body([*_run_rows(-1, "OLD"), *_run_rows(1, "NEW")]),
        "CREATE TRIGGER analytics_run_delete AFTER DELETE ON run "
        + body([*_run_rows(-1, "OLD"), "DELETE FROM analytics_run_key WHERE run_id = OLD.id"]),
        "CREATE TRIGGER analytics_split_step AFTER INSERT ON step "
        f"WHEN NEW.type = 'split' AND NEW.visit = 1 AND NEW.outcome = 'done' "
        f"AND {branch} IS NOT NULL "
        + body([f"INSERT INTO analytics_run_change ({_SPLIT_COLS}) "
                f"SELECT 1, NEW.journey_id, r.version, r.status, r.goal_at, NEW.node, {branch}, "
                "NEW.version FROM run r WHERE r.id = NEW.run_id AND NOT EXISTS (SELECT 1 FROM "
                "analytics_split_run f WHERE f.journey_id = NEW.journey_id "
                "AND f.run_id = NEW.run_id AND f.node = NEW.node)",
                "INSERT OR IGNORE INTO analytics_split_run (journey_id, node, run_id, version, "
                f"vendor_id, branch, at) VALUES (NEW.journey_id, NEW.node, NEW.run_id, "
                f"NEW.version, NEW.vendor_id, {branch}, NEW.at)"]),
    ]


def _pg_triggers() -> list[str]:
    plpgsql = "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {} RETURN NULL; END $$"
    key = ("INSERT INTO analytics_run_key (run_id, journey_id, wedding_date, lead_source) "
           "SELECT NEW.id, NEW.journey_id, c.wedding_date, c.fields ->> 'lead_source' "
           "FROM (SELECT 1) AS one LEFT JOIN client c ON c.id = NEW.client_id "
           "ON CONFLICT DO NOTHING;")
    old = " ".join(s + ";" for s in _run_rows(-1, "OLD"))
    new = " ".join(s + ";" for s in _run_rows(1, "NEW"))
    run_fn = (f"IF TG_OP = 'INSERT' THEN {key} END IF; "
              f"IF TG_OP <> 'INSERT' THEN {old} END IF; "
              f"IF TG_OP <> 'DELETE' THEN {new} END IF; "
              "IF TG_OP = 'DELETE' THEN DELETE FROM analytics_run_key WHERE run_id = OLD.id; "
              "END IF;")
    split_fn = ("INSERT INTO analytics_split_run (journey_id, node, run_id, version, vendor_id, "
                "branch, at) VALUES (NEW.journey_id, NEW.node, NEW.run_id, NEW.version, "
                "NEW.vendor_id, NEW.detail ->> 'branch', NEW.at) ON CONFLICT DO NOTHING; "
                "IF FOUND THEN "
                f"INSERT INTO analytics_run_change ({_SPLIT_COLS}) "
                "SELECT 1, NEW.journey_id, r.version, r.status, r.goal_at, NEW.node, "
                "NEW.detail ->> 'branch', NEW.version FROM run r WHERE r.id = NEW.run_id; "
                "END IF;")
    return [
        "CREATE FUNCTION analytics_run_changed() " + plpgsql.format(run_fn),
        "CREATE FUNCTION analytics_split_step() " + plpgsql.format(split_fn),
        "CREATE TRIGGER analytics_run_insert AFTER INSERT OR DELETE ON run "
        "FOR EACH ROW EXECUTE FUNCTION analytics_run_changed()",
        f"CREATE TRIGGER analytics_run_update AFTER UPDATE ON run FOR EACH ROW "
        f"WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION analytics_run_changed()",
        "CREATE TRIGGER analytics_split_step AFTER INSERT ON step FOR EACH ROW "
        "WHEN (NEW.type = 'split' AND NEW.visit = 1 AND NEW.outcome = 'done' "
        "AND NEW.detail ->> 'branch' IS NOT NULL) EXECUTE FUNCTION analytics_split_step()",
    ]


def _seed(postgres: bool) -> list[str]:
    """Fold what is already there: split facts from the step log, cohort keys from the clients
    (as they are now), then a +1 change row for every run and split fact."""
    if postgres:
        branch, lead = "s.detail ->> 'branch'", "c.fields ->> 'lead_source'"
    else:
        branch = "CAST(JSON_EXTRACT(s.detail, '$.\"branch\"') AS VARCHAR)"
        lead = "CAST(JSON_EXTRACT(c.fields, '$.\"lead_source\"') AS VARCHAR)"
    return [
        "DELETE FROM analytics_split_run",
        "INSERT INTO analytics_split_run (journey_id, node, run_id, version, vendor_id, branch, "
        f"at) SELECT s.journey_id, s.node, s.run_id, min(s.version), min(s.vendor_id), "
        f"min({branch}), min(s.at) FROM step s WHERE s.type = 'split' AND s.visit = 1 "
        f"AND s.outcome = 'done' AND {branch} IS NOT NULL AND s.node IS NOT NULL "
        "GROUP BY s.journey_id, s.run_id, s.node",
        "INSERT INTO analytics_run_key (run_id, journey_id, wedding_date, lead_source) "
        f"SELECT r.id, r.journey_id, c.wedding_date, {lead} FROM run r "
        "LEFT JOIN client c ON c.id = r.client_id",
        f"INSERT INTO analytics_run_change ({_RUN_COLS}) SELECT 1, r.journey_id, r.version, "
        "r.status, r.started_at, r.ended_at, r.goal_at, k.wedding_date, k.lead_source "
        "FROM run r JOIN analytics_run_key k ON k.run_id = r.id",
        f"INSERT INTO analytics_run_change ({_SPLIT_COLS}) SELECT 1, r.journey_id, r.version, "
        "r.status, r.goal_at, f.node, f.branch, f.version FROM analytics_split_run f "
        "JOIN run r ON r.id = f.run_id AND r.journey_id = f.journey_id",
    ]


def _s(name: str) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=False)


def _counter(name: str, *keys: sa.Column, extra: tuple = ()) -> None:
    op.create_table(name, *keys, sa.Column("runs", sa.BigInteger(), nullable=False), *extra,
                    sa.PrimaryKeyConstraint(*[k.name for k in keys], name=op.f(f"pk_{name}")))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "analytics_run_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False,
                  autoincrement=True),
        sa.Column("sign", sa.Integer(), nullable=False),
        _s("journey_id"),
        sa.Column("version", sa.Integer(), nullable=False),
        _s("status"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("goal_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wedding_date", sa.Date(), nullable=True),
        sa.Column("lead_source", sa.String(), nullable=True),
        sa.Column("node", sa.String(), nullable=True),
        sa.Column("branch", sa.String(), nullable=True),
        sa.Column("split_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_run_change")),
    )
    op.create_index("ix_analytics_run_change_journey", "analytics_run_change", ["journey_id"])
    op.create_table(
        "analytics_run_key",
        _s("run_id"), _s("journey_id"),
        sa.Column("wedding_date", sa.Date(), nullable=True),
        sa.Column("lead_source", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_analytics_run_key")),
        sqlite_with_rowid=False,
    )
    def version() -> sa.Column:
        return sa.Column("version", sa.Integer(), nullable=False)

    _counter("analytics_run_total", _s("journey_id"), version(), _s("status"),
             sa.Column("converted", sa.Integer(), nullable=False), _s("wedding_month"),
             _s("lead_source"))
    _counter("analytics_run_day", _s("journey_id"), version(),
             sa.Column("day", sa.Date(), nullable=False), _s("kind"))
    _counter("analytics_goal_time", _s("journey_id"), version(),
             sa.Column("bucket", sa.Integer(), nullable=False),
             extra=(sa.Column("min_seconds", sa.Float(), nullable=True),
                    sa.Column("max_seconds", sa.Float(), nullable=True)))
    _counter("analytics_split_total", _s("journey_id"), version(), _s("node"),
             _s("branch"), _s("status"), sa.Column("converted", sa.Integer(), nullable=False))
    for statement in _seed(postgres):
        op.execute(statement)
    for statement in (_pg_triggers() if postgres else _sqlite_triggers()):
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger, table in (("analytics_split_step", "step"), ("analytics_run_update", "run"),
                           ("analytics_run_insert", "run"), ("analytics_run_delete", "run")):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS analytics_split_step()")
        op.execute("DROP FUNCTION IF EXISTS analytics_run_changed()")
    for table in ("analytics_split_total", "analytics_goal_time", "analytics_run_day",
                  "analytics_run_total", "analytics_run_key"):
        op.drop_table(table)
    op.drop_index("ix_analytics_run_change_journey", table_name="analytics_run_change")
    op.drop_table("analytics_run_change")
    # The split facts were folded from the step log before this revision: start over.
    for table in ("analytics_split_run", "analytics_step_day", "analytics_step_total",
                  "analytics_day_outcome", "analytics_node_time", "analytics_watermark"):
        op.execute(f"DELETE FROM {table}")
