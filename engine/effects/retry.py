"""When to try again: exponential backoff with full jitter, per effect kind.

delay(n) = uniform(0, min(cap, base * 2**(n-1))) after the n-th failed attempt ("full jitter",
which spreads a burst of failures evenly instead of re-synchronising it), and never less than a
Retry-After the destination asked for. After `max_attempts` failed attempts the effect is dead.
The random source is injected: seed it and the schedule is reproducible.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_retry_after: timedelta = timedelta(days=1)  # a sanity bound on what a server may ask

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError(f"bad retry policy {self!r}")

    def ceiling(self, attempts: int) -> timedelta:
        """The largest delay after `attempts` failed attempts (1, 2, ...)."""
        exponent = min(max(attempts, 1) - 1, 60)
        seconds = min(self.cap.total_seconds(), self.base.total_seconds() * 2.0 ** exponent)
        return timedelta(seconds=seconds)

    def delay(self, attempts: int, rng: random.Random,
              retry_after: timedelta | None = None) -> timedelta:
        jittered = timedelta(seconds=rng.uniform(0, self.ceiling(attempts).total_seconds()))
        if retry_after is not None:
            return max(jittered, min(retry_after, self.max_retry_after))
        return jittered

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


# Email reaches a couple: keep trying for hours (about 4 h expected, 8 h at most, before dead).
DEFAULT_POLICIES: dict[str, RetryPolicy] = {
    "email": RetryPolicy(max_attempts=12, base=timedelta(seconds=30), cap=timedelta(hours=2)),
    "form": RetryPolicy(max_attempts=12, base=timedelta(seconds=30), cap=timedelta(hours=2)),
    "webhook": RetryPolicy(max_attempts=10, base=timedelta(seconds=10), cap=timedelta(hours=1)),
    "task": RetryPolicy(max_attempts=3, base=timedelta(seconds=5), cap=timedelta(minutes=1)),
}


@dataclass
class RetryPolicies:
    policies: dict[str, RetryPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    rng: random.Random = field(default_factory=random.Random)
    default: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def seeded(cls, seed: int | str, **policies: RetryPolicy) -> "RetryPolicies":
        return cls(policies={**DEFAULT_POLICIES, **policies}, rng=random.Random(seed))

    def for_kind(self, kind: str) -> RetryPolicy:
        return self.policies.get(kind, self.default)

    def delay(self, kind: str, attempts: int,
              retry_after: timedelta | None = None) -> timedelta:
        return self.for_kind(kind).delay(attempts, self.rng, retry_after)
