"""/healthz, /readyz and /metrics: the functions on SQLite and PostgreSQL, and the ASGI face."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from engine.clock import ManualClock
from engine.ops.asgi import OpsEndpoints
from engine.ops.health import liveness, readiness
from engine.ops.metrics import EngineCollector, metrics_text
from engine.storage.database import make_engine, migrate

from .helpers import FUTURE_REVISION, AsgiClient, stamp

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)


async def _inner(scope, receive, send):
    """Stands in for the web app: answers everything with 299 and the path."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": scope["path"].encode()})


def _client(sa_engine) -> AsgiClient:
    app = OpsEndpoints(_inner, ready=lambda: readiness(sa_engine, timeout=10),
                       metrics=lambda: metrics_text(EngineCollector(sa_engine, ManualClock(NOW))))
    return AsgiClient(app)


def test_liveness_needs_nothing():
    assert liveness().ok and liveness().status_code == 200


def test_ready_on_a_migrated_database(sql_url):
    sa_engine = make_engine(sql_url)
    try:
        health = readiness(sa_engine)
        assert health.ok, health.checks
        assert health.checks["schema"]["current"] == health.checks["schema"]["head"]
        client = _client(sa_engine)
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ok"
        assert client.get("/healthz").json()["status"] == "ok"
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        assert "journeys_due_backlog" in metrics.text
    finally:
        sa_engine.dispose()


def test_not_ready_before_migrating(empty_sql_url):
    sa_engine = make_engine(empty_sql_url)
    try:
        health = readiness(sa_engine)
        assert not health.ok
        assert health.checks["database"]["ok"] is True
        assert health.checks["schema"]["ok"] is False
        assert "no schema yet" in health.checks["schema"]["error"]
        assert _client(sa_engine).get("/readyz").status_code == 503
    finally:
        sa_engine.dispose()


def test_not_ready_on_a_newer_database(empty_sql_url):
    migrate(empty_sql_url)  # a private database: the stamped revision must not leak
    sa_engine = make_engine(empty_sql_url)
    try:
        stamp(sa_engine, FUTURE_REVISION)
        health = readiness(sa_engine)
        assert not health.ok
        assert "newer than this code" in health.checks["schema"]["error"]
    finally:
        sa_engine.dispose()


def test_unreachable_database_is_not_ready_but_alive(tmp_path):
    # A SQLite file in a folder that does not exist cannot be opened.
    sa_engine = make_engine(f"sqlite:///{tmp_path}/missing/folder/journeys.db")
    try:
        client = _client(sa_engine)
        ready = client.get("/readyz")
        assert ready.status_code == 503
        body = ready.json()
        assert body["checks"]["database"]["ok"] is False
        assert "OperationalError" in body["checks"]["database"]["error"]
        assert client.get("/healthz").status_code == 200  # liveness never asks the database
        assert client.get("/metrics").status_code == 503
    finally:
        sa_engine.dispose()


@pytest.mark.postgres
def test_unreachable_postgres_answers_within_the_timeout():
    # Nothing listens on port 1: connection refused, reported as not ready (not a hang).
    sa_engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                            connect_args={"connect_timeout": 2})
    try:
        health = readiness(sa_engine, timeout=5)
        assert not health.ok and health.checks["database"]["ok"] is False
    finally:
        sa_engine.dispose()


def test_other_paths_and_methods(tmp_path):
    sa_engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        client = _client(sa_engine)
        other = client.get("/journeys")
        assert other.status_code == 299 and other.text == "/journeys"
        assert client.get("/healthz/more").status_code == 299
        assert client.post("/healthz").status_code == 405
        head = client.head("/healthz")
        assert head.status_code == 200 and head.content == b""
    finally:
        sa_engine.dispose()
