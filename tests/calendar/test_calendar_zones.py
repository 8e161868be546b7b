"""DST rules of zones.localize, checked against hand-written real-world transition facts.

Expected UTC values are worked out by hand from the published rules (offset and local transition
time), not by calling zoneinfo, e.g. London 2027-03-28 01:30 does not exist (clocks go 01:00 GMT ->
02:00 BST), so it becomes 02:30 BST = 01:30Z.
"""
from datetime import date, datetime, time, timezone

import pytest

from engine.calendar import (
    client_zone,
    format_local,
    format_utc,
    get_zone,
    local_date,
    localize,
    parse_hhmm,
    to_local,
)
from engine.errors import CalendarError

UTC = timezone.utc


def z(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# (zone, local date, local time, expected UTC, expected local rendering)
CASES = [
    # Europe/London 2027: BST from Sun 28 Mar 01:00 GMT, GMT again from Sun 31 Oct 02:00 BST.
    ("Europe/London", date(2027, 3, 27), time(10), z(2027, 3, 27, 10), "2027-03-27T10:00:00+00:00"),
    ("Europe/London", date(2027, 3, 28), time(1, 30), z(2027, 3, 28, 1, 30), "2027-03-28T02:30:00+01:00"),  # gap
    ("Europe/London", date(2027, 3, 28), time(10), z(2027, 3, 28, 9), "2027-03-28T10:00:00+01:00"),
    ("Europe/London", date(2027, 10, 31), time(1, 30), z(2027, 10, 31, 0, 30), "2027-10-31T01:30:00+01:00"),  # fold, 1st
    ("Europe/London", date(2027, 10, 31), time(10), z(2027, 10, 31, 10), "2027-10-31T10:00:00+00:00"),
    # America/New_York 2027: EDT from Sun 14 Mar 02:00 EST, EST again from Sun 7 Nov 02:00 EDT.
    ("America/New_York", date(2027, 3, 14), time(2, 30), z(2027, 3, 14, 7, 30), "2027-03-14T03:30:00-04:00"),  # gap
    ("America/New_York", date(2027, 3, 14), time(2, 0), z(2027, 3, 14, 7, 0), "2027-03-14T03:00:00-04:00"),  # gap start
    ("America/New_York", date(2027, 3, 14), time(3, 0), z(2027, 3, 14, 7, 0), "2027-03-14T03:00:00-04:00"),
    ("America/New_York", date(2027, 3, 14), time(1, 59), z(2027, 3, 14, 6, 59), "2027-03-14T01:59:00-05:00"),
    ("America/New_York", date(2027, 11, 7), time(1, 30), z(2027, 11, 7, 5, 30), "2027-11-07T01:30:00-04:00"),  # fold, 1st
    ("America/New_York", date(2027, 11, 7), time(2, 0), z(2027, 11, 7, 7, 0), "2027-11-07T02:00:00-05:00"),
    # Australia/Sydney 2027 (southern): AEST from Sun 4 Apr 03:00 AEDT, AEDT from Sun 3 Oct 02:00 AEST.
    ("Australia/Sydney", date(2027, 4, 4), time(2, 30), z(2027, 4, 3, 15, 30), "2027-04-04T02:30:00+11:00"),  # fold, 1st
    ("Australia/Sydney", date(2027, 4, 4), time(10), z(2027, 4, 4, 0), "2027-04-04T10:00:00+10:00"),
    ("Australia/Sydney", date(2027, 10, 3), time(2, 30), z(2027, 10, 2, 16, 30), "2027-10-03T03:30:00+11:00"),  # gap
    ("Australia/Sydney", date(2027, 10, 3), time(10), z(2027, 10, 2, 23), "2027-10-03T10:00:00+11:00"),
    # Pacific/Auckland 2027: NZST from Sun 4 Apr 03:00 NZDT, NZDT from Sun 26 Sep 02:00 NZST.
    ("Pacific/Auckland", date(2027, 4, 4), time(2, 30), z(2027, 4, 3, 13, 30), "2027-04-04T02:30:00+13:00"),  # fold
    ("Pacific/Auckland", date(2027, 9, 26), time(2, 30), z(2027, 9, 25, 14, 30), "2027-09-26T03:30:00+13:00"),  # gap
    ("Pacific/Auckland", date(2027, 9, 26), time(9), z(2027, 9, 25, 20), "2027-09-26T09:00:00+13:00"),
    # Asia/Kolkata: +05:30 all year, no DST at all.
    ("Asia/Kolkata", date(2027, 3, 14), time(10), z(2027, 3, 14, 4, 30), "2027-03-14T10:00:00+05:30"),
    ("Asia/Kolkata", date(2027, 11, 7), time(1, 30), z(2027, 11, 6, 20), "2027-11-07T01:30:00+05:30"),
    # America/Sao_Paulo: DST abolished in 2019, -03:00 all year since.
    ("America/Sao_Paulo", date(2027, 11, 7), time(0, 30), z(2027, 11, 7, 3, 30), "2027-11-07T00:30:00-03:00"),
    ("America/Sao_Paulo", date(2027, 1, 15), time(10), z(2027, 1, 15, 13), "2027-01-15T10:00:00-03:00"),
    # ... but it had DST before: 2018-11-04 00:00 -> 01:00 (gap at midnight), 2019-02-17 00:00 -> 16th 23:00.
    ("America/Sao_Paulo", date(2018, 11, 4), time(0, 30), z(2018, 11, 4, 3, 30), "2018-11-04T01:30:00-02:00"),
    ("America/Sao_Paulo", date(2019, 2, 16), time(23, 30), z(2019, 2, 17, 1, 30), "2019-02-16T23:30:00-02:00"),
    ("America/Sao_Paulo", date(2018, 12, 15), time(10), z(2018, 12, 15, 12), "2018-12-15T10:00:00-02:00"),
]


@pytest.mark.parametrize("zone,d,t,expected,rendered", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_localize_follows_real_dst_rules(zone, d, t, expected, rendered):
    got = localize(d, t, get_zone(zone))
    assert got == expected
    assert got.tzinfo == UTC
    assert format_local(got, zone) == rendered


def test_fold_second_occurrence_is_one_hour_after_first():
    first = localize(date(2027, 11, 7), time(1, 30), "America/New_York")
    second = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=get_zone("America/New_York"))
    assert second.astimezone(UTC) - first == (z(2027, 11, 7, 6, 30) - z(2027, 11, 7, 5, 30))


def test_sao_paulo_has_no_dst_since_2019():
    sp = get_zone("America/Sao_Paulo")
    # Every day of 2020..2030 at noon is UTC-3; before 2019 summer was UTC-2.
    for year in range(2020, 2031):
        for month in range(1, 13):
            assert to_local(localize(date(year, month, 1), time(12), sp), sp).utcoffset().total_seconds() == -3 * 3600
    assert to_local(localize(date(2018, 1, 1), time(12), sp), sp).utcoffset().total_seconds() == -2 * 3600


def test_format_and_local_date():
    instant = datetime(2027, 2, 26, 10, 0, 0, 123456, tzinfo=UTC)
    assert format_local(instant, "Europe/London") == "2027-02-26T10:00:00+00:00"
    assert format_utc(instant) == "2027-02-26T10:00:00Z"
    assert format_local(instant, "Pacific/Auckland") == "2027-02-26T23:00:00+13:00"
    assert local_date(z(2027, 2, 26, 12), "Pacific/Auckland") == date(2027, 2, 27)
    assert local_date(z(2027, 2, 26, 3), "America/New_York") == date(2027, 2, 25)


def test_client_zone_order_and_default():
    assert client_zone("Asia/Kolkata", "Europe/London", "UTC").key == "Asia/Kolkata"
    assert client_zone(None, "Europe/London", "UTC").key == "Europe/London"
    assert client_zone("", None, "Australia/Sydney").key == "Australia/Sydney"
    assert client_zone(None, "", None).key == "UTC"


def test_unknown_zone_is_named():
    with pytest.raises(CalendarError, match="Mars/Olympus"):
        get_zone("Mars/Olympus")
    with pytest.raises(CalendarError, match="Mars/Olympus"):
        client_zone("Mars/Olympus", "Europe/London", None)  # no silent fallback
    for bad in ("localtime", "/etc/localtime", "../etc/passwd", "europe/london"):
        with pytest.raises(CalendarError):
            get_zone(bad)


def test_naive_instants_are_refused():
    with pytest.raises(CalendarError):
        to_local(datetime(2027, 1, 1, 9), "UTC")


def test_parse_hhmm():
    assert parse_hhmm("10:00") == time(10, 0)
    assert parse_hhmm("23:59") == time(23, 59)
    assert parse_hhmm("00:00") == time(0, 0)
    for bad in ("9:00", "24:00", "10:60", "10:00:00", " 10:00", "", None):
        with pytest.raises(CalendarError):
            parse_hhmm(bad)
