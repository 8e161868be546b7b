"""Property tests over ~20 real zones, random dates and offsets.

The reference for the DST rule is computed by a different method from the engine: instead of
PEP 495 fold semantics we only convert UTC -> local (which is never ambiguous), collect the
offsets in force around the wall time, and see which candidate UTC instants map back to it.
"""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.calendar import (
    BusinessCalendar,
    add_duration,
    get_zone,
    holiday_dates,
    localize,
    next_send_time,
    resolve_time,
    to_local,
)
from engine.calendar.formats import WEEKDAY_NAMES
from engine.errors import CalendarError

UTC = timezone.utc
ZONES = [
    "UTC", "Europe/London", "Europe/Paris", "Europe/Lisbon", "Atlantic/Azores", "America/New_York",
    "America/Chicago", "America/Los_Angeles", "America/Phoenix", "America/St_Johns", "America/Havana",
    "America/Sao_Paulo", "America/Santiago", "Australia/Sydney", "Australia/Lord_Howe",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tehran", "Pacific/Auckland", "Pacific/Chatham",
    "Africa/Casablanca",
]
HOLIDAY_CODES = [None, "US", "GB-ENG", "AU-NSW", "DE-BY", "NZ", "BR", "IN", "US-CA"]

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

zones = st.sampled_from(ZONES)
days = st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31))
minutes = st.integers(min_value=0, max_value=24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
# bias towards real transition times and nearby minutes, where the bugs are
hot_minutes = st.one_of(minutes, st.sampled_from([time(0, 0), time(0, 30), time(1, 0), time(1, 30), time(2, 0),
                                                  time(2, 15), time(2, 30), time(2, 59), time(3, 0), time(23, 30)]))
# bias towards DST-change seasons
hot_days = st.one_of(days, st.builds(lambda y, m, k: date(y, m, 1) + timedelta(days=k), st.integers(2000, 2040),
                                     st.sampled_from([3, 4, 9, 10, 11]), st.integers(0, 30)))


def calendars():
    weekdays = st.frozensets(st.integers(0, 6), max_size=6)
    return st.builds(
        lambda code, wd, explicit, closed: BusinessCalendar(
            holiday_code=code, closed_weekdays=wd if explicit else frozenset({5, 6}),
            closed_dates=closed, weekdays_explicit=explicit),
        st.sampled_from(HOLIDAY_CODES), weekdays, st.booleans(),
        st.frozensets(days, max_size=20))


def reference_localize(d: date, t: time, zone_name: str):
    """(utc_instant, gap) for a local wall time, via UTC -> local conversions only."""
    zone = get_zone(zone_name)
    wall = datetime.combine(d, t)
    offsets = {(wall - timedelta(hours=h)).replace(tzinfo=UTC).astimezone(zone).utcoffset()
               for h in range(-15, 16)}
    candidates = sorted((wall - off).replace(tzinfo=UTC) for off in offsets)
    exact = [c for c in candidates if c.astimezone(zone).replace(tzinfo=None) == wall]
    if exact:
        return exact[0], timedelta(0)  # the first occurrence
    # In a gap: the offset in force just before the wall time (the smaller one in a spring gap)
    # gives wall + gap; the gap is the jump of the offset across the transition.
    before = min(offsets)
    after = max(offsets)
    return (wall - before).replace(tzinfo=UTC), after - before


@PROPS
@given(zones, hot_days, hot_minutes)
def test_localize_matches_reference_and_respects_wall_clock(zone, d, t):
    got = localize(d, t, zone)
    expected, gap = reference_localize(d, t, zone)
    assert got == expected
    local = to_local(got, zone).replace(tzinfo=None)
    # the wall clock is respected, unless it lies in a gap: then shifted by exactly the gap
    assert local == datetime.combine(d, t) + gap
    if gap:
        assert timedelta(0) < gap <= timedelta(hours=2)


@PROPS
@given(calendars(), days, st.integers(-40, 40))
def test_business_day_results_are_open_and_count_exactly(cal, d, n):
    got = cal.add_business_days(d, n)
    assert cal.is_open(got)
    if n == 0:
        assert got >= d and all(not cal.is_open(d + timedelta(i)) for i in range((got - d).days))
        return
    # brute-force count of open days strictly between d and got, plus got itself
    step = 1 if n > 0 else -1
    assert (got - d).days * step > 0
    span = [d + timedelta(days=i * step) for i in range(1, abs((got - d).days) + 1)]
    assert sum(cal.is_open(x) for x in span) == abs(n)


windows = st.builds(
    lambda ds, a, length: {"days": [WEEKDAY_NAMES[i] for i in sorted(ds)],
                           "start": f"{a // 60:02d}:{a % 60:02d}",
                           "end": f"{min(a + length, 1439) // 60:02d}:{min(a + length, 1439) % 60:02d}"},
    st.frozensets(st.integers(0, 6), min_size=1), st.integers(0, 1438),
    st.one_of(st.integers(1, 90), st.integers(1, 1439)),
)

instants = st.datetimes(min_value=datetime(1996, 1, 1), max_value=datetime(2044, 12, 31)).map(
    lambda dt: dt.replace(tzinfo=UTC))


def reference_allowed(day, window, cal):
    if WEEKDAY_NAMES[day.weekday()] not in window["days"]:
        return False
    if cal is None:
        return True
    if day in cal.closed_dates or (cal.holiday_code and day in holiday_dates(cal.holiday_code, day.year)):
        return False
    return not (cal.weekdays_explicit and day.weekday() in cal.closed_weekdays)


def window_never_opens(window, cal):
    days = {WEEKDAY_NAMES.index(d) for d in window["days"]}
    return cal is not None and cal.weekdays_explicit and days <= cal.closed_weekdays


@PROPS
@given(zones, instants, windows, st.one_of(st.none(), calendars()))
def test_send_window_result_is_inside_window_on_allowed_day(zone, instant, window, cal):
    if window_never_opens(window, cal):
        with pytest.raises(CalendarError):
            next_send_time(instant, window, zone, cal)
        return
    got = next_send_time(instant, window, zone, cal)
    assert got >= instant
    local = to_local(got, zone)
    assert reference_allowed(local.date(), window, cal)
    assert window["start"] <= local.strftime("%H:%M") < window["end"]
    # an instant already inside the window is never moved
    assert next_send_time(got, window, zone, cal) == got
    # no allowed day was skipped: every day strictly between the input's local day and the
    # result's is not allowed, or its window lies wholly in a DST gap
    start = time.fromisoformat(window["start"])
    day = to_local(instant, zone).date() + timedelta(days=1)
    while day < local.date():
        if reference_allowed(day, window, cal):
            opened, gap = reference_localize(day, start, zone)
            assert gap and to_local(opened, zone).strftime("%H:%M") >= window["end"], day
        day += timedelta(days=1)


@PROPS
@given(zones, hot_days, st.integers(-400, 400), st.integers(-60, 60), hot_minutes)
def test_moving_the_anchor_by_n_days_moves_results_by_n_local_days(zone, wedding, offset, n, at):
    spec = {"anchor": "wedding_date", "offset": {"days": offset}, "at": at.strftime("%H:%M")}
    a = resolve_time(spec, client_dates={"wedding_date": wedding}, tz=zone)
    b = resolve_time(spec, client_dates={"wedding_date": wedding + timedelta(days=n)}, tz=zone)
    la, lb = to_local(a, zone), to_local(b, zone)
    # local days move by exactly n (a gap shift never crosses midnight in these zones since 1995)
    assert (lb.date() - la.date()).days == n
    assert la.date() == wedding + timedelta(days=offset)
    # and both keep the wall clock unless in a gap
    for got, day in ((la, wedding + timedelta(days=offset)), (lb, wedding + timedelta(days=offset + n))):
        _, gap = reference_localize(day, at, zone)
        assert got.replace(tzinfo=None) == datetime.combine(day, at) + gap


@PROPS
@given(zones, instants, st.integers(0, 60), st.integers(0, 48), st.integers(0, 120))
def test_duration_days_are_local_days_and_hours_are_elapsed(zone, instant, n_days, hours, mins):
    after_days = add_duration(instant, {"days": n_days}, zone)
    local_in = to_local(instant, zone)
    local_out = to_local(after_days, zone)
    assert (local_out.date() - local_in.date()).days == n_days
    if n_days:
        _, gap = reference_localize(local_out.date(), local_in.time(), zone)
        assert local_out.replace(tzinfo=None) == datetime.combine(local_out.date(), local_in.time()) + gap
    full = add_duration(instant, {"days": n_days, "hours": hours, "minutes": mins}, zone)
    assert full - after_days == timedelta(hours=hours, minutes=mins)
