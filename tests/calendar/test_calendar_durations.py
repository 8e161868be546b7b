"""DURATION: weeks/days are local calendar steps, hours/minutes elapsed (hand-computed values)."""
from datetime import datetime, timezone

import pytest

from engine.calendar import add_duration, duration_seconds_estimate, format_local
from engine.errors import CalendarError

UTC = timezone.utc


def z(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@pytest.mark.parametrize("zone,start,duration,expected_local", [
    # 09:00 EST Sat 13 Mar + 1 day = 09:00 EDT Sun 14 Mar (23 real hours)
    ("America/New_York", z(2027, 3, 13, 14), {"days": 1}, "2027-03-14T09:00:00-04:00"),
    # ... whereas 24 elapsed hours land at 10:00 EDT
    ("America/New_York", z(2027, 3, 13, 14), {"hours": 24}, "2027-03-14T10:00:00-04:00"),
    # fall back: 09:00 EDT Sat 6 Nov + 1 day = 09:00 EST; + 24 h = 08:00 EST
    ("America/New_York", z(2027, 11, 6, 13), {"days": 1}, "2027-11-07T09:00:00-05:00"),
    ("America/New_York", z(2027, 11, 6, 13), {"hours": 24}, "2027-11-07T08:00:00-05:00"),
    # London: 1 week over the spring change keeps 09:00
    ("Europe/London", z(2027, 3, 24, 9), {"weeks": 1}, "2027-03-31T09:00:00+01:00"),
    # days first, then elapsed: 09:00 Sat 27 Mar GMT + 1 day 2 h 30 min = 11:30 BST Sun 28 Mar
    ("Europe/London", z(2027, 3, 27, 9), {"days": 1, "hours": 2, "minutes": 30}, "2027-03-28T11:30:00+01:00"),
    # Sydney, southern autumn: 10:00 AEDT Sat 3 Apr + 1 day = 10:00 AEST
    ("Australia/Sydney", z(2027, 4, 2, 23), {"days": 1}, "2027-04-04T10:00:00+10:00"),
    # a day step landing in the gap moves forward by the gap: 02:30 NZST Sat 25 Sep + 1 day
    ("Pacific/Auckland", z(2027, 9, 24, 14, 30), {"days": 1}, "2027-09-26T03:30:00+13:00"),
    # no DST: Kolkata + 3 weeks
    ("Asia/Kolkata", z(2027, 12, 20, 4, 30), {"weeks": 3}, "2028-01-10T10:00:00+05:30"),
    # across the year end and a leap day
    ("America/Sao_Paulo", z(2028, 2, 28, 13), {"days": 2}, "2028-03-01T10:00:00-03:00"),
    ("Europe/London", z(2027, 12, 31, 23, 59), {"minutes": 2}, "2028-01-01T00:01:00+00:00"),
    # empty duration is zero
    ("Europe/London", z(2027, 6, 1, 8), {}, "2027-06-01T09:00:00+01:00"),
])
def test_add_duration(zone, start, duration, expected_local):
    got = add_duration(start, duration, zone)
    assert got.tzinfo == UTC
    assert format_local(got, zone) == expected_local


def test_zero_day_step_keeps_second_fold_occurrence():
    second = z(2027, 11, 7, 6, 30)  # 01:30 EST, the second 01:30 in New York
    assert add_duration(second, {"minutes": 0}, "America/New_York") == second
    assert add_duration(second, {"minutes": 10}, "America/New_York") == z(2027, 11, 7, 6, 40)


def test_bad_durations_raise():
    for bad in ({"days": -1}, {"months": 1}, {"days": 1.5}, [], None):
        with pytest.raises(CalendarError):
            add_duration(z(2027, 1, 1), bad, "UTC")


def test_seconds_estimate():
    assert duration_seconds_estimate({"weeks": 1, "days": 1, "hours": 1, "minutes": 1}) == 694_860
    assert duration_seconds_estimate({}) == 0
