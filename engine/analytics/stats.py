"""Significance tests for split (A/B) results, with the standard library only.

Pearson's chi-square test of independence on a k x 2 table (branch x converted / not). With k = 2
it is the two-proportion z-test (pooled), chi2 = z**2, and both give the same p-value. The
chi-square survival function for integer degrees of freedom has a closed form (a finite series for
even df, the normal tail plus a series for odd df), so no scipy is needed.
"""
from __future__ import annotations

import math
from typing import Sequence

from engine.analytics.results import SignificanceTest

DEFAULT_ALPHA = 0.05
MIN_EXPECTED = 5.0


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X ~ chi-square with `df` (a positive integer) degrees of freedom."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if x <= 0:
        return 1.0
    if df % 2 == 0:
        # Q(x; 2m) = exp(-x/2) * sum_{i<m} (x/2)^i / i!
        half = x / 2.0
        term = total = 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, math.exp(-half) * total)
    # Q(x; 2m+1) = 2 * Q_normal(sqrt x) + sqrt(2x/pi) * exp(-x/2) * sum_{i<m} x^i / (1*3*...*(2i+1))
    root = math.sqrt(x)
    tail = 2.0 * normal_sf(root)
    if df == 1:
        return min(1.0, tail)
    term = total = 1.0
    for i in range(1, (df - 1) // 2):
        term *= x / (2 * i + 1)
        total += term
    return min(1.0, tail + math.sqrt(2.0 * x / math.pi) * math.exp(-x / 2.0) * total)


def conversion_test(converted: Sequence[int], totals: Sequence[int], *,
                    alpha: float = DEFAULT_ALPHA) -> SignificanceTest | None:
    """Chi-square test that the branches convert at the same rate. None when fewer than two
    branches have runs, or when nobody (or everybody) converted: there is nothing to compare."""
    rows = [(c, n) for c, n in zip(converted, totals) if n > 0]
    if len(rows) < 2:
        return None
    n_all = sum(n for _, n in rows)
    c_all = sum(c for c, _ in rows)
    if c_all == 0 or c_all == n_all:
        return None
    p_pool = c_all / n_all
    chi2 = 0.0
    smallest_expected = math.inf
    for c, n in rows:
        for observed, expected in ((c, n * p_pool), (n - c, n * (1 - p_pool))):
            smallest_expected = min(smallest_expected, expected)
            chi2 += (observed - expected) ** 2 / expected
    df = len(rows) - 1
    p_value = chi2_sf(chi2, df)
    z = None
    if len(rows) == 2:
        (c1, n1), (c2, n2) = rows
        se = math.sqrt(p_pool * (1 - p_pool) * (1 / n1 + 1 / n2))
        z = (c2 / n2 - c1 / n1) / se if se > 0 else 0.0
    enough = smallest_expected >= MIN_EXPECTED
    return SignificanceTest(method="chi-square" if len(rows) > 2 else "two-proportion z-test",
                            statistic=chi2, degrees_of_freedom=df, p_value=p_value, alpha=alpha,
                            enough_data=enough, significant=enough and p_value < alpha, z=z)
