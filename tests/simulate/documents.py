"""Journeys, clients and events for the simulation tests, as the JSON files users write."""
from __future__ import annotations

import copy


def every_outcome() -> dict:
    """A journey whose two sample clients between them produce every outcome of the spec."""
    return copy.deepcopy({
        "format": "journeys/v1",
        "name": "Every outcome",
        "settings": {"timezone": "UTC"},
        "nodes": [
            {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
            {"id": "hello", "type": "email",
             "config": {"subject": "Hi {{ client.first_name }}", "body": "Welcome"}},
            {"id": "await", "type": "wait_for",
             "config": {"event": "custom:call_booked", "timeout": {"days": 2}}},
            {"id": "booked_mail", "type": "email",
             "config": {"subject": "See you on the call", "body": "Great"}},
            {"id": "approve_mail", "type": "email",
             "config": {"subject": "Shall we talk?", "body": "Book a call",
                        "requires_approval": True,
                        "approval": {"timeout": {"hours": 1}, "on_timeout": "skip"}}},
            {"id": "month_before", "type": "delay",
             "config": {"until": {"anchor": "wedding_date", "offset": {"days": -30}}}},
            {"id": "check", "type": "condition",
             "config": {"all": [{"field": "client.tags", "op": "contains", "value": "vip"}]}},
            {"id": "vip_task", "type": "action",
             "config": {"action": "create_task", "title": "Send flowers"}},
            {"id": "end", "type": "exit"},
        ],
        "edges": [
            {"from": "start", "to": "hello"}, {"from": "hello", "to": "await"},
            {"from": "await", "to": "booked_mail", "when": "event"},
            {"from": "await", "to": "approve_mail", "when": "timeout"},
            {"from": "booked_mail", "to": "month_before"},
            {"from": "approve_mail", "to": "month_before"},
            {"from": "month_before", "to": "check"},
            {"from": "check", "to": "vip_task", "when": "true"},
            {"from": "check", "to": "end", "when": "false"},
            {"from": "vip_task", "to": "end"},
        ],
    })


CLIENTS = [
    {"id": "c1", "name": "Ana Lima", "email": "ana@example.com", "timezone": "America/New_York",
     "wedding_date": "2027-06-12", "tags": ["vip"]},
    {"id": "c2", "name": "Ben Cho", "email": "ben@example.com", "wedding_date": "2027-01-20"},
]
EVENTS = [{"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "custom:call_booked",
           "data": {}}]
START = "2027-01-04T10:00:00Z"


def line(client, node, type, at, local, outcome):
    return {"client": client, "node": node, "type": type, "at": at, "local": local,
            "outcome": outcome}


EXPECTED = {
    "steps": [
        line("c1", "hello", "email", "2027-01-04T10:00:00Z", "2027-01-04T05:00:00-05:00", "sent"),
        line("c2", "hello", "email", "2027-01-04T10:00:00Z", "2027-01-04T10:00:00+00:00", "sent"),
        line("c1", "await", "wait_for", "2027-01-05T10:00:00Z", "2027-01-05T05:00:00-05:00",
             "event"),
        line("c1", "booked_mail", "email", "2027-01-05T10:00:00Z", "2027-01-05T05:00:00-05:00",
             "sent"),
        line("c2", "await", "wait_for", "2027-01-06T10:00:00Z", "2027-01-06T10:00:00+00:00",
             "timeout"),
        line("c2", "approve_mail", "email", "2027-01-06T11:00:00Z", "2027-01-06T11:00:00+00:00",
             "skipped"),
        # 30 days before 2027-01-20 was 2026-12-21: long past, and no past_due edge
        line("c2", "month_before", "delay", "2027-01-06T11:00:00Z", "2027-01-06T11:00:00+00:00",
             "past_due"),
        line("c2", "check", "condition", "2027-01-06T11:00:00Z", "2027-01-06T11:00:00+00:00",
             "done"),
        line("c2", "end", "exit", "2027-01-06T11:00:00Z", "2027-01-06T11:00:00+00:00", "done"),
        # 2027-05-13 09:00 in New York (EDT)
        line("c1", "month_before", "delay", "2027-05-13T13:00:00Z", "2027-05-13T09:00:00-04:00",
             "done"),
        line("c1", "check", "condition", "2027-05-13T13:00:00Z", "2027-05-13T09:00:00-04:00",
             "done"),
        line("c1", "vip_task", "action", "2027-05-13T13:00:00Z", "2027-05-13T09:00:00-04:00",
             "done"),
        line("c1", "end", "exit", "2027-05-13T13:00:00Z", "2027-05-13T09:00:00-04:00", "done"),
    ],
    "runs": [
        {"client": "c1", "status": "completed",
         "path": ["start", "hello", "await", "booked_mail", "month_before", "check", "vip_task",
                  "end"]},
        {"client": "c2", "status": "completed",
         "path": ["start", "hello", "await", "approve_mail", "month_before", "check", "end"]},
    ],
}


def ab_test() -> dict:
    return {
        "format": "journeys/v1", "name": "A/B",
        "nodes": [
            {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
            {"id": "ab", "type": "split", "config": {"branches": [
                {"label": "a", "weight": 1}, {"label": "b", "weight": 1}]}},
            {"id": "mail_a", "type": "email", "config": {"subject": "A", "body": "a"}},
            {"id": "mail_b", "type": "email", "config": {"subject": "B", "body": "b"}},
        ],
        "edges": [{"from": "start", "to": "ab"},
                  {"from": "ab", "to": "mail_a", "when": "a"},
                  {"from": "ab", "to": "mail_b", "when": "b"}],
    }


def countdown() -> dict:
    """Reminders before the wedding and an anniversary note a year after it."""
    return {
        "format": "journeys/v1", "name": "Countdown",
        "settings": {"timezone": "Europe/London"},
        "nodes": [
            {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
            {"id": "week_before", "type": "delay",
             "config": {"until": {"anchor": "wedding_date", "offset": {"days": -7},
                                  "at": "10:00"}}},
            {"id": "reminder", "type": "email", "config": {"subject": "One week!", "body": "x"}},
            {"id": "anniversary_wait", "type": "delay",
             "config": {"until": {"anchor": "wedding_date", "offset": {"days": 366},
                                  "at": "10:00"}}},
            {"id": "anniversary", "type": "email",
             "config": {"subject": "Happy anniversary", "body": "x"}},
        ],
        "edges": [{"from": "start", "to": "week_before"},
                  {"from": "week_before", "to": "reminder"},
                  {"from": "reminder", "to": "anniversary_wait"},
                  {"from": "anniversary_wait", "to": "anniversary"}],
    }
