"""The outbox dispatcher: deliver due effects, at least once, and record what happened.

One `run_once(limit)`:
1. claims up to `limit` due effects in one transaction (pending, next_attempt_at <= now) by moving
   their next_attempt_at to now + claim_lease: another dispatcher will not take them meanwhile,
   and a dispatcher that dies holding them lets them become due again when the lease ends;
2. for each (least-tried first), asks the destination's circuit breaker; if open, moves next_attempt_at to the
   breaker's retry time without spending an attempt;
3. sends, then records the outcome in its own transaction: sent/captured, retry later
   (attempts + 1, backoff), or dead (a permanent error, or retries exhausted).

At-least-once: a crash after the destination accepted but before step 3 committed delivers the
effect again later, with the same Message-ID / idempotency key so receivers can deduplicate. The
window is one effect per crash: outcomes are committed one effect at a time.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping

from engine.clock import Clock, format_utc
from engine.domain import Effect
from engine.effects import audit
from engine.effects.base import Delivery, Sender
from engine.effects.breaker import Breakers
from engine.effects.dead_letters import DeadLetters
from engine.effects.retry import RetryPolicies
from engine.errors import EffectError
from engine.storage.base import Store, Tx

log = logging.getLogger(__name__)

Listener = Callable[[str, Effect], None]  # (outcome, effect) after the outcome is committed


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    captured: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0   # breaker open: moved without an attempt
    released: int = 0   # claimed but handed back (lease running out)
    superseded: int = 0  # failed, but discarded or finished by someone else meanwhile

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: "DispatchStats") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


_COUNTERS = {"sent": "sent", "captured": "captured", "retry": "retried", "dead": "dead",
             "superseded": "superseded"}


@dataclass
class _Claim:
    effect: Effect
    previous_due: datetime | None
    claimed_at: datetime


@dataclass
class Dispatcher:
    store: Store
    clock: Clock
    senders: Mapping[str, Sender]
    policies: RetryPolicies = field(default_factory=RetryPolicies)
    breakers: Breakers | None = None
    claim_lease: timedelta = timedelta(minutes=5)
    listeners: list[Listener] = field(default_factory=list)
    batch_size: int = 50

    def __post_init__(self) -> None:
        if self.breakers is None:
            self.breakers = Breakers(self.clock)
        self.dead_letters = DeadLetters(self.store, self.clock)

    # -- dispatching -----------------------------------------------------------------------
    def run_once(self, limit: int | None = None) -> DispatchStats:
        """Deliver up to `limit` (default batch_size) due effects; see the module docstring."""
        stats = DispatchStats()
        claims = self._claim(limit or self.batch_size)
        stats.claimed = len(claims)
        # Least-tried first (stable, so oldest first among equals): when a breaker is half-open
        # its probe is then the effect that has failed least, and a long outage spreads probe
        # attempts over the queue instead of spending one email's whole retry budget.
        claims.sort(key=lambda claim: claim.effect.attempts)
        try:
            for index, claim in enumerate(claims):
                if self.clock.now() >= claim.claimed_at + self.claim_lease / 2:
                    stats.released = self._release(claims[index:])
                    break
                self._dispatch(claim, stats)
        finally:
            for sender in self.senders.values():
                try:
                    sender.close()
                except Exception:  # closing is best effort
                    log.exception("closing sender %r failed", sender)
        return stats

    def run_until_idle(self, limit: int | None = None, max_batches: int = 1000) -> DispatchStats:
        """Run batches until nothing is due now (for tests, the CLI and simulation)."""
        total = DispatchStats()
        for _ in range(max_batches):
            stats = self.run_once(limit)
            total.add(stats)
            if stats.claimed == 0:
                break
        return total

    def breaker_snapshot(self) -> list[dict]:
        return self.breakers.snapshot()

    # -- dead letters ----------------------------------------------------------------------
    def list_dead(self, vendor_id: str | None, limit: int = 100) -> list[Effect]:
        return self.dead_letters.list(vendor_id, limit=limit)

    def replay(self, effect_id: str, *, vendor_id: str | None = None,
               actor: str = "user") -> Effect:
        return self.dead_letters.replay(effect_id, vendor_id=vendor_id, actor=actor)

    def discard(self, effect_id: str, *, vendor_id: str | None = None,
                actor: str = "user") -> Effect:
        return self.dead_letters.discard(effect_id, vendor_id=vendor_id, actor=actor)

    # -- steps -----------------------------------------------------------------------------
    def _claim(self, limit: int) -> list[_Claim]:
        now = self.clock.now()
        claims = []
        with self.store.transaction() as tx:
            for found in tx.due_effects(now, limit):
                effect = audit.clone(found)
                effect.next_attempt_at = now + self.claim_lease
                tx.put_effect(effect)
                claims.append(_Claim(effect, found.next_attempt_at, now))
        return claims

    def _release(self, claims: Iterable[_Claim]) -> int:
        released = 0
        with self.store.transaction() as tx:
            for claim in claims:
                current = tx.get_effect(claim.effect.id)
                if current is not None and self._still_ours(current, claim):
                    current = audit.clone(current)
                    current.next_attempt_at = claim.previous_due
                    tx.put_effect(current)
                    released += 1
        return released

    def _dispatch(self, claim: _Claim, stats: DispatchStats) -> None:
        effect = claim.effect
        sender = self.senders.get(effect.kind)
        if sender is None:
            error = EffectError(f"no sender is configured for {effect.kind!r} effects",
                                retryable=False)
            self._finish(claim, None, error, None, stats)
            return
        destination = sender.destination(effect)
        breaker = self.breakers.get(destination)
        if not breaker.allow():
            self._defer(claim, breaker.retry_at(), destination, stats)
            return
        delivery, error = None, None
        try:
            delivery = sender.send(effect)
        except EffectError as exc:
            error = exc
        except Exception as exc:  # a bug, not the destination: dead letter, replay after a fix
            log.exception("sender for %s effect %s raised", effect.kind, effect.id)
            error = EffectError(f"unexpected {type(exc).__name__}: {exc}", retryable=False)
        if delivery is not None:
            breaker.record_success()
        elif error.retryable:
            breaker.record_failure(error.message)
        else:
            breaker.release_probe()
        self._finish(claim, delivery, error, destination, stats)

    def _defer(self, claim: _Claim, until: datetime, destination: str,
               stats: DispatchStats) -> None:
        with self.store.transaction() as tx:
            current = tx.get_effect(claim.effect.id)
            if current is None or not self._still_ours(current, claim):
                return
            current = audit.clone(current)
            current.next_attempt_at = until
            tx.put_effect(current)
        stats.deferred += 1
        self._notify("deferred", current)

    def _finish(self, claim: _Claim, delivery: Delivery | None, error: EffectError | None,
                destination: str | None, stats: DispatchStats) -> None:
        now = self.clock.now()
        with self.store.transaction() as tx:
            current = tx.get_effect(claim.effect.id)
            if current is None:
                return
            effect = audit.clone(current)
            if delivery is not None:
                # Delivered is the truth, even if someone discarded the effect meanwhile.
                outcome = self._delivered(tx, effect, delivery, destination, now)
            elif self._still_ours(current, claim):
                outcome = self._failed(tx, effect, error, destination, now)
            else:  # discarded meanwhile: keep their decision, log the attempt
                audit.record(tx, effect, now, "retry" if error.retryable else "dead",
                             attempt=effect.attempts + 1, destination=destination,
                             error=error.message)
                outcome = "superseded"
            tx.put_effect(effect)
        counter = _COUNTERS[outcome]
        setattr(stats, counter, getattr(stats, counter) + 1)
        self._notify(outcome, effect)

    @staticmethod
    def _delivered(tx: Tx, effect: Effect, delivery: Delivery, destination: str | None,
                   now: datetime) -> str:
        effect.attempts += 1
        effect.status, effect.sent_at = delivery.status, now
        effect.next_attempt_at, effect.last_error = None, None
        audit.record(tx, effect, now, delivery.status, attempt=effect.attempts,
                     destination=destination, detail=delivery.detail)
        return delivery.status

    def _failed(self, tx: Tx, effect: Effect, error: EffectError, destination: str | None,
                now: datetime) -> str:
        effect.attempts += 1
        policy = self.policies.for_kind(effect.kind)
        if error.retryable and not policy.exhausted(effect.attempts):
            outcome, message = "retry", error.message
            effect.next_attempt_at = now + policy.delay(effect.attempts, self.policies.rng,
                                                        error.retry_after)
        else:
            outcome, message = "dead", error.message
            if error.retryable:
                message = f"gave up after {effect.attempts} attempts: {message}"
            effect.status, effect.next_attempt_at = "dead", None
        effect.last_error = message
        audit.record(tx, effect, now, outcome, attempt=effect.attempts, destination=destination,
                     error=error.message, retryable=error.retryable,
                     retry_at=format_utc(effect.next_attempt_at) if outcome == "retry" else None)
        return outcome

    @staticmethod
    def _still_ours(current: Effect, claim: _Claim) -> bool:
        """Nobody discarded, replayed or finished it since the claim. (Compared on status and
        attempts, not on timestamps, which some databases round.)"""
        return current.status == "pending" and current.attempts == claim.effect.attempts

    def _notify(self, outcome: str, effect: Effect) -> None:
        for listener in self.listeners:
            try:
                listener(outcome, effect)
            except Exception:
                log.exception("outbox listener failed on %s", outcome)
