"""The process-wide Engine of the UI, shared with the REST API mounted beside it.

One engine per server process, built once on first use with ``engine.bootstrap.open_live()``
(SQLite at DATABASE_URL unless it names PostgreSQL). While the app is up, an in-process
``engine.worker.Worker`` runs due steps and delivers the outbox, so journeys really run.

    from journey_app import engine_access
    engine_access.engine().journeys.list(vendor_id)

``journey_app.journey_app`` registers :func:`lifespan_task` (via ``app.register_lifespan_task``):
it builds the engine, hands it to the REST API (``api.state.engine`` / ``api.state.accounts``,
so a session cookie made by either face works for both), starts the worker and stops it at
shutdown. Page states never open database sessions: they call the services of this Engine.

The live feed: :func:`feed` is a tiny in-process publish/subscribe fed by the runtime's
listeners; pages that show live numbers poll its ``version`` (see pages/analytics.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.accounts import AccountService
    from engine.bootstrap import Live
    from engine.service import Engine

log = logging.getLogger("journeys.app")

_lock = threading.RLock()
_live: Live | None = None
_accounts: AccountService | None = None


class LiveFeed:
    """Counts what the runtime reports (steps, runs, events); readers poll ``version``.

    Deliberately tiny: a dashboard only needs to know *that* something changed and recompute
    its aggregates. Thread-safe; listeners run on the engine's worker thread or a request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version = 0
        self.last: dict[str, Any] = {}
        self._subscribers: list[Callable[[str, dict[str, Any]], None]] = []

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        with self._lock:
            self.version += 1
            self.last = {"kind": kind, **data}
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(kind, data)
            except Exception:  # a dashboard must never break a step
                log.exception("live feed subscriber failed")

    def subscribe(self, callback: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
        return unsubscribe


_feed = LiveFeed()


def feed() -> LiveFeed:
    return _feed


def live() -> Live:
    """The live engine bundle (settings, Engine, SQLAlchemy engine), built once."""
    global _live
    if _live is None:
        with _lock:
            if _live is None:
                from engine.bootstrap import open_live

                built = open_live()
                built.engine.runtime.listeners.append(_feed.publish)
                _live = built
    return _live


def engine() -> Engine:
    """The process-wide Engine."""
    return live().engine


def accounts() -> AccountService:
    """Users, sessions and API keys next to the engine's data (the API's own default)."""
    global _accounts
    if _accounts is None:
        with _lock:
            if _accounts is None:
                from journey_app.api.context import default_accounts
                from journey_app.api.settings import ApiSettings

                _accounts = default_accounts(engine(), ApiSettings())
    return _accounts


def attach_to_api(api: Any) -> None:
    """Give the mounted REST API the same Engine and AccountService as the pages."""
    api.state.engine = engine()
    api.state.accounts = accounts()


def _dispatcher(built: Live) -> Callable[[], int] | None:
    """The outbox dispatcher: SMTP when JOURNEYS_SMTP_HOST is set, else captured emails."""
    try:
        from engine.effects import EffectsSettings, SmtpSettings, build_dispatcher

        s = built.settings
        smtp = None
        if s.smtp_host:
            smtp = SmtpSettings(host=s.smtp_host, port=s.smtp_port, security=s.smtp_security,
                                username=s.smtp_username, password=s.smtp_password,
                                from_address=s.smtp_from)
        dispatcher = build_dispatcher(built.engine.store, built.engine.clock,
                                      EffectsSettings(smtp=smtp))
        return lambda: dispatcher.run_once().claimed
    except Exception:  # the app still runs journeys; the outbox shows what waits
        log.exception("could not build the outbox dispatcher")
        return None


def lifespan_task(api: Any) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
    """An async context manager factory for ``app.register_lifespan_task``."""

    @contextlib.asynccontextmanager
    async def journeys_engine():
        import asyncio

        worker = None
        try:
            built = await asyncio.to_thread(live)
            attach_to_api(api)
            from engine.worker import Worker

            worker = Worker(built, dispatch=_dispatcher(built))
            try:
                worker.start()
                log.info("in-process worker started")
            except Exception as error:  # e.g. another engine already owns this SQLite file
                log.warning("in-process worker not started (%s); journeys run elsewhere", error)
                worker = None
        except Exception:
            log.exception("the engine could not start; pages will show errors")
        try:
            yield
        finally:
            if worker is not None:
                await asyncio.to_thread(worker.stop)

    return journeys_engine


def reset_for_tests() -> None:
    """Forget the engine (tests that point DATABASE_URL somewhere else)."""
    global _live, _accounts
    with _lock:
        _live, _accounts = None, None
