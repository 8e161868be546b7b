"""Send windows, with hand-computed expectations (weekends, holidays, DST gaps and folds)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.calendar import BusinessCalendar, format_local, next_send_time
from engine.errors import CalendarError

UTC = timezone.utc
WEEKDAYS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
EVERY_DAY = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "09:00", "end": "17:00"}
ENG = BusinessCalendar.from_settings({"holidays": "GB-ENG"})
US = BusinessCalendar.from_settings({"holidays": "US"})


def z(y, mo, d, h=0, mi=0, s=0, us=0):
    return datetime(y, mo, d, h, mi, s, us, tzinfo=UTC)


def window(start, end, days=EVERY_DAY["days"]):
    return {"days": list(days), "start": start, "end": end}


@pytest.mark.parametrize("zone,instant,win,cal,expected", [
    # London, Fri 26 Feb 2027 after hours -> Mon 1 Mar 09:00 GMT (over the weekend)
    ("Europe/London", z(2027, 2, 26, 17, 30), WEEKDAYS, None, z(2027, 3, 1, 9)),
    ("Europe/London", z(2027, 2, 26, 17, 0), WEEKDAYS, None, z(2027, 3, 1, 9)),  # end is exclusive
    ("Europe/London", z(2027, 2, 26, 16, 59), WEEKDAYS, None, z(2027, 2, 26, 16, 59)),
    ("Europe/London", z(2027, 2, 24, 7), WEEKDAYS, None, z(2027, 2, 24, 9)),  # before start, same day
    ("Europe/London", z(2027, 2, 24, 9), WEEKDAYS, None, z(2027, 2, 24, 9)),  # start is inclusive
    # Easter 2027 in England: Thu 25 Mar after hours -> Good Friday, weekend, Easter Monday closed ->
    # Tue 30 Mar 09:00 BST (clocks changed on the 28th) = 08:00Z
    ("Europe/London", z(2027, 3, 25, 18), WEEKDAYS, ENG, z(2027, 3, 30, 8)),
    # Christmas 2027 in England, window open every day: 25-28 Dec are all holidays -> Wed 29
    ("Europe/London", z(2027, 12, 24, 18), EVERY_DAY, ENG, z(2027, 12, 29, 9)),
    # US Thanksgiving: Wed 24 Nov 18:00 EST -> Fri 26 Nov 09:00 EST
    ("America/New_York", z(2027, 11, 24, 23), WEEKDAYS, US, z(2027, 11, 26, 14)),
    # Sydney: Fri 2 Apr 17:00 AEDT -> Mon 5 Apr 09:00 AEST (DST ended on the Sunday)
    ("Australia/Sydney", z(2027, 4, 2, 6), WEEKDAYS, None, z(2027, 4, 4, 23)),
    # Auckland: Fri 24 Sep 17:30 NZST -> Mon 27 Sep 09:00 NZDT (+13)
    ("Pacific/Auckland", z(2027, 9, 24, 5, 30), WEEKDAYS, None, z(2027, 9, 26, 20)),
    # Kolkata, Saturday noon -> Monday 10:00 IST
    ("Asia/Kolkata", z(2027, 6, 5, 6, 30), window("10:00", "18:00", WEEKDAYS["days"]), None, z(2027, 6, 7, 4, 30)),
    # Sao Paulo (no DST): Sun 7 Nov 2027 08:00 -> 09:00 -03:00 on Monday
    ("America/Sao_Paulo", z(2027, 11, 7, 11), WEEKDAYS, None, z(2027, 11, 8, 12)),
    # a start inside the New York spring gap moves forward by the gap: 02:30 -> 03:30 EDT
    ("America/New_York", z(2027, 3, 14, 6), window("02:30", "06:00"), None, z(2027, 3, 14, 7, 30)),
    # a window entirely inside the gap does not open that day -> next day 02:00 EDT
    ("America/New_York", z(2027, 3, 14, 6), window("02:00", "02:45"), None, z(2027, 3, 15, 6)),
    # fall back: at 01:00 EDT the window opens at the first 01:45 (EDT) ...
    ("America/New_York", z(2027, 11, 7, 5), window("01:45", "03:00"), None, z(2027, 11, 7, 5, 45)),
    # ... at the second 01:30 (EST) the first 01:45 is past: the second 01:45 (EST) it is
    ("America/New_York", z(2027, 11, 7, 6, 30), window("01:45", "03:00"), None, z(2027, 11, 7, 6, 45)),
    # inside the window: returned to the microsecond
    ("Europe/London", z(2027, 6, 9, 12, 1, 2, 345), WEEKDAYS, ENG, z(2027, 6, 9, 12, 1, 2, 345)),
])
def test_next_send_time(zone, instant, win, cal, expected):
    got = next_send_time(instant, win, zone, cal)
    assert got == expected, format_local(got, zone)
    assert got.tzinfo == UTC


def test_no_window_means_any_time():
    instant = datetime(2027, 6, 5, 23, 0, tzinfo=timezone(timedelta(hours=2)))
    assert next_send_time(instant, None, "Europe/London", ENG) == z(2027, 6, 5, 21)


def test_default_closed_weekdays_do_not_block_a_window_that_lists_them():
    sat_10 = z(2027, 6, 5, 9)  # Sat 5 Jun 2027 10:00 BST
    assert next_send_time(sat_10, EVERY_DAY, "Europe/London", BusinessCalendar()) == sat_10
    # the journey closing weekends itself does block them -> Mon 7 Jun 09:00 BST
    closed = BusinessCalendar.from_settings({"closed_weekdays": ["sat", "sun"]})
    assert next_send_time(sat_10, EVERY_DAY, "Europe/London", closed) == z(2027, 6, 7, 8)
    # closed_dates and vendor blackouts always block
    blackout = BusinessCalendar.from_settings(None, blackout_dates=[date(2027, 6, 5)])
    assert next_send_time(sat_10, EVERY_DAY, "Europe/London", blackout) == z(2027, 6, 6, 8)


def test_window_that_never_opens_raises():
    cal = BusinessCalendar(closed_dates=frozenset(date(2027, 1, 1) + timedelta(days=i) for i in range(900)))
    with pytest.raises(CalendarError):
        next_send_time(z(2027, 1, 1), EVERY_DAY, "UTC", cal)


def test_bad_window_raises():
    with pytest.raises(CalendarError):
        next_send_time(z(2027, 1, 1), {"days": [], "start": "09:00", "end": "17:00"}, "UTC", None)
    with pytest.raises(CalendarError):
        next_send_time(datetime(2027, 1, 1), EVERY_DAY, "UTC", None)  # naive
