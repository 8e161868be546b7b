"""One error shape everywhere, the right status, every bad field named, bodies over the limit
refused, and never a stack trace."""
from __future__ import annotations

import logging

from engine.storage.memory import MemoryStore
from journey_app.api import ApiSettings, create_api

from .harness import Harness, P, TestClient


def _shape(r) -> dict:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_unknown_paths_and_methods_answer_in_the_error_shape(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    r = mem.call(v, "GET", "nowhere/at/all")
    assert r.status_code == 404 and _shape(r)["code"] == "NOT_FOUND"
    r = mem.call(v, "DELETE", "events")
    assert r.status_code == 405 and _shape(r)["code"] == "METHOD_NOT_ALLOWED"
    assert r.headers["allow"] == "POST"
    r = mem.call(v, "GET", "journeys/jny_nope")
    assert r.status_code == 404
    assert _shape(r)["details"] == {"kind": "journey", "id": "jny_nope"}


def test_validation_names_every_bad_field(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    r = mem.call(v, "POST", "clients", json={"name": 5, "email": [], "wedding_date": "soon",
                                             "dates": {"rsvp": "2027-13-01"}, "colour": "red"})
    assert r.status_code == 422
    error = _shape(r)
    assert error["code"] == "VALIDATION_ERROR"
    fields = {f["field"] for f in error["details"]["fields"]}
    assert fields == {"body.name", "body.email", "body.wedding_date", "body.dates.rsvp",
                      "body.colour"}
    for name in ("body.name", "body.email", "body.wedding_date"):
        assert name in error["message"]
    # the engine's own checks come back in the same shape
    r = mem.call(v, "POST", "clients", json={"name": "Sam", "email": "not-an-email",
                                             "timezone": "Mars/Base"})
    assert r.status_code == 422
    assert set(_shape(r)["details"]["fields"]) == {"email", "timezone"}
    r = mem.call(v, "GET", "runs", params={"status": "sleeping", "limit": 0})
    assert {f["field"] for f in _shape(r)["details"]["fields"]} == {"query.status",
                                                                   "query.limit"}


def test_malformed_json_is_a_422(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    r = mem.call(v, "POST", "clients", content=b'{"name": ',
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and _shape(r)["code"] == "VALIDATION_ERROR"


def test_bodies_over_the_limit_are_refused_with_413(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    r = mem.call(v, "POST", "journeys", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and _shape(r)["code"] == "PAYLOAD_TOO_LARGE"

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"x" * 32768

    r = mem.call(v, "POST", "journeys", content=chunks(),
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and _shape(r)["code"] == "PAYLOAD_TOO_LARGE"
    assert mem.engine.journeys.list(v.id) == []


def test_the_limit_is_a_setting():
    h = Harness(MemoryStore(), ApiSettings(max_body_bytes=2048))
    try:
        v = h.signup("Lens", "lens@example.com")
        r = h.call(v, "POST", "journeys", json={"name": "x" * 3000})
        assert r.status_code == 413
    finally:
        h.close()


def test_an_unexpected_error_is_a_logged_500_without_a_stack_trace(mem: Harness, monkeypatch,
                                                                   caplog):
    v = mem.signup("Lens", "lens@example.com")

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(mem.engine.journeys, "list", explode)
    with caplog.at_level(logging.ERROR, logger="journeys.api"):
        r = mem.call(v, "GET", "journeys")
    assert r.status_code == 500
    error = _shape(r)
    assert error["code"] == "INTERNAL_ERROR"
    assert "secret" not in r.text and "Traceback" not in r.text
    assert any("secret internals" in (rec.exc_text or "") or rec.exc_info
               for rec in caplog.records)


def test_without_an_engine_the_api_says_so():
    client = TestClient(create_api())
    assert client.get(f"{P}/health").json() == {"status": "ok"}
    r = client.get(f"{P}/journeys")
    assert r.status_code == 503 and _shape(r)["code"] == "ENGINE_UNAVAILABLE"


def test_engine_errors_keep_their_code_and_status(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    bad = {"format": "journeys/v1", "name": "Broken", "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "manual"}},
        {"id": "lost", "type": "exit"}], "edges": []}
    j = mem.ok(v, "POST", "journeys", 201, json=bad)
    r = mem.call(v, "POST", f"journeys/{j['id']}/publish")
    assert r.status_code == 422
    error = _shape(r)
    assert error["code"] == "INVALID_DOCUMENT"
    assert any(p["node"] == "lost" for p in error["details"])
    c = mem.ok(v, "POST", "clients", 201, json={"name": "Sam", "email": "s@example.com"})
    r = mem.call(v, "POST", "clients", json={"name": "Kim", "email": "k@example.com",
                                             "external_id": "dup"})
    r = mem.call(v, "POST", "clients", json={"name": "Kim", "email": "k@example.com",
                                             "external_id": "dup"})
    assert r.status_code == 409 and _shape(r)["code"] == "CONFLICT"
    assert c["id"]


def test_the_reflex_app_behind_the_api_is_not_touched(mem: Harness):
    """The guard and the fallback only answer under /api/v1: other paths go to whatever is
    mounted behind (the Reflex app in production)."""
    from starlette.responses import PlainTextResponse

    app = create_api(mem.engine, accounts=mem.accounts)

    async def behind(scope, receive, send):
        await PlainTextResponse("reflex", status_code=200)(scope, receive, send)

    app.mount("", behind)
    with TestClient(app) as client:
        assert client.get("/journeys").text == "reflex"
        assert client.post("/_upload", content=b"x" * (2 * 1024 * 1024)).text == "reflex"
        assert client.get(f"{P}/nowhere").status_code == 404
