"""Migrations: `upgrade head` on an empty database builds exactly SQLModel.metadata."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from engine.storage.database import alembic_config, alembic_dir, make_engine, migrate
from engine.storage.sql.metadata import target_metadata

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_url(empty_sql_url: str) -> str:
    return empty_sql_url


def schema_diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, target_metadata())
    finally:
        engine.dispose()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_head_leaves_no_autogenerate_diff(empty_url):
    migrate(empty_url)
    assert schema_diff(empty_url) == []
    assert current_revision(empty_url) == head_revision()


def test_alembic_command_line_upgrade_head(empty_url):
    env = {**os.environ, "DATABASE_URL": empty_url}
    done = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert schema_diff(empty_url) == []
    assert current_revision(empty_url) == head_revision()


def test_migrate_is_idempotent_and_downgrade_undoes_it(empty_url):
    migrate(empty_url)
    migrate(empty_url)  # at head already: nothing to do
    from alembic import command

    engine = make_engine(empty_url, foreign_keys=False)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate(empty_url)
    assert schema_diff(empty_url) == []


def test_migrate_accepts_an_engine(empty_url):
    engine = make_engine(empty_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert "run" in inspect(conn).get_table_names()
            if engine.dialect.name == "sqlite":  # foreign keys are back on for this engine
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_concurrent_migrations_do_not_collide(empty_url):
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            migrate(empty_url)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=upgrade) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert current_revision(empty_url) == head_revision()


def test_sqlite_is_in_wal_mode_with_foreign_keys_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'journeys.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 2  # FULL: a commit is on disk when it returns
            assert pragma("busy_timeout") == 15_000
    finally:
        engine.dispose()
    normal = make_engine(url + "?synchronous=NORMAL")
    try:
        with normal.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    finally:
        normal.dispose()


def test_alembic_scripts_are_found_in_the_repository():
    assert alembic_dir() == REPO / "alembic"
    assert (REPO / "alembic.ini").is_file()
