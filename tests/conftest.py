"""Shared store fixtures: one test body runs on every store.

- `store`: a fresh, empty Store; parametrized memory / sqlite / postgres.
- `sql_url`: the URL of a fresh, migrated, empty database; parametrized sqlite / postgres.
- `pg_url`: the same for PostgreSQL only.
- `empty_sql_url`: a database with no tables (not migrated); sqlite / postgres.
- `pg_server_url` (session): the PostgreSQL server URL, after checking it answers.

SQLite: one migrated template per session, copied into the test's tmp_path (fast, isolated).
PostgreSQL ($DATABASE_URL_PG, default postgresql+psycopg://postgres@127.0.0.1:5432/test): one
schema per test session (per xdist worker), migrated once, every row deleted before each test.
PostgreSQL tests are marked `postgres` (deselect with -m "not postgres"); if the server cannot be
reached they FAIL with the reason, they do not skip: CI starts PostgreSQL.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest

PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pg_base_url() -> str:
    return os.environ.get("DATABASE_URL_PG") or PG_DEFAULT_URL


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.storage.database import migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "journeys.db"
    migrate(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:  # fold the WAL into the main file before copying it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL server URL (psycopg driver); fails the test if it cannot be reached."""
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from engine.storage.database import make_engine, normalize_url

    base = normalize_url(pg_base_url())
    probe = make_engine(base, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect means the same thing
        pytest.fail(f"PostgreSQL is not reachable at {base} ({type(error).__name__}: {error}). "
                    "Start it (pg_ctlcluster <version> main start) or point DATABASE_URL_PG at "
                    "one; to run without it, deselect with -m 'not postgres'.", pytrace=False)
    finally:
        probe.dispose()
    return base


@contextmanager
def pg_schema(server_url: str) -> Iterator[str]:
    """A new, empty schema; yields a URL whose search_path is that schema; drops it after."""
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from engine.storage.database import make_engine

    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _pg_session_url(pg_server_url: str) -> Iterator[str]:
    """A private, migrated schema for this test session (one per xdist worker)."""
    from engine.storage.database import migrate

    with pg_schema(pg_server_url) as url:
        migrate(url)
        yield url


def _empty_pg(url: str) -> None:
    """Delete every row, children before parents. DELETE on a few rows is much cheaper than
    TRUNCATE, which creates and fsyncs new files for every table and index."""
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from engine.storage.database import make_engine
    from engine.storage.sql.metadata import target_metadata

    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            present = set(conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'")).scalars())
            for table in reversed(target_metadata().sorted_tables):
                if table.name in present:
                    conn.execute(table.delete())
                    present.discard(table.name)
            if present:  # tables no model knows about
                conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in sorted(present))
                                  + " CASCADE"))
    finally:
        engine.dispose()


def _fresh_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "sqlite":
        path = tmp_path / "journeys.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_pg_session_url")
    _empty_pg(url)
    return url


@pytest.fixture(params=SQL_BACKENDS)
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database (SQLite file or PostgreSQL schema)."""
    return _fresh_url(request.param, request, tmp_path)


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def pg_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty PostgreSQL schema (tests using it are marked `postgres`)."""
    return _fresh_url("postgres", request, tmp_path)


@pytest.fixture(params=SQL_BACKENDS)
def empty_sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (not migrated): SQLite file or PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with pg_schema(request.getfixturevalue("pg_server_url")) as url:
        yield url


@pytest.fixture(params=["memory", *SQL_BACKENDS])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty Store of every kind: memory, SQLite, PostgreSQL."""
    if request.param == "memory":
        from engine.storage.memory import MemoryStore

        yield MemoryStore()
        return
    from engine.storage.sql import SqlStore

    sql_store = SqlStore(_fresh_url(request.param, request, tmp_path))
    try:
        yield sql_store
    finally:
        sql_store.close()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A brand-new, empty PostgreSQL database for one process-level test (crash tests, backups),
    dropped afterwards. Not migrated: the code under test migrates it."""
    import psycopg

    name = f"journeys_{uuid.uuid4().hex[:10]}"
    dsn = pg_base_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_base_url().rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
