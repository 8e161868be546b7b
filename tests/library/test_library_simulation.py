"""Every library template, simulated for three couples: one booked a year out with every
optional date set, one with no optional dates at all, and one who books ten days before the
wedding. No run may fail or get stuck waiting for a date, and nobody gets a burst of emails."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from engine.clock import parse_instant
from engine.library import list_templates, load_template
from engine.simulate import simulate

START = date(2026, 9, 1)
KEYS = [info.key for info in list_templates()]


def _d(days: int) -> str:
    return (START + timedelta(days=days)).isoformat()


COUPLES = [
    {"id": "full", "name": "Ava & Liam", "email": "ava@example.com",
     "timezone": "America/New_York", "wedding_date": _d(300), "status": "booked",
     "tags": ["engagement_session", "bouquet_preservation", "destination"],
     "dates": {"engagement_shoot": _d(150), "final_payment": _d(270),
               "gallery_delivery": _d(342), "film_delivery": _d(390), "tasting": _d(180),
               "final_walkthrough": _d(290), "rehearsal": _d(299), "rsvp_deadline": _d(265),
               "planning_meeting": _d(280), "trial": _d(200)},
     "fields": {"venue_name": "Rosewood Barn", "gallery_url": "https://example.com/g",
                "film_url": "https://example.com/f", "balance_due": "$2,400",
                "first_dance_song": "At Last", "guest_count": 120}},
    {"id": "bare", "name": "Sam & Alex", "email": "sam@example.com",
     "timezone": "Europe/London", "wedding_date": _d(200), "status": "booked",
     "tags": [], "dates": {}, "fields": {}},
    {"id": "late", "name": "Mia & Noah", "email": "mia@example.com",
     "timezone": "America/Los_Angeles", "wedding_date": _d(10), "status": "booked",
     "tags": ["engagement_session"],
     "dates": {"final_payment": _d(3), "rehearsal": _d(9), "tasting": _d(-20)}, "fields": {}},
]


def _entry_events(doc):
    trigger = next(n for n in doc["nodes"] if n["type"] == "trigger")
    event = trigger["config"]["event"]
    if event in ("client_added", "date"):
        return []
    data = {"form": "inquiry"} if event == "form_submitted" else {}
    return [{"at": "2026-09-01T14:00:00Z", "client": c["id"], "type": event, "data": data}
            for c in COUPLES]


@pytest.fixture(scope="module")
def results():
    out = {}
    for key in KEYS:
        doc = load_template(key)
        out[key] = simulate(doc, COUPLES, _entry_events(doc),
                            start=parse_instant("2026-09-01T12:00:00Z"),
                            until=parse_instant("2028-09-01T00:00:00Z"),
                            vendor_timezone="America/New_York")
    return out


@pytest.mark.parametrize("key", KEYS)
def test_runs_never_fail_or_stall_on_a_missing_date(results, key):
    runs = results[key]["runs"]
    assert runs, "nobody was enrolled"
    for run in runs:
        assert run["status"] not in ("failed", "needs_date"), run


@pytest.mark.parametrize("key", KEYS)
def test_no_burst_of_emails(results, key):
    sends = Counter((s["client"], s["local"][:10]) for s in results[key]["steps"]
                    if s["outcome"] == "sent")
    assert sends, "nothing was sent"
    worst = max(sends.values())
    assert worst <= 3, sends.most_common(3)


@pytest.mark.parametrize("key", KEYS)
def test_every_run_finishes_within_two_years(results, key):
    for run in results[key]["runs"]:
        assert run["status"] == "completed", run
