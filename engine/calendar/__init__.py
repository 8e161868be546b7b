"""Pure calendar arithmetic for journeys: time zones, durations, business days, TIMEs, send windows.

No database, no clock: every instant is passed in. Instants going in and out are aware datetimes
(results are always UTC); local dates and times are computed from an explicit zone.

Modules, one job each:
  validation  - (code, message) checks for the calendar parts of a document
  zones       - zone lookup, the client's zone, and the DST rule (localize)
  durations   - DURATION arithmetic
  business    - open days and business-day steps (BusinessCalendar)
  times       - TIME -> instant, business-day delays, days_until
  windows     - send windows
"""
from .business import BusinessCalendar, coerce_date, holiday_dates
from .durations import add_duration, duration_seconds_estimate
from .times import anchor_name, days_until, delay_business_days, resolve_time
from .validation import (
    check_calendar,
    check_duration,
    check_duration_or_time,
    check_holiday_code,
    check_send_window,
    check_time_spec,
    check_timezone,
    is_time_spec,
    known_timezones,
    split_holiday_code,
)
from .windows import check_send_window_calendar, is_allowed_day, next_send_time
from .zones import (
    UTC,
    as_zone,
    client_zone,
    format_local,
    format_utc,
    get_zone,
    local_date,
    localize,
    parse_hhmm,
    to_local,
    to_utc,
)

__all__ = [
    "UTC",
    "BusinessCalendar",
    "add_duration",
    "anchor_name",
    "as_zone",
    "check_calendar",
    "check_duration",
    "check_duration_or_time",
    "check_holiday_code",
    "check_send_window",
    "check_send_window_calendar",
    "check_time_spec",
    "check_timezone",
    "client_zone",
    "coerce_date",
    "days_until",
    "delay_business_days",
    "duration_seconds_estimate",
    "format_local",
    "format_utc",
    "get_zone",
    "holiday_dates",
    "is_allowed_day",
    "is_time_spec",
    "known_timezones",
    "local_date",
    "localize",
    "next_send_time",
    "parse_hhmm",
    "resolve_time",
    "split_holiday_code",
    "to_local",
    "to_utc",
]
