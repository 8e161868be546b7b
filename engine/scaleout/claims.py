"""Claim due wake-ups in batches under a lease, then run them.

The claim is one statement (UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING), so
concurrent workers take disjoint batches. Claimed wake-ups are then run in transactions that
first lock their rows and check each is still ours and still due at the claimed instant: a
wake-up another worker took over (after our lease ended) or already ran is skipped. Clients,
then runs, then wake-ups are locked, each in id order, so two groups never deadlock each other
(see docs/scaleout.md for events).

`group` sets how many wake-ups share one transaction (group commit). With 1, each runs in its
own transaction. With more, one commit (and one WAL flush) serves the group; each step is still
all-or-nothing with its effects. If a step raises, the group's transaction is rolled back and
its wake-ups are run again one per transaction, so one broken run never holds the others back;
a deadlock between two groups (two runs of one client) is resolved the same way.

Works on every Store (memory and SQLite too), which is how the engine tests drive it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from engine.clock import Clock
from engine.domain import WakeUp
from engine.errors import JourneyError, StorageUnavailable
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
                 lease_clock: Clock | None = None, group: int = 1):
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.lease_clock = lease_clock or runtime.clock
        self.owner = owner
        self.lease = lease
        self.batch = batch
        self.group = max(1, group)
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
            for start in range(0, len(batch), self.group):
                if self._stopping.is_set():
                    break
                group = batch[start:start + self.group]
                if len(group) == 1:
                    self.run_one(group[0])
                else:
                    self.run_group(group)
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
                self._lock([wakeup], tx)
                current = tx.lock_wakeup(wakeup.id)
                if not self._still_ours(current, wakeup):
                    self.stats.skipped += 1
                    return False
                self.runtime.process_wakeup(tx, current)
            self.stats.ran += 1
            return True
        except StorageUnavailable:
            raise  # nothing was written; the loop pauses and claims (its own rows) again
        except Exception as error:  # noqa: BLE001 - one bad step must not block the queue
            if not isinstance(error, JourneyError):
                log.exception("unexpected error in a step")
            self._fail(wakeup, error)
            return True
        finally:
            with self._held_lock:
                self._held.pop(wakeup.id, None)

    def run_group(self, group: list[WakeUp]) -> int:
        """Run several claimed wake-ups in one transaction. Returns how many were ours."""
        try:
            with self.store.transaction() as tx:
                self._lock(group, tx)
                current = {w.id: w for w in tx.lock_wakeups(w.id for w in group)}
                ours = [(w, current.get(w.id)) for w in group
                        if self._still_ours(current.get(w.id), w)]
                tx.defer_writes()
                for _claimed, wakeup in ours:
                    self.runtime.process_wakeup(tx, wakeup)
        except StorageUnavailable as error:
            if not _deadlock(error):
                raise  # the database is away: retry later
            return sum(self.run_one(w) for w in group)
        except Exception:  # noqa: BLE001 - find the broken step, spare the rest of the group
            return sum(self.run_one(w) for w in group)
        self.stats.ran += len(ours)
        self.stats.skipped += len(group) - len(ours)
        with self._held_lock:
            for wakeup in group:
                self._held.pop(wakeup.id, None)
        return len(ours)

    @staticmethod
    def _lock(wakeups: list[WakeUp], tx) -> None:
        """Clients, then runs, then (by the caller) wake-ups, each in id order."""
        tx.lock_clients(w.client_id for w in wakeups if w.client_id is not None)
        tx.lock_runs(w.run_id for w in wakeups if w.run_id is not None)

    def _still_ours(self, current: WakeUp | None, claimed: WakeUp) -> bool:
        return (current is not None and current.lease_owner == self.owner
                and current.due_at == claimed.due_at)

    def _fail(self, wakeup: WakeUp, error: Exception) -> None:
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


def _deadlock(error: BaseException) -> bool:
    """PostgreSQL aborted the transaction to break a deadlock (SQLSTATE 40P01)."""
    seen: BaseException | None = error
    while seen is not None:
        if getattr(getattr(seen, "orig", None), "sqlstate", None) == "40P01":
            return True
        seen = seen.__cause__
    return False
