"""Module-level job functions for APScheduler's persistent job store.

Jobs hold only a worker name; the function looks the live worker up in this process. A job
restored from the store after a restart therefore never carries a stale object.
"""
from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger("journeys.scheduler")


class Tickable(Protocol):
    def tick(self) -> int: ...
    def dispatch(self) -> int: ...


_WORKERS: dict[str, Tickable] = {}


def register(name: str, worker: Tickable) -> None:
    _WORKERS[name] = worker


def unregister(name: str) -> None:
    _WORKERS.pop(name, None)


def run_due(name: str) -> Any:
    worker = _WORKERS.get(name)
    if worker is None:
        log.warning("no worker %r in this process; job ignored", name)
        return 0
    return worker.tick()


def dispatch_outbox(name: str) -> Any:
    worker = _WORKERS.get(name)
    return worker.dispatch() if worker is not None else 0
