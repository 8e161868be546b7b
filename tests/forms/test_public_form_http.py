"""The hosted form, end to end over real HTTP: the form node emails a link, the couple opens it,
answers, and the waiting run resumes on its `event` edge and branches on the answers."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

from engine.domain import RunStatus

from .world import FIRST_LOOK_JOURNEY, World, add_client, publish

TIMELINE_YES = {"getting_ready_location": "The Old Rectory, Bath",
                "ceremony_start": "2pm", "first_look": "yes",
                "reception_events": ["First dance", "Toasts"], "wedding_party_size": "8"}


def _sent_subjects(world: World, to: str) -> list[str]:
    world.deliver()
    return [m["Subject"] for m in world.mail.messages if m["To"] == to]


def test_the_full_loop_resumes_the_run_and_branches_on_the_answers(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    alex = add_client(world, "Alex Moreau", "alex@example.com")
    token_sam, token_alex = world.form_link("sam@example.com"), world.form_link("alex@example.com")
    assert token_sam != token_alex and len(token_sam) >= 40  # unguessable
    assert world.run_of(sam.id).node == "wait"

    page = world.http.get(f"/f/{token_sam}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = unescape(page.text)
    assert "Hi Sam!" in text and "Lumen Photography" in text
    assert "Wedding day timeline questionnaire" in text
    assert "Are you planning a first look?" in text and 'name="first_look"' in text
    assert 'type="checkbox" name="reception_events" value="First dance"' in text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["content-security-policy"]

    world.clock.advance(hours=2)
    done = world.http.post(f"/f/{token_sam}", data=TIMELINE_YES)
    assert done.status_code == 200, done.text
    assert "Thank you, Sam!" in unescape(done.text)
    run = world.run_of(sam.id)
    assert run.status == RunStatus.COMPLETED and run.node == "first_look"
    with world.store.transaction() as tx:
        steps = [(s.node, s.outcome) for s in tx.steps_for_run(run.id)]
        request = tx.get_form_request(token_sam)
        client = tx.get_client(sam.id)
    assert ("wait", "event") in steps and ("look", "done") in steps
    answers = {"getting_ready_location": "The Old Rectory, Bath", "ceremony_start": "2pm",
               "first_look": True, "reception_events": ["First dance", "Toasts"],
               "wedding_party_size": 8}
    assert request.answers == answers and request.submitted_at == world.clock.now()
    assert client.form_answers == {"timeline_questionnaire": answers}
    [event] = world.events("form_submitted")
    assert event.client_id == sam.id and event.data == {
        "form": "timeline_questionnaire", "answers": answers, "request": token_sam}
    assert _sent_subjects(world, "sam@example.com") == ["A few questions",
                                                        "Planning your first look"]

    # The other branch: Alex says no.
    no = world.http.post(f"/f/{token_alex}", data={**TIMELINE_YES, "first_look": "no"})
    assert no.status_code == 200
    assert world.run_of(alex.id).node == "no_first_look"
    assert _sent_subjects(world, "alex@example.com")[-1] == "Your ceremony reveal"


def test_bad_answers_re_render_the_form_naming_each_and_write_nothing(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    token = world.form_link("sam@example.com")
    r = world.http.post(f"/f/{token}", data={
        "getting_ready_location": "<b>Home</b>", "first_look": "maybe",
        "wedding_party_size": "a dozen", "reception_events": ["Limbo"]})
    assert r.status_code == 422
    page = unescape(r.text)
    assert "A few answers need another look" in page
    for label, message in [("Ceremony start time", "Please answer this question."),
                           ("Are you planning a first look?", "Please answer yes or no."),
                           ("How many people are in your wedding party?",
                            "Please enter a number"),
                           ("Reception moments to capture", "Please choose only from")]:
        assert label in page and message in page
    # What they typed is kept, as text (escaped), never as markup.
    assert "&lt;b&gt;Home&lt;/b&gt;" in r.text and "<b>Home</b>" not in r.text
    assert 'value="a dozen"' in r.text
    # Nothing was written: the link is still open, the run still waits.
    with world.store.transaction() as tx:
        assert tx.get_form_request(token).submitted_at is None
        assert tx.get_client(sam.id).form_answers == {}
    assert world.events("form_submitted") == []
    assert world.run_of(sam.id).node == "wait"
    assert world.http.get(f"/f/{token}").status_code == 200


def test_a_used_link_is_refused_kindly_and_nothing_is_written_twice(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    token = world.form_link("sam@example.com")
    assert world.http.post(f"/f/{token}", data=TIMELINE_YES).status_code == 200
    again = world.http.post(f"/f/{token}", data={**TIMELINE_YES, "first_look": "no"})
    assert again.status_code == 409
    assert "You’ve already sent this form" in unescape(again.text)
    assert "1 March 2027" in again.text
    page = world.http.get(f"/f/{token}")
    assert page.status_code == 409 and "already sent" in unescape(page.text)
    assert len(world.events("form_submitted")) == 1
    with world.store.transaction() as tx:
        assert tx.get_client(sam.id).form_answers["timeline_questionnaire"]["first_look"] is True
    api = world.http.post(f"/api/v1/public/forms/{token}", json={"answers": {}})
    assert api.status_code == 409 and api.json()["error"]["code"] == "FORM_LINK_USED"
    assert api.json()["error"]["details"]["submitted_at"] == "2027-03-01T09:00:00Z"


def test_an_expired_link_says_so_and_tells_whom_to_ask(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    token = world.form_link("sam@example.com")
    world.clock.advance(days=89)
    assert world.http.get(f"/f/{token}").status_code == 200
    world.clock.advance(days=1)
    page = world.http.get(f"/f/{token}")
    assert page.status_code == 410
    text = unescape(page.text)
    assert "This link has expired" in text and "Lumen Photography (studio@lumen.example)" in text
    posted = world.http.post(f"/f/{token}", data=TIMELINE_YES)
    assert posted.status_code == 410
    api = world.http.get(f"/api/v1/public/forms/{token}")
    assert api.status_code == 410 and api.json()["error"]["code"] == "FORM_LINK_EXPIRED"
    assert world.events("form_submitted") == []
    world.engine.run_due()
    assert world.run_of(sam.id).node == "nudge"  # the wait_for timed out meanwhile


def test_a_vendor_can_shorten_the_life_of_links(mem_world: World):
    w = mem_world
    w.engine.update_vendor(w.vendor_id, settings={"webhook_secret": "x", "form_link_days": 7})
    publish(w, FIRST_LOOK_JOURNEY)
    add_client(w, "Sam Rivers", "sam@example.com")
    token = w.form_link("sam@example.com")
    w.clock.advance(days=7)
    assert w.http.get(f"/f/{token}").status_code == 410


def test_unknown_links_get_a_friendly_page_and_a_404(world: World):
    for token in ("not-a-real-token", "x" * 200, "bad%20chars"):
        page = world.http.get(f"/f/{token}")
        assert page.status_code == 404
        assert "We couldn’t find this form" in unescape(page.text)
        assert world.http.post(f"/f/{token}", data={"a": "b"}).status_code == 404
    api = world.http.get("/api/v1/public/forms/not-a-real-token")
    assert api.status_code == 404 and api.json()["error"]["code"] == "FORM_LINK_UNKNOWN"


def test_a_removed_client_makes_the_link_unknown(mem_world: World):
    w = mem_world
    publish(w, FIRST_LOOK_JOURNEY)
    sam = add_client(w, "Sam Rivers", "sam@example.com")
    token = w.form_link("sam@example.com")
    w.engine.clients.delete(w.vendor_id, sam.id)
    assert w.http.get(f"/f/{token}").status_code == 404


def test_the_page_escapes_what_vendors_and_clients_wrote(mem_world: World):
    w = mem_world
    w.engine.update_vendor(w.vendor_id, name="<script>alert(1)</script> Studio")
    publish(w, FIRST_LOOK_JOURNEY)
    add_client(w, "<img src=x onerror=alert(1)> Lee", "lee@example.com")
    token = w.form_link("lee@example.com")
    page = w.http.get(f"/f/{token}").text
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "&lt;img" in page


def test_the_page_refuses_other_content_and_huge_bodies(mem_world: World):
    w = mem_world
    publish(w, FIRST_LOOK_JOURNEY)
    add_client(w, "Sam Rivers", "sam@example.com")
    token = w.form_link("sam@example.com")
    r = w.http.post(f"/f/{token}", json={"first_look": "yes"})
    assert r.status_code == 415
    r = w.http.post(f"/f/{token}", data={"key_people": "x" * (300 * 1024)})
    assert r.status_code == 413
    assert w.events("form_submitted") == []


def test_the_json_api_shows_and_takes_a_form(world: World):
    publish(world, FIRST_LOOK_JOURNEY)
    sam = add_client(world, "Sam Rivers", "sam@example.com")
    token = world.form_link("sam@example.com")
    shown = world.http.get(f"/api/v1/public/forms/{token}")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["status"] == "open" and body["token"] == token
    assert body["vendor"] == {"name": "Lumen Photography", "contact": "studio@lumen.example"}
    assert body["client"] == {"first_name": "Sam"}
    assert body["expires_at"] == "2027-05-30T09:00:00Z"
    questions = {q["key"]: q for q in body["form"]["questions"]}
    assert questions["first_look"] == {"key": "first_look", "type": "yes_no", "required": True,
                                       "label": "Are you planning a first look?"}
    assert "Toasts" in questions["reception_events"]["options"]

    bad = world.http.post(f"/api/v1/public/forms/{token}", json={"answers": {
        "first_look": "perhaps", "wedding_party_size": True, "shoe_size": 42}})
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "INVALID_ANSWERS"
    assert [f["field"] for f in error["details"]["fields"]] == [
        "getting_ready_location", "ceremony_start", "first_look", "wedding_party_size",
        "shoe_size"]
    assert world.events("form_submitted") == []

    ok = world.http.post(f"/api/v1/public/forms/{token}", json={"answers": {
        "getting_ready_location": "Home", "ceremony_start": "3pm", "first_look": False}})
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"submitted": True, "form": "timeline_questionnaire",
                         "submitted_at": "2027-03-01T09:00:00Z",
                         "answers": {"getting_ready_location": "Home", "ceremony_start": "3pm",
                                     "first_look": False}}
    assert world.run_of(sam.id).node == "no_first_look"


def test_the_json_api_names_malformed_bodies(mem_world: World):
    w = mem_world
    publish(w, FIRST_LOOK_JOURNEY)
    add_client(w, "Sam Rivers", "sam@example.com")
    token = w.form_link("sam@example.com")
    url = f"/api/v1/public/forms/{token}"
    r = w.http.post(url, content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "body"
    r = w.http.post(url, json={"answers": {}, "extra": 1})
    assert r.status_code == 422
    assert {f["field"] for f in r.json()["error"]["details"]["fields"]} == {"body.extra"}
    r = w.http.post(url, content=b"first_look=yes",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert w.events("form_submitted") == []


def test_a_form_submission_can_start_a_journey(mem_world: World):
    w = mem_world
    publish(w, FIRST_LOOK_JOURNEY)
    followup = {"format": "journeys/v1", "name": "After the questionnaire",
                "nodes": [{"id": "start", "type": "trigger",
                           "config": {"event": "form_submitted",
                                      "match": {"all": [{"field": "event.form", "op": "eq",
                                                         "value": "timeline_questionnaire"}]}}},
                          {"id": "task", "type": "action",
                           "config": {"action": "create_task", "title": "Draft the timeline",
                                      "due": {"days": 3}}}],
                "edges": [{"from": "start", "to": "task"}]}
    journey_id = publish(w, followup)
    sam = add_client(w, "Sam Rivers", "sam@example.com")
    token = w.form_link("sam@example.com")
    w.clock.advance(timedelta(minutes=5))
    assert w.http.post(f"/f/{token}", data=TIMELINE_YES).status_code == 200
    with w.store.transaction() as tx:
        runs = tx.runs_for_client(sam.id, journey_id=journey_id)
    assert len(runs) == 1 and runs[0].status == RunStatus.COMPLETED
