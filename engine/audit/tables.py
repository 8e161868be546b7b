"""SQL tables of the audit trail: effect_attempt and journey_change.

History tables: no foreign keys (a deleted journey's or client's history stays), an integer key
that keeps insertion order, and indexes for the two ways they are read (per effect / per client
for a timeline, per journey for its history).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

import engine.storage.sql.tables  # noqa: F401  (the naming convention comes first)
from engine.storage.sql.types import UtcDateTime, json_type


def _col(type_: Any, nullable: bool = True, **kw: Any) -> Any:
    return Field(sa_column=Column(type_, nullable=nullable, **kw))


def _serial() -> Any:
    return Field(default=None, sa_column=Column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True))


class EffectAttemptRow(SQLModel, table=True):
    __tablename__ = "effect_attempt"
    __table_args__ = (
        Index("ix_effect_attempt_effect", "effect_id", "id"),
        Index("ix_effect_attempt_client_at", "client_id", "at"),
        Index("ix_effect_attempt_vendor_at", "vendor_id", "at"),
    )

    id: Optional[int] = _serial()
    effect_id: str = _col(String, False)
    vendor_id: str = _col(String, False)
    run_id: Optional[str] = _col(String)
    client_id: Optional[str] = _col(String)
    kind: str = _col(String, False)
    at: datetime = _col(UtcDateTime(), False)
    attempt: Optional[int] = _col(Integer)
    outcome: str = _col(String, False)
    error: Optional[str] = _col(Text)
    retryable: Optional[bool] = _col(Boolean)
    destination: Optional[str] = _col(String)
    actor: str = _col(String, False)
    detail: dict = _col(json_type(), False)


class JourneyChangeRow(SQLModel, table=True):
    __tablename__ = "journey_change"
    __table_args__ = (
        Index("ix_journey_change_journey", "journey_id", "id"),
        Index("ix_journey_change_vendor_at", "vendor_id", "at"),
    )

    id: Optional[int] = _serial()
    journey_id: str = _col(String, False)
    vendor_id: str = _col(String, False)
    at: datetime = _col(UtcDateTime(), False)
    change: str = _col(String, False)
    actor: Optional[str] = _col(String)
    version: Optional[int] = _col(Integer)
    name: Optional[str] = _col(String)
    detail: dict = _col(json_type(), False)


effect_attempt = EffectAttemptRow.__table__
journey_change = JourneyChangeRow.__table__
AUDIT_TABLES = (effect_attempt, journey_change)
