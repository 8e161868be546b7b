"""On SQLite, one engine process per database file. A second one would run its own scheduler
over the same file; rather than coordinate two schedulers, it refuses to start and says why.
(Steps themselves could not double-fire anyway: each runs in a BEGIN IMMEDIATE transaction that
re-reads its wake-up. PostgreSQL is the store for several workers.)"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from engine.errors import Conflict


class SqliteProcessLock:
    def __init__(self, database_url: str):
        database = make_url(database_url).database or ""
        self.path = Path(f"{database}.engine.lock") if database and database != ":memory:" else None
        self._fd: int | None = None

    def acquire(self) -> None:
        if self.path is None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise Conflict(f"another Journeys engine (pid {holder}) is already running on "
                           f"{self.path.with_suffix('').with_suffix('')}; stop it first, or use "
                           f"PostgreSQL (DATABASE_URL=postgresql://...) to run several workers")
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
