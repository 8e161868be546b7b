"""Validators: codes, and messages that start with `where` and name the exact problem."""
import pytest

from engine.calendar import (
    check_calendar,
    check_duration,
    check_duration_or_time,
    check_send_window,
    check_time_spec,
    check_timezone,
)


def codes(problems):
    return [c for c, _ in problems]


def assert_one(problems, code, where, *fragments):
    assert len(problems) == 1, problems
    got_code, message = problems[0]
    assert got_code == code
    assert message.startswith(where + ":") or message.startswith(where + "."), message
    for f in fragments:
        assert f in message, (f, message)


def test_timezone():
    assert check_timezone("Europe/London", "client.timezone") == []
    assert check_timezone("America/Sao_Paulo", "x") == []
    assert check_timezone("UTC", "x") == []
    assert_one(check_timezone("Europe/Londres", "client.timezone"), "UNKNOWN_TIMEZONE",
               "client.timezone", "'Europe/Londres'")
    assert_one(check_timezone("europe/london", "tz"), "UNKNOWN_TIMEZONE", "tz")
    assert_one(check_timezone("localtime", "tz"), "UNKNOWN_TIMEZONE", "tz")
    assert_one(check_timezone("", "tz"), "UNKNOWN_TIMEZONE", "tz")
    assert_one(check_timezone(5, "settings.timezone"), "INVALID_CONFIG", "settings.timezone", "string", "int")
    assert_one(check_timezone(None, "tz"), "INVALID_CONFIG", "tz", "null")


def test_duration():
    for ok in ({}, {"days": 3}, {"weeks": 1, "days": 0, "hours": 2, "minutes": 30}):
        assert check_duration(ok, "n.config.duration") == []
    assert_one(check_duration({"days": -1}, "n.duration"), "INVALID_DURATION", "n.duration.days", "negative", "-1")
    assert_one(check_duration({"months": 1}, "n.duration"), "INVALID_DURATION", "n.duration", "'months'")
    assert_one(check_duration({"hours": 1.5}, "d"), "INVALID_DURATION", "d.hours", "whole number", "1.5")
    assert_one(check_duration({"hours": True}, "d"), "INVALID_DURATION", "d.hours", "True")
    assert_one(check_duration({"days": "2"}, "d"), "INVALID_DURATION", "d.days", "'2'")
    assert_one(check_duration(3, "d"), "INVALID_DURATION", "d", "int")
    assert_one(check_duration({"weeks": 10_000}, "d"), "INVALID_DURATION", "d.weeks", "too large")
    # every problem at once
    assert codes(check_duration({"days": -1, "hours": "x", "years": 1}, "d")) == ["INVALID_DURATION"] * 3


@pytest.mark.parametrize("spec", [
    {"anchor": "wedding_date"},
    {"anchor": "wedding_date", "offset": {"days": -30}, "at": "10:00"},
    {"anchor": "dates.engagement_shoot", "offset": {"business_days": 2}},
    {"anchor": "engagement_shoot", "offset": {"days": 0}, "at": "23:59"},
    {"anchor": "a" * 64},
    {"date": "2027-01-15", "at": "09:00"},
    {"date": "2028-02-29"},
])
def test_time_spec_ok(spec):
    assert check_time_spec(spec, "nodes.t.config") == []


def test_time_spec_errors():
    w = "nodes.t.config"
    assert_one(check_time_spec({"anchor": "wedding_date", "at": "9:00"}, w), "INVALID_TIME", w + ".at", "'9:00'")
    assert_one(check_time_spec({"anchor": "wedding_date", "at": "24:00"}, w), "INVALID_TIME", w + ".at")
    assert_one(check_time_spec({"anchor": "wedding date"}, w), "INVALID_TIME", w + ".anchor", "'wedding date'")
    assert_one(check_time_spec({"anchor": "a" * 65}, w), "INVALID_TIME", w + ".anchor")
    assert_one(check_time_spec({"anchor": "dates."}, w), "INVALID_TIME", w + ".anchor")
    assert_one(check_time_spec({"anchor": 3}, w), "INVALID_TIME", w + ".anchor")
    assert_one(check_time_spec({"anchor": "x", "offset": {"weeks": 1}}, w), "INVALID_TIME", w + ".offset", "'weeks'")
    assert_one(check_time_spec({"anchor": "x", "offset": {"days": 1, "business_days": 1}}, w),
               "INVALID_TIME", w + ".offset", "exactly one")
    assert_one(check_time_spec({"anchor": "x", "offset": {"days": 1.0}}, w), "INVALID_TIME", w + ".offset.days")
    assert_one(check_time_spec({"anchor": "x", "offset": -3}, w), "INVALID_TIME", w + ".offset")
    assert_one(check_time_spec({"anchor": "x", "offset": {"days": 99999}}, w), "INVALID_TIME", w + ".offset.days", "too far")
    assert_one(check_time_spec({"anchor": "x", "when": "later"}, w), "INVALID_TIME", w, "'when'")
    assert_one(check_time_spec({"date": "2027-02-29"}, w), "INVALID_TIME", w + ".date", "'2027-02-29'")
    assert_one(check_time_spec({"date": "20270115"}, w), "INVALID_TIME", w + ".date")
    assert_one(check_time_spec({"date": "2027-01-15", "offset": {"days": 1}}, w), "INVALID_TIME", w, "'offset'")
    assert_one(check_time_spec({"date": "2027-01-15", "anchor": "x"}, w), "INVALID_TIME", w, "both")
    assert_one(check_time_spec({"at": "09:00"}, w), "INVALID_TIME", w, "anchor", "date")
    assert_one(check_time_spec("2027-01-15", w), "INVALID_TIME", w, "str")


def test_duration_or_time():
    assert check_duration_or_time({"days": 2}, "t") == []
    assert check_duration_or_time({"anchor": "wedding_date"}, "t") == []
    assert codes(check_duration_or_time({"anchor": "wedding_date", "days": 2}, "t")) == ["INVALID_TIME"]
    assert codes(check_duration_or_time({"days": -2}, "t")) == ["INVALID_DURATION"]
    assert_one(check_duration_or_time(None, "n.timeout"), "INVALID_DURATION", "n.timeout", "DURATION", "TIME")


def test_calendar():
    assert check_calendar({}) == []
    assert check_calendar({"holidays": "US", "closed_weekdays": ["sat", "sun"], "closed_dates": ["2027-12-24"]}) == []
    for code in ("US", "GB-ENG", "US-CA", "AU-NSW", "DE-BY", "NZ", "BR", "IN"):
        assert check_calendar({"holidays": code}) == [], code
    assert_one(check_calendar({"holidays": "XX"}), "UNKNOWN_HOLIDAY_CODE", "settings.calendar.holidays", "'XX'")
    assert_one(check_calendar({"holidays": "GB-XYZ"}), "UNKNOWN_HOLIDAY_CODE", "settings.calendar.holidays",
               "'XYZ'", "ENG")
    assert_one(check_calendar({"holidays": "us"}), "UNKNOWN_HOLIDAY_CODE", "settings.calendar.holidays", "'US'")
    assert_one(check_calendar({"holidays": "gb-eng"}), "UNKNOWN_HOLIDAY_CODE", "settings.calendar.holidays", "'GB-ENG'")
    assert_one(check_calendar({"holidays": 1}), "INVALID_CALENDAR", "settings.calendar.holidays")
    assert_one(check_calendar({"closed_weekdays": ["sat", "Sunday"]}), "INVALID_CALENDAR",
               "settings.calendar.closed_weekdays[1]", "'Sunday'")
    assert_one(check_calendar({"closed_weekdays": ["sat", "sat"]}), "INVALID_CALENDAR",
               "settings.calendar.closed_weekdays[1]", "twice")
    assert_one(check_calendar({"closed_weekdays": "sat"}), "INVALID_CALENDAR", "settings.calendar.closed_weekdays")
    assert_one(check_calendar({"closed_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}),
               "INVALID_CALENDAR", "settings.calendar.closed_weekdays", "seven")
    assert_one(check_calendar({"closed_dates": ["2027-12-24", "2027-13-01"]}), "INVALID_CALENDAR",
               "settings.calendar.closed_dates[1]", "'2027-13-01'")
    assert_one(check_calendar({"open": True}, "cal"), "INVALID_CALENDAR", "cal", "'open'")
    assert_one(check_calendar([], "cal"), "INVALID_CALENDAR", "cal", "list")


def test_send_window():
    ok = {"days": ["mon", "fri"], "start": "09:00", "end": "18:00"}
    assert check_send_window(ok) == []
    w = "settings.send_window"
    assert_one(check_send_window({**ok, "days": []}), "INVALID_SEND_WINDOW", w + ".days", "at least one")
    assert_one(check_send_window({**ok, "days": ["monday"]}), "INVALID_SEND_WINDOW", w + ".days[0]", "'monday'")
    assert_one(check_send_window({**ok, "start": "18:00", "end": "09:00"}), "INVALID_SEND_WINDOW", w, "before")
    assert_one(check_send_window({**ok, "start": "09:00", "end": "09:00"}), "INVALID_SEND_WINDOW", w, "before")
    assert_one(check_send_window({**ok, "start": "9am"}), "INVALID_SEND_WINDOW", w + ".start", "'9am'")
    assert_one(check_send_window({**ok, "end": "24:00"}), "INVALID_SEND_WINDOW", w + ".end")
    assert_one(check_send_window({"days": ["mon"], "start": "09:00"}), "INVALID_SEND_WINDOW", w, "'end'")
    assert_one(check_send_window({**ok, "tz": "UTC"}), "INVALID_SEND_WINDOW", w, "'tz'")
    assert_one(check_send_window("9-5"), "INVALID_SEND_WINDOW", w, "str")
