"""Fixtures for the outbox tests: a real SMTP server, a real HTTP receiver, a manual clock.

`store` comes from tests/conftest.py: every store test runs on memory, SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.clock import ManualClock
from outbox_helpers import T0, Receiver, SmtpServer


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
