"""analytics: all-time and per-day-outcome step summaries, split facts, and covering indexes
over runs and clients (replacing the narrower run indexes and the split index of 0003)

Revision ID: 0005_analytics_summaries
Revises: 0004_forms_audit
Create Date: 2026-11-29

Frozen history: plain SQLAlchemy types only, never imports from engine (the tables are defined
in engine/analytics/tables.py). The summaries are derived data, so the watermark is reset: the
next analytics refresh folds the whole step log into every summary again.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_analytics_summaries"
down_revision: Union[str, Sequence[str], None] = "0004_forms_audit"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SPLIT_FIRST = "type = 'split' AND visit = 1"


def _counts(name: str, *keys: sa.Column) -> None:
    op.create_table(
        name, *keys,
        sa.Column("vendor_id", sa.String(), nullable=False),
        sa.Column("steps", sa.BigInteger(), nullable=False),
        sa.Column("first_visits", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*[k.name for k in keys], name=op.f(f"pk_{name}")),
    )


def _s(name: str) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=False)


def upgrade() -> None:
    _counts("analytics_step_total", _s("journey_id"),
            sa.Column("version", sa.Integer(), nullable=False), _s("node"), _s("type"),
            _s("outcome"), _s("label"))
    _counts("analytics_day_outcome", _s("journey_id"),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False), _s("type"), _s("outcome"))
    op.create_table(
        "analytics_split_run",
        _s("journey_id"), _s("node"), _s("run_id"),
        sa.Column("version", sa.Integer(), nullable=False), _s("vendor_id"), _s("branch"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("journey_id", "node", "run_id",
                                name=op.f("pk_analytics_split_run")),
    )
    # Derived data: start the summaries over so the new ones cover the whole log.
    op.execute("DELETE FROM analytics_step_day")
    op.execute("DELETE FROM analytics_node_time")
    op.execute("DELETE FROM analytics_watermark")
    op.drop_index("ix_run_journey_goal", table_name="run")
    op.drop_index("ix_run_journey_ended", table_name="run")
    op.drop_index("ix_run_journey_started", table_name="run")
    op.drop_index("ix_step_split_first", table_name="step")
    op.create_index("ix_run_analytics", "run", ["journey_id", "version", "status", "started_at",
                                                "goal_at", "ended_at", "id", "client_id"])
    op.create_index("ix_client_id_wedding", "client", ["id", "wedding_date"])


def downgrade() -> None:
    op.drop_index("ix_client_id_wedding", table_name="client")
    op.drop_index("ix_run_analytics", table_name="run")
    op.create_index("ix_step_split_first", "step", ["journey_id", "node", "run_id"],
                    sqlite_where=sa.text(_SPLIT_FIRST), postgresql_where=sa.text(_SPLIT_FIRST))
    op.create_index("ix_run_journey_started", "run", ["journey_id", "started_at"])
    op.create_index("ix_run_journey_ended", "run", ["journey_id", "ended_at"])
    op.create_index("ix_run_journey_goal", "run", ["journey_id", "goal_at"])
    op.drop_table("analytics_split_run")
    op.drop_table("analytics_day_outcome")
    op.drop_table("analytics_step_total")
