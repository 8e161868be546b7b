"""resolve_time, delay_business_days, days_until, with hand-computed expectations."""
from datetime import date, datetime, timezone

import pytest

from engine.calendar import (
    BusinessCalendar,
    anchor_name,
    days_until,
    delay_business_days,
    format_local,
    resolve_time,
)
from engine.errors import CalendarError, MissingDate

UTC = timezone.utc
D = date.fromisoformat
US = BusinessCalendar.from_settings({"holidays": "US"})
ENG = BusinessCalendar.from_settings({"holidays": "GB-ENG"})


def z(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def rel(days=None, business=None, at=None, anchor="wedding_date"):
    spec = {"anchor": anchor}
    if days is not None:
        spec["offset"] = {"days": days}
    if business is not None:
        spec["offset"] = {"business_days": business}
    if at is not None:
        spec["at"] = at
    return spec


def test_anchor_name():
    assert anchor_name(rel()) == "wedding_date"
    assert anchor_name(rel(anchor="dates.engagement_shoot")) == "engagement_shoot"
    assert anchor_name(rel(anchor="engagement_shoot")) == "engagement_shoot"
    assert anchor_name({"date": "2027-01-15"}) is None


@pytest.mark.parametrize("zone,wedding,spec,expected_local", [
    # default offset 0 and default at 09:00
    ("Europe/London", "2027-06-12", rel(), "2027-06-12T09:00:00+01:00"),
    # London: 30 days before a spring wedding crosses the March change
    ("Europe/London", "2027-04-10", rel(-30, at="10:00"), "2027-03-11T10:00:00+00:00"),
    # anchored exactly on the transition days
    ("Europe/London", "2027-03-28", rel(0, at="01:30"), "2027-03-28T02:30:00+01:00"),
    ("Europe/London", "2027-10-31", rel(0, at="01:30"), "2027-10-31T01:30:00+01:00"),
    ("America/New_York", "2027-03-21", rel(-7, at="02:30"), "2027-03-14T03:30:00-04:00"),
    ("America/New_York", "2027-11-14", rel(-7, at="01:30"), "2027-11-07T01:30:00-04:00"),
    ("America/New_York", "2027-11-13", rel(-7, at="10:00"), "2027-11-06T10:00:00-04:00"),
    ("America/New_York", "2027-11-13", rel(0, at="10:00"), "2027-11-13T10:00:00-05:00"),
    # southern hemisphere: offsets crossing April (end of DST) and October/September (start)
    ("Australia/Sydney", "2027-04-10", rel(-14, at="10:00"), "2027-03-27T10:00:00+11:00"),
    ("Australia/Sydney", "2027-10-03", rel(0, at="02:15"), "2027-10-03T03:15:00+11:00"),
    ("Australia/Sydney", "2027-04-04", rel(0, at="02:15"), "2027-04-04T02:15:00+11:00"),
    ("Pacific/Auckland", "2027-10-02", rel(-7, at="02:00"), "2027-09-25T02:00:00+12:00"),
    ("Pacific/Auckland", "2027-10-03", rel(-7, at="02:00"), "2027-09-26T03:00:00+13:00"),
    ("Pacific/Auckland", "2027-04-11", rel(-7, at="02:59"), "2027-04-04T02:59:00+13:00"),
    ("Asia/Kolkata", "2027-03-14", rel(-1, at="02:30"), "2027-03-13T02:30:00+05:30"),
    ("America/Sao_Paulo", "2027-11-14", rel(-7, at="00:30"), "2027-11-07T00:30:00-03:00"),
    ("America/Sao_Paulo", "2018-11-11", rel(-7, at="00:30"), "2018-11-04T01:30:00-02:00"),
    # 29 February 2028
    ("Europe/London", "2028-02-29", rel(), "2028-02-29T09:00:00+00:00"),
    ("Europe/London", "2028-02-29", rel(-365), "2027-03-01T09:00:00+00:00"),
    ("Europe/London", "2028-02-29", rel(1), "2028-03-01T09:00:00+00:00"),
    ("Europe/London", "2028-02-29", rel(-1), "2028-02-28T09:00:00+00:00"),
    ("Europe/London", "2028-02-29", rel(366), "2029-03-01T09:00:00+00:00"),
    ("Europe/London", "2028-02-29", rel(business=3), "2028-03-03T09:00:00+00:00"),
    ("Europe/London", "2028-02-29", rel(business=-2), "2028-02-25T09:00:00+00:00"),
    # across year ends
    ("Pacific/Auckland", "2027-01-05", rel(-10), "2026-12-26T09:00:00+13:00"),
    ("America/New_York", "2027-12-20", rel(30, at="23:30"), "2028-01-19T23:30:00-05:00"),
    ("Asia/Kolkata", "2027-01-01", rel(-1, at="00:00"), "2026-12-31T00:00:00+05:30"),
])
def test_resolve_relative(zone, wedding, spec, expected_local):
    got = resolve_time(spec, client_dates={"wedding_date": D(wedding)}, tz=zone,
                       calendar=BusinessCalendar())
    assert got.tzinfo == UTC
    assert format_local(got, zone) == expected_local


def test_year_end_utc_date_differs_from_local():
    got = resolve_time(rel(-10), client_dates={"wedding_date": D("2027-01-05")}, tz="Pacific/Auckland")
    assert got == z(2026, 12, 25, 20)  # 09:00 NZDT (+13) on 26 Dec is 20:00Z on the 25th


def test_business_day_offsets_with_holidays():
    dates = {"wedding_date": D("2027-11-29"), "tasting": D("2027-03-30")}
    # 2 business days before Mon 29 Nov 2027 in the US: Fri 26, (Thanksgiving skipped) Wed 24
    got = resolve_time(rel(business=-2, at="10:00"), client_dates=dates, tz="America/New_York", calendar=US)
    assert format_local(got, "America/New_York") == "2027-11-24T10:00:00-05:00"
    # 1 business day before Tue 30 Mar 2027 in England lands on Easter Monday -> Thu 25 (GMT)
    got = resolve_time(rel(business=-1, anchor="dates.tasting", at="10:00"), client_dates=dates,
                       tz="Europe/London", calendar=ENG)
    assert format_local(got, "Europe/London") == "2027-03-25T10:00:00+00:00"
    # business_days 0 on a holiday moves to the next open day
    got = resolve_time(rel(business=0), client_dates={"wedding_date": D("2027-12-25")},
                       tz="Europe/London", calendar=ENG)
    assert format_local(got, "Europe/London") == "2027-12-29T09:00:00+00:00"


def test_absolute_time():
    got = resolve_time({"date": "2027-01-15", "at": "09:00"}, client_dates={}, tz="Australia/Sydney")
    assert got == z(2027, 1, 14, 22)
    got = resolve_time({"date": "2027-03-14", "at": "02:30"}, client_dates={}, tz="America/New_York")
    assert got == z(2027, 3, 14, 7, 30)
    got = resolve_time({"date": "2027-07-01"}, client_dates={}, tz="Asia/Kolkata")
    assert got == z(2027, 7, 1, 3, 30)


def test_missing_date_raises_missing_date():
    with pytest.raises(MissingDate) as info:
        resolve_time(rel(anchor="dates.engagement_shoot"), client_dates={"wedding_date": D("2027-06-12")},
                     tz="UTC")
    assert info.value.anchor == "engagement_shoot"
    with pytest.raises(MissingDate):
        resolve_time(rel(), client_dates={"wedding_date": None}, tz="UTC")


def test_bad_spec_raises_calendar_error():
    for bad in ({"anchor": "wedding_date", "offset": {"weeks": 1}}, {"date": "2027-02-30"},
                {"anchor": "wedding_date", "at": "25:00"}, {}):
        with pytest.raises(CalendarError):
            resolve_time(bad, client_dates={"wedding_date": D("2027-06-12")}, tz="UTC")
    with pytest.raises(CalendarError):  # a datetime is not a date: which day would it be?
        resolve_time(rel(), client_dates={"wedding_date": datetime(2027, 6, 12, tzinfo=UTC)}, tz="UTC")


def test_delay_business_days():
    ny = "America/New_York"
    # Wed 24 Nov 2027 15:00 EST + 1 business day (US) = Fri 26 Nov 15:00 EST
    assert delay_business_days(z(2027, 11, 24, 20), 1, ny, US) == z(2027, 11, 26, 20)
    # Fri 12 Mar 2027 15:00 EST + 1 = Mon 15 Mar 15:00 EDT (across spring forward) = 19:00Z
    assert delay_business_days(z(2027, 3, 12, 20), 1, ny, BusinessCalendar()) == z(2027, 3, 15, 19)
    # Sat + 1 = Mon (Sat is closed, like Fri + 1)
    assert delay_business_days(z(2027, 11, 27, 15), 1, ny) == z(2027, 11, 29, 15)
    # Thu 24 Dec 2026 09:00 London + 1 (England) = Tue 29 Dec
    assert delay_business_days(z(2026, 12, 24, 9), 1, "Europe/London", ENG) == z(2026, 12, 29, 9)
    # n = 0 on an open day leaves the instant untouched, even the second 01:30 of the New York fold
    # (Sun 7 Nov 2027, so use a calendar whose Sundays are open)
    open_sunday = BusinessCalendar(closed_weekdays=frozenset())
    second = z(2027, 11, 7, 6, 30)
    assert delay_business_days(second, 0, ny, open_sunday) == second


def test_days_until():
    now = z(2027, 6, 11, 23, 30)  # 00:30 BST on 12 Jun in London
    assert days_until(D("2027-06-12"), now, "Europe/London") == 0
    assert days_until(D("2027-06-12"), now, "America/New_York") == 1  # 19:30 EDT on the 11th
    assert days_until(D("2027-06-12"), now, "Pacific/Auckland") == 0  # 11:30 on the 12th
    assert days_until(D("2028-03-01"), z(2028, 2, 28, 12), "UTC") == 2  # leap year
    assert days_until(D("2027-06-01"), now, "UTC") == -10
