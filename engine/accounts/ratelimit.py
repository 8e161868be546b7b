"""Token buckets on the injected clock: `capacity` requests at once, refilled at `rate` per second.

One limiter per concern (logins by client address, ingestion by API key, ...). Buckets live in
this process; with several API processes each enforces its own budget (document the multiplier or
put the buckets in a shared store). Idle buckets are dropped once they would be full again, so
the table stays as small as the set of recently active keys.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime

from engine.clock import Clock
from engine.errors import RateLimited


@dataclass
class _Bucket:
    tokens: float
    at: datetime


class TokenBucketLimiter:
    def __init__(self, clock: Clock, *, capacity: float, rate: float, max_keys: int = 100_000):
        if capacity < 1 or rate <= 0:
            raise ValueError("capacity must be >= 1 and rate > 0")
        self.clock, self.capacity, self.rate, self.max_keys = clock, float(capacity), rate, max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend `cost` tokens for `key`; returns what is left, or raises RateLimited with the
        whole seconds until `cost` tokens are back."""
        now = self.clock.now()
        with self._lock:
            bucket = self._refill(key, now)
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return bucket.tokens
            wait = (cost - bucket.tokens) / self.rate
        raise RateLimited(retry_after=max(1, math.ceil(wait)))

    def remaining(self, key: str) -> float:
        with self._lock:
            return self._refill(key, self.clock.now()).tokens

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._buckets.clear()
            else:
                self._buckets.pop(key, None)

    def _refill(self, key: str, now: datetime) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
            return bucket
        elapsed = max(0.0, (now - bucket.at).total_seconds())
        bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
        bucket.at = max(bucket.at, now)
        return bucket

    def _prune(self, now: datetime) -> None:
        full_after = self.capacity / self.rate
        for key in [k for k, b in self._buckets.items()
                    if (now - b.at).total_seconds() >= full_after]:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # all busy: forget the oldest half
            for key, _ in sorted(self._buckets.items(), key=lambda kv: kv[1].at)[
                    : len(self._buckets) // 2]:
                del self._buckets[key]
