"""The real app in Chromium: shell, REST health on the same port, and the journey canvas."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from .helpers import center, document_json, drag_mouse, shot

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

NAV = ["Journeys", "Clients", "Approvals", "Outbox", "Analytics", "Settings"]
EDITOR = "/journeys/sample"
SAMPLE_NODES = 6
SAMPLE_EDGES = 5


def test_health_is_served_on_the_ui_port(running_app):
    with urllib.request.urlopen(running_app.url("/api/v1/health"), timeout=10) as resp:  # noqa: S310
        assert resp.status == 200
        assert json.loads(resp.read()) == {"status": "ok"}
    with urllib.request.urlopen(running_app.url("/api/v1/openapi.json"), timeout=10) as resp:  # noqa: S310
        assert "/api/v1/health" in json.loads(resp.read())["paths"]


def test_shell_renders_and_navigates(page, running_app):
    page.goto(running_app.url("/journeys"))
    nav = page.get_by_role("navigation", name="Main")
    for label in NAV:
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("heading", name="Journeys", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Photography: booked to gallery")).to_be_visible()
    shot(page, "shell-journeys")

    nav.get_by_role("link", name="Clients").click()
    expect(page).to_have_url(re.compile(r"/clients/?$"))
    expect(page.get_by_role("heading", name="Clients", level=1)).to_be_visible()

    nav.get_by_role("link", name="Journeys").click()
    page.get_by_role("link", name="Open editor").click()
    expect(page).to_have_url(re.compile(r"/journeys/sample/?$"))
    expect(page.get_by_test_id("journey-canvas")).to_be_visible()
    page.problems.assert_none()


def _open_editor(page, running_app):
    page.goto(running_app.url(EDITOR))
    canvas = page.get_by_test_id("journey-canvas")
    expect(canvas).to_have_attribute("data-node-count", str(SAMPLE_NODES))
    expect(page.locator(".react-flow__node")).to_have_count(SAMPLE_NODES)
    expect(page.get_by_test_id("node-count")).to_have_text(str(SAMPLE_NODES))
    return canvas


def test_canvas_renders_custom_nodes_with_labelled_handles(page, running_app):
    _open_editor(page, running_app)
    wait = page.locator('.react-flow__node[data-id="wait_answers"]')
    handles = wait.locator(".react-flow__handle.source")
    expect(handles).to_have_count(2)
    assert sorted(h.get_attribute("data-handleid") for h in handles.all()) == ["event", "timeout"]
    # The edge label is the source handle id.
    expect(page.locator(".react-flow__edge-text", has_text="timeout")).to_have_count(1)
    # Background, controls and minimap are mounted.
    for part in (".react-flow__background", ".react-flow__controls", ".react-flow__minimap"):
        expect(page.locator(part)).to_have_count(1)

    # Keyboard add (Enter on a palette item) for each branching type: check its handles.
    expected = {
        "condition": ["false", "true"],
        "split": ["a", "b"],
        "delay": [None, "past_due"],
        "wait_for": ["event", "timeout"],
    }
    for node_type, handle_ids in expected.items():
        page.get_by_test_id(f"palette-{node_type}").press("Enter")  # role=button, see below
        node = page.locator(f'.react-flow__node[data-id="{node_type}_1"]')
        expect(node).to_have_count(1)
        ids = sorted(
            (h.get_attribute("data-handleid") for h in node.locator(".react-flow__handle.source").all()),
            key=lambda v: (v is not None, v or ""),
        )
        assert ids == handle_ids, (node_type, ids)
    expect(page.get_by_test_id("node-count")).to_have_text(str(SAMPLE_NODES + len(expected)))
    shot(page, "canvas-node-types")
    page.problems.assert_none()


def test_drag_from_palette_and_connect_handles(page, running_app):
    canvas = _open_editor(page, running_app)
    shot(page, "canvas-loaded")
    flow = page.locator(".jf-flow")
    box = flow.bounding_box()
    assert box is not None

    # 1. HTML5 drag from the palette onto an empty spot of the canvas.
    page.get_by_role("button", name="Add Delay step").drag_to(
        flow, target_position={"x": 140, "y": box["height"] / 2}
    )
    expect(canvas).to_have_attribute("data-node-count", str(SAMPLE_NODES + 1))
    new_node = page.locator('.react-flow__node[data-id="delay_1"]')
    expect(new_node).to_be_visible()
    # The Python state received the drop (count badge and exported document).
    expect(page.get_by_test_id("node-count")).to_have_text(str(SAMPLE_NODES + 1))
    doc = document_json(page)
    added = next(n for n in doc["nodes"] if n["id"] == "delay_1")
    assert added["type"] == "delay"
    assert added["config"] == {"duration": {"days": 1}}
    assert set(added["position"]) == {"x", "y"}
    shot(page, "canvas-dropped")

    # 2. Connect "thanks" (unlabelled output) -> the new delay node.
    thanks_out = page.locator('.react-flow__node[data-id="thanks"] .react-flow__handle.source')
    delay_in = new_node.locator(".react-flow__handle.target")
    drag_mouse(page, thanks_out, delay_in)
    expect(canvas).to_have_attribute("data-edge-count", str(SAMPLE_EDGES + 1))
    expect(page.get_by_test_id("edge-count")).to_have_text(str(SAMPLE_EDGES + 1))

    # 3. Connect the delay's labelled "past_due" handle -> "reminder": the label is the handle id.
    past_due = new_node.locator('.react-flow__handle.source[data-handleid="past_due"]')
    reminder_in = page.locator('.react-flow__node[data-id="reminder"] .react-flow__handle.target')
    drag_mouse(page, past_due, reminder_in)
    expect(page.get_by_test_id("edge-count")).to_have_text(str(SAMPLE_EDGES + 2))

    doc = document_json(page)
    assert {"from": "thanks", "to": "delay_1"} in doc["edges"]
    assert {"from": "delay_1", "to": "reminder", "when": "past_due"} in doc["edges"]
    assert doc["format"] == "journeys/v1"
    assert len(doc["nodes"]) == SAMPLE_NODES + 1
    shot(page, "canvas-connected")

    # 4. Selecting a node shows it in the inspector.
    new_node.click()
    expect(page.get_by_test_id("selected-node-json")).to_contain_text('"id": "delay_1"')

    # 5. Moving a node reports its new (grid-snapped) position when the drag ends.
    before = next(n for n in document_json(page)["nodes"] if n["id"] == "welcome")["position"]
    title = page.locator('.react-flow__node[data-id="welcome"] .jf-node__title')
    x, y = center(title)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 160, y + 30, steps=10)
    page.mouse.up()
    after = _wait_for_position_change(page, "welcome", before)
    assert after["x"] > before["x"] and after["y"] > before["y"], (before, after)
    assert after["x"] % 20 == 0 and after["y"] % 20 == 0, after

    # 6. Deleting the selected node removes it and its edges, in the canvas and in Python.
    new_node.click()
    page.keyboard.press("Delete")
    expect(canvas).to_have_attribute("data-node-count", str(SAMPLE_NODES))
    expect(page.get_by_test_id("node-count")).to_have_text(str(SAMPLE_NODES))
    expect(page.get_by_test_id("edge-count")).to_have_text(str(SAMPLE_EDGES))
    assert all("delay_1" not in (e["from"], e["to"]) for e in document_json(page)["edges"])

    # 7. Reset replaces the canvas from Python (revision bump): the sample comes back.
    page.get_by_role("button", name="Add Exit step").press("Enter")
    expect(page.get_by_test_id("node-count")).to_have_text(str(SAMPLE_NODES + 1))
    page.get_by_role("button", name="Reset").click()
    expect(canvas).to_have_attribute("data-node-count", str(SAMPLE_NODES))
    expect(page.get_by_test_id("edge-count")).to_have_text(str(SAMPLE_EDGES))
    expect(page.locator('.react-flow__node[data-id="exit_1"]')).to_have_count(0)
    page.problems.assert_none()


def _wait_for_position_change(page, node_id, before, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while True:
        now = next(n for n in document_json(page)["nodes"] if n["id"] == node_id)["position"]
        if now != before or time.monotonic() > deadline:
            return now
        page.wait_for_timeout(100)
