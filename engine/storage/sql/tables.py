"""The engine's SQL tables, one SQLModel class per entity of engine.domain.

Plain SQLModel (table=True) on SQLModel.metadata, which Alembic's env.py compares against the
database. A later feature adds a table by defining it (here or in its own module that env.py
imports) and writing a new migration; nothing here has to change.

Rules kept throughout:
- every datetime is UtcDateTime (aware UTC in and out, TIMESTAMPTZ on PostgreSQL);
- JSON is JSONB on PostgreSQL, except journey documents which keep their exact text (json);
- every constraint and index has a deterministic name (naming convention below), so SQLite batch
  migrations and PostgreSQL agree on names;
- only vendor-owned configuration carries foreign keys (client, journey -> vendor;
  journey_version -> journey). History tables (run, step, event, effect, approval, ...) do not:
  a deleted client's runs stay for analytics, and the hot path skips FK checks.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import (BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint, text)
from sqlmodel import Field, SQLModel

from engine.storage.sql.types import UtcDateTime, document_type, json_type

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Set before any table exists so every constraint gets a stable name.
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def _c(type_: Any, *args: Any, nullable: bool = True, **kw: Any) -> Any:
    """A column with an explicit SQL type (so migrations never depend on SQLModel types)."""
    return Field(sa_column=Column(type_, *args, nullable=nullable, **kw))


def _id(*args: Any) -> Any:
    return Field(sa_column=Column(String, *args, primary_key=True))


def _str(nullable: bool = True, **kw: Any) -> Any:
    return _c(String, nullable=nullable, **kw)


def _int(default: int = 0) -> Any:
    return _c(Integer, nullable=False, server_default=text(str(default)))


def _ts(nullable: bool = True) -> Any:
    return _c(UtcDateTime(), nullable=nullable)


def _json(nullable: bool = False) -> Any:
    return _c(json_type(nullable=nullable), nullable=nullable)


class VendorRow(SQLModel, table=True):
    __tablename__ = "vendor"

    id: str = _id()
    name: str = _str(False)
    timezone: str = _str(False)
    email: Optional[str] = _str()
    reply_to: Optional[str] = _str()
    phone: Optional[str] = _str()
    blackout_dates: list = _json()  # ISO dates
    settings: dict = _json()
    created_at: Optional[datetime] = _ts()


class ClientRow(SQLModel, table=True):
    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("vendor_id", "external_id"),)

    id: str = _id()
    vendor_id: str = _c(String, ForeignKey("vendor.id"), nullable=False)
    name: str = _str(False)
    email: str = _str(False)
    external_id: Optional[str] = _str()
    status: Optional[str] = _str()
    timezone: Optional[str] = _str()
    wedding_date: Optional[date] = _c(Date)
    dates: dict = _json()  # anchor name -> ISO date
    fields: dict = _json()
    tags: list = _json()
    form_answers: dict = _json()
    created_at: Optional[datetime] = _ts()
    updated_at: Optional[datetime] = _ts()


class JourneyRow(SQLModel, table=True):
    __tablename__ = "journey"

    id: str = _id()
    vendor_id: str = _c(String, ForeignKey("vendor.id"), nullable=False, index=True)
    name: str = _str(False)
    draft: dict = _c(document_type(), nullable=False)
    live_version: Optional[int] = _c(Integer)
    latest_version: int = _int()
    archived: bool = _c(Boolean, nullable=False, server_default=text("false"))
    created_at: Optional[datetime] = _ts()
    updated_at: Optional[datetime] = _ts()
    updated_by: Optional[str] = _str()


class JourneyVersionRow(SQLModel, table=True):
    """Immutable: rows are only ever inserted."""

    __tablename__ = "journey_version"

    journey_id: str = _c(String, ForeignKey("journey.id", ondelete="CASCADE"),
                         primary_key=True, nullable=False)
    version: int = _c(Integer, primary_key=True, nullable=False, autoincrement=False)
    document: dict = _c(document_type(), nullable=False)
    published_at: datetime = _ts(False)
    published_by: Optional[str] = _str()


class RunRow(SQLModel, table=True):
    __tablename__ = "run"
    __table_args__ = (
        Index("ix_run_vendor_started", "vendor_id", "started_at", "id"),
        Index("ix_run_journey_status", "journey_id", "status"),
        Index("ix_run_journey_node", "journey_id", "node"),
        Index("ix_run_client_journey", "client_id", "journey_id"),
        Index("ix_run_vendor_status", "vendor_id", "status"),
    )

    id: str = _id()
    vendor_id: str = _str(False)
    journey_id: str = _str(False)
    version: int = _int()
    client_id: str = _str(False)
    status: str = _str(False)
    node: Optional[str] = _str()
    visit: int = _int()
    visits: dict = _json()
    wait: Optional[dict] = _json(nullable=True)
    event: dict = _json()
    due_at: Optional[datetime] = _ts()
    split_key: str = _c(String, nullable=False, server_default=text("''"))
    seq: int = _int()
    paused_status: Optional[str] = _str()
    error: Optional[str] = _c(Text)
    goal_at: Optional[datetime] = _ts()
    entered_at: Optional[datetime] = _ts()
    started_at: Optional[datetime] = _ts()
    ended_at: Optional[datetime] = _ts()
    updated_at: Optional[datetime] = _ts()


class StepRow(SQLModel, table=True):
    """The step log. `id` keeps insertion order (several steps of one walk share `seq`);
    (run_id, key) is the exactly-once guard."""

    __tablename__ = "step"
    __table_args__ = (
        UniqueConstraint("run_id", "key"),
        Index("ix_step_journey_node", "journey_id", "node"),
        Index("ix_step_run_seq", "run_id", "seq"),
        Index("ix_step_at", "at"),
    )

    id: Optional[int] = Field(default=None, sa_column=Column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True))
    run_id: str = _str(False)
    key: str = _str(False)
    node: Optional[str] = _str()
    visit: int = _int()
    type: str = _str(False)
    outcome: str = _str(False)
    at: datetime = _ts(False)
    seq: int = _int()
    actor: str = _str(False)
    detail: dict = _json()
    vendor_id: str = _str(False)
    journey_id: str = _str(False)
    version: int = _int()
    client_id: str = _str(False)
    entered_at: Optional[datetime] = _ts()


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    # NULL keys never collide, so a plain unique constraint only binds keyed events.
    __table_args__ = (
        UniqueConstraint("vendor_id", "key"),
        Index("ix_event_vendor_received", "vendor_id", "received_at"),
        Index("ix_event_client_received", "client_id", "received_at"),
    )

    id: str = _id()
    vendor_id: str = _str(False)
    client_id: Optional[str] = _str()
    type: str = _str(False)
    data: dict = _json()
    key: Optional[str] = _str()
    received_at: datetime = _ts(False)
    result: dict = _json()


class WakeUpRow(SQLModel, table=True):
    """One row per pending wake-up. A run has at most one (unique run_id; NULL for date triggers);
    a date trigger is unique per (journey, client) among date triggers only -- a partial unique
    index, because run wake-ups also carry journey_id/client_id and must never replace each other.
    """

    __tablename__ = "wakeup"
    __table_args__ = (
        UniqueConstraint("run_id"),
        Index("uq_wakeup_date_trigger", "client_id", "journey_id", unique=True,
              sqlite_where=text("kind = 'date_trigger'"),
              postgresql_where=text("kind = 'date_trigger'")),
        Index("ix_wakeup_due", "due_at", "id"),
    )

    id: str = _id()
    vendor_id: str = _str(False)
    kind: str = _str(False)
    due_at: datetime = _ts(False)
    run_id: Optional[str] = _str()
    journey_id: Optional[str] = _str()
    client_id: Optional[str] = _str()
    anchor: Optional[str] = _str()
    lease_owner: Optional[str] = _str()
    lease_until: Optional[datetime] = _ts()


class EffectRow(SQLModel, table=True):
    """The outbox. `key` is the idempotency key: one effect per (run, node, visit)."""

    __tablename__ = "effect"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_effect_status_next", "status", "next_attempt_at"),
        Index("ix_effect_run", "run_id"),
        Index("ix_effect_vendor_created", "vendor_id", "created_at"),
    )

    id: str = _id()
    vendor_id: str = _str(False)
    key: str = _str(False)
    kind: str = _str(False)
    payload: dict = _json()
    created_at: datetime = _ts(False)
    run_id: Optional[str] = _str()
    client_id: Optional[str] = _str()
    status: str = _str(False)
    attempts: int = _int()
    next_attempt_at: Optional[datetime] = _ts()
    sent_at: Optional[datetime] = _ts()
    last_error: Optional[str] = _c(Text)
    destination: Optional[str] = _str()


class ApprovalRow(SQLModel, table=True):
    __tablename__ = "approval"
    __table_args__ = (
        Index("ix_approval_vendor_status", "vendor_id", "status", "created_at"),
        Index("ix_approval_run", "run_id"),
    )

    id: str = _id()
    vendor_id: str = _str(False)
    run_id: str = _str(False)
    client_id: str = _str(False)
    journey_id: str = _str(False)
    node: str = _str(False)
    visit: int = _int()
    email: dict = _json()
    created_at: datetime = _ts(False)
    deadline: Optional[datetime] = _ts()
    on_timeout: Optional[str] = _str()
    status: str = _str(False)
    decided_by: Optional[str] = _str()
    decided_at: Optional[datetime] = _ts()


class FormRequestRow(SQLModel, table=True):
    __tablename__ = "form_request"
    __table_args__ = (
        UniqueConstraint("token"),
        Index("ix_form_request_client", "client_id"),
    )

    id: str = _id()
    vendor_id: str = _str(False)
    token: str = _str(False)
    form_key: str = _str(False)
    client_id: str = _str(False)
    run_id: Optional[str] = _str()
    node: Optional[str] = _str()
    created_at: datetime = _ts(False)
    expires_at: Optional[datetime] = _ts()
    submitted_at: Optional[datetime] = _ts()
    answers: Optional[dict] = _json(nullable=True)


vendor = VendorRow.__table__
client = ClientRow.__table__
journey = JourneyRow.__table__
journey_version = JourneyVersionRow.__table__
run = RunRow.__table__
step = StepRow.__table__
event = EventRow.__table__
wakeup = WakeUpRow.__table__
effect = EffectRow.__table__
approval = ApprovalRow.__table__
form_request = FormRequestRow.__table__

ENGINE_TABLES = (vendor, client, journey, journey_version, run, step, event, wakeup, effect,
                 approval, form_request)
metadata = SQLModel.metadata
