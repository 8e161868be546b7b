"""Dead letters: effects that will not be tried again without a person deciding so.

`replay` puts a dead (or discarded) effect back to pending with a fresh retry budget; `discard`
gives up on a dead or still-pending one. Both are recorded in the effect's attempt history
(the effect_attempt table, with who did it).
"""
from __future__ import annotations

from engine.clock import Clock
from engine.domain import Effect
from engine.effects import audit
from engine.errors import Conflict, NotFound
from engine.storage.base import Store, Tx

REPLAYABLE = frozenset({"dead", "discarded"})
DISCARDABLE = frozenset({"dead", "pending"})


class DeadLetters:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def list(self, vendor_id: str | None, *, limit: int = 100) -> list[Effect]:
        with self.store.transaction() as tx:
            return tx.list_effects(vendor_id, status="dead", limit=limit)

    def replay(self, effect_id: str, *, vendor_id: str | None = None,
               actor: str = "user") -> Effect:
        now = self.clock.now()
        with self.store.transaction() as tx:
            effect = self._get(tx, effect_id, vendor_id, REPLAYABLE, "replayed")
            audit.record(tx, effect, now, "replayed", by=actor, previous=effect.status)
            effect.status, effect.attempts, effect.next_attempt_at = "pending", 0, now
            effect.last_error = None
            tx.put_effect(effect)
        return effect

    def discard(self, effect_id: str, *, vendor_id: str | None = None,
                actor: str = "user") -> Effect:
        now = self.clock.now()
        with self.store.transaction() as tx:
            effect = self._get(tx, effect_id, vendor_id, DISCARDABLE, "discarded")
            audit.record(tx, effect, now, "discarded", by=actor, previous=effect.status)
            effect.status, effect.next_attempt_at = "discarded", None
            tx.put_effect(effect)
        return effect

    @staticmethod
    def _get(tx: Tx, effect_id: str, vendor_id: str | None, allowed: frozenset[str],
             action: str) -> Effect:
        found = tx.get_effect(effect_id)
        if found is None or (vendor_id is not None and found.vendor_id != vendor_id):
            raise NotFound("effect", effect_id)
        if found.status not in allowed:
            raise Conflict(f"effect {effect_id!r} is {found.status}; only "
                           f"{' or '.join(sorted(allowed))} effects can be {action}",
                           details={"status": found.status})
        return audit.clone(found)
