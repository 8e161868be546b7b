"""engine tables: vendors, clients, journeys and versions, runs, step log, events, wake-ups,
outbox, approvals and form requests

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Migrations are frozen history: plain SQLAlchemy types only, never imports from engine.
Datetimes are TIMESTAMPTZ on PostgreSQL (UTC text on SQLite); JSON is JSONB on PostgreSQL except
journey documents, which keep their exact text in `json`.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str, nullable: bool = False) -> sa.Column:
    kind = sa.JSON(none_as_null=nullable).with_variant(
        postgresql.JSONB(none_as_null=nullable, astext_type=sa.Text()), "postgresql")
    return sa.Column(name, kind, nullable=nullable)


def _str(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def _int(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)


def _pk(table: str, *cols: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "vendor",
        _str("id", False), _str("name", False), _str("timezone", False),
        _str("email"), _str("reply_to"), _str("phone"),
        _json("blackout_dates"), _json("settings"), _ts("created_at"),
        _pk("vendor", "id"),
    )
    op.create_table(
        "client",
        _str("id", False), _str("vendor_id", False), _str("name", False), _str("email", False),
        _str("external_id"), _str("status"), _str("timezone"),
        sa.Column("wedding_date", sa.Date(), nullable=True),
        _json("dates"), _json("fields"), _json("tags"), _json("form_answers"),
        _ts("created_at"), _ts("updated_at"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"],
                                name=op.f("fk_client_vendor_id_vendor")),
        _pk("client", "id"),
        sa.UniqueConstraint("vendor_id", "external_id",
                            name=op.f("uq_client_vendor_id_external_id")),
    )
    op.create_table(
        "journey",
        _str("id", False), _str("vendor_id", False), _str("name", False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("live_version", sa.Integer(), nullable=True),
        _int("latest_version"),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _ts("created_at"), _ts("updated_at"), _str("updated_by"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"],
                                name=op.f("fk_journey_vendor_id_vendor")),
        _pk("journey", "id"),
    )
    op.create_index(op.f("ix_journey_vendor_id"), "journey", ["vendor_id"])
    op.create_table(
        "journey_version",
        _str("journey_id", False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        _ts("published_at", False), _str("published_by"),
        sa.ForeignKeyConstraint(["journey_id"], ["journey.id"], ondelete="CASCADE",
                                name=op.f("fk_journey_version_journey_id_journey")),
        _pk("journey_version", "journey_id", "version"),
    )
    op.create_table(
        "run",
        _str("id", False), _str("vendor_id", False), _str("journey_id", False), _int("version"),
        _str("client_id", False), _str("status", False), _str("node"), _int("visit"),
        _json("visits"), _json("wait", True), _json("event"), _ts("due_at"),
        sa.Column("split_key", sa.String(), server_default=sa.text("''"), nullable=False),
        _int("seq"), _str("paused_status"), sa.Column("error", sa.Text(), nullable=True),
        _ts("goal_at"), _ts("entered_at"), _ts("started_at"), _ts("ended_at"), _ts("updated_at"),
        _pk("run", "id"),
    )
    op.create_index("ix_run_vendor_started", "run", ["vendor_id", "started_at", "id"])
    op.create_index("ix_run_vendor_status", "run", ["vendor_id", "status"])
    op.create_index("ix_run_journey_status", "run", ["journey_id", "status"])
    op.create_index("ix_run_journey_node", "run", ["journey_id", "node"])
    op.create_index("ix_run_client_journey", "run", ["client_id", "journey_id"])
    op.create_table(
        "step",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        _str("run_id", False), _str("key", False), _str("node"), _int("visit"),
        _str("type", False), _str("outcome", False), _ts("at", False), _int("seq"),
        _str("actor", False), _json("detail"), _str("vendor_id", False),
        _str("journey_id", False), _int("version"), _str("client_id", False), _ts("entered_at"),
        _pk("step", "id"),
        sa.UniqueConstraint("run_id", "key", name=op.f("uq_step_run_id_key")),
    )
    op.create_index("ix_step_journey_node", "step", ["journey_id", "node"])
    op.create_index("ix_step_run_seq", "step", ["run_id", "seq"])
    op.create_index("ix_step_at", "step", ["at"])
    op.create_table(
        "event",
        _str("id", False), _str("vendor_id", False), _str("client_id"), _str("type", False),
        _json("data"), _str("key"), _ts("received_at", False), _json("result"),
        _pk("event", "id"),
        sa.UniqueConstraint("vendor_id", "key", name=op.f("uq_event_vendor_id_key")),
    )
    op.create_index("ix_event_vendor_received", "event", ["vendor_id", "received_at"])
    op.create_index("ix_event_client_received", "event", ["client_id", "received_at"])
    op.create_table(
        "wakeup",
        _str("id", False), _str("vendor_id", False), _str("kind", False), _ts("due_at", False),
        _str("run_id"), _str("journey_id"), _str("client_id"), _str("anchor"),
        _str("lease_owner"), _ts("lease_until"),
        _pk("wakeup", "id"),
        sa.UniqueConstraint("run_id", name=op.f("uq_wakeup_run_id")),
    )
    op.create_index("ix_wakeup_due", "wakeup", ["due_at", "id"])
    op.create_index("uq_wakeup_date_trigger", "wakeup", ["client_id", "journey_id"], unique=True,
                    sqlite_where=sa.text("kind = 'date_trigger'"),
                    postgresql_where=sa.text("kind = 'date_trigger'"))
    op.create_table(
        "effect",
        _str("id", False), _str("vendor_id", False), _str("key", False), _str("kind", False),
        _json("payload"), _ts("created_at", False), _str("run_id"), _str("client_id"),
        _str("status", False), _int("attempts"), _ts("next_attempt_at"), _ts("sent_at"),
        sa.Column("last_error", sa.Text(), nullable=True), _str("destination"),
        _pk("effect", "id"),
        sa.UniqueConstraint("key", name=op.f("uq_effect_key")),
    )
    op.create_index("ix_effect_status_next", "effect", ["status", "next_attempt_at"])
    op.create_index("ix_effect_run", "effect", ["run_id"])
    op.create_index("ix_effect_vendor_created", "effect", ["vendor_id", "created_at"])
    op.create_table(
        "approval",
        _str("id", False), _str("vendor_id", False), _str("run_id", False),
        _str("client_id", False), _str("journey_id", False), _str("node", False),
        _int("visit"), _json("email"), _ts("created_at", False), _ts("deadline"),
        _str("on_timeout"), _str("status", False), _str("decided_by"), _ts("decided_at"),
        _pk("approval", "id"),
    )
    op.create_index("ix_approval_vendor_status", "approval", ["vendor_id", "status", "created_at"])
    op.create_index("ix_approval_run", "approval", ["run_id"])
    op.create_table(
        "form_request",
        _str("id", False), _str("vendor_id", False), _str("token", False),
        _str("form_key", False), _str("client_id", False), _str("run_id"), _str("node"),
        _ts("created_at", False), _ts("expires_at"), _ts("submitted_at"),
        _json("answers", True),
        _pk("form_request", "id"),
        sa.UniqueConstraint("token", name=op.f("uq_form_request_token")),
    )
    op.create_index("ix_form_request_client", "form_request", ["client_id"])


def downgrade() -> None:
    for table in ("form_request", "approval", "effect", "wakeup", "event", "step", "run",
                  "journey_version", "journey", "client", "vendor"):
        op.drop_table(table)
