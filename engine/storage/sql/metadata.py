"""Every module that defines SQL tables, and the one MetaData they share.

Alembic's env.py and the migration tests compare the database against `target_metadata()`, so a
feature that adds tables lists its module here (and writes a new revision in alembic/versions/).
"""
from __future__ import annotations

import importlib

from sqlalchemy import MetaData

TABLE_MODULES: tuple[str, ...] = (
    "engine.storage.sql.tables",
    "engine.accounts.tables",
    "engine.analytics.tables",
    "engine.forms.tables",
    "engine.audit.tables",
)


def target_metadata() -> MetaData:
    """SQLModel.metadata with every table module imported."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    from sqlmodel import SQLModel

    return SQLModel.metadata
