"""Backups. SQLite: the online backup API (a consistent copy while the engine runs).
PostgreSQL: pg_dump / pg_restore in custom format, when the client tools are installed."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import make_url

from engine.errors import InvalidInput, JourneyError

Progress = Callable[[int, int], None]


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, target: Path, progress: Progress | None = None) -> Path:
    target = Path(target)
    if url.startswith("sqlite"):
        source = _sqlite_path(url)
        if not source.exists():
            raise InvalidInput(f"no database at {source}")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".partial")
        with sqlite3.connect(source) as src, sqlite3.connect(tmp) as dst:
            src.backup(dst, pages=256,
                       progress=(lambda _s, left, total: progress(total - left, total))
                       if progress else None)
        tmp.replace(target)  # never leave a half-written backup under the real name
        return target
    if url.startswith("postgresql"):
        _need("pg_dump")
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_dsn(url)])
        return target
    raise InvalidInput(f"cannot back up {url.split(':')[0]} databases")


def restore(url: str, source: Path, progress: Progress | None = None) -> None:
    """Replace the database's contents with the backup. Stop the engine first."""
    source = Path(source)
    if not source.exists():
        raise InvalidInput(f"no backup file at {source}")
    if url.startswith("sqlite"):
        target = _sqlite_path(url)
        with sqlite3.connect(source) as src:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise InvalidInput(f"{source} is not a healthy SQLite backup")
            with sqlite3.connect(target) as dst:
                src.backup(dst, pages=256,
                           progress=(lambda _s, left, total: progress(total - left, total))
                           if progress else None)
        return
    if url.startswith("postgresql"):
        _need("pg_restore")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_pg_dsn(url)}",
              str(source)])
        return
    raise InvalidInput(f"cannot restore {url.split(':')[0]} databases")


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        raise JourneyError(f"{tool} is not installed: install the PostgreSQL client tools "
                           f"(Debian: apt-get install postgresql-client) or use your "
                           f"provider's backups")


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise JourneyError(f"{cmd[0]} failed: {done.stderr.strip()[:500]}")
