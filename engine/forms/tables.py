"""SQL table of the vendors' own forms (the standard forms ship as package data, not rows).

`vendor_form` is vendor-owned configuration: a foreign key to the vendor, gone with it.
Form requests (the links sent to couples) are the engine's `form_request` table.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Column, ForeignKey, Index, String, Text
from sqlmodel import Field, SQLModel

import engine.storage.sql.tables  # noqa: F401  (the vendor table and the naming convention)
from engine.storage.sql.types import UtcDateTime, json_type


def _col(type_: Any, *args: Any, nullable: bool = True, **kw: Any) -> Any:
    return Field(sa_column=Column(type_, *args, nullable=nullable, **kw))


class VendorFormRow(SQLModel, table=True):
    __tablename__ = "vendor_form"
    __table_args__ = (Index("ix_vendor_form_vendor_title", "vendor_id", "title"),)

    vendor_id: str = _col(String, ForeignKey("vendor.id", ondelete="CASCADE"),
                          primary_key=True, nullable=False)
    key: str = _col(String, primary_key=True, nullable=False)
    title: str = _col(String, nullable=False)
    description: str = _col(Text, nullable=False)
    questions: list = _col(json_type(), nullable=False)
    created_at: Optional[datetime] = _col(UtcDateTime())
    updated_at: Optional[datetime] = _col(UtcDateTime())
    updated_by: Optional[str] = _col(String)


vendor_form = VendorFormRow.__table__
FORM_TABLES = (vendor_form,)
