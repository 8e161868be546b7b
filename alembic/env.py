"""Alembic environment: plain Alembic over SQLModel.metadata.

Used two ways:
- programmatically by engine.storage.database.migrate(), which passes an open connection in
  `config.attributes["connection"]` (already in a transaction, foreign keys off on SQLite);
- from the command line (`alembic upgrade head` next to alembic.ini). The URL comes from
  `-x url=...`, else $DATABASE_URL, else sqlalchemy.url in alembic.ini.

A feature that adds tables defines them on SQLModel.metadata in its own module, adds that
module to TABLE_MODULES in engine/storage/sql/metadata.py (the migration tests read the same
list), and writes a new revision in versions/.
"""
from __future__ import annotations

import os

from alembic import context

from engine.storage.database import MIGRATION_LOCK_ID, make_engine, normalize_url
from engine.storage.sql.metadata import target_metadata as _target_metadata

config = context.config
target_metadata = _target_metadata()


def _url() -> str:
    return normalize_url(context.get_x_argument(as_dictionary=True).get("url")
                         or os.environ.get("DATABASE_URL")
                         or config.get_main_option("sqlalchemy.url"))


def _configure(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"),
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # The CLI: the same procedure as migrate(): foreign keys off on SQLite while batch
    # migrations copy tables, an advisory lock on PostgreSQL against concurrent upgrades.
    connectable = make_engine(_url(), foreign_keys=False)
    try:
        with connectable.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
            _configure(connection)
            context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
