"""Demo data on first run: a vendor who can sign in, every template published, sample couples;
a second run (or any installation that already has a vendor) changes nothing."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

from sqlalchemy import text

from engine.accounts import AccountService, MemoryAccountStore, PasswordHasher
from engine.clock import ManualClock
from engine.demo import DEMO_EMAIL, SAMPLE_COUPLES, seed_database, seed_demo
from engine.library import list_templates
from engine.service import Engine
from engine.settings import load_settings
from engine.storage.database import make_engine
from engine.storage.memory import MemoryStore

from .helpers import ROOT

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=timezone.utc)


def _services():
    engine = Engine(MemoryStore(), ManualClock(NOW))
    return engine, AccountService(MemoryAccountStore(), engine, hasher=PasswordHasher.fast())


def test_first_run_seeds_a_usable_demo():
    engine, accounts = _services()
    result = seed_demo(engine, accounts)
    assert result is not None and result.email == DEMO_EMAIL and len(result.password) >= 10
    user, _token = accounts.login(DEMO_EMAIL, result.password)  # the printed password works
    assert user.vendor_id == result.vendor_id
    journeys_ = engine.journeys.list(result.vendor_id)
    assert len(journeys_) == len(list_templates()) == len(result.journeys)
    assert all(j.live_version == 1 for j in journeys_)
    couples = engine.clients.list(result.vendor_id)
    assert len(couples) == len(SAMPLE_COUPLES)
    assert all(c.email.endswith("@example.com") for c in couples)  # never delivered
    assert all(c.wedding_date > NOW.date() for c in couples)
    assert engine.runs.list(result.vendor_id)  # something is already under way
    announcement = result.announcement("http://localhost:3000")
    assert result.password in announcement and DEMO_EMAIL in announcement


def test_second_run_does_nothing():
    engine, accounts = _services()
    first = seed_demo(engine, accounts)
    before = (len(engine.journeys.list(first.vendor_id)), len(engine.clients.list(first.vendor_id)),
              len(accounts.list_users(first.vendor_id)))
    assert seed_demo(engine, accounts) is None
    with engine.store.transaction() as tx:
        assert len(tx.list_vendors()) == 1
    after = (len(engine.journeys.list(first.vendor_id)), len(engine.clients.list(first.vendor_id)),
             len(accounts.list_users(first.vendor_id)))
    assert after == before


def test_an_installation_with_a_real_vendor_is_never_seeded():
    engine, accounts = _services()
    accounts.signup(vendor_name="Real Studio", email="owner@real.example", password="x" * 12)
    assert seed_demo(engine, accounts) is None
    with engine.store.transaction() as tx:
        assert [v.name for v in tx.list_vendors()] == ["Real Studio"]


def test_seed_database_on_sql_is_idempotent(sql_url):
    settings = load_settings(database_url=sql_url)
    first = seed_database(settings)
    assert first is not None
    assert seed_database(settings) is None
    sa_engine = make_engine(sql_url)
    try:
        with sa_engine.connect() as conn:
            users = conn.execute(text("SELECT count(*) FROM account_user")).scalar()
            vendors = conn.execute(text("SELECT count(*) FROM vendor")).scalar()
    finally:
        sa_engine.dispose()
    assert (users, vendors) == (1, 1)


def test_credentials_are_printed_once(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "DATABASE_URL": f"sqlite:///{tmp_path}/journeys.db"}

    def seed() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "engine.demo"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    once, twice = seed(), seed()
    assert once.returncode == 0 and twice.returncode == 0, once.stderr + twice.stderr
    assert "password" in once.stdout and DEMO_EMAIL in once.stdout
    assert "password" not in twice.stdout and "nothing seeded" in twice.stderr
