"""Backoff: exponential ceilings, full jitter, Retry-After as a floor, reproducible with a seed."""
import random
from datetime import timedelta

import pytest
from hypothesis import given, strategies as st

from engine.effects.retry import DEFAULT_POLICIES, RetryPolicies, RetryPolicy

S = timedelta(seconds=1)


def test_ceilings_double_up_to_the_cap():
    policy = RetryPolicy(max_attempts=10, base=10 * S, cap=100 * S)
    assert [policy.ceiling(n) / S for n in range(1, 7)] == [10, 20, 40, 80, 100, 100]
    assert policy.ceiling(10_000) == 100 * S  # no overflow


def test_full_jitter_spreads_over_the_whole_range():
    policy = RetryPolicy(max_attempts=5, base=100 * S, cap=100 * S)
    rng = random.Random(1)
    delays = [policy.delay(1, rng) / S for _ in range(2000)]
    assert min(delays) >= 0 and max(delays) <= 100
    assert min(delays) < 5 and max(delays) > 95  # not "base plus a little jitter"
    assert 45 < sum(delays) / len(delays) < 55


def test_retry_after_is_a_floor_not_a_replacement():
    policy = RetryPolicy(max_attempts=5, base=10 * S, cap=10 * S)
    rng = random.Random(2)
    assert all(policy.delay(1, rng, 120 * S) == 120 * S for _ in range(50))
    short = [policy.delay(3, rng, 1 * S) for _ in range(200)]
    assert all(d >= 1 * S for d in short) and max(short) > 5 * S
    assert policy.delay(1, rng, timedelta(days=30)) == timedelta(days=1)  # sanity cap


def test_seeded_policies_repeat_exactly():
    a, b = RetryPolicies.seeded(42), RetryPolicies.seeded(42)
    assert [a.delay("email", n) for n in range(1, 10)] == [b.delay("email", n) for n in range(1, 10)]


def test_exhaustion_and_per_kind_policies():
    policies = RetryPolicies.seeded(1, webhook=RetryPolicy(max_attempts=2, base=S, cap=S))
    assert not policies.for_kind("webhook").exhausted(1)
    assert policies.for_kind("webhook").exhausted(2)
    assert policies.for_kind("email") is DEFAULT_POLICIES["email"]
    assert policies.for_kind("unknown") == RetryPolicy()


def test_bad_policies_are_refused():
    for bad in [dict(max_attempts=0), dict(base=timedelta(0)), dict(base=10 * S, cap=S)]:
        with pytest.raises(ValueError):
            RetryPolicy(**bad)


@given(attempts=st.integers(1, 40), seed=st.integers(), retry_after=st.none() | st.integers(0, 10**6))
def test_delay_bounds(attempts, seed, retry_after):
    policy = DEFAULT_POLICIES["webhook"]
    after = None if retry_after is None else retry_after * S
    delay = policy.delay(attempts, random.Random(seed), after)
    upper = max(policy.ceiling(attempts), min(after or timedelta(0), policy.max_retry_after))
    assert timedelta(0) <= delay <= upper
    if after is not None:
        assert delay >= min(after, policy.max_retry_after)
