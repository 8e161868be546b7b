"""The storage contract. Every store (memory, SQLite, PostgreSQL) passes the same contract tests.

A `Store` hands out transactions; a `Tx` reads and writes entities and is committed or rolled
back as a whole, so a step's state change, step log line, outbox rows and next wake-up land
together or not at all. Methods take and return the dataclasses in engine.domain; callers copy
before changing an entity they read.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Iterable, Sequence

from engine.domain import (Approval, Client, Effect, Event, FormRequest, Journey, JourneyVersion,
                           Run, StepRecord, Vendor, WakeUp)


class Tx(ABC):
    def defer_writes(self) -> None:
        """An optional hint for a group of steps: the store may hold this transaction's step
        writes and send them together before it commits (or before its next read). Errors may
        then surface at commit instead of at the call. Stores without it ignore the hint."""

    # vendors
    @abstractmethod
    def get_vendor(self, vendor_id: str) -> Vendor | None: ...
    @abstractmethod
    def put_vendor(self, vendor: Vendor) -> None: ...
    @abstractmethod
    def list_vendors(self) -> list[Vendor]: ...

    # clients
    @abstractmethod
    def get_client(self, client_id: str) -> Client | None: ...
    @abstractmethod
    def find_client(self, vendor_id: str, external_id: str) -> Client | None: ...
    @abstractmethod
    def lock_clients(self, client_ids: Iterable[str]) -> list[Client]:
        """The clients as they are now, held until the transaction ends (FOR UPDATE on
        PostgreSQL; one statement; in id order). A group of steps takes its clients first, then
        its runs, then its wake-ups."""
    @abstractmethod
    def put_client(self, client: Client) -> None:
        """Insert or update; (vendor_id, external_id) is unique -> engine.errors.Conflict."""
    @abstractmethod
    def delete_client(self, client_id: str) -> None: ...
    @abstractmethod
    def list_clients(self, vendor_id: str, *, search: str | None = None, limit: int = 100,
                     offset: int = 0) -> list[Client]: ...

    # journeys and versions
    @abstractmethod
    def get_journey(self, journey_id: str) -> Journey | None: ...
    @abstractmethod
    def put_journey(self, journey: Journey) -> None: ...
    @abstractmethod
    def delete_journey(self, journey_id: str) -> None: ...
    @abstractmethod
    def list_journeys(self, vendor_id: str) -> list[Journey]: ...
    @abstractmethod
    def live_journeys(self, vendor_id: str) -> list[Journey]: ...
    @abstractmethod
    def get_version(self, journey_id: str, version: int) -> JourneyVersion | None: ...
    @abstractmethod
    def add_version(self, version: JourneyVersion) -> None:
        """Versions are immutable: adding an existing (journey, version) -> Conflict."""
    @abstractmethod
    def list_versions(self, journey_id: str) -> list[JourneyVersion]: ...

    # runs
    @abstractmethod
    def get_run(self, run_id: str) -> Run | None: ...
    @abstractmethod
    def lock_run(self, run_id: str) -> Run | None:
        """The run as it is now, held until the transaction ends (FOR UPDATE on PostgreSQL;
        SQLite and memory transactions are exclusive already): read a run this way before
        changing it, so a step and an event arriving at once cannot overwrite each other."""
    @abstractmethod
    def lock_runs(self, run_ids: Iterable[str]) -> list[Run]:
        """lock_run for several at once (one statement): those that exist, in id order."""
    @abstractmethod
    def put_run(self, run: Run) -> None: ...
    @abstractmethod
    def runs_for_client(self, client_id: str, *, journey_id: str | None = None,
                        statuses: Iterable[str] | None = None) -> list[Run]: ...
    @abstractmethod
    def list_runs(self, vendor_id: str, *, journey_id: str | None = None,
                  client_id: str | None = None, status: str | None = None,
                  node: str | None = None, version: int | None = None, limit: int = 100,
                  offset: int = 0) -> list[Run]:
        """Stable order: started_at, then id."""

    # step log
    @abstractmethod
    def add_step(self, step: StepRecord) -> None:
        """(run_id, key) is unique: a second write raises engine.errors.DuplicateStep."""

    def add_steps(self, steps: Sequence[StepRecord]) -> None:
        """add_step for the steps of one walk, in order (SQL stores: one statement). A
        duplicate raises DuplicateStep; the transaction must then be rolled back."""
        for step in steps:
            self.add_step(step)
    @abstractmethod
    def steps_for_run(self, run_id: str) -> list[StepRecord]: ...

    # events
    @abstractmethod
    def get_event_by_key(self, vendor_id: str, key: str) -> Event | None: ...
    @abstractmethod
    def add_event(self, event: Event) -> None: ...
    @abstractmethod
    def list_events(self, vendor_id: str, *, client_id: str | None = None,
                    limit: int = 100) -> list[Event]: ...

    # wake-ups
    @abstractmethod
    def put_wakeup(self, wakeup: WakeUp) -> None:
        """Insert or replace: one wake-up per run, one per (journey, client) date trigger."""
    @abstractmethod
    def delete_run_wakeup(self, run_id: str) -> None: ...
    @abstractmethod
    def delete_date_trigger(self, journey_id: str, client_id: str) -> None: ...
    @abstractmethod
    def get_run_wakeup(self, run_id: str) -> WakeUp | None: ...
    @abstractmethod
    def date_triggers_for_client(self, client_id: str) -> list[WakeUp]: ...
    @abstractmethod
    def due_wakeups(self, now: datetime, limit: int) -> list[WakeUp]:
        """Due first; earliest first. SQL stores lock the rows (SKIP LOCKED) where they can."""
    @abstractmethod
    def next_due_at(self) -> datetime | None: ...
    @abstractmethod
    def count_wakeups(self) -> int: ...

    # claims with leases (engine.scaleout: several worker processes share the due work)
    @abstractmethod
    def claim_due(self, now: datetime, limit: int, *, owner: str, lease_until: datetime,
                  lease_now: datetime | None = None) -> list[WakeUp]:
        """Lease up to `limit` due wake-ups (due_at <= now) to `owner` until `lease_until` and
        return them, earliest first. A wake-up is taken only if nobody holds it: no lease, a
        lease that ended before `lease_now` (default `now`; leases may run on a different clock
        than due times), or a lease of `owner` itself. Concurrent claimers never get the same
        row (SKIP LOCKED on PostgreSQL). Writing a wake-up again (put_wakeup) clears its lease."""
    @abstractmethod
    def renew_leases(self, owner: str, until: datetime, ids: Iterable[str] | None = None) -> int:
        """Extend `owner`'s leases (only those in `ids`, if given) to `until`; returns how many."""
    @abstractmethod
    def release_leases(self, owner: str, ids: Iterable[str] | None = None) -> int:
        """Give up `owner`'s leases (only those in `ids`, if given); returns how many."""
    @abstractmethod
    def lock_wakeup(self, wakeup_id: str) -> WakeUp | None:
        """The wake-up as it is now, held until the transaction ends (FOR UPDATE on PostgreSQL;
        SQLite and memory transactions are exclusive already). None if it is gone."""
    @abstractmethod
    def lock_wakeups(self, wakeup_ids: Iterable[str]) -> list[WakeUp]:
        """lock_wakeup for several at once (one statement): those still there, in id order."""

    # outbox
    @abstractmethod
    def add_effect(self, effect: Effect) -> bool:
        """Insert unless an effect with the same key exists; returns whether it was inserted."""
    @abstractmethod
    def get_effect(self, effect_id: str) -> Effect | None: ...
    @abstractmethod
    def put_effect(self, effect: Effect) -> None: ...
    @abstractmethod
    def list_effects(self, vendor_id: str | None = None, *, status: str | None = None,
                     run_id: str | None = None, limit: int = 100) -> list[Effect]: ...
    @abstractmethod
    def due_effects(self, now: datetime, limit: int) -> list[Effect]:
        """Pending effects whose next_attempt_at is due (or None), oldest first."""

    # approvals and form requests
    @abstractmethod
    def get_approval(self, approval_id: str) -> Approval | None: ...
    @abstractmethod
    def put_approval(self, approval: Approval) -> None: ...
    @abstractmethod
    def list_approvals(self, vendor_id: str, *, status: str | None = "pending") -> list[Approval]: ...
    @abstractmethod
    def get_form_request(self, token: str) -> FormRequest | None: ...
    @abstractmethod
    def put_form_request(self, request: FormRequest) -> None: ...


class Store(ABC):
    @abstractmethod
    def transaction(self) -> AbstractContextManager[Tx]:
        """A unit of work: commits when the block ends normally, rolls back on an exception."""

    def close(self) -> None:  # pragma: no cover - trivial default
        pass


def locked_runs(tx: Tx, client_id: str, statuses: Iterable[str]) -> list[Run]:
    """The client's runs in `statuses`, each locked for this transaction and re-read after the
    lock, so a run that moved on meanwhile is seen as it is now."""
    wanted = set(statuses)
    locked = (tx.lock_run(r.id) for r in tx.runs_for_client(client_id, statuses=wanted))
    return [r for r in locked if r is not None and r.status in wanted]


def first(items: Sequence):
    return items[0] if items else None
