"""Business days with real holiday calendars; expected dates written out by hand.

Facts used: US Thanksgiving 2027 is Thu 25 Nov (day after is not a federal holiday).
England 2027: Good Friday 26 Mar, Easter Monday 29 Mar, Christmas Sat 25 Dec and Boxing Day Sun 26
Dec are observed Mon 27 and Tue 28 Dec. England 2026: Christmas Fri 25, Boxing Day Sat 26 Dec
observed Mon 28 Dec. Scotland has no Easter Monday holiday but has 2 January.
"""
from datetime import date, timedelta

import pytest

from engine.calendar import BusinessCalendar, holiday_dates
from engine.errors import CalendarError

US = BusinessCalendar.from_settings({"holidays": "US"})
ENG = BusinessCalendar.from_settings({"holidays": "GB-ENG"})
D = date.fromisoformat


@pytest.mark.parametrize("cal,start,n,expected", [
    # US Thanksgiving (Thu 25 Nov 2027)
    (US, "2027-11-24", 1, "2027-11-26"),   # Wed +1 skips Thanksgiving -> Fri
    (US, "2027-11-24", 2, "2027-11-29"),   # ... +2 skips the weekend -> Mon
    (US, "2027-11-29", -2, "2027-11-24"),  # Mon -2 -> Fri, then Wed (Thu skipped)
    (US, "2027-11-26", -1, "2027-11-24"),  # negative landing on the holiday goes further back
    (US, "2027-11-25", 0, "2027-11-26"),   # 0 on a holiday = next open day
    (US, "2027-11-24", 0, "2027-11-24"),   # 0 on an open day = itself
    (US, "2027-11-25", -1, "2027-11-24"),  # from a closed day, -1 is the open day before
    # England Christmas / Boxing Day (all four observed days)
    (ENG, "2027-12-24", 1, "2027-12-29"),
    (ENG, "2027-12-29", -1, "2027-12-24"),
    (ENG, "2026-12-24", 1, "2026-12-29"),  # Fri 25 holiday, Sat/Sun, Mon 28 Boxing Day observed
    (ENG, "2026-12-29", -1, "2026-12-24"),
    (ENG, "2026-12-31", 1, "2027-01-04"),  # year end: New Year's Day Fri 1 Jan 2027
    # England Easter 2027
    (ENG, "2027-03-25", 1, "2027-03-30"),  # Thu +1 skips Good Friday, weekend, Easter Monday
    (ENG, "2027-03-30", -1, "2027-03-25"),  # would land on Easter Monday, goes on to Thu
    (ENG, "2027-03-29", 0, "2027-03-30"),
    # default calendar: Mon-Fri, no holidays (Thanksgiving is a normal day)
    (BusinessCalendar(), "2027-11-24", 1, "2027-11-25"),
    (BusinessCalendar(), "2027-11-26", 1, "2027-11-29"),
    (BusinessCalendar(), "2027-11-27", 1, "2027-11-29"),  # Sat +1 = Mon (same as Fri +1)
    (BusinessCalendar(), "2028-02-29", 3, "2028-03-03"),  # leap day is a Tuesday
    (BusinessCalendar(), "2028-02-29", -2, "2028-02-25"),
])
def test_add_business_days(cal, start, n, expected):
    assert cal.add_business_days(D(start), n) == D(expected)


def test_holiday_lookups():
    assert ENG.is_holiday(D("2027-03-29")) and ENG.is_holiday(D("2027-12-28"))
    assert not ENG.is_holiday(D("2027-03-30"))
    sct = BusinessCalendar.from_settings({"holidays": "GB-SCT"})
    assert not sct.is_holiday(D("2027-03-29"))  # no Easter Monday in Scotland
    assert sct.is_holiday(D("2027-01-04"))      # 2 Jan 2027 is a Saturday, observed Monday 4
    assert US.is_holiday(D("2027-11-25")) and not US.is_holiday(D("2027-11-26"))
    assert BusinessCalendar.from_settings({"holidays": "US-CA"}).is_holiday(D("2027-11-26"))  # CA: day after
    assert D("2027-11-25") in holiday_dates("US", 2027)


def test_settings_closed_weekdays_dates_and_blackouts():
    cal = BusinessCalendar.from_settings(
        {"closed_weekdays": ["sun", "mon"], "closed_dates": ["2027-06-08"]},
        blackout_dates=[date(2027, 6, 9), "2027-06-10"])
    assert cal.weekdays_explicit and cal.closed_weekdays == frozenset({6, 0})
    assert cal.is_open(D("2027-06-05"))          # Saturday is open here
    assert not cal.is_open(D("2027-06-07"))      # Monday closed
    assert cal.is_closed_date(D("2027-06-09")) and not cal.is_open(D("2027-06-10"))
    # Sat 5 Jun +1: Sun, Mon closed, Tue 8 closed date, Wed 9 / Thu 10 blackout -> Fri 11
    assert cal.add_business_days(D("2027-06-05"), 1) == D("2027-06-11")
    default = BusinessCalendar.from_settings(None)
    assert default == BusinessCalendar() and not default.weekdays_explicit
    assert default.closed_weekdays == frozenset({5, 6})
    assert BusinessCalendar.from_settings({"closed_weekdays": []}).is_open(D("2027-06-06"))


def test_bad_settings_raise():
    for bad in ({"holidays": "XX"}, {"closed_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
                {"closed_dates": ["2027-02-30"]}, {"colour": "red"}):
        with pytest.raises(CalendarError):
            BusinessCalendar.from_settings(bad)


def test_no_open_day_for_ever_raises():
    cal = BusinessCalendar(closed_dates=frozenset(D("2027-01-01") + timedelta(days=i) for i in range(1000)))
    with pytest.raises(CalendarError):
        cal.add_business_days(D("2026-12-31"), 1)


def test_fast_enough_for_simulation():
    # 200 000 open-day checks with a holiday calendar: must be well under a second with the cache.
    import time as _t  # measuring the test itself, not read by the engine
    cal = BusinessCalendar.from_settings({"holidays": "GB-ENG"})
    days = [D("2027-01-01") + timedelta(days=i % 730) for i in range(200_000)]
    t0 = _t.perf_counter()
    sum(cal.is_open(d) for d in days)
    assert _t.perf_counter() - t0 < 2.0
