"""Identifiers are injected like time: random in production, sequential in simulation and tests,
so the same simulation inputs give byte-identical output."""
from __future__ import annotations

import itertools
import secrets
import uuid
from typing import Protocol


class IdFactory(Protocol):
    def new_id(self, prefix: str) -> str: ...
    def token(self) -> str: ...


class RandomIds:
    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex}"

    def token(self) -> str:
        # 32 bytes from the OS CSPRNG: form links must be unguessable.
        return secrets.token_urlsafe(32)


class SequentialIds:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):08d}"

    def token(self) -> str:
        return f"tok{next(self._counter):08d}"
