"""Live analytics: tell open dashboards that something changed, so they re-query within 2 s.

In one process, `LiveFeed` is a tiny publish/subscribe fed by the runtime: it is a
`Runtime.listeners` callback, called with (kind, data) after each run save ("run") and each
event ("event"). Subscribers get a `Change`; pollers read `feed.version` or block in
`feed.wait(version, timeout)` (a long poll).

Across processes, on PostgreSQL: `install_pg_notifier(store, runtime)` makes every transaction
of a SqlStore that saved a run or took an event send one NOTIFY on the channel
`journeys_analytics` just before it commits (pg_notify is transactional: it is delivered only if
the commit happens, and only after it, so a listener that re-queries sees the new rows).
`PgChangeListener` LISTENs on its own connection in a background thread and republishes what it
hears into a local LiveFeed (skipping its own process's notifications, which that feed already
had). A lost connection is retried; since notifications sent meanwhile are lost, a reconnect
publishes a "resync" change so dashboards refresh once.

A dashboard should treat a change as "recompute soon": the runtime reports a run save from
inside its transaction, so an in-process subscriber that queries synchronously could still see
the previous state. Re-query on the next tick (the UI polls every second) or after `wait()`.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger("journeys.analytics.live")

CHANNEL = "journeys_analytics"
MAX_PAYLOAD = 7000  # PostgreSQL's limit is 8000 bytes


@dataclass(frozen=True)
class Change:
    """What happened: kind "run" (a run was saved), "event" (an event was taken), "remote"
    (another process's transaction: `journeys` lists the journeys it touched) or "resync"
    (notifications may have been missed: refresh everything)."""
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    @property
    def journeys(self) -> set[str]:
        if "journeys" in self.data:
            return set(self.data["journeys"])
        return {self.data["journey_id"]} if self.data.get("journey_id") else set()


Subscriber = Callable[[Change], None]


class LiveFeed:
    """In-process publish/subscribe of changes. Thread-safe; a failing subscriber is logged and
    never breaks the step that published."""

    def __init__(self) -> None:
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = threading.Condition()
        self._subscribers: list[tuple[Subscriber, str | None]] = []
        self.version = 0
        self.last: Change | None = None

    # A Runtime listener: runtime.listeners.append(feed.publish)
    def publish(self, kind: str, data: dict[str, Any] | None = None) -> Change:
        with self._lock:
            self.version += 1
            change = Change(kind=kind, data=dict(data or {}), version=self.version)
            self.last = change
            subscribers = list(self._subscribers)
            self._lock.notify_all()
        for callback, journey in subscribers:
            if journey is not None and change.journeys and journey not in change.journeys:
                continue
            try:
                callback(change)
            except Exception:  # noqa: BLE001 - a dashboard must never break a step
                log.exception("live analytics subscriber failed")
        return change

    def attach(self, runtime: Any) -> "LiveFeed":
        """Feed this from `runtime` (an engine.runtime.stepper.Runtime)."""
        if self.publish not in runtime.listeners:
            runtime.listeners.append(self.publish)
        return self

    def subscribe(self, callback: Subscriber, *, journey_id: str | None = None
                  ) -> Callable[[], None]:
        """Call `callback(change)` on every change (of `journey_id` only, if given; changes
        that name no journey, such as events and resyncs, always pass). Returns unsubscribe."""
        entry = (callback, journey_id)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)
        return unsubscribe

    def wait(self, after: int, timeout: float) -> int:
        """Block until the version passes `after` or `timeout` seconds pass; returns the
        version (a long poll: `v = feed.wait(v, 25)`)."""
        with self._lock:
            self._lock.wait_for(lambda: self.version > after, timeout=timeout)
            return self.version


# -- PostgreSQL: NOTIFY at commit, LISTEN elsewhere -----------------------------------------------

class _Pending(threading.local):
    def __init__(self) -> None:
        self.journeys: set[str] = set()
        self.kinds: set[str] = set()
        self.count = 0


def install_pg_notifier(store: Any, runtime: Any, *, origin: str | None = None) -> Callable:
    """Make each transaction of `store` (a PostgreSQL SqlStore) that saves a run or takes an
    event NOTIFY `journeys_analytics` as it commits. Returns the runtime listener it added."""
    from sqlalchemy import text

    pending = _Pending()
    notify = text(f"SELECT pg_notify('{CHANNEL}', :payload)")
    origin = origin or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def listener(kind: str, data: dict[str, Any]) -> None:
        pending.kinds.add(kind)
        pending.count += 1
        if data.get("journey_id"):
            pending.journeys.add(data["journey_id"])

    def before_commit(tx: Any) -> None:
        if not pending.count:
            return
        body = {"origin": origin, "kinds": sorted(pending.kinds), "count": pending.count,
                "journeys": sorted(pending.journeys)}
        payload = json.dumps(body, separators=(",", ":"))
        if len(payload) > MAX_PAYLOAD:  # very many journeys in one transaction: say "all"
            body.pop("journeys")
            payload = json.dumps({**body, "all": True}, separators=(",", ":"))
        pending.journeys, pending.kinds, pending.count = set(), set(), 0
        tx.conn.execute(notify, {"payload": payload})

    runtime.listeners.append(listener)
    store.before_commit.append(before_commit)
    listener.origin = origin  # type: ignore[attr-defined]
    return listener


def _psycopg_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class PgChangeListener:
    """LISTENs for `journeys_analytics` on a dedicated connection (a background thread) and
    publishes each notification into `feed` as a "remote" change. `url` is a SQLAlchemy or
    libpq URL; `skip_origin`: the notifier origin of this process (its changes are already in
    the local feed)."""

    def __init__(self, url: str, feed: LiveFeed, *, skip_origin: str | None = None,
                 retry_seconds: float = 1.0, poll_seconds: float = 0.5):
        self.url = url
        self.feed = feed
        self.skip_origin = skip_origin
        self.retry_seconds = retry_seconds
        self.poll_seconds = poll_seconds
        self.connected = threading.Event()
        self.heard = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "PgChangeListener":
        self._thread = threading.Thread(target=self._run, name="journeys-analytics-listen",
                                        daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            conn = None
            try:
                conn = psycopg.connect(_psycopg_dsn(self.url), autocommit=True)
                conn.execute(f"LISTEN {CHANNEL}")
                self.connected.set()
                self.feed.publish("resync", {"reason": "listening"})
                while not self._stop.is_set():
                    for note in conn.notifies(timeout=self.poll_seconds):
                        self._heard(note.payload)
            except Exception as error:  # noqa: BLE001 - reconnect whatever broke
                if not self._stop.is_set():
                    log.warning("analytics channel lost (%s: %s); reconnecting",
                                type(error).__name__, error)
            finally:
                self.connected.clear()
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:  # noqa: BLE001
                        pass
            self._stop.wait(self.retry_seconds)

    def _heard(self, payload: str) -> None:
        self.heard += 1
        try:
            data = json.loads(payload) if payload else {}
        except ValueError:
            data = {}
        if self.skip_origin is not None and data.get("origin") == self.skip_origin:
            return
        self.feed.publish("remote", data)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_seconds + 5)
