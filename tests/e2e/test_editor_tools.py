"""The editor's tools in the real app: keyboard undo/redo, copy/paste and delete, the
unsaved-changes warning, save with Ctrl+S, export and import of journeys/v1 JSON, starting from
a template, auto-layout, simulation of the draft; and the settings page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .helpers import ARTIFACTS, document_json, node, shot

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]


def _new_journey(page, running_app, name: str) -> None:
    page.goto(running_app.url("/journeys"))
    page.get_by_role("button", name="New journey").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Create journey").click()
    expect(page).to_have_url(re.compile(r"/journeys/jny"))
    expect(page.get_by_test_id("journey-canvas")).to_have_attribute("data-node-count", "1")


def _more(page, item: str) -> None:
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name=item).click()


def test_keyboard_history_clipboard_and_unsaved_warning(app_page, running_app):
    page = app_page
    _new_journey(page, running_app, "Keyboard journey")
    canvas = page.get_by_test_id("journey-canvas")
    count = page.get_by_test_id("node-count")

    page.get_by_role("button", name="Add Email step").press("Enter")
    expect(count).to_have_text("2")
    node(page, "email_1").click()  # select it (focus leaves the palette)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(canvas).to_have_attribute("data-node-count", "3")
    expect(node(page, "email_2")).to_be_visible()  # the copy got a fresh id

    page.keyboard.press("Control+z")
    expect(count).to_have_text("2")
    expect(node(page, "email_2")).to_have_count(0)
    page.keyboard.press("Control+y")
    expect(count).to_have_text("3")
    node(page, "email_2").click()
    page.keyboard.press("Delete")
    expect(count).to_have_text("2")
    page.get_by_role("button", name="Undo").click()  # the toolbar does the same
    expect(count).to_have_text("3")

    # Unsaved changes: leaving asks first (dismissed here, so we stay).
    expect(page.get_by_test_id("dirty-badge")).to_be_visible()
    messages: list[str] = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page).to_have_url(re.compile(r"/journeys/jny"))
    assert messages and "unsaved changes" in messages[0]

    # Ctrl+S saves the draft; then leaving is silent and the steps are kept.
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    page.keyboard.press("Control+s")
    expect(page.get_by_text("Draft saved")).to_be_visible()
    expect(page.get_by_test_id("dirty-badge")).to_have_count(0)
    url = page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page).to_have_url(re.compile(r"/clients/?$"))
    page.goto(url)
    expect(page.get_by_test_id("node-count")).to_have_text("3")
    page.problems.assert_none()


def test_templates_layout_export_import_and_simulation(app_page, running_app, tmp_path):
    page = app_page
    _new_journey(page, running_app, "From a template")

    _more(page, "Start from a template…")
    page.get_by_role("button", name="Use template Photography: inquiry to first anniversary"
                     ).click()
    expect(page.get_by_test_id("node-count")).not_to_have_text("1")
    count = int(page.get_by_test_id("node-count").inner_text())
    assert count > 20
    expect(page.get_by_test_id("valid-badge")).to_be_visible()
    page.get_by_role("button", name="Auto-layout").click()
    page.wait_for_timeout(600)
    xs = {n["position"]["x"] for n in document_json(page)["nodes"]}
    assert all(x % 280 == 0 for x in xs), xs
    shot(page, "15-template-auto-layout")

    with page.expect_download() as info:
        _more(page, "Export JSON")
    exported = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert exported["format"] == "journeys/v1" and len(exported["nodes"]) == count

    # Import a small file: it replaces the canvas (and can be undone).
    small = {"format": "journeys/v1", "name": "Imported",
             "nodes": [{"id": "start", "type": "trigger", "config": {"event": "manual"}},
                       {"id": "bye", "type": "exit"}],
             "edges": [{"from": "start", "to": "bye"}]}
    path = tmp_path / "imported.journey.json"
    path.write_text(json.dumps(small), encoding="utf-8")
    _more(page, "Import JSON…")
    page.get_by_role("dialog").locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_test_id("node-count")).to_have_text("2")
    expect(page.get_by_role("heading", name="Imported", level=1)).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_test_id("node-count")).to_have_text(str(count))

    # Simulate the draft on synthetic couples (it is saved first).
    _more(page, "Simulate…")
    expect(page).to_have_url(re.compile(r"/simulate/?$"))
    page.get_by_label("Couples", exact=True).fill("40")
    page.get_by_role("button", name="Run simulation").click()
    expect(page.get_by_text("Couples reaching each step")).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    expect(page.get_by_role("table")).to_contain_text("→")
    shot(page, "16-simulation")
    page.problems.assert_none()


def test_settings_api_key_and_blackout(app_page, running_app):
    page = app_page
    page.goto(running_app.url("/settings"))
    expect(page.get_by_label("Business name (sender name)")).to_have_value(
        "Golden Hour Photography")
    page.get_by_label("New key name").fill("Website form")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_test_id("new-api-key")).to_contain_text("jrn_")
    page.get_by_label("Blackout date").fill("2027-12-24")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("2027-12-24")).to_be_visible()
    expect(page.get_by_text("emails are captured in the Outbox")).to_be_visible()
    shot(page, "17-settings")
    page.problems.assert_none()
    assert ARTIFACTS.exists()


def test_changing_the_wedding_date_previews_the_reschedule(app_page, running_app):
    from .helpers import create_journey

    page = app_page
    page.goto(running_app.url("/journeys"))
    doc = {"format": "journeys/v1", "name": "Month-before check-in",
           "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
                     {"id": "month", "type": "delay", "title": "A month before",
                      "config": {"until": {"anchor": "wedding_date", "offset": {"days": -30},
                                           "at": "10:00"}}},
                     {"id": "checkin", "type": "email", "title": "Check-in",
                      "config": {"subject": "One month to go!", "body": "Hi!"}}],
           "edges": [{"from": "start", "to": "month"}, {"from": "month", "to": "checkin"}]}
    journey_id = create_journey(page, running_app.base_url, doc)
    published = page.context.request.post(
        running_app.url(f"/api/v1/journeys/{journey_id}/publish"))
    assert published.status == 201, published.text()

    page.goto(running_app.url("/clients"))
    page.get_by_role("button", name="Add client").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Names").fill("Robin & Lee Moss")
    dialog.get_by_label("Email").fill("robin.lee@example.com")
    dialog.get_by_label("Wedding date").fill("2028-06-10")
    dialog.get_by_role("button", name="Add client").click()
    page.get_by_role("link", name="Robin & Lee Moss").click()
    expect(page.get_by_text("Next wake-up: Thu 11 May 2028, 10:00")).to_be_visible()

    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Wedding date").fill("2028-07-15")
    dialog.get_by_role("button", name="Preview changes").click()
    preview = dialog.get_by_test_id("reschedule-preview")
    expect(preview).to_contain_text("A month before")
    expect(preview).to_contain_text("moves from Thu 11 May 2028, 10:00")
    expect(preview).to_contain_text("to Thu 15 Jun 2028, 10:00")
    shot(page, "19-reschedule-preview")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 scheduled step(s) re-timed")).to_be_visible()
    expect(page.get_by_text("Next wake-up: Thu 15 Jun 2028, 10:00")).to_be_visible()
    page.problems.assert_none()
