"""forms and audit: vendor forms, effect attempts, journey changes

Revision ID: 0004_forms_audit
Revises: 0003_analytics
Create Date: 2026-11-29

Frozen history: plain SQLAlchemy types only, never imports from engine (the tables are defined
in engine/forms/tables.py and engine/audit/tables.py).

- vendor_form: a vendor's own hosted forms (vendor-owned configuration: FK to vendor, cascades).
- effect_attempt: one row per delivery attempt, replay or discard of an outbox effect; it
  replaces the `_attempts` list effects kept in their payload (old entries there are still read).
- journey_change: who created, edited, published, unpublished, archived or deleted a journey.
History tables carry no foreign keys, like the engine's other history tables.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_forms_audit"
down_revision: Union[str, Sequence[str], None] = "0003_analytics"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str) -> sa.Column:
    kind = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    return sa.Column(name, kind, nullable=False)


def _str(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def _serial() -> sa.Column:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                     autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "vendor_form",
        _str("vendor_id", False), _str("key", False), _str("title", False),
        sa.Column("description", sa.Text(), nullable=False), _json("questions"),
        _ts("created_at"), _ts("updated_at"), _str("updated_by"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], ondelete="CASCADE",
                                name=op.f("fk_vendor_form_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("vendor_id", "key", name=op.f("pk_vendor_form")),
    )
    op.create_index("ix_vendor_form_vendor_title", "vendor_form", ["vendor_id", "title"])
    op.create_table(
        "effect_attempt",
        _serial(), _str("effect_id", False), _str("vendor_id", False), _str("run_id"),
        _str("client_id"), _str("kind", False), _ts("at", False),
        sa.Column("attempt", sa.Integer(), nullable=True), _str("outcome", False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("retryable", sa.Boolean(), nullable=True), _str("destination"),
        _str("actor", False), _json("detail"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effect_attempt")),
    )
    op.create_index("ix_effect_attempt_effect", "effect_attempt", ["effect_id", "id"])
    op.create_index("ix_effect_attempt_client_at", "effect_attempt", ["client_id", "at"])
    op.create_index("ix_effect_attempt_vendor_at", "effect_attempt", ["vendor_id", "at"])
    op.create_table(
        "journey_change",
        _serial(), _str("journey_id", False), _str("vendor_id", False), _ts("at", False),
        _str("change", False), _str("actor"), sa.Column("version", sa.Integer(), nullable=True),
        _str("name"), _json("detail"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_change")),
    )
    op.create_index("ix_journey_change_journey", "journey_change", ["journey_id", "id"])
    op.create_index("ix_journey_change_vendor_at", "journey_change", ["vendor_id", "at"])


def downgrade() -> None:
    for table in ("journey_change", "effect_attempt", "vendor_form"):
        op.drop_table(table)
