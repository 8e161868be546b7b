"""Leader election: the worker holding a PostgreSQL session advisory lock is the leader.

The lock lives on a dedicated session. It is released by the server the moment that session
ends, so when the leader process dies (even by SIGKILL) the next follower to try, at most
`check_seconds` later, takes over; `check_seconds` is half a lease, so a new leader is in place
within two lease periods even when the old one vanished without closing its socket (TCP
keepalives on the session, see engine.scaleout.pg). The leader checks its session every
`check_seconds` too and steps down if the session is gone.

The lock key is derived from the current schema, so databases and schemas never share a leader.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

import psycopg

from engine.scaleout.pg import close_quietly

log = logging.getLogger("journeys.scaleout")

LOCK_KEY_SQL = "hashtextextended('journeys-leader:' || current_schema(), 0)"
TRY_LOCK = f"SELECT pg_try_advisory_lock({LOCK_KEY_SQL})"


class LeaderElection:
    def __init__(self, connect: Callable[[], psycopg.Connection], *,
                 on_elected: Callable[[], None], on_deposed: Callable[[], None],
                 check_seconds: float):
        self.connect = connect
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.check_seconds = check_seconds
        self.terms = 0
        self._leader = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._leader

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="journeys-leader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            conn = None
            try:
                conn = self.connect()
                while not self._stop.is_set():
                    if self._leader:
                        conn.execute("SELECT 1")  # raises if the session (and the lock) is gone
                    elif conn.execute(TRY_LOCK).fetchone()[0]:
                        self._elected()
                    self._stop.wait(self.check_seconds)
            except Exception as error:  # noqa: BLE001 - any failure: not leader, retry
                if not self._stop.is_set():
                    log.warning("leader session lost (%s: %s)", type(error).__name__, error)
            finally:
                self._depose()
                close_quietly(conn)  # ends the session: the server releases the lock
            self._stop.wait(self.check_seconds)

    def _elected(self) -> None:
        self._leader = True
        self.terms += 1
        log.info("elected leader")
        try:
            self.on_elected()
        except Exception:  # noqa: BLE001 - give the lock up rather than lead half-started
            log.exception("could not start leading; stepping down")
            raise

    def _depose(self) -> None:
        if not self._leader:
            return
        self._leader = False
        log.info("no longer leader")
        try:
            self.on_deposed()
        except Exception:  # noqa: BLE001
            log.exception("stepping down failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.check_seconds + 30)
