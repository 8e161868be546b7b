"""Start-up patience for workers: a worker started before its database is up (a reboot, a
container started first) waits for it, with a growing pause, instead of exiting at once."""
from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from engine.errors import StorageUnavailable

log = logging.getLogger("journeys.worker")
T = TypeVar("T")
UNREACHABLE = (OperationalError, InterfaceError, StorageUnavailable)


def open_when_reachable(open_fn: Callable[[], T], wait_seconds: float, *,
                        sleep: Callable[[float], None] = time.sleep,
                        monotonic: Callable[[], float] = time.monotonic,
                        first_pause: float = 0.5, max_pause: float = 10.0) -> T:
    """`open_fn()`, retried while the database is unreachable, for up to `wait_seconds`
    (0: one try). The last error propagates when the time is up."""
    deadline = monotonic() + max(0.0, wait_seconds)
    pause = first_pause
    while True:
        try:
            return open_fn()
        except UNREACHABLE as error:
            left = deadline - monotonic()
            if left <= 0:
                raise
            wait = min(pause, left)
            log.warning("database unreachable (%s); trying again in %.1f s (giving up in %.0f s)",
                        describe(error), wait, left)
            sleep(wait)
            pause = min(pause * 2, max_pause)


def describe(error: BaseException) -> str:
    """One line for the person running the worker."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0][:300]
