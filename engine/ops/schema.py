"""Where a database's schema stands against this code's migrations, and the start-up guard.

    state = schema_state(url)            # current revisions, this code's heads, unknown ones
    refuse_newer_database(url)           # raises DatabaseNewerThanCode before anything migrates

A database "newer than the code" carries an Alembic revision this code does not ship: a newer
Journeys upgraded it. Starting anyway would run old code against a schema it does not know (and
`alembic upgrade` would fail with a bare "Can't locate revision"), so start-up stops first and
says what to do. Call the guard before `migrate()` wherever a process opens the live database.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine

from engine.errors import JourneyError


class DatabaseNewerThanCode(JourneyError):
    """The database was migrated by a newer version of Journeys than this one."""

    code = "DATABASE_NEWER_THAN_CODE"
    http_status = 503


@dataclass(frozen=True)
class SchemaState:
    current: tuple[str, ...]  # revisions recorded in the database's alembic_version table
    heads: tuple[str, ...]  # the newest revisions this code knows
    unknown: tuple[str, ...]  # recorded revisions this code does not know at all

    @property
    def empty(self) -> bool:
        """No revision recorded: a new database (migrating creates everything)."""
        return not self.current

    @property
    def at_head(self) -> bool:
        return bool(self.current) and set(self.current) == set(self.heads)

    @property
    def newer_than_code(self) -> bool:
        return bool(self.unknown)

    def describe(self) -> str:
        if self.newer_than_code:
            return f"schema {', '.join(self.unknown)} is newer than this code ({self.head_text})"
        if self.empty:
            return f"no schema yet (this code migrates to {self.head_text})"
        if self.at_head:
            return f"schema at {self.head_text}"
        return f"schema at {', '.join(self.current)}, behind this code ({self.head_text})"

    @property
    def head_text(self) -> str:
        return ", ".join(self.heads) or "no migrations"


@lru_cache(maxsize=1)
def _script_directory() -> Any:
    """This code's Alembic scripts (read once: they do not change while the process runs)."""
    from alembic.script import ScriptDirectory

    from engine.storage.database import alembic_config

    return ScriptDirectory.from_config(alembic_config())


def known_heads() -> tuple[str, ...]:
    return tuple(sorted(_script_directory().get_heads()))


def _is_known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return _script_directory().get_revision(revision) is not None
    except (CommandError, KeyError, ValueError):  # "Can't locate revision identified by ..."
        return False


def current_revisions(conn: Any) -> tuple[str, ...]:
    """The revisions recorded in an open connection's database (empty for a new database)."""
    from alembic.runtime.migration import MigrationContext

    return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def schema_state(url_or_engine: str | Engine, *, connect_timeout: float | None = None
                 ) -> SchemaState:
    """Read the database's recorded revisions and compare them with this code's migrations.

    Connection errors propagate (SQLAlchemy's OperationalError): the caller decides whether an
    unreachable database is "not ready" or a start-up failure.
    """
    engine, owned = _engine_for(url_or_engine, connect_timeout)
    try:
        with engine.connect() as conn:
            current = current_revisions(conn)
    finally:
        if owned:
            engine.dispose()
    unknown = tuple(rev for rev in current if not _is_known(rev))
    return SchemaState(current=current, heads=known_heads(), unknown=unknown)


def refuse_newer_database(url_or_engine: str | Engine) -> SchemaState:
    """Raise DatabaseNewerThanCode if a newer Journeys migrated this database; else the state.

    Call it before `engine.storage.database.migrate()` at every start-up (serve, worker, the
    in-process engine of the web app).
    """
    state = schema_state(url_or_engine)
    if state.newer_than_code:
        raise DatabaseNewerThanCode(newer_database_message(state, _safe_url(url_or_engine)),
                                    details={"current": list(state.current),
                                             "unknown": list(state.unknown),
                                             "heads": list(state.heads)})
    return state


def newer_database_message(state: SchemaState, where: str) -> str:
    version = code_version()
    return (f"the database {where} was upgraded by a newer version of Journeys: it is at schema "
            f"revision {', '.join(state.unknown)}, which this version ({version}, newest "
            f"revision {state.head_text}) does not know. Refusing to start so that old code never "
            f"writes to a newer schema. Run the newer version of Journeys again, or restore a "
            f"backup taken before the upgrade (`journeys restore`) to go back to this one.")


def code_version() -> str:
    """This installation's version (package metadata; "unknown" if it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("journeys")
    except PackageNotFoundError:
        return "unknown"


def _engine_for(url_or_engine: str | Engine, connect_timeout: float | None
                ) -> tuple[Engine, bool]:
    if isinstance(url_or_engine, Engine):
        return url_or_engine, False
    from sqlalchemy.pool import NullPool

    from engine.storage.database import is_sqlite, make_engine

    kwargs: dict[str, Any] = {"poolclass": NullPool}
    if connect_timeout is not None and not is_sqlite(url_or_engine):
        kwargs["connect_args"] = {"connect_timeout": max(1, int(connect_timeout))}
    return make_engine(url_or_engine, **kwargs), True


def _safe_url(url_or_engine: str | Engine) -> str:
    from sqlalchemy.engine import make_url

    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(url_or_engine)
    return url.render_as_string(hide_password=True)


__all__ = ["DatabaseNewerThanCode", "SchemaState", "code_version", "current_revisions", "known_heads",
           "newer_database_message", "refuse_newer_database", "schema_state"]
