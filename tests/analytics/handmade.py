"""A small journey and seven runs written row by row, with every expected figure worked out by
hand in the comments. The analytics tests load it (whole, or in two halves around a refresh)
into SQLite and PostgreSQL and compare."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from engine.storage.sql import tables as T

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(days=20)
DAY = timedelta(days=1)
VENDOR, JOURNEY = "ven_a", "jny_a"

DOCUMENT = {
    "format": "journeys/v1", "name": "Handmade",
    "settings": {"goal": {"event": "payment_received"}},
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "welcome", "type": "email", "title": "Welcome",
         "config": {"subject": "Hi", "body": "Hello"}},
        {"id": "wait", "type": "wait_for", "title": "Questionnaire back?",
         "config": {"event": "form_submitted", "timeout": {"days": 7}}},
        {"id": "nudge", "type": "email", "config": {"subject": "Nudge", "body": "Please"}},
        {"id": "split", "type": "split", "title": "Offer test",
         "config": {"branches": [{"label": "a", "weight": 50}, {"label": "b", "weight": 50}]}},
        {"id": "offer_a", "type": "email", "config": {"subject": "A", "body": "A"}},
        {"id": "offer_b", "type": "email", "config": {"subject": "B", "body": "B"}},
        {"id": "end", "type": "exit"},
    ],
    "edges": [
        {"from": "start", "to": "welcome"}, {"from": "welcome", "to": "wait"},
        {"from": "wait", "to": "split", "when": "event"},
        {"from": "wait", "to": "nudge", "when": "timeout"},
        {"from": "nudge", "to": "end"},
        {"from": "split", "to": "offer_a", "when": "a"},
        {"from": "split", "to": "offer_b", "when": "b"},
        {"from": "offer_a", "to": "end"}, {"from": "offer_b", "to": "end"},
    ],
}

# client id -> (lead source, wedding date)
CLIENTS = {
    "c1": ("instagram", date(2027, 6, 5)),
    "c2": ("instagram", date(2027, 6, 12)),
    "c3": ("referral", date(2027, 7, 3)),
    "c4": ("referral", date(2027, 7, 10)),
    "c5": (None, None),
    "c6": ("instagram", date(2027, 6, 20)),
    "c7": ("referral", date(2027, 7, 24)),
}


def _path(run: str, client: str, start: datetime, version: int,
          nodes: list[tuple[str, str, str, float, dict]]) -> list[dict[str, Any]]:
    """Step rows for a run walking `nodes` = (node, type, outcome, days spent there, detail)."""
    rows, at = [], start
    for seq, (node, node_type, outcome, days, detail) in enumerate(nodes, start=1):
        entered = at
        at = entered + timedelta(days=days)
        rows.append({"run_id": run, "key": f"{node}#1", "node": node, "visit": 1,
                     "type": node_type, "outcome": outcome, "at": at, "seq": seq,
                     "actor": "engine", "detail": detail, "vendor_id": VENDOR,
                     "journey_id": JOURNEY, "version": version, "client_id": client,
                     "entered_at": entered})
    return rows


START, WELCOME = ("start", "trigger", "done", 0, {}), ("welcome", "email", "sent", 0, {})
END = ("end", "exit", "done", 0, {})


def _wait(outcome: str, days: float) -> tuple:
    return ("wait", "wait_for", outcome, days, {"event": "form_submitted"} if outcome == "event"
            else {})


def _split(branch: str) -> tuple:
    return ("split", "split", "done", 0, {"branch": branch})


# r1: event after 2 days, branch a, converted.          -> completed
# r2: event after 4 days, branch b.                      -> completed
# r3: timeout after 7 days, nudge, converted.            -> completed
# r4: waiting at `wait` since day 1 (timeout far ahead). -> waiting (stuck: waiting_long)
# r5: welcome failed.                                    -> failed (stuck: failed)
# r6: event after 6 days, branch a, held at offer_a by the send window, due 1 h ago.
#                                                        -> waiting (stuck: overdue)
# r7: version 2, the r1 path, converted.                 -> completed
STEPS = {
    "r1": _path("r1", "c1", T0, 1, [START, WELCOME, _wait("event", 2), _split("a"),
                                   ("offer_a", "email", "sent", 0, {}), END]),
    "r2": _path("r2", "c2", T0, 1, [START, WELCOME, _wait("event", 4), _split("b"),
                                   ("offer_b", "email", "sent", 0, {}), END]),
    "r3": _path("r3", "c3", T0 + DAY, 1, [START, WELCOME, _wait("timeout", 7),
                                         ("nudge", "email", "sent", 0, {}), END]),
    "r4": _path("r4", "c4", T0 + DAY, 1, [START, WELCOME]),
    "r5": _path("r5", "c5", T0 + 2 * DAY, 1, [START, ("welcome", "email", "failed", 0,
                                                    {"error": "template failed"})]),
    "r6": _path("r6", "c6", T0 + 2 * DAY, 1, [START, WELCOME, _wait("event", 6), _split("a")]),
    "r7": _path("r7", "c7", T0 + 3 * DAY, 2, [START, WELCOME, _wait("event", 2), _split("a"),
                                             ("offer_a", "email", "sent", 0, {}), END]),
}


def _run(rid: str, client: str, version: int, status: str, node: str | None, *,
         goal: bool = False, due_at: datetime | None = None, wait: dict | None = None,
         entered_at: datetime | None = None) -> dict[str, Any]:
    steps = STEPS[rid]
    started, last = steps[0]["entered_at"], steps[-1]["at"]
    ended = last if status == "completed" else None
    return {"id": rid, "vendor_id": VENDOR, "journey_id": JOURNEY, "version": version,
            "client_id": client, "status": status, "node": node, "visit": 1,
            "visits": {}, "wait": wait, "event": {}, "due_at": due_at, "split_key": client,
            "seq": len(steps), "paused_status": None,
            "error": "template failed" if status == "failed" else None,
            "goal_at": last if goal else None, "entered_at": entered_at or last,
            "started_at": started, "ended_at": ended, "updated_at": last}


RUNS = [
    _run("r1", "c1", 1, "completed", "end", goal=True),
    _run("r2", "c2", 1, "completed", "end"),
    _run("r3", "c3", 1, "completed", "end", goal=True),
    _run("r4", "c4", 1, "waiting", "wait", due_at=NOW + 30 * DAY,
         wait={"kind": "wait_for", "event": "form_submitted"}),
    _run("r5", "c5", 1, "failed", "welcome", entered_at=T0 + 2 * DAY),
    _run("r6", "c6", 1, "waiting", "offer_a", due_at=NOW - timedelta(hours=1),
         wait={"kind": "window"}),
    _run("r7", "c7", 2, "completed", "end", goal=True),
]


def load(conn: Any, *, runs: bool = True, steps: str = "all") -> None:
    """Insert the fixture; steps="first"/"rest" inserts each run's first three steps / the
    others (to put some behind a refresh and some after it)."""
    if runs:
        conn.execute(T.vendor.insert(), [{"id": VENDOR, "name": "V", "timezone": "UTC",
                                          "blackout_dates": [], "settings": {}}])
        conn.execute(T.journey.insert(), [{"id": JOURNEY, "vendor_id": VENDOR, "name": "H",
                                           "draft": DOCUMENT, "live_version": 2,
                                           "latest_version": 2, "archived": False}])
        conn.execute(T.journey_version.insert(), [
            {"journey_id": JOURNEY, "version": v, "document": DOCUMENT, "published_at": T0}
            for v in (1, 2)])
        conn.execute(T.client.insert(), [
            {"id": cid, "vendor_id": VENDOR, "name": f"Couple {cid}",
             "email": f"{cid}@example.com", "external_id": cid, "status": None,
             "timezone": None, "wedding_date": wedding, "dates": {},
             "fields": {"lead_source": source} if source else {}, "tags": [],
             "form_answers": {}} for cid, (source, wedding) in CLIENTS.items()])
        conn.execute(T.run.insert(), RUNS)
    rows = []
    for rid in sorted(STEPS):
        part = STEPS[rid]
        rows += part if steps == "all" else part[:3] if steps == "first" else part[3:]
    if rows:
        conn.execute(T.step.insert(), rows)
