"""Small helpers shared by the browser tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"


def shot(page: Any, name: str) -> Path:
    """Save a full-window screenshot as test-artifacts/e2e/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def center(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not visible"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_mouse(page: Any, source: Any, target: Any, steps: int = 12) -> None:
    """Press on source, move to target in steps, release: a pointer drag (React Flow handles)."""
    sx, sy = center(source)
    tx, ty = center(target)
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=steps)
    page.mouse.move(tx, ty, steps=steps)
    page.mouse.up()


def document_json(page: Any) -> dict[str, Any]:
    """The journeys/v1 document the Python state currently holds (shown in the inspector)."""
    return json.loads(page.get_by_test_id("document-json").inner_text())


NODE_LABELS = {"trigger": "Trigger", "email": "Email", "form": "Form", "delay": "Delay",
               "wait_for": "Wait for", "condition": "Condition", "split": "Split",
               "action": "Action", "exit": "Exit"}


def node(page: Any, node_id: str) -> Any:
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def drop_step(page: Any, node_type: str, fx: float, fy: float) -> None:
    """HTML5-drag a palette item onto the canvas at (fx, fy) fractions of its size."""
    flow = page.locator(".jf-flow")
    box = flow.bounding_box()
    assert box is not None
    page.get_by_role("button", name=f"Add {NODE_LABELS[node_type]} step").drag_to(
        flow, target_position={"x": box["width"] * fx, "y": box["height"] * fy})


def connect(page: Any, source: str, target: str, handle: str | None = None) -> None:
    """Drag from a node's output handle (optionally the labelled one) to another's input."""
    selector = ".react-flow__handle.source"
    selector += f'[data-handleid="{handle}"]' if handle else ":not([data-handleid])"
    drag_mouse(page, node(page, source).locator(selector),
               node(page, target).locator(".react-flow__handle.target"))


def fit_view(page: Any) -> None:
    page.locator(".react-flow__controls-fitview").click()
    page.wait_for_timeout(400)


def choose(page: Any, combobox: str, option: str, scope: Any = None) -> None:
    """Pick an option of a Radix select by the select's label and the option's text."""
    (scope or page).get_by_role("combobox", name=combobox, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def journey_id_from_url(url: str) -> str:
    return url.rstrip("/").split("/journeys/")[1].split("/")[0].split("?")[0]


SAMPLE_JOURNEY: dict[str, Any] = {
    "format": "journeys/v1",
    "name": "Photography: booked to gallery",
    "description": "Welcome a newly booked couple and collect their questionnaire.",
    "settings": {"timezone": "Europe/London"},
    "nodes": [
        {"id": "start", "type": "trigger", "title": "Client booked",
         "config": {"event": "client_added"}, "position": {"x": 0, "y": 0}},
        {"id": "welcome", "type": "email", "title": "Welcome email",
         "config": {"subject": "Welcome, {{ client.name }}!", "body": "We are so excited."},
         "position": {"x": 280, "y": 0}},
        {"id": "questionnaire", "type": "form", "title": "Questionnaire",
         "config": {"form": "timeline_questionnaire", "subject": "A few questions",
                    "body": "Please fill in {{ form_url }}"},
         "position": {"x": 560, "y": 0}},
        {"id": "wait_answers", "type": "wait_for", "title": "Wait for answers",
         "config": {"event": "form_submitted", "timeout": {"days": 7}},
         "position": {"x": 840, "y": 0}},
        {"id": "thanks", "type": "email", "title": "Thanks for your answers",
         "config": {"subject": "Thank you", "body": "Got it!"}, "position": {"x": 1120, "y": -80}},
        {"id": "reminder", "type": "email", "title": "Friendly reminder",
         "config": {"subject": "Reminder", "body": "Please fill in the form."},
         "position": {"x": 1120, "y": 80}},
    ],
    "edges": [
        {"from": "start", "to": "welcome"},
        {"from": "welcome", "to": "questionnaire"},
        {"from": "questionnaire", "to": "wait_answers"},
        {"from": "wait_answers", "to": "thanks", "when": "event"},
        {"from": "wait_answers", "to": "reminder", "when": "timeout"},
    ],
}


def create_journey(page: Any, base_url: str, document: dict[str, Any]) -> str:
    """Create a draft through the REST API with the page's session cookie; returns its id."""
    response = page.context.request.post(base_url.rstrip("/") + "/api/v1/journeys",
                                         data=json.dumps(document),
                                         headers={"content-type": "application/json"})
    assert response.status == 201, response.text()
    return response.json()["id"]


def select_node(page: Any, node_id: str) -> Any:
    """Click a step and wait until the inspector shows it; returns the inspector form."""
    from playwright.sync_api import expect

    node(page, node_id).locator(".jf-node__kind").click()
    form = page.get_by_role("form", name="Step settings")
    expect(form).to_contain_text(node_id)
    expect(form.get_by_label("Step name")).to_have_value(re.compile(".+"))
    return form
