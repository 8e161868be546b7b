"""The engine's front door: one object that wires the store, clock and services together.

The REST API, the Reflex app, the CLI and the simulator all talk to an `Engine`.
"""
from __future__ import annotations

import copy
from datetime import date
from typing import Any

from engine.calendar import check_timezone
from engine.clock import Clock
from engine.domain import Vendor
from engine.errors import InvalidInput, NotFound
from engine.ids import IdFactory
from engine.runtime.stepper import Runtime
from engine.services.clients import ClientService
from engine.services.events import EventService
from engine.services.journeys import JourneyService
from engine.services.runs import RunService
from engine.storage.base import Store


class Engine:
    def __init__(self, store: Store, clock: Clock, ids: IdFactory | None = None, *,
                 base_url: str = "http://localhost:3000", seed: str = "0"):
        self.runtime = Runtime(store, clock, ids, base_url=base_url, seed=seed)
        self.store, self.clock = store, clock
        self.events = EventService(self.runtime)
        self.journeys = JourneyService(self.runtime)
        self.clients = ClientService(self.runtime, self.events)
        self.runs = RunService(self.runtime)

    # -- vendors -----------------------------------------------------------------------------
    def create_vendor(self, name: str, *, timezone: str = "UTC", email: str | None = None,
                      vendor_id: str | None = None, **extra: Any) -> Vendor:
        problems = check_timezone(timezone, "timezone")
        if problems:
            raise InvalidInput(problems[0][1], details={"field": "timezone"})
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("vendor name is required", details={"field": "name"})
        vendor = Vendor(id=vendor_id or self.runtime.ids.new_id("ven"), name=name.strip(),
                        timezone=timezone, email=email, created_at=self.clock.now(), **extra)
        with self.store.transaction() as tx:
            tx.put_vendor(vendor)
        return vendor

    def get_vendor(self, vendor_id: str) -> Vendor:
        with self.store.transaction() as tx:
            return self.runtime.vendor(tx, vendor_id)

    def update_vendor(self, vendor_id: str, **changes: Any) -> Vendor:
        allowed = {"name", "timezone", "email", "reply_to", "phone", "blackout_dates", "settings"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"unknown vendor fields: {', '.join(sorted(unknown))}")
        if "timezone" in changes and check_timezone(changes["timezone"], "timezone"):
            raise InvalidInput(check_timezone(changes["timezone"], "timezone")[0][1])
        if "blackout_dates" in changes:
            try:
                changes["blackout_dates"] = sorted(
                    d if isinstance(d, date) else date.fromisoformat(d)
                    for d in changes["blackout_dates"])
            except (TypeError, ValueError):
                raise InvalidInput("blackout_dates must be a list of YYYY-MM-DD dates") from None
        with self.store.transaction() as tx:
            vendor = copy.copy(self.runtime.vendor(tx, vendor_id))
            for key, value in changes.items():
                setattr(vendor, key, value)
            tx.put_vendor(vendor)
            return vendor

    # -- time --------------------------------------------------------------------------------
    def run_due(self, limit: int = 1000, *, per_commit: int = 1) -> int:
        return self.runtime.run_due(limit, per_commit=per_commit)

    def run_until(self, target, **kwargs: Any) -> int:
        return self.runtime.run_until(target, **kwargs)


__all__ = ["Engine", "NotFound"]
