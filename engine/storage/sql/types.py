"""Column types shared by every table: UTC-aware datetimes and portable JSON.

Datetimes are stored in UTC. PostgreSQL keeps them as TIMESTAMPTZ; SQLite has no time zone type,
so the value is written as naive UTC and made aware again on the way out. Naive datetimes are
refused on the way in: guessing their zone could move an email by hours.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator):
    """DateTime(timezone=True) that only accepts aware values and always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: the engine stores "
                             "timezone-aware UTC datetimes only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def json_type(*, nullable: bool = False) -> TypeEngine:
    """JSON everywhere, JSONB on PostgreSQL (indexable; key order is not kept).

    A nullable column stores Python None as SQL NULL, not as the JSON literal null."""
    return JSON(none_as_null=nullable).with_variant(JSONB(none_as_null=nullable), "postgresql")


def document_type() -> TypeEngine:
    """Journey documents keep their text exactly (key order included) on every database, so a
    published version reads back as it was written; PostgreSQL's plain `json` does that, JSONB
    would reorder keys."""
    return JSON()


def json_default(value: Any) -> Any:
    """json.dumps fallback: dates and datetimes become ISO 8601 text rather than failing a step."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
