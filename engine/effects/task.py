"""TaskSender: tasks are internal (a to-do for the vendor), so delivering one is recording it:
the effect row itself, marked sent, is the task. Nothing leaves the process."""
from __future__ import annotations

from engine.domain import Effect
from engine.effects.base import Delivery
from engine.errors import EffectError


class TaskSender:
    def destination(self, effect: Effect) -> str:
        return "internal:tasks"

    def send(self, effect: Effect) -> Delivery:
        title = effect.payload.get("title")
        if not isinstance(title, str) or not title.strip():
            raise EffectError("task has no title", retryable=False)
        return Delivery("sent", {"task": title, "due": effect.payload.get("due")})

    def close(self) -> None:
        pass
