"""Plain-English choices for the forms: events, condition operators, actions, zones, holidays.

Values are exactly the journeys/v1 names (engine/graph/schema.py is the authority); labels are
what a wedding vendor reads.
"""

from __future__ import annotations

# (value, label). "custom" stands for custom:<name> (the form asks for the name).
TRIGGER_EVENTS: list[tuple[str, str]] = [
    ("client_added", "A client is added"),
    ("form_submitted", "A form is submitted"),
    ("payment_received", "A payment is received"),
    ("manual", "I start it by hand"),
    ("date", "On a date (e.g. before the wedding)"),
    ("custom", "A custom event"),
]
WAIT_EVENTS: list[tuple[str, str]] = [
    ("form_submitted", "A form is submitted"),
    ("payment_received", "A payment is received"),
    ("manual", "A manual event"),
    ("client_added", "Client added"),
    ("custom", "A custom event"),
]
# Events a vendor can send by hand from a client's page.
SENDABLE_EVENTS: list[tuple[str, str]] = [
    ("form_submitted", "Form submitted"),
    ("payment_received", "Payment received"),
    ("manual", "Manual event"),
    ("custom", "Custom event"),
]

OPS: list[tuple[str, str]] = [
    ("eq", "is"),
    ("ne", "is not"),
    ("gt", "is greater than"),
    ("gte", "is at least"),
    ("lt", "is less than"),
    ("lte", "is at most"),
    ("in", "is one of"),
    ("not_in", "is none of"),
    ("contains", "contains"),
    ("exists", "is set"),
    ("not_exists", "is not set"),
    ("days_until_lte", "is at most N days away"),
    ("days_until_gte", "is at least N days away"),
]
UNARY_OPS = {"exists", "not_exists"}

CONDITION_FIELDS: list[str] = [
    "client.status",
    "client.tags",
    "client.wedding_date",
    "client.name",
    "client.email",
    "client.timezone",
    "client.fields.lead_source",
    "client.fields.package",
    "client.dates.engagement_shoot",
    "event.amount",
    "event.kind",
    "event.form",
]

ACTIONS: list[tuple[str, str]] = [
    ("add_tag", "Add a tag"),
    ("remove_tag", "Remove a tag"),
    ("update_status", "Change the client's status"),
    ("set_field", "Set a client field"),
    ("create_task", "Create a task for me"),
    ("webhook", "Call a webhook"),
]
ACTION_DEFAULTS: dict[str, dict] = {
    "add_tag": {"tag": "engaged"},
    "remove_tag": {"tag": "lead"},
    "update_status": {"status": "booked"},
    "set_field": {"field": "package", "value": "full day"},
    "create_task": {"title": "Call {{ client.name }}"},
    "webhook": {"url": "https://example.com/hook", "method": "POST"},
}
WEBHOOK_METHODS = ["POST", "PUT", "PATCH", "GET", "DELETE"]

DURATION_UNITS: list[tuple[str, str]] = [
    ("weeks", "weeks"), ("days", "days"), ("hours", "hours"), ("minutes", "minutes"),
]

WEEKDAYS: list[tuple[str, str]] = [
    ("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"),
    ("sat", "Sat"), ("sun", "Sun"),
]

COMMON_TIMEZONES: list[str] = [
    "UTC",
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Toronto",
    "America/Vancouver", "America/Mexico_City", "America/Sao_Paulo", "America/Buenos_Aires",
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris",
    "Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome",
    "Europe/Vienna", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Warsaw",
    "Europe/Prague", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Africa/Cairo",
    "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok",
    "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
    "Australia/Perth", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney",
    "Australia/Melbourne", "Pacific/Auckland",
]

HOLIDAY_CALENDARS: list[tuple[str, str]] = [
    ("none", "No public holidays"),
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB-ENG", "England"),
    ("GB-SCT", "Scotland"),
    ("GB-WLS", "Wales"),
    ("GB-NIR", "Northern Ireland"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("PT", "Portugal"),
    ("NL", "Netherlands"),
    ("MX", "Mexico"),
    ("ZA", "South Africa"),
]

CLIENT_STATUSES: list[str] = ["lead", "booked", "married", "archived"]


def labels(pairs: list[tuple[str, str]]) -> dict[str, str]:
    return dict(pairs)
