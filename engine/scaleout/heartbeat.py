"""Keep a live worker's claims: renew the leases its claim loops hold, every third of a lease.

A worker that dies stops renewing; its leases end within one lease period and other workers
take its wake-ups over (claim_due treats an ended lease as no lease).
"""
from __future__ import annotations

import logging
import threading
from typing import Sequence

from engine.scaleout.claims import ClaimLoop

log = logging.getLogger("journeys.scaleout")


class Heartbeat:
    def __init__(self, loops: Sequence[ClaimLoop], *, interval: float):
        self.loops = list(loops)
        self.interval = interval
        self.beats = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> int:
        """Renew every held lease now; returns how many were renewed."""
        renewed = 0
        for loop in self.loops:
            try:
                renewed += loop.renew()
            except Exception:  # noqa: BLE001 - a missed beat is retried; leases are long
                log.warning("lease renewal failed for %s", loop.owner, exc_info=True)
        self.beats += 1
        return renewed

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="journeys-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):  # a real-time wait; no clock is read here
            self.beat()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
