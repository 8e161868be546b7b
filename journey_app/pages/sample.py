"""A sample journeys/v1 document the UI shows until the engine's storage lands."""

from __future__ import annotations

import copy
from typing import Any

SAMPLE_JOURNEY_ID = "sample"

_SAMPLE: dict[str, Any] = {
    "format": "journeys/v1",
    "name": "Photography: booked to gallery",
    "description": "Welcome a newly booked couple and collect their questionnaire.",
    "settings": {"timezone": "Europe/London"},
    "nodes": [
        {"id": "start", "type": "trigger", "title": "Client booked",
         "config": {"event": "client_added"}, "position": {"x": 0, "y": 0}},
        {"id": "welcome", "type": "email", "title": "Welcome email",
         "config": {"subject": "Welcome, {{ client.name }}!", "body": "We are so excited."},
         "position": {"x": 0, "y": 140}},
        {"id": "questionnaire", "type": "form", "title": "Questionnaire",
         "config": {"form": "questionnaire", "subject": "A few questions",
                    "body": "Please fill in {{ form_url }}"},
         "position": {"x": 0, "y": 280}},
        {"id": "wait_answers", "type": "wait_for", "title": "Wait for answers",
         "config": {"event": "form_submitted", "timeout": {"days": 7}},
         "position": {"x": 0, "y": 420}},
        {"id": "thanks", "type": "email", "title": "Thanks for your answers",
         "config": {"subject": "Thank you", "body": "Got it!"}, "position": {"x": -160, "y": 580}},
        {"id": "reminder", "type": "email", "title": "Friendly reminder",
         "config": {"subject": "Reminder", "body": "Please fill in the form."},
         "position": {"x": 160, "y": 580}},
    ],
    "edges": [
        {"from": "start", "to": "welcome"},
        {"from": "welcome", "to": "questionnaire"},
        {"from": "questionnaire", "to": "wait_answers"},
        {"from": "wait_answers", "to": "thanks", "when": "event"},
        {"from": "wait_answers", "to": "reminder", "when": "timeout"},
    ],
}


def sample_document() -> dict[str, Any]:
    """A fresh deep copy of the sample document."""
    return copy.deepcopy(_SAMPLE)
