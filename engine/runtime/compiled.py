"""Published versions are immutable, so each is parsed into a graph and settings once per process."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.graph.document import document_from_dict
from engine.graph.graph import JourneyGraph
from engine.runtime.settings import JourneySettings


@dataclass(frozen=True)
class CompiledVersion:
    journey_id: str
    version: int
    name: str
    graph: JourneyGraph
    settings: JourneySettings

    @property
    def trigger(self) -> dict[str, Any]:
        return self.graph.trigger.config


class CompiledCache:
    def __init__(self) -> None:
        self._items: dict[tuple[str, int, tuple[date, ...]], CompiledVersion] = {}
        self._lock = threading.Lock()

    def peek(self, journey_id: str, version: int,
             blackout_dates: tuple[date, ...] = ()) -> CompiledVersion | None:
        """The compiled version if it is cached, else None (no document needed to ask)."""
        return self._items.get((journey_id, version, blackout_dates))

    def get(self, journey_id: str, version: int, document: dict[str, Any],
            blackout_dates: tuple[date, ...] = ()) -> CompiledVersion:
        key = (journey_id, version, blackout_dates)
        found = self._items.get(key)
        if found is None:
            doc = document_from_dict(document)
            found = CompiledVersion(journey_id=journey_id, version=version, name=doc.name,
                                    graph=JourneyGraph(doc),
                                    settings=JourneySettings.from_document(doc.settings,
                                                                           blackout_dates))
            with self._lock:
                self._items[key] = found
        return found
