"""The real app in Chromium: REST health on the UI port, sign-in guard, shell navigation and
the journey canvas' custom nodes and labelled handles."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from .helpers import SAMPLE_JOURNEY, center, create_journey, document_json, node, shot

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

NAV = ["Journeys", "Clients", "Approvals", "Outbox", "Analytics", "Settings"]
SAMPLE_NODES = len(SAMPLE_JOURNEY["nodes"])


def test_health_is_served_on_the_ui_port(running_app):
    with urllib.request.urlopen(running_app.url("/api/v1/health"), timeout=10) as resp:  # noqa: S310
        assert resp.status == 200
        assert json.loads(resp.read()) == {"status": "ok"}
    with urllib.request.urlopen(running_app.url("/api/v1/openapi.json"), timeout=10) as resp:  # noqa: S310
        assert "/api/v1/health" in json.loads(resp.read())["paths"]


def test_signed_out_visitors_go_to_the_login_page(page, running_app):
    page.goto(running_app.url("/clients"))
    expect(page).to_have_url(re.compile(r"/login/?\?next=(%2F|/)clients"))
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("invalid email or password",
                                                                 re.I))
    # The refused login is a 401 the browser logs as a failed resource: expected here.
    page.problems.errors[:] = [e for e in page.problems.errors if "401" not in e]
    page.problems.assert_none()


def test_shell_navigates_between_pages(app_page, running_app):
    page = app_page
    page.goto(running_app.url("/journeys"))
    nav = page.get_by_role("navigation", name="Main")
    for label in NAV:
        nav.get_by_role("link", name=label).click()
        expect(page.get_by_role("heading", name=label, level=1)).to_be_visible()
        expect(nav.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
    page.problems.assert_none()


def _open_sample(page, running_app) -> None:
    journey_id = create_journey(page, running_app.base_url, SAMPLE_JOURNEY)
    page.goto(running_app.url(f"/journeys/{journey_id}"))
    expect(page.get_by_test_id("journey-canvas")).to_have_attribute(
        "data-node-count", str(SAMPLE_NODES))
    expect(page.locator(".react-flow__node")).to_have_count(SAMPLE_NODES)


def test_canvas_renders_custom_nodes_with_labelled_handles(app_page, running_app):
    page = app_page
    _open_sample(page, running_app)
    handles = node(page, "wait_answers").locator(".react-flow__handle.source")
    expect(handles).to_have_count(2)
    assert sorted(h.get_attribute("data-handleid") for h in handles.all()) == ["event", "timeout"]
    expect(page.locator(".react-flow__edge-text", has_text="timeout")).to_have_count(1)
    for part in (".react-flow__background", ".react-flow__controls", ".react-flow__minimap"):
        expect(page.locator(part)).to_have_count(1)
    expect(node(page, "wait_answers")).to_contain_text("For form submitted, up to 7 days")

    expected = {"condition": ["false", "true"], "split": ["a", "b"],
                "delay": [None, "past_due"], "wait_for": ["event", "timeout"]}
    for node_type, handle_ids in expected.items():
        page.get_by_test_id(f"palette-{node_type}").press("Enter")
        added = node(page, f"{node_type}_1")
        expect(added).to_have_count(1)
        ids = sorted((h.get_attribute("data-handleid")
                      for h in added.locator(".react-flow__handle.source").all()),
                     key=lambda v: (v is not None, v or ""))
        assert ids == handle_ids, (node_type, ids)
    expect(page.get_by_test_id("node-count")).to_have_text(str(SAMPLE_NODES + len(expected)))
    shot(page, "canvas-node-types")
    page.problems.assert_none()


def test_dragging_a_node_snaps_it_to_the_grid(app_page, running_app):
    page = app_page
    _open_sample(page, running_app)
    before = next(n for n in document_json(page)["nodes"] if n["id"] == "welcome")["position"]
    x, y = center(node(page, "welcome").locator(".jf-node__title"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 90, steps=10)
    page.mouse.up()
    deadline = time.monotonic() + 10
    after = before
    while after == before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        after = next(n for n in document_json(page)["nodes"] if n["id"] == "welcome")["position"]
    assert after["y"] > before["y"], (before, after)
    assert after["x"] % 20 == 0 and after["y"] % 20 == 0, after
    page.problems.assert_none()


def test_log_in_and_log_out(page, running_app, vendor):
    page.goto(running_app.url("/login"))
    page.get_by_label("Email").fill(vendor.email)
    page.get_by_label("Password").fill(vendor.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/journeys/?$"))
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.goto(running_app.url("/settings"))  # the session is gone
    expect(page).to_have_url(re.compile(r"/login"))
    page.problems.assert_none()
