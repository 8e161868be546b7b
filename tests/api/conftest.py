"""API fixtures: `harness` runs each test on memory, SQLite and PostgreSQL stores (the shared
`store` fixture), `mem` on memory only (for tests about the HTTP layer itself)."""
from __future__ import annotations

import pytest

from engine.storage.memory import MemoryStore

from .harness import Harness


@pytest.fixture
def harness(store) -> Harness:
    return Harness(store)


@pytest.fixture
def mem() -> Harness:
    return Harness(MemoryStore())
