"""analytics: key the split facts by run (journey_id, run_id, node), WITHOUT ROWID on SQLite,
so a scan of a journey's runs probes them in one lookup

Revision ID: 0006_analytics_split_by_run
Revises: 0005_analytics_summaries
Create Date: 2026-11-29

Frozen history: plain SQLAlchemy types only. The table holds derived data: it is recreated
empty and the watermark reset, so the next analytics refresh folds the step log again.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_analytics_split_by_run"
down_revision: Union[str, Sequence[str], None] = "0005_analytics_summaries"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_DERIVED = ("analytics_step_day", "analytics_step_total", "analytics_day_outcome",
            "analytics_node_time", "analytics_watermark")


def _create(key: tuple[str, ...], rowid: bool) -> None:
    op.create_table(
        "analytics_split_run",
        sa.Column("journey_id", sa.String(), nullable=False),
        sa.Column("node", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.String(), nullable=False),
        sa.Column("branch", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_analytics_split_run")),
        sqlite_with_rowid=rowid,
    )


def _reset() -> None:
    for table in _DERIVED:
        op.execute(f"DELETE FROM {table}")


def upgrade() -> None:
    op.drop_table("analytics_split_run")
    _create(("journey_id", "run_id", "node"), rowid=False)
    _reset()


def downgrade() -> None:
    op.drop_table("analytics_split_run")
    _create(("journey_id", "node", "run_id"), rowid=True)
    _reset()
