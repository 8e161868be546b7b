"""FormService: the vendor's library (memory, SQLite, PostgreSQL), client pages, exactly-once
submission even when two arrive at once."""
from __future__ import annotations

import threading

import pytest

from engine.errors import NotFound
from engine.forms import FormLinkUsed, FormService, InvalidForm
from engine.storage.memory import MemoryStore

from .test_form_model import EVERY_TYPE
from .world import FIRST_LOOK_JOURNEY, World, add_client, make_world, publish

MENU_JOURNEY = {
    "format": "journeys/v1", "name": "Menu",
    "nodes": [{"id": "start", "type": "trigger", "config": {"event": "manual"}},
              {"id": "ask", "type": "form",
               "config": {"form": "menu_tasting", "subject": "Tasting",
                          "body": "Please fill in {{ form_url }}"}},
              {"id": "wait", "type": "wait_for",
               "config": {"event": "form_submitted", "timeout": {"days": 5}}},
              {"id": "plated", "type": "condition",
               "config": {"all": [{"field": "form.menu_tasting.style", "op": "eq",
                                   "value": "Plated"},
                                  {"field": "form.menu_tasting.guests", "op": "gte",
                                   "value": 100}]}},
              {"id": "big", "type": "action",
               "config": {"action": "add_tag", "tag": "big-plated"}},
              {"id": "small", "type": "action",
               "config": {"action": "add_tag", "tag": "other"}},
              {"id": "late", "type": "exit"}],
    "edges": [{"from": "start", "to": "ask"}, {"from": "ask", "to": "wait"},
              {"from": "wait", "to": "plated", "when": "event"},
              {"from": "wait", "to": "late", "when": "timeout"},
              {"from": "plated", "to": "big", "when": "true"},
              {"from": "plated", "to": "small", "when": "false"}],
}


def test_the_library_holds_standard_and_vendor_forms(world: World):
    forms = FormService(world.engine)
    standard = [f.key for f in forms.list_forms(world.vendor_id)]
    assert standard[:2] == ["inquiry", "timeline_questionnaire"]
    saved = forms.save_form(world.vendor_id, EVERY_TYPE, actor="ana@lumen")
    assert saved.vendor_id == world.vendor_id and saved.updated_by == "ana@lumen"
    listed = forms.list_forms(world.vendor_id)
    assert [f.key for f in listed] == standard + ["menu_tasting"]
    assert forms.get_form(world.vendor_id, "menu_tasting").to_dict()["source"] == "vendor"
    # A vendor's version of a standard form replaces it; deleting it brings the standard back.
    mine = {"key": "inquiry", "title": "Say hello",
            "questions": [{"key": "names", "label": "Names", "type": "short_text",
                           "required": True}]}
    world.clock.advance(hours=1)
    forms.save_form(world.vendor_id, mine)
    assert forms.get_form(world.vendor_id, "inquiry").title == "Say hello"
    assert [f.key for f in forms.list_forms(world.vendor_id)] == standard + ["menu_tasting"]
    world.clock.advance(hours=1)
    again = forms.save_form(world.vendor_id, {**mine, "title": "Hello again"})
    assert again.created_at < again.updated_at
    forms.delete_form(world.vendor_id, "inquiry")
    assert forms.get_form(world.vendor_id, "inquiry").title == "Wedding inquiry"
    with pytest.raises(NotFound):
        forms.delete_form(world.vendor_id, "inquiry")
    with pytest.raises(NotFound):
        forms.get_form(world.vendor_id, "nope")
    # Another vendor sees none of it.
    other = world.engine.create_vendor("Other")
    assert "menu_tasting" not in [f.key for f in forms.list_forms(other.id)]
    with pytest.raises(InvalidForm):
        forms.save_form(world.vendor_id, {"key": "x", "title": "X", "questions": [{}]})


def test_a_failed_transaction_leaves_no_form_behind():
    world = make_world(MemoryStore())
    from engine.forms.repository import form_records
    from engine.forms import parse_form

    with pytest.raises(RuntimeError):
        with world.store.transaction() as tx:
            form_records(tx).put(parse_form(EVERY_TYPE, vendor_id=world.vendor_id))
            raise RuntimeError("boom")
    with world.store.transaction() as tx:
        assert form_records(tx).list(world.vendor_id) == []


def test_a_vendor_form_drives_a_condition_through_http(world: World):
    FormService(world.engine).save_form(world.vendor_id, EVERY_TYPE)
    journey_id = publish(world, MENU_JOURNEY)
    client = add_client(world, "Noor Haddad", "noor@example.com")
    world.engine.events.ingest(world.vendor_id, client=client.id, type="manual")
    token = world.form_link("noor@example.com")
    page = world.http.get(f"/f/{token}").text
    assert "Menu tasting" in page and "Allergies, favourites" in page
    r = world.http.post(f"/f/{token}", data={"names": "Noor & Sami", "guests": "140",
                                             "style": "Plated", "courses": ["Main"]})
    assert r.status_code == 200, r.text
    with world.store.transaction() as tx:
        client = tx.get_client(client.id)
        [run] = tx.runs_for_client(client.id, journey_id=journey_id)
    assert "big-plated" in client.tags and run.node == "big"
    assert client.form_answers["menu_tasting"] == {"names": "Noor & Sami", "guests": 140,
                                                   "style": "Plated", "courses": ["Main"]}


def test_a_clients_page_lists_forms_with_labelled_answers(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    token = world.form_link("sam@example.com")
    forms = FormService(world.engine)
    [waiting] = forms.client_forms(world.vendor_id, sam.id)
    assert (waiting.status, waiting.token, waiting.node) == ("waiting", token, "ask")
    world.clock.advance(days=1)
    forms.submit(token, {"getting_ready_location": "Home", "ceremony_start": "1pm",
                         "first_look": "yes", "reception_events": ["Toasts"]})
    world.engine.events.ingest(world.vendor_id, client=sam.id, type="form_submitted",
                               data={"form": "inquiry", "answers": {"names": "Sam & Kit"}})
    entries = forms.client_forms(world.vendor_id, sam.id)
    assert [(e.form_key, e.status) for e in entries] == [
        ("timeline_questionnaire", "answered"), ("inquiry", "answered")]
    answered = {a.key: (a.label, a.display) for a in entries[0].answers}
    assert answered["first_look"] == ("Are you planning a first look?", "Yes")
    assert answered["reception_events"] == ("Reception moments to capture", "Toasts")
    assert entries[0].submitted_at == world.clock.now()
    assert entries[1].answers[0].label == "Your names"
    with pytest.raises(NotFound):
        forms.client_forms("ven_other", sam.id)


def test_two_submissions_at_once_store_one(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    token = world.form_link("sam@example.com")
    forms = FormService(world.engine)
    answers = {"getting_ready_location": "Home", "ceremony_start": "1pm", "first_look": "no"}
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            forms.submit(token, answers)
            outcomes.append("stored")
        except FormLinkUsed:
            outcomes.append("used")

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stored", "used", "used", "used"]
    assert len(world.events("form_submitted")) == 1
    assert world.run_of(sam.id).node == "no_first_look"
