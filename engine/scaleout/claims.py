"""Claim due wake-ups in batches under a lease, then run each one in its own transaction.

The claim is one statement (UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING), so
concurrent workers take disjoint batches. Each claimed wake-up is then run in a transaction that
first locks its row (lock_wakeup) and checks it is still ours and still due at the claimed
instant: a wake-up another worker took over (after our lease ended) or already ran is skipped.
Works on every Store (memory and SQLite too), which is how the engine tests drive it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from engine.clock import Clock
from engine.domain import WakeUp
from engine.errors import JourneyError
from engine.runtime.stepper import Runtime

log = logging.getLogger("journeys.scaleout")


@dataclass
class ClaimStats:
    claimed: int = 0   # wake-ups leased to this loop
    ran: int = 0       # run in a committed transaction (including stale ones dropped)
    skipped: int = 0   # no longer ours or no longer due when we came to run them
    failed: int = 0    # the step raised: its run was failed (quarantined)
    released: int = 0  # handed back unrun (stopping)


class ClaimLoop:
    """One claimer. Not thread-safe by itself: one thread calls run_batch(); other threads may
    read held() (the heartbeat) and call stop()."""

    def __init__(self, runtime: Runtime, *, owner: str, lease: timedelta, batch: int = 50,
                 lease_clock: Clock | None = None):
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.lease_clock = lease_clock or runtime.clock
        self.owner = owner
        self.lease = lease
        self.batch = batch
        self.stats = ClaimStats()
        self._held: dict[str, WakeUp] = {}
        self._held_lock = threading.Lock()
        self._stopping = threading.Event()

    # -- the loop's work -----------------------------------------------------------------------
    def claim(self) -> list[WakeUp]:
        lease_now = self.lease_clock.now()
        with self.store.transaction() as tx:
            batch = tx.claim_due(self.clock.now(), self.batch, owner=self.owner,
                                 lease_until=lease_now + self.lease, lease_now=lease_now)
        with self._held_lock:
            self._held.update((w.id, w) for w in batch)
        self.stats.claimed += len(batch)
        return batch

    def run_batch(self) -> int:
        """Claim one batch and run it. Returns how many wake-ups were claimed (0: nothing due).

        A database error propagates after the batch is dropped; its leases stay ours, and the
        next claim takes them back at once (a claimer may always re-claim its own rows)."""
        batch = self.claim()
        try:
            for wakeup in batch:
                if self._stopping.is_set():
                    break
                self.run_one(wakeup)
        finally:
            if self._stopping.is_set():
                self.release_held()
            else:
                with self._held_lock:
                    for wakeup in batch:
                        self._held.pop(wakeup.id, None)
        return len(batch)

    def run_one(self, wakeup: WakeUp) -> bool:
        """Run one claimed wake-up in its own transaction. Returns whether it was ours to run."""
        try:
            with self.store.transaction() as tx:
                current = tx.lock_wakeup(wakeup.id)
                if not self._still_ours(current, wakeup):
                    self.stats.skipped += 1
                    return False
                self.runtime.process_wakeup(tx, current)
            self.stats.ran += 1
            return True
        except JourneyError as error:
            self._fail(wakeup, error)
            return True
        finally:
            with self._held_lock:
                self._held.pop(wakeup.id, None)

    def _still_ours(self, current: WakeUp | None, claimed: WakeUp) -> bool:
        return (current is not None and current.lease_owner == self.owner
                and current.due_at == claimed.due_at)

    def _fail(self, wakeup: WakeUp, error: JourneyError) -> None:
        """The step raised: fail its run, unless the wake-up stopped being ours meanwhile."""
        with self.store.transaction() as tx:
            current = tx.lock_wakeup(wakeup.id)
            if self._still_ours(current, wakeup):
                self.runtime.fail_wakeup(tx, current, error)
                self.stats.failed += 1
            else:
                self.stats.skipped += 1

    # -- for the heartbeat and for stopping ----------------------------------------------------
    def held(self) -> list[str]:
        with self._held_lock:
            return list(self._held)

    def renew(self) -> int:
        ids = self.held()
        if not ids:
            return 0
        with self.store.transaction() as tx:
            return tx.renew_leases(self.owner, self.lease_clock.now() + self.lease, ids)

    def stop(self) -> None:
        """Finish the wake-up in flight, run no more, hand the rest of the batch back."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def release_held(self) -> int:
        ids = self.held()
        if not ids:
            return 0
        try:
            with self.store.transaction() as tx:
                released = tx.release_leases(self.owner, ids)
        except Exception:  # noqa: BLE001 - the leases end by themselves anyway
            log.warning("could not hand back %d claimed wake-ups; their leases will end",
                        len(ids), exc_info=True)
            return 0
        with self._held_lock:
            for wid in ids:
                self._held.pop(wid, None)
        self.stats.released += released
        return released
