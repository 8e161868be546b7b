"""A tiny world for API tests: an Engine on a given store, accounts beside it, create_api(),
and helpers to sign vendors up and seed one vendor with a bit of everything.

Instants come from a ManualClock (the API never reads the system clock either); argon2 runs
with cheap parameters (PasswordHasher.fast()).
"""
from __future__ import annotations

import warnings
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from engine.accounts import AccountService, MemoryAccountStore, PasswordHasher
from engine.clock import ManualClock
from engine.service import Engine
from journey_app.api import ApiSettings, create_api

P = "/api/v1"
START = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"

APPROVAL_JOURNEY = {
    "format": "journeys/v1", "name": "Booked: welcome and follow-up",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "manual"}},
        {"id": "greet", "type": "email",
         "config": {"subject": "Welcome {{ client.first_name }}", "body": "So glad!",
                    "requires_approval": True,
                    "approval": {"timeout": {"days": 2}, "on_timeout": "send"}}},
        {"id": "wait", "type": "delay", "config": {"duration": {"days": 3}}},
        {"id": "follow", "type": "email", "config": {"subject": "Checking in", "body": "Hi"}},
        {"id": "done", "type": "exit"},
    ],
    "edges": [{"from": "start", "to": "greet"}, {"from": "greet", "to": "wait"},
              {"from": "wait", "to": "follow"}, {"from": "follow", "to": "done"}],
}


_APPS: dict[str, Any] = {}


def shared_app(settings: ApiSettings):
    """One app per settings for the whole test session (building one takes ~0.4 s); each
    Harness points its state at its own engine and accounts, as the bootstrap would."""
    key = settings.model_dump_json()
    if key not in _APPS:
        _APPS[key] = create_api(None, settings)
    return _APPS[key]


def account_store_for(store: Any):
    """The account store that goes with an engine store: SQL beside SQL, memory beside memory."""
    sa_engine = getattr(store, "engine", None)
    if sa_engine is not None and hasattr(sa_engine, "dialect"):
        from engine.accounts.sql import SqlAccountStore
        return SqlAccountStore(sa_engine)
    return MemoryAccountStore()


@dataclass
class Vendor:
    """A signed-up vendor: its ids and credentials."""
    id: str
    email: str
    key: str
    key_id: str
    session: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Seeded:
    """What `seed()` made for one vendor, by path-parameter name."""
    ids: dict[str, Any] = field(default_factory=dict)


class Harness:
    def __init__(self, store: Any, settings: ApiSettings | None = None,
                 start: datetime = START, *, own_app: bool = False):
        self.clock = ManualClock(start)
        self.store = store
        self.engine = Engine(store, self.clock)
        self.accounts = AccountService(account_store_for(store), self.engine,
                                       hasher=PasswordHasher.fast())
        self.settings = settings or ApiSettings()
        if own_app:
            self.app = create_api(self.engine, self.settings, accounts=self.accounts)
        else:
            self.app = shared_app(self.settings)
            self.app.state.engine, self.app.state.accounts = self.engine, self.accounts
        self._clients = ExitStack()
        self.client = self.fresh_client()

    def fresh_client(self) -> TestClient:
        """A client with its own cookie jar. Entered, so requests share one event loop thread
        (a TestClient used without `with` starts a thread per request: 40 ms each)."""
        return self._clients.enter_context(TestClient(self.app))

    def close(self) -> None:
        self._clients.close()

    # -- vendors ---------------------------------------------------------------------------
    def signup(self, name: str, email: str, password: str = PASSWORD) -> Vendor:
        c = self.fresh_client()
        r = c.post(f"{P}/auth/signup", json={"vendor_name": name, "email": email,
                                             "password": password})
        assert r.status_code == 201, r.text
        session = r.cookies.get("journeys_session")
        r2 = c.post(f"{P}/account/api-keys", json={"name": "tests"})
        assert r2.status_code == 201, r2.text
        return Vendor(id=r.json()["vendor"]["id"], email=email, key=r2.json()["secret"],
                      key_id=r2.json()["id"], session=session)

    def call(self, vendor: Vendor | None, method: str, path: str, **kw: Any):
        headers = {**(vendor.bearer if vendor else {}), **kw.pop("headers", {})}
        return self.client.request(method, path if path.startswith("/") else f"{P}/{path}",
                                   headers=headers, **kw)

    def ok(self, vendor: Vendor, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.call(vendor, method, path, **kw)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    # -- a bit of everything for one vendor ------------------------------------------------
    def seed(self, v: Vendor) -> Seeded:
        s = Seeded()
        j = self.ok(v, "POST", "journeys", 201, json=APPROVAL_JOURNEY)
        self.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
        self.ok(v, "POST", f"journeys/{j['id']}/publish", 201)  # version 2, for migrations
        c1 = self.ok(v, "POST", "clients", 201, json={
            "name": "Sam Lee", "email": "sam@example.com", "external_id": f"crm-{v.id[-4:]}",
            "wedding_date": "2027-06-12"})
        c2 = self.ok(v, "POST", "clients", 201, json={"name": "Ana Lima",
                                                        "email": "ana@example.com"})
        for client in (c1, c2):
            self.ok(v, "POST", "events", json={"client": client["id"], "type": "manual"})
        approvals = self.ok(v, "GET", "approvals")["items"]
        assert len(approvals) == 2
        held = {a["client_id"]: a["id"] for a in approvals}
        self.ok(v, "POST", f"approvals/{held[c2['id']]}/approve")  # c2 moves on to `wait`
        run = self.ok(v, "GET", "runs", params={"client_id": c1["id"]})["items"][0]
        effects = self.ok(v, "GET", "outbox")["items"]
        assert effects, "approving should have queued an email"
        form = self.ok(v, "POST", "forms", 201, json={
            "key": f"menu-{v.id[-6:]}", "title": "Menu", "questions": [
                {"key": "starter", "label": "Starter", "type": "single_choice",
                 "options": ["Soup", "Salad"]}]})
        s.ids.update(form_key=form["key"])
        s.ids.update(journey_id=j["id"], version=1, client_id=c1["id"], run_id=run["id"],
                     approval_id=held[c1["id"]], effect_id=effects[0]["id"],
                     key_id=v.key_id, waiting_run_id=self.ok(
                         v, "GET", "runs", params={"client_id": c2["id"]})["items"][0]["id"])
        return s

    # -- everything one vendor can see, to show that nothing changed ------------------------
    def snapshot(self, vendor_id: str) -> dict[str, Any]:
        e = self.engine
        journeys = e.journeys.list(vendor_id)
        runs = e.runs.list(vendor_id, limit=10_000)
        with e.store.transaction() as tx:
            effects = tx.list_effects(vendor_id, limit=10_000)
            events = tx.list_events(vendor_id, limit=10_000)
        return {
            "vendor": asdict(e.get_vendor(vendor_id)),
            "journeys": [asdict(j) for j in journeys],
            "versions": {j.id: [asdict(v) for v in e.journeys.versions(vendor_id, j.id)]
                         for j in journeys},
            "clients": [asdict(c) for c in e.clients.list(vendor_id, limit=10_000)],
            "runs": [asdict(r) for r in runs],
            "steps": {r.id: [asdict(s) for s in e.runs.timeline(vendor_id, r.id)] for r in runs},
            "approvals": [asdict(a) for a in e.runs.approvals(vendor_id, status=None)],
            "effects": [asdict(x) for x in effects],
            "events": sorted((asdict(x) for x in events), key=lambda x: x["id"]),
            "users": [asdict(u) for u in self.accounts.list_users(vendor_id)],
            "api_keys": [asdict(k) for k in self.accounts.list_api_keys(vendor_id)],
        }
