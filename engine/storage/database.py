"""Database engines and migrations: one place that knows the URLs, pragmas and Alembic.

    engine = make_engine(database_url_from_env())
    migrate(engine)                      # alembic upgrade head, programmatically
    store = SqlStore(engine)

SQLite (the default, `sqlite:///./journeys.db`) is tuned for one machine:

- journal_mode=WAL: readers never block the writer and the writer never blocks readers.
- synchronous=FULL (the default): every commit is on disk when it returns (the WAL is fsynced),
  so a power cut or OS crash cannot take back a step or an email's "sent" mark. The engine's
  steps share commits (group commit, Settings.steps_per_commit), so the fsync is paid once per
  group, not per step. `?synchronous=NORMAL` in the URL (or `sqlite_synchronous="NORMAL"`)
  trades that for commit rate: a commit still survives a crash of the process, but after a power
  cut the last commits may be rolled back (never corrupted), which can re-send an email or drop
  a step that had just committed. bench/raw_commit.py measures both.
- foreign_keys=ON, busy_timeout (waits for the write lock instead of failing at once),
  check_same_thread=False (connections are pooled across threads, one transaction at a time).
- Write transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two
  transactions that both read then write never deadlock on a lock upgrade (SQLITE_BUSY that
  busy_timeout cannot resolve). Use `conn.execution_options(sqlite_begin="DEFERRED")` for a
  read-only transaction that should not queue behind writers.

PostgreSQL URLs (`postgresql://`, `postgres://`) are rewritten to the psycopg 3 driver.
"""
from __future__ import annotations

import json
import os
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from engine.storage.sql.types import json_default

DEFAULT_DATABASE_URL = "sqlite:///./journeys.db"
SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
# Any constant: serialises concurrent `migrate()` calls against one PostgreSQL database.
MIGRATION_LOCK_ID = 0x6A6F75726E6579  # "journey"


def database_url_from_env(default: str = DEFAULT_DATABASE_URL) -> str:
    """DATABASE_URL from the environment (normalised), else the local SQLite file."""
    return normalize_url(os.environ.get("DATABASE_URL") or default)


def normalize_url(url: str | URL) -> str:
    """`postgresql://` and `postgres://` use psycopg 3; other URLs are returned unchanged."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url_or_engine: str | URL | Engine) -> bool:
    if isinstance(url_or_engine, Engine):
        return url_or_engine.dialect.name == "sqlite"
    return make_url(url_or_engine).get_backend_name() == "sqlite"


def _json_dumps(value: Any) -> str:
    return json.dumps(value, default=json_default, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str | URL | None = None, *, sqlite_synchronous: str | None = None,
                sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
                foreign_keys: bool = True, **engine_kw: Any) -> Engine:
    """A SQLAlchemy Engine for SQLite or PostgreSQL with the engine's settings applied.

    `url` defaults to database_url_from_env(). SQLite accepts `?synchronous=NORMAL` in the URL
    as an alternative to `sqlite_synchronous` (default FULL). `foreign_keys=False` is for migrations only (SQLite
    batch migrations copy tables, which FK enforcement would break). Extra keywords go to
    sqlalchemy.create_engine.
    """
    parsed = make_url(normalize_url(url if url is not None else database_url_from_env()))
    engine_kw.setdefault("json_serializer", _json_dumps)
    if parsed.get_backend_name() != "sqlite":
        engine_kw.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **engine_kw)

    query = dict(parsed.query)
    synchronous = (sqlite_synchronous or query.pop("synchronous", None) or "FULL").upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {SQLITE_SYNCHRONOUS}, not {synchronous!r}")
    parsed = parsed.set(query=query)
    connect_args = dict(engine_kw.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(parsed, connect_args=connect_args, **engine_kw)
    pragmas = (f"PRAGMA busy_timeout={int(sqlite_busy_timeout_ms)}",
               "PRAGMA journal_mode=WAL",
               f"PRAGMA synchronous={synchronous}",
               f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    event.listen(engine, "connect", partial(_sqlite_connect, pragmas))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(pragmas: tuple[str, ...], dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module (its legacy mode begins lazily, before the first
    # write only, which is what causes lock-upgrade deadlocks); _sqlite_begin emits our own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in pragmas:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _sqlite_begin(conn: Any) -> None:
    mode = str(conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")).upper()
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
    # Straight to the driver: this runs once per transaction, on the hot path.
    conn.connection.driver_connection.execute(f"BEGIN {mode}")


# -- migrations ---------------------------------------------------------------------------------

def alembic_dir() -> Path:
    """Where the Alembic scripts (env.py, versions/) live.

    1. $JOURNEYS_ALEMBIC_DIR, if set;
    2. the repository's top-level `alembic/` (a source checkout or an editable install);
    3. `engine/storage/migrations/` inside the installed package, which pyproject.toml already
       lists as package data; a wheel build copies `alembic/` there.
    """
    override = os.environ.get("JOURNEYS_ALEMBIC_DIR")
    candidates = [Path(override)] if override else []
    candidates.append(Path(__file__).resolve().parents[2] / "alembic")
    try:
        candidates.append(Path(str(resources.files("engine.storage") / "migrations")))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - exotic loaders
        pass
    for path in candidates:
        if (path / "env.py").is_file():
            return path
    raise FileNotFoundError("Alembic scripts not found; looked in "
                            + ", ".join(str(p) for p in candidates))


def alembic_config(url: str | None = None):
    """An Alembic Config built in code (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def migrate(url: str | URL | Engine | None = None, *, revision: str = "head") -> None:
    """Run `alembic upgrade <revision>` (head by default) on a URL or an existing Engine.

    Safe to call at every start-up and from several processes at once: SQLite serialises it with
    BEGIN IMMEDIATE, PostgreSQL with a transaction-scoped advisory lock. On SQLite foreign keys
    are off while migrating (batch migrations copy tables) and PRAGMA foreign_key_check must come
    back clean before the migration commits.
    """
    from alembic import command

    if isinstance(url, Engine):
        engine, owned = url, False
    else:
        engine = make_engine(url if url is not None else database_url_from_env(),
                             foreign_keys=False)
        owned = True
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            if sqlite:  # outside any transaction, as SQLite requires
                fk_before = raw.execute("PRAGMA foreign_keys").fetchone()[0]
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    if engine.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
                    config.attributes["connection"] = conn
                    command.upgrade(config, revision)
                    if sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
            finally:
                if sqlite and fk_before:
                    raw.execute("PRAGMA foreign_keys=ON")
    finally:
        if owned:
            engine.dispose()
