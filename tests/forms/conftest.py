from __future__ import annotations

import pytest

from .world import World, make_world


@pytest.fixture
def world(store) -> World:
    """A world on every store: memory, SQLite, PostgreSQL."""
    return make_world(store)


@pytest.fixture
def mem_world() -> World:
    from engine.storage.memory import MemoryStore

    return make_world(MemoryStore())
