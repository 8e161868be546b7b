"""`journeys backup` and `journeys restore` round-trip a database through the real CLI."""
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.clock import ManualClock
from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, url):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT,
                          env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                          text=True, timeout=120)


def _clients(url):
    sa_engine = make_engine(url)
    engine = Engine(SqlStore(sa_engine), ManualClock(datetime(2027, 1, 1, tzinfo=timezone.utc)))
    return engine, sa_engine


def _round_trip(url, tmp_path):
    migrate(url)
    engine, sa_engine = _clients(url)
    vendor = engine.create_vendor("Backup Studio")
    engine.clients.add(vendor.id, {"name": "Kept Couple", "email": "kept@example.com"})
    backup_file = tmp_path / "journeys.backup"
    done = cli("backup", str(backup_file), url=url)
    assert done.returncode == 0, done.stderr
    assert backup_file.stat().st_size > 0
    engine.clients.add(vendor.id, {"name": "Added Later", "email": "later@example.com"})
    assert len(engine.clients.list(vendor.id)) == 2
    sa_engine.dispose()
    done = cli("restore", str(backup_file), url=url)
    assert done.returncode == 0, done.stderr
    engine, sa_engine = _clients(url)
    assert [c.name for c in engine.clients.list(vendor.id)] == ["Kept Couple"]
    sa_engine.dispose()


def test_sqlite_backup_round_trip(tmp_path):
    _round_trip(f"sqlite:///{tmp_path}/live.db", tmp_path)


@pytest.mark.postgres
def test_postgres_backup_round_trip(tmp_path, fresh_pg_url):
    _round_trip(fresh_pg_url, tmp_path)


def test_missing_backup_file_is_a_clear_error(tmp_path):
    done = cli("restore", str(tmp_path / "nope.backup"), url=f"sqlite:///{tmp_path}/x.db")
    assert done.returncode == 2
    assert "no backup file" in done.stderr and "Traceback" not in done.stderr
