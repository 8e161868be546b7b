import math

import pytest

from engine.analytics.stats import chi2_sf, conversion_test, normal_sf


@pytest.mark.parametrize("x, df", [(3.841459, 1), (5.991465, 2), (7.814728, 3), (9.487729, 4),
                                   (11.070498, 5), (16.918978, 9)])
def test_chi_square_critical_values_at_five_percent(x, df):
    assert chi2_sf(x, df) == pytest.approx(0.05, abs=1e-6)


def test_chi_square_tail_values():
    assert chi2_sf(0.5, 1) == pytest.approx(0.4795001, abs=1e-6)
    assert chi2_sf(20.0, 7) == pytest.approx(0.0055699, abs=1e-6)
    assert chi2_sf(0.0, 3) == 1.0
    assert normal_sf(1.959964) == pytest.approx(0.025, abs=1e-7)


def test_two_branches_is_the_two_proportion_z_test():
    # 30/100 against 45/100: pooled p = 0.375, z = 0.15 / sqrt(.375 * .625 * .02) = 2.19089
    result = conversion_test([30, 45], [100, 100])
    assert result.method == "two-proportion z-test"
    assert result.z == pytest.approx(2.190890, abs=1e-5)
    assert result.statistic == pytest.approx(result.z ** 2)
    assert result.p_value == pytest.approx(2 * normal_sf(2.190890), abs=1e-6)
    assert result.p_value == pytest.approx(0.028459, abs=1e-5)
    assert result.enough_data and result.significant


def test_three_branches_chi_square():
    result = conversion_test([10, 12, 30], [100, 100, 100])
    assert result.method == "chi-square" and result.degrees_of_freedom == 2
    # expected converted 17.33 each; chi2 = sum over 6 cells
    p = 52 / 300
    expected = sum((o - e) ** 2 / e for c in (10, 12, 30)
                   for o, e in ((c, 100 * p), (100 - c, 100 * (1 - p))))
    assert result.statistic == pytest.approx(expected)
    assert result.p_value == pytest.approx(math.exp(-expected / 2))  # df=2: closed form
    assert result.significant


def test_not_enough_data_or_nothing_to_compare():
    small = conversion_test([2, 0], [3, 1])
    assert not small.enough_data and not small.significant
    assert conversion_test([0, 0], [50, 50]) is None
    assert conversion_test([5], [10]) is None
    assert conversion_test([3, 0], [10, 0]) is None
