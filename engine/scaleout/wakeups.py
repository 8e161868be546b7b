"""LISTEN/NOTIFY: wake workers when work becomes due, without waiting for a poll.

Two sources send on one channel, `journeys_wakeup`:
- a transaction that writes a wake-up due within `horizon` (install_notifier hooks the store;
  pg_notify runs inside the transaction, so it is delivered only if the transaction commits);
- the leader's timer, when a planned wake-up comes due (announce).
The payload is the due instant (ISO 8601) or empty for "due now". Workers that hear it try to
claim; the leader also uses it to plan its timer. A lost notification costs only latency: every
worker still polls, and the leader's tick announces due work again.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any, Callable

import psycopg
from sqlalchemy import text

from engine.clock import Clock
from engine.scaleout.pg import close_quietly

log = logging.getLogger("journeys.scaleout")

CHANNEL = "journeys_wakeup"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :payload)")


def install_notifier(store: Any, clock: Clock, horizon: timedelta) -> None:
    """Make every transaction of `store` (a PostgreSQL SqlStore) that writes a wake-up due
    within `horizon` of now NOTIFY the workers when it commits."""

    def before_commit(tx: Any) -> None:
        due = tx.soonest_wakeup
        if due is not None and due <= clock.now() + horizon:
            tx.conn.execute(_NOTIFY, {"payload": due.isoformat()})

    store.before_commit.append(before_commit)


def announce(conn: Any, due: datetime | None = None) -> None:
    """NOTIFY on an SQLAlchemy connection (delivered at its commit)."""
    conn.execute(_NOTIFY, {"payload": due.isoformat() if due is not None else ""})


def parse_payload(payload: str) -> datetime | None:
    try:
        return datetime.fromisoformat(payload) if payload else None
    except ValueError:
        return None


class WakeListener:
    """LISTENs on a dedicated session and calls `on_wake(due)` for each notification, and
    `on_wake(None)` after every (re)connection, since notifications sent while it was away are
    lost. Reconnects after any failure (a restarted or terminated server)."""

    def __init__(self, connect: Callable[[], psycopg.Connection], *,
                 on_wake: Callable[[datetime | None], None], retry_seconds: float = 1.0,
                 listen_seconds: float = 1.0):
        self.connect = connect
        self.on_wake = on_wake
        self.retry_seconds = retry_seconds
        self.listen_seconds = listen_seconds
        self.heard = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._conn: psycopg.Connection | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="journeys-listen", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._conn = self.connect()
                self._conn.execute(f"LISTEN {CHANNEL}")
                self.connected.set()
                self.on_wake(None)
                while not self._stop.is_set():
                    for note in self._conn.notifies(timeout=self.listen_seconds):
                        self.heard += 1
                        self.on_wake(parse_payload(note.payload))
            except Exception as error:  # noqa: BLE001 - reconnect whatever broke
                if not self._stop.is_set():
                    log.warning("wake-up channel lost (%s: %s); reconnecting",
                                type(error).__name__, error)
            finally:
                self.connected.clear()
                close_quietly(self._conn)
                self._conn = None
            self._stop.wait(self.retry_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.listen_seconds + 5)
