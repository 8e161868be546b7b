"""The resources, end to end through HTTP: journeys, clients, events, runs, approvals, audit,
outbox and dead letters, simulation, the library, the account. Runs on every store."""
from __future__ import annotations

import copy

from .harness import APPROVAL_JOURNEY, Harness, P

DATED = {
    "format": "journeys/v1", "name": "Month before the wedding",
    "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
              {"id": "wait", "type": "delay", "config": {"until": {
                  "anchor": "wedding_date", "offset": {"days": -30}, "at": "10:00"}}},
              {"id": "nudge", "type": "email", "config": {"subject": "30 days!", "body": "Hi"}}],
    "edges": [{"from": "start", "to": "wait"}, {"from": "wait", "to": "nudge"}],
}


def test_journeys_drafts_validation_publishing_and_versions(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    draft = copy.deepcopy(APPROVAL_JOURNEY)
    draft["nodes"].append({"id": "orphan", "type": "exit"})
    j = h.ok(v, "POST", "journeys", 201, json=draft)
    assert j["draft"] == draft and j["live_version"] is None and j["latest_version"] == 0
    report = h.ok(v, "POST", f"journeys/{j['id']}/validate")
    assert not report["valid"] and report["errors"] >= 1
    assert any(p["node"] == "orphan" for p in report["problems"])
    assert h.call(v, "POST", f"journeys/{j['id']}/publish").status_code == 422
    fixed = h.ok(v, "PUT", f"journeys/{j['id']}", json=APPROVAL_JOURNEY)
    assert fixed["draft"] == APPROVAL_JOURNEY and fixed["updated_by"].startswith("api_key:")
    assert h.ok(v, "POST", "journeys/validate", json=APPROVAL_JOURNEY)["valid"]
    v1 = h.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
    assert v1["version"] == 1 and v1["document"] == APPROVAL_JOURNEY
    h.clock.advance(minutes=1)
    h.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
    versions = h.ok(v, "GET", f"journeys/{j['id']}/versions")["items"]
    assert [x["version"] for x in versions] == [1, 2] and "document" not in versions[0]
    assert h.ok(v, "GET", f"journeys/{j['id']}/versions/1")["document"] == APPROVAL_JOURNEY
    assert h.call(v, "GET", f"journeys/{j['id']}/versions/9").status_code == 404
    assert h.ok(v, "GET", f"journeys/{j['id']}")["live_version"] == 2
    assert h.ok(v, "POST", f"journeys/{j['id']}/unpublish")["live_version"] is None
    other = h.ok(v, "POST", "journeys", 201, json={**APPROVAL_JOURNEY, "name": "Another"})
    names = [x["name"] for x in h.ok(v, "GET", "journeys")["items"]]
    assert names == ["Another", APPROVAL_JOURNEY["name"]]
    assert h.ok(v, "DELETE", f"journeys/{other['id']}") == {"id": other["id"],
                                                            "result": "deleted"}
    assert h.call(v, "GET", f"journeys/{other['id']}").status_code == 404


def test_moving_runs_to_a_new_version_with_a_preview(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    seeded = h.seed(v)
    jid = seeded.ids["journey_id"]
    # seed() ran the clients on version 2; put one on version 3 with a renamed node
    doc = copy.deepcopy(APPROVAL_JOURNEY)
    doc["nodes"][2]["id"] = "pause"
    doc["edges"] = [{"from": "start", "to": "greet"}, {"from": "greet", "to": "pause"},
                    {"from": "pause", "to": "follow"}, {"from": "follow", "to": "done"}]
    h.ok(v, "PUT", f"journeys/{jid}", json=doc)
    h.ok(v, "POST", f"journeys/{jid}/publish", 201)
    body = {"to_version": 3, "mapping": {"wait": "pause"}}
    preview = h.ok(v, "POST", f"journeys/{jid}/migrations/preview", json=body)
    assert preview["applied"] is False and preview["total"] == 1
    assert preview["moves"] == [{"from_version": 2, "from_node": "wait", "to_node": "pause",
                                 "runs": 1}]
    assert preview["unmapped"] == [{"from_version": 2, "node": "greet", "runs": 1}]
    assert h.ok(v, "GET", f"runs/{seeded.ids['waiting_run_id']}")["version"] == 2
    done = h.ok(v, "POST", f"journeys/{jid}/migrations", json=body)
    assert done["applied"] is True and done["total"] == 1
    moved = h.ok(v, "GET", f"runs/{seeded.ids['waiting_run_id']}")
    assert (moved["version"], moved["node"]) == (3, "pause")
    bad = h.call(v, "POST", f"journeys/{jid}/migrations/preview",
                 json={"to_version": 3, "mapping": {"wait": "nowhere"}})
    assert bad.status_code == 422


def test_clients_crud_search_and_the_reschedule_preview(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    j = h.ok(v, "POST", "journeys", 201, json=DATED)
    h.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
    c = h.ok(v, "POST", "clients", 201, json={"name": "Sam Lee", "email": "sam@example.com",
                                             "external_id": "crm-7", "wedding_date": "2027-06-12",
                                             "tags": ["vip"], "fields": {"venue": "Barn"}})
    assert h.ok(v, "GET", "clients/crm-7")["id"] == c["id"]  # by external id too
    run = h.ok(v, "GET", "runs", params={"client_id": "crm-7"})["items"][0]
    assert run["status"] == "waiting" and run["due_at"] == "2027-05-13T10:00:00Z"

    preview = h.ok(v, "PATCH", f"clients/{c['id']}", params={"preview": "true"},
                   json={"wedding_date": "2027-07-03"})
    assert preview["reschedule"]["applied"] is False
    assert preview["reschedule"]["changed"] == ["wedding_date"]
    [move] = preview["reschedule"]["runs"]
    assert (move["from"], move["to"]) == ("2027-05-13T10:00:00Z", "2027-06-03T10:00:00Z")
    assert h.ok(v, "GET", f"clients/{c['id']}")["wedding_date"] == "2027-06-12"
    assert h.ok(v, "GET", f"runs/{run['id']}")["due_at"] == "2027-05-13T10:00:00Z"

    applied = h.ok(v, "PATCH", f"clients/{c['id']}", json={"wedding_date": "2027-07-03"})
    assert applied["reschedule"]["applied"] is True
    assert applied["reschedule"]["runs"] == preview["reschedule"]["runs"]
    assert applied["client"]["wedding_date"] == "2027-07-03"
    assert h.ok(v, "GET", f"runs/{run['id']}")["due_at"] == "2027-06-03T10:00:00Z"

    h.ok(v, "POST", "clients", 201, json={"name": "Ana Lima", "email": "ana@example.com"})
    assert [x["name"] for x in h.ok(v, "GET", "clients", params={"search": "lima"})["items"]] \
        == ["Ana Lima"]
    h.ok(v, "DELETE", f"clients/{c['id']}", 204)
    assert h.call(v, "GET", f"clients/{c['id']}").status_code == 404
    assert h.ok(v, "GET", f"runs/{run['id']}")["status"] == "cancelled"


def test_lists_are_pages_in_a_stable_order(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    for n in range(7):
        h.ok(v, "POST", "clients", 201, json={"name": f"Client {n % 3}",
                                             "email": f"c{n}@example.com"})
    everything = h.ok(v, "GET", "clients", params={"limit": 100})
    assert everything["next_offset"] is None and len(everything["items"]) == 7
    seen, offset = [], 0
    while offset is not None:
        page = h.ok(v, "GET", "clients", params={"limit": 3, "offset": offset})
        assert page["limit"] == 3 and page["offset"] == offset
        seen += [c["id"] for c in page["items"]]
        offset = page["next_offset"]
    assert seen == [c["id"] for c in everything["items"]]
    keys = [(c["name"], c["id"]) for c in everything["items"]]
    assert keys == sorted(keys)


def test_runs_filters_timeline_and_controls(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    s = h.seed(v)
    jid, waiting = s.ids["journey_id"], s.ids["waiting_run_id"]
    assert {r["node"] for r in h.ok(v, "GET", "runs", params={"journey_id": jid})["items"]} \
        == {"greet", "wait"}
    assert [r["id"] for r in h.ok(v, "GET", "runs", params={"node": "wait"})["items"]] == [waiting]
    assert len(h.ok(v, "GET", "runs", params={"status": "waiting"})["items"]) == 2
    assert h.ok(v, "GET", "runs", params={"status": "completed"})["items"] == []

    paused = h.ok(v, "POST", f"runs/{waiting}/pause")
    assert paused["status"] == "paused"
    assert h.call(v, "POST", f"runs/{waiting}/pause").status_code == 409
    assert h.ok(v, "POST", f"runs/{waiting}/resume")["status"] == "waiting"
    moved = h.ok(v, "POST", f"runs/{waiting}/reschedule", json={"at": "2027-01-05T12:00:00Z"})
    assert moved["due_at"] == "2027-01-05T12:00:00Z"
    assert h.call(v, "POST", f"runs/{waiting}/reschedule",
                  json={"at": "2027-01-05T12:00:00"}).status_code == 422  # no time zone
    assert h.call(v, "POST", f"runs/{waiting}/retry").status_code == 409  # not failed
    skipped = h.ok(v, "POST", f"runs/{waiting}/skip")
    assert skipped["node"] != "wait"
    timeline = h.ok(v, "GET", f"runs/{waiting}/timeline")["items"]
    controls = [(x["outcome"], x["actor"]) for x in timeline if x["type"] == "control"]
    assert [o for o, _ in controls] == ["paused", "resumed", "rescheduled"]
    assert all(actor == f"api_key:{v.key_id}" for _, actor in controls)
    cancelled = h.ok(v, "POST", f"runs/{s.ids['run_id']}/cancel")
    assert cancelled["status"] == "cancelled"
    assert h.ok(v, "GET", f"approvals/{s.ids['approval_id']}")["status"] == "cancelled"


def test_approvals_one_at_a_time_with_edits_and_several_at_once(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    j = h.ok(v, "POST", "journeys", 201, json=APPROVAL_JOURNEY)
    h.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
    for n in range(4):
        h.clock.advance(seconds=1)
        h.ok(v, "POST", "clients", 201, json={"name": f"C{n}", "email": f"c{n}@example.com",
                                             "external_id": f"c{n}"})
        h.ok(v, "POST", "events", json={"client": f"c{n}", "type": "manual"})
    pending = h.ok(v, "GET", "approvals")["items"]
    assert len(pending) == 4 and pending[0]["email"]["subject"] == "Welcome C0"
    first = h.ok(v, "POST", f"approvals/{pending[0]['id']}/approve",
                 json={"edits": {"subject": "Welcome, dear C0"}})
    assert first["status"] == "approved"
    effects = h.ok(v, "GET", "outbox")["items"]
    assert [e["payload"]["subject"] for e in effects] == ["Welcome, dear C0"]
    assert h.ok(v, "POST", f"approvals/{pending[1]['id']}/reject")["status"] == "rejected"
    assert h.call(v, "POST", f"approvals/{pending[1]['id']}/approve").status_code == 409
    bulk = h.ok(v, "POST", "approvals/decide", json={"decisions": [
        {"approval_id": pending[2]["id"], "decision": "approve"},
        {"approval_id": pending[3]["id"], "decision": "reject"},
        {"approval_id": pending[1]["id"], "decision": "approve"},
        {"approval_id": "nope", "decision": "approve"}]})["results"]
    assert [(r["ok"], (r["approval"] or {}).get("status"), (r["error"] or {}).get("code"))
            for r in bulk] == [(True, "approved", None), (True, "rejected", None),
                               (False, None, "CONFLICT"), (False, None, "NOT_FOUND")]
    assert h.ok(v, "GET", "approvals")["items"] == []
    assert len(h.ok(v, "GET", "approvals", params={"status": "all"})["items"]) == 4


def test_audit_log_of_a_journey_and_a_clients_timeline(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    s = h.seed(v)
    history = h.ok(v, "GET", f"journeys/{s.ids['journey_id']}/audit")["items"]
    kinds = [e["kind"] for e in history]
    assert kinds.count("published") == 2 and "created" in kinds
    assert all(e["actor"] == f"api_key:{v.key_id}" for e in history if e["kind"] == "published")
    with_runs = h.ok(v, "GET", f"journeys/{s.ids['journey_id']}/audit",
                     params={"runs": "true", "limit": 500})["items"]
    assert {"step", "published"} <= {e["kind"] for e in with_runs}
    ats = [e["at"] for e in with_runs]
    assert ats == sorted(ats)
    timeline = h.ok(v, "GET", f"clients/{s.ids['client_id']}/timeline")["items"]
    assert {e["client_id"] for e in timeline} == {s.ids["client_id"]}
    assert [e["kind"] for e in timeline][:2] == ["event", "event"]  # client_added, manual
    assert "run_started" in {e["kind"] for e in timeline}
    only = h.ok(v, "GET", f"clients/{s.ids['client_id']}/timeline",
                params={"kind": ["step", "control"]})["items"]
    assert only and {e["kind"] for e in only} <= {"step", "control"}


def test_outbox_and_dead_letters(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    s = h.seed(v)
    eid = s.ids["effect_id"]
    [effect] = h.ok(v, "GET", "outbox")["items"]
    assert effect["kind"] == "email" and effect["status"] == "pending"
    assert h.ok(v, "GET", "outbox", params={"status": "sent"})["items"] == []
    assert h.ok(v, "GET", "dead-letters")["items"] == []
    discarded = h.ok(v, "POST", f"dead-letters/{eid}/discard")
    assert discarded["status"] == "discarded"
    assert discarded["history"][-1]["outcome"] == "discarded"
    assert h.call(v, "POST", f"dead-letters/{eid}/discard").status_code == 409
    replayed = h.ok(v, "POST", f"dead-letters/{eid}/replay")
    assert replayed["status"] == "pending" and replayed["attempts"] == 0
    attempts = h.ok(v, "GET", f"outbox/{eid}/attempts")
    assert [(a["outcome"], a["actor"]) for a in attempts] == [
        ("discarded", f"api_key:{v.key_id}"), ("replayed", f"api_key:{v.key_id}")]
    with h.engine.store.transaction() as tx:  # as the dispatcher would after giving up
        dead = tx.get_effect(eid)
        dead.status = "dead"
        tx.put_effect(dead)
    assert [e["id"] for e in h.ok(v, "GET", "dead-letters")["items"]] == [eid]


def test_simulation_returns_the_spec_output(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    body = {"document": DATED, "start": "2027-01-01T00:00:00Z", "until": "2027-12-31T00:00:00Z",
            "clients": [{"id": "c1", "name": "Sam", "email": "sam@example.com",
                         "wedding_date": "2027-06-12"}]}
    out = h.ok(v, "POST", "simulations", json=body)
    assert out["runs"] == [{"client": "c1", "status": "completed",
                            "path": ["start", "wait", "nudge"]}]
    assert [(x["node"], x["at"], x["outcome"]) for x in out["steps"]] == [
        ("wait", "2027-05-13T10:00:00Z", "done"), ("nudge", "2027-05-13T10:00:00Z", "sent")]
    assert h.ok(v, "POST", "simulations", json=body) == out  # same inputs, same output
    assert h.engine.journeys.list(v.id) == []  # nothing written
    bad = h.call(v, "POST", "simulations", json={**body, "document": {"format": "nope"}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "INVALID_DOCUMENT"


def test_simulations_are_bounded(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    body = {"document": DATED, "start": "2027-01-01T00:00:00Z",
            "clients": [{"id": "c1", "wedding_date": "9999-12-31"}]}
    r = mem.call(v, "POST", "simulations", json=body)  # until: at most 3660 days by default
    assert r.status_code == 200, r.text
    r = mem.call(v, "POST", "simulations", json={**body, "until": "2099-01-01T00:00:00Z"})
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"][0]["field"] == "body.until"
    r = mem.call(v, "POST", "simulations", json={**body, "start": "0001-01-01T00:00:00Z"})
    assert r.status_code == 422
    r = mem.call(v, "POST", "simulations", json={**body, "clients": [{"id": f"c{n}"}
                                                                    for n in range(501)]})
    assert r.status_code == 422
    r = mem.call(v, "POST", "simulations", json={**body, "clients": [{"id": 5}]})
    assert r.status_code == 422 and "clients[0]" in r.json()["error"]["message"]


def test_templates_from_the_library(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    templates = mem.ok(v, "GET", "templates", params={"limit": 100})["items"]
    assert templates and all(t["node_count"] > 0 for t in templates)
    one = mem.ok(v, "GET", f"templates/{templates[0]['key']}")
    assert one["document"]["format"] == "journeys/v1"
    assert mem.ok(v, "POST", "journeys/validate", json=one["document"])["valid"]
    assert mem.call(v, "GET", "templates/nope").status_code == 404


FORM_JOURNEY = {
    "format": "journeys/v1", "name": "Menu questionnaire",
    "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
              {"id": "ask", "type": "form", "config": {
                  "form": "menu", "subject": "Your menu", "body": "Please: {{ form_url }}"}},
              {"id": "answered", "type": "wait_for", "config": {
                  "event": "form_submitted", "timeout": {"days": 14}}},
              {"id": "thanks", "type": "email", "config": {"subject": "Thanks!", "body": "x"}},
              {"id": "late", "type": "exit"}],
    "edges": [{"from": "start", "to": "ask"}, {"from": "ask", "to": "answered"},
              {"from": "answered", "to": "thanks", "when": "event"},
              {"from": "answered", "to": "late", "when": "timeout"}],
}
MENU = {"key": "menu", "title": "Menu", "questions": [
    {"key": "starter", "label": "Starter", "type": "single_choice", "required": True,
     "options": ["Soup", "Salad"]},
    {"key": "guests", "label": "Guests", "type": "number"}]}


def test_forms_library_requests_and_the_public_link(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    standard = h.ok(v, "GET", "forms", params={"limit": 100})["items"]
    assert standard and {f["source"] for f in standard} == {"standard"}
    created = h.ok(v, "POST", "forms", 201, json=MENU)
    assert created["source"] == "vendor" and created["key"] == "menu"
    assert h.call(v, "POST", "forms", json=MENU).status_code == 409
    bad = h.call(v, "POST", "forms", json={**MENU, "key": "x", "questions": [
        {"key": "c", "label": "C", "type": "single_choice"}]})
    assert bad.status_code == 422
    changed = h.ok(v, "PUT", "forms/menu", json={**{k: MENU[k] for k in ("title", "questions")},
                                                 "description": "What would you like?"})
    assert changed["description"] == "What would you like?"
    assert h.call(v, "PUT", "forms/nope", json={"title": "x", "questions": []}).status_code \
        == 404

    j = h.ok(v, "POST", "journeys", 201, json=FORM_JOURNEY)
    h.ok(v, "POST", f"journeys/{j['id']}/publish", 201)
    c = h.ok(v, "POST", "clients", 201, json={"name": "Sam Lee", "email": "sam@example.com"})
    [sent] = h.ok(v, "GET", f"clients/{c['id']}/forms")
    assert sent["status"] == "waiting" and sent["form_key"] == "menu"
    token = sent["token"]

    public = h.fresh_client()  # no key, no session: the token is the credential
    page = public.get(f"{P}/public/forms/{token}")
    assert page.status_code == 200, page.text
    assert page.json()["client"] == {"first_name": "Sam"}
    assert page.json()["form"]["title"] == "Menu"
    wrong = public.post(f"{P}/public/forms/{token}", json={"answers": {"starter": "Steak",
                                                                       "guests": "many"}})
    assert wrong.status_code == 422
    assert {f["field"] for f in wrong.json()["error"]["details"]["fields"]} == {"starter",
                                                                                "guests"}
    done = public.post(f"{P}/public/forms/{token}", json={"answers": {"starter": "Soup",
                                                                      "guests": "80"}})
    assert done.status_code == 200, done.text
    assert done.json()["answers"] == {"starter": "Soup", "guests": 80}
    again = public.post(f"{P}/public/forms/{token}", json={"answers": {"starter": "Salad"}})
    assert again.status_code == 409 and again.json()["error"]["code"] == "FORM_LINK_USED"
    assert public.get(f"{P}/public/forms/{token}").status_code == 409
    assert public.get(f"{P}/public/forms/nope").status_code == 404
    [answered] = h.ok(v, "GET", f"clients/{c['id']}/forms")
    assert answered["status"] == "answered"
    assert [(a["key"], a["display"]) for a in answered["answers"]] == [("starter", "Soup"),
                                                                      ("guests", "80")]
    run = h.ok(v, "GET", "runs", params={"client_id": c["id"]})["items"][0]
    assert run["node"] == "thanks" or run["status"] == "completed"
    h.ok(v, "DELETE", "forms/menu", 204)
    assert h.call(v, "DELETE", "forms/menu").status_code == 404


def test_the_account_and_the_vendor_settings(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    me = h.ok(v, "GET", "account")
    assert me["auth"] == "api_key" and me["api_key"]["id"] == v.key_id and me["user"] is None
    owner = h.fresh_client()
    owner.cookies.set("journeys_session", v.session)
    r = owner.patch(f"{P}/account/vendor", json={"reply_to": "hi@lens.example",
                                                 "timezone": "America/New_York",
                                                 "blackout_dates": ["2027-12-25"]})
    assert r.status_code == 200, r.text
    assert r.json()["timezone"] == "America/New_York"
    assert r.json()["blackout_dates"] == ["2027-12-25"]
    assert owner.patch(f"{P}/account/vendor", json={"timezone": "Mars/Base"}).status_code == 422
    assert owner.patch(f"{P}/account/vendor", json={"name": None}).status_code == 422


def test_analytics_of_a_journey(harness: Harness):
    h = harness
    v = h.signup("Lens", "lens@example.com")
    s = h.seed(v)
    base = f"journeys/{s.ids['journey_id']}/analytics"
    if not hasattr(getattr(h.engine.store, "engine", None), "dialect"):
        r = h.call(v, "GET", f"{base}/funnel")
        assert r.status_code == 503 and r.json()["error"]["code"] == "ANALYTICS_UNAVAILABLE"
        return
    funnel = h.ok(v, "GET", f"{base}/funnel")
    assert funnel["runs"]["started"] == 2 and funnel["runs"]["active"] == 2
    nodes = {n["node"]: n for n in funnel["nodes"]}
    assert nodes["greet"]["entered"] == 2 and nodes["wait"]["waiting"] == 1
    assert h.ok(v, "GET", f"{base}/stuck", params={"threshold_hours": 1})["total"] >= 0
    assert h.ok(v, "GET", f"{base}/trends")["days"][0]["started"] == 2
    assert h.ok(v, "GET", f"{base}/cohorts")["cohorts"]
    assert h.call(v, "GET", f"{base}/cohorts",
                  params={"by": "fields.x'\"]"}).status_code == 422
    assert {x["version"] for x in h.ok(v, "GET", f"{base}/versions")["versions"]} == {2}
    assert h.ok(v, "GET", f"{base}/splits")["splits"] == []
