"""SQL tables for accounts, on the same SQLModel.metadata as the engine's tables (plain SQLModel).

Named account_user / account_api_key / account_session ("user" and "session" are reserved or
confusing words in SQL). Users and keys belong to a vendor (foreign key, like the engine's other
vendor-owned configuration); sessions belong to a user and go with it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

import engine.storage.sql.tables  # noqa: F401  (the vendor table and the naming convention)
from engine.storage.sql.types import UtcDateTime


def _col(type_: Any, *args: Any, nullable: bool = True, **kw: Any) -> Any:
    return Field(sa_column=Column(type_, *args, nullable=nullable, **kw))


class UserRow(SQLModel, table=True):
    __tablename__ = "account_user"
    __table_args__ = (UniqueConstraint("email"),)

    id: str = Field(sa_column=Column(String, primary_key=True))
    vendor_id: str = _col(String, ForeignKey("vendor.id", ondelete="CASCADE"), nullable=False,
                          index=True)
    email: str = _col(String, nullable=False)
    name: str = _col(String, nullable=False)
    password_hash: str = _col(String, nullable=False)
    role: str = _col(String, nullable=False)
    created_at: Optional[datetime] = _col(UtcDateTime())
    last_login_at: Optional[datetime] = _col(UtcDateTime())
    disabled: bool = _col(Boolean, nullable=False, server_default=text("false"))


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "account_api_key"
    __table_args__ = (UniqueConstraint("prefix"),
                      Index("ix_account_api_key_vendor_created", "vendor_id", "created_at"))

    id: str = Field(sa_column=Column(String, primary_key=True))
    vendor_id: str = _col(String, ForeignKey("vendor.id", ondelete="CASCADE"), nullable=False)
    name: str = _col(String, nullable=False)
    prefix: str = _col(String, nullable=False)
    key_hash: str = _col(String, nullable=False)
    created_at: datetime = _col(UtcDateTime(), nullable=False)
    created_by: Optional[str] = _col(String)
    last_used_at: Optional[datetime] = _col(UtcDateTime())
    revoked_at: Optional[datetime] = _col(UtcDateTime())
    revoked_by: Optional[str] = _col(String)


class SessionRow(SQLModel, table=True):
    __tablename__ = "account_session"
    __table_args__ = (UniqueConstraint("token_hash"),
                      Index("ix_account_session_expires", "expires_at"))

    id: str = Field(sa_column=Column(String, primary_key=True))
    user_id: str = _col(String, ForeignKey("account_user.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    vendor_id: str = _col(String, nullable=False)
    token_hash: str = _col(String, nullable=False)
    created_at: datetime = _col(UtcDateTime(), nullable=False)
    expires_at: datetime = _col(UtcDateTime(), nullable=False)
    last_seen_at: Optional[datetime] = _col(UtcDateTime())


account_user = UserRow.__table__
account_api_key = ApiKeyRow.__table__
account_session = SessionRow.__table__
ACCOUNT_TABLES = (account_user, account_api_key, account_session)
