"""accounts: users, API keys and sessions

Revision ID: 0002_accounts
Revises: 0001
Create Date: 2026-11-29

Frozen history: plain SQLAlchemy types only, never imports from engine (the tables are defined
in engine/accounts/tables.py).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002_accounts"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "account_user",
        _str("id", False), _str("vendor_id", False), _str("email", False), _str("name", False),
        _str("password_hash", False), _str("role", False), _ts("created_at"),
        _ts("last_login_at"),
        sa.Column("disabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], ondelete="CASCADE",
                                name=op.f("fk_account_user_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_user")),
        sa.UniqueConstraint("email", name=op.f("uq_account_user_email")),
    )
    op.create_index(op.f("ix_account_user_vendor_id"), "account_user", ["vendor_id"])
    op.create_table(
        "account_api_key",
        _str("id", False), _str("vendor_id", False), _str("name", False), _str("prefix", False),
        _str("key_hash", False), _ts("created_at", False), _str("created_by"),
        _ts("last_used_at"), _ts("revoked_at"), _str("revoked_by"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], ondelete="CASCADE",
                                name=op.f("fk_account_api_key_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_account_api_key_prefix")),
    )
    op.create_index("ix_account_api_key_vendor_created", "account_api_key",
                    ["vendor_id", "created_at"])
    op.create_table(
        "account_session",
        _str("id", False), _str("user_id", False), _str("vendor_id", False),
        _str("token_hash", False), _ts("created_at", False), _ts("expires_at", False),
        _ts("last_seen_at"),
        sa.ForeignKeyConstraint(["user_id"], ["account_user.id"], ondelete="CASCADE",
                                name=op.f("fk_account_session_user_id_account_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_session_token_hash")),
    )
    op.create_index(op.f("ix_account_session_user_id"), "account_session", ["user_id"])
    op.create_index("ix_account_session_expires", "account_session", ["expires_at"])


def downgrade() -> None:
    for table in ("account_session", "account_api_key", "account_user"):
        op.drop_table(table)
