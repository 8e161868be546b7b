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

The live feed: :func:`feed` is engine.analytics' ``LiveFeed``, fed by the runtime's listeners
(and across processes by PostgreSQL LISTEN/NOTIFY); pages that show live numbers poll its
``version`` (see pages/analytics.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.accounts import AccountService
    from engine.analytics import LiveFeed
    from engine.bootstrap import Live
    from engine.service import Engine

log = logging.getLogger("journeys.app")

_lock = threading.RLock()
_live: Live | None = None
_accounts: AccountService | None = None


_feed: LiveFeed | None = None


def feed() -> LiveFeed:
    """engine.analytics' live feed, fed by this process's runtime (and, on PostgreSQL, by the
    other processes' NOTIFYs once the lifespan task has started its listener)."""
    global _feed
    if _feed is None:
        with _lock:
            if _feed is None:
                from engine.analytics import LiveFeed as EngineLiveFeed

                _feed = EngineLiveFeed()
    return _feed


def live() -> Live:
    """The live engine bundle (settings, Engine, SQLAlchemy engine), built once."""
    global _live
    if _live is None:
        with _lock:
            if _live is None:
                from engine.bootstrap import open_live

                built = open_live()
                feed().attach(built.engine.runtime)
                _live = built
    return _live


def engine() -> Engine:
    """The process-wide Engine."""
    return live().engine


def sql_engine() -> Any:
    """The SQLAlchemy engine of the database (for engine.analytics' read-only queries)."""
    return live().sa_engine


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


def _listen_to_other_processes(built: Live) -> Any:
    """On PostgreSQL, workers in other processes run steps too: NOTIFY at our commits and
    LISTEN for theirs, so the dashboards here hear about every change."""
    if built.sa_engine.dialect.name != "postgresql":
        return None
    try:
        from engine.analytics import PgChangeListener, install_pg_notifier

        notifier = install_pg_notifier(built.engine.store, built.engine.runtime)
        return PgChangeListener(built.settings.database_url, feed(),
                                skip_origin=notifier.origin).start()
    except Exception:
        log.exception("live analytics across processes is off")
        return None


def lifespan_task(api: Any) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
    """An async context manager factory for ``app.register_lifespan_task``."""

    @contextlib.asynccontextmanager
    async def journeys_engine():
        import asyncio

        worker = listener = None
        try:
            built = await asyncio.to_thread(live)
            attach_to_api(api)
            from engine.worker import Worker

            listener = _listen_to_other_processes(built)
            worker = Worker(built)  # with the outbox dispatcher built from the settings
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
            if listener is not None:
                await asyncio.to_thread(listener.stop)

    return journeys_engine


def reset_for_tests() -> None:
    """Forget the engine (tests that point DATABASE_URL somewhere else)."""
    global _live, _accounts
    with _lock:
        _live, _accounts = None, None
