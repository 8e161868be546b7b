"""analytics: step-log summaries (per day, time-in-node histograms), their watermark, and the
indexes the analytics queries read the engine's tables with

Revision ID: 0003_analytics
Revises: 0002_accounts
Create Date: 2026-11-29

Frozen history: plain SQLAlchemy types only, never imports from engine (the tables are defined
in engine/analytics/tables.py). The summaries are derived data: they start empty and the first
analytics query (or engine.analytics.rollup.refresh) folds the existing step log into them.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_analytics"
down_revision: Union[str, Sequence[str], None] = "0002_accounts"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SPLIT_FIRST = "type = 'split' AND visit = 1"


def upgrade() -> None:
    op.create_table(
        "analytics_step_day",
        sa.Column("journey_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("node", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(), nullable=False),
        sa.Column("steps", sa.BigInteger(), nullable=False),
        sa.Column("first_visits", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("journey_id", "version", "day", "node", "type", "outcome",
                                "label", name=op.f("pk_analytics_step_day")),
    )
    op.create_table(
        "analytics_node_time",
        sa.Column("journey_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.String(), nullable=False),
        sa.Column("steps", sa.BigInteger(), nullable=False),
        sa.Column("min_seconds", sa.Float(), nullable=False),
        sa.Column("max_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("journey_id", "version", "node", "bucket",
                                name=op.f("pk_analytics_node_time")),
    )
    op.create_table(
        "analytics_watermark",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("step_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_watermark")),
    )
    op.create_index("ix_step_split_first", "step", ["journey_id", "node", "run_id"],
                    sqlite_where=sa.text(_SPLIT_FIRST), postgresql_where=sa.text(_SPLIT_FIRST))
    op.create_index("ix_run_journey_started", "run", ["journey_id", "started_at"])
    op.create_index("ix_run_journey_ended", "run", ["journey_id", "ended_at"])
    op.create_index("ix_run_journey_goal", "run", ["journey_id", "goal_at"])


def downgrade() -> None:
    op.drop_index("ix_run_journey_goal", table_name="run")
    op.drop_index("ix_run_journey_ended", table_name="run")
    op.drop_index("ix_run_journey_started", table_name="run")
    op.drop_index("ix_step_split_first", table_name="step")
    op.drop_table("analytics_watermark")
    op.drop_table("analytics_node_time")
    op.drop_table("analytics_step_day")
