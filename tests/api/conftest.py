"""API fixtures: `harness` runs each test on memory, SQLite and PostgreSQL stores (the shared
`store` fixture), `mem` on memory only (for tests about the HTTP layer itself)."""
from __future__ import annotations

from typing import Iterator

import pytest

from engine.storage.memory import MemoryStore

from .harness import Harness


@pytest.fixture
def harness(store) -> Iterator[Harness]:
    h = Harness(store)
    yield h
    h.close()


@pytest.fixture
def mem() -> Iterator[Harness]:
    h = Harness(MemoryStore())
    yield h
    h.close()
