"""Sign-up, login and sessions, API keys (hashed, shown once, named, revocable, last used), and
the rule that every route needs authentication unless it is marked public."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts

from engine.accounts.tokens import sha256_hex
from journey_app.api import ApiSettings, create_api

from .harness import PASSWORD, Harness, P

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _cookie_attrs(response) -> str:
    return "; ".join(v for k, v in response.headers.multi_items() if k == "set-cookie")


# -- sign-up and login ---------------------------------------------------------------------

def test_signup_creates_the_vendor_and_its_owner_and_signs_in(harness: Harness):
    c = harness.fresh_client()
    r = c.post(f"{P}/auth/signup", json={"vendor_name": "Golden Hour", "email": "Ana@GH.example",
                                         "password": PASSWORD, "timezone": "Europe/Lisbon"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["vendor"]["name"] == "Golden Hour"
    assert body["vendor"]["timezone"] == "Europe/Lisbon"
    assert body["user"]["email"] == "ana@gh.example" and body["user"]["role"] == "owner"
    attrs = _cookie_attrs(r).lower()
    assert "journeys_session=" in attrs and "httponly" in attrs and "samesite=lax" in attrs
    assert "secure" not in attrs.replace("journeys_session", "")
    me = c.get(f"{P}/account").json()
    assert me["auth"] == "session" and me["vendor"]["id"] == body["vendor"]["id"]
    assert me["user"]["id"] == body["user"]["id"]


def test_the_password_is_stored_as_an_argon2_hash(harness: Harness):
    v = harness.signup("Lens", "lens@example.com")
    [user] = harness.accounts.list_users(v.id)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_secure_cookie_is_configurable(store):
    h = Harness(store, ApiSettings(cookie_secure=True))
    try:
        r = h.fresh_client().post(f"{P}/auth/signup", json={
            "vendor_name": "S", "email": "s@s.example", "password": PASSWORD})
        assert "secure" in _cookie_attrs(r).lower().replace("journeys_session", "")
    finally:
        h.close()


def test_signup_names_every_bad_field(mem: Harness):
    r = mem.client.post(f"{P}/auth/signup", json={"vendor_name": "", "email": "nope",
                                                  "password": "short", "timezone": "Mars/Base"})
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["error"]["details"]["fields"]}
    assert {"body.vendor_name", "body.password"} <= fields
    r = mem.client.post(f"{P}/auth/signup", json={"vendor_name": "V", "email": "nope",
                                                  "password": PASSWORD, "timezone": "Mars/Base"})
    assert r.status_code == 422
    assert set(r.json()["error"]["details"]["fields"]) == {"email", "timezone"}


def test_an_email_signs_up_once(mem: Harness):
    mem.signup("A", "same@example.com")
    r = mem.client.post(f"{P}/auth/signup", json={"vendor_name": "B", "email": "SAME@example.com",
                                                  "password": PASSWORD})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CONFLICT"


def test_login_logout_and_the_session_cookie(harness: Harness):
    v = harness.signup("Lens", "lens@example.com")
    c = harness.fresh_client()
    assert c.get(f"{P}/account").status_code == 401
    r = c.post(f"{P}/auth/login", json={"email": "LENS@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["vendor"]["id"] == v.id
    assert "httponly" in _cookie_attrs(r).lower()
    token = c.cookies.get("journeys_session")
    assert c.get(f"{P}/account").status_code == 200
    assert c.post(f"{P}/auth/logout").status_code == 204
    assert c.get(f"{P}/account").status_code == 401
    stale = harness.fresh_client()
    stale.cookies.set("journeys_session", token)
    assert stale.get(f"{P}/account").status_code == 401  # the session is gone server-side


def test_a_wrong_password_and_an_unknown_email_look_the_same(harness: Harness):
    harness.signup("Lens", "lens@example.com")
    wrong = harness.client.post(f"{P}/auth/login", json={"email": "lens@example.com",
                                                         "password": "not the password"})
    unknown = harness.client.post(f"{P}/auth/login", json={"email": "who@example.com",
                                                           "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_sessions_expire(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    c = mem.fresh_client()
    c.cookies.set("journeys_session", v.session)
    assert c.get(f"{P}/account").status_code == 200
    mem.clock.advance(mem.settings.session_ttl + timedelta(seconds=1))
    r = c.get(f"{P}/account")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_cookie_writes_from_another_origin_are_refused(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    c = mem.fresh_client()
    c.cookies.set("journeys_session", v.session)
    doc = {"format": "journeys/v1", "name": "x", "nodes": [], "edges": []}
    r = c.post(f"{P}/journeys", json=doc, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "CSRF_REFUSED"
    assert mem.engine.journeys.list(v.id) == []
    # A malformed Origin is refused the same way, never a server error.
    r = c.post(f"{P}/journeys", json=doc, headers={"Origin": "http://["})
    assert r.status_code == 403 and r.json()["error"]["code"] == "CSRF_REFUSED"
    ok = c.post(f"{P}/journeys", json=doc, headers={"Origin": "http://testserver"})
    assert ok.status_code == 201
    # reads are not writes, and API keys are not cookies
    assert c.get(f"{P}/journeys", headers={"Origin": "https://evil.example"}).status_code == 200
    assert mem.call(v, "POST", "journeys", json=doc,
                    headers={"Origin": "https://evil.example"}).status_code == 201


def test_owners_add_users_and_members_cannot(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    owner = mem.fresh_client()
    owner.cookies.set("journeys_session", v.session)
    mem.clock.advance(seconds=1)
    r = owner.post(f"{P}/account/users", json={"email": "mo@example.com", "password": PASSWORD,
                                               "name": "Mo"})
    assert r.status_code == 201 and r.json()["role"] == "member"
    member = mem.fresh_client()
    assert member.post(f"{P}/auth/login", json={"email": "mo@example.com",
                                                "password": PASSWORD}).status_code == 200
    assert member.get(f"{P}/account").json()["vendor"]["id"] == v.id
    r = member.post(f"{P}/account/users", json={"email": "x@example.com", "password": PASSWORD})
    assert r.status_code == 403
    assert [u["email"] for u in owner.get(f"{P}/account/users").json()["items"]] == [
        "lens@example.com", "mo@example.com"]


# -- API keys -------------------------------------------------------------------------------

def test_api_keys_are_shown_once_stored_hashed_named_and_track_last_use(harness: Harness):
    v = harness.signup("Lens", "lens@example.com")
    owner = harness.fresh_client()
    owner.cookies.set("journeys_session", v.session)
    harness.clock.advance(seconds=1)
    created = owner.post(f"{P}/account/api-keys", json={"name": "Zapier"}).json()
    secret = created["secret"]
    assert secret.startswith(created["prefix"] + "_") and created["name"] == "Zapier"
    assert created["last_used_at"] is None
    listed = owner.get(f"{P}/account/api-keys").json()["items"]
    assert [k["name"] for k in listed] == ["tests", "Zapier"]
    assert all("secret" not in k for k in listed)
    stored = harness.accounts.get_api_key(v.id, created["id"])
    assert stored.key_hash == sha256_hex(secret) and secret not in repr(stored)

    use = harness.fresh_client()
    use.headers["Authorization"] = f"Bearer {secret}"
    assert use.get(f"{P}/account").json()["api_key"]["name"] == "Zapier"
    first = owner.get(f"{P}/account/api-keys/{created['id']}").json()["last_used_at"]
    assert first == "2027-01-04T09:00:01Z"
    harness.clock.advance(seconds=30)
    use.get(f"{P}/journeys")
    assert owner.get(f"{P}/account/api-keys/{created['id']}").json()["last_used_at"] == first
    harness.clock.advance(minutes=5)
    use.get(f"{P}/journeys")
    assert owner.get(f"{P}/account/api-keys/{created['id']}").json()[
        "last_used_at"] == "2027-01-04T09:05:31Z"


def test_a_revoked_key_stops_working_at_once(harness: Harness):
    v = harness.signup("Lens", "lens@example.com")
    assert harness.call(v, "GET", "journeys").status_code == 200
    owner = harness.fresh_client()
    owner.cookies.set("journeys_session", v.session)
    r = owner.delete(f"{P}/account/api-keys/{v.key_id}")
    assert r.status_code == 200 and r.json()["active"] is False
    assert r.json()["revoked_at"] == "2027-01-04T09:00:00Z"
    denied = harness.call(v, "GET", "journeys")
    assert denied.status_code == 401 and "revoked" in denied.json()["error"]["message"]
    again = owner.delete(f"{P}/account/api-keys/{v.key_id}")  # idempotent
    assert again.status_code == 200 and again.json()["revoked_at"] == r.json()["revoked_at"]
    assert owner.get(f"{P}/account/api-keys").json()["items"][0]["active"] is False


def test_an_api_key_cannot_manage_keys_or_users(mem: Harness):
    v = mem.signup("Lens", "lens@example.com")
    for method, path, body in (("POST", "account/api-keys", {"name": "more"}),
                               ("GET", "account/api-keys", None),
                               ("DELETE", f"account/api-keys/{v.key_id}", None),
                               ("POST", "account/users", {"email": "x@example.com",
                                                          "password": PASSWORD})):
        r = mem.call(v, method, path, json=body)
        assert r.status_code == 403, (method, path, r.text)
    assert len(mem.accounts.list_api_keys(v.id)) == 1


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer jrn_0123456789ab_" + "x" * 43,
                                    "Basic YTpi", "Bearer "])
def test_bad_credentials_get_401_in_the_error_shape(mem: Harness, header):
    mem.signup("Lens", "lens@example.com")
    r = mem.client.get(f"{P}/journeys", headers={"Authorization": header})
    assert r.status_code == 401
    assert set(r.json()["error"]) == {"code", "message", "details"}
    assert r.headers["www-authenticate"].startswith("Bearer")


# -- every route needs authentication unless marked public -----------------------------------

def _operations() -> list[tuple[str, str, bool]]:
    app = create_api()
    found = []
    for route in iter_route_contexts(app.routes):
        if not route.include_in_schema or not route.methods:
            continue
        public = bool((route.openapi_extra or {}).get("x-public"))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, route.path, public))
    return found


OPERATIONS = _operations()
PUBLIC = {(m, p) for m, p, public in OPERATIONS if public}


def test_only_health_auth_form_links_and_signed_hooks_are_public():
    assert PUBLIC == {("GET", f"{P}/health"), ("POST", f"{P}/auth/signup"),
                      ("POST", f"{P}/auth/login"), ("POST", f"{P}/auth/logout"),
                      ("GET", f"{P}/public/forms/{{token}}"),
                      ("POST", f"{P}/public/forms/{{token}}"),
                      ("POST", f"{P}/hooks/{{vendor_id}}/events"),
                      ("POST", f"{P}/hooks/{{vendor_id}}/payment")}


@pytest.mark.parametrize("method,path", [(m, p) for m, p, public in OPERATIONS if not public],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_every_other_route_needs_authentication(mem: Harness, method, path):
    mem.signup("Lens", "lens@example.com")
    url = PARAM.sub("x1", path).replace("/versions/x1", "/versions/1")
    r = mem.client.request(method, url, json={})
    assert r.status_code == 401, f"{method} {path}: {r.status_code} {r.text}"
    assert r.json()["error"]["code"] == "UNAUTHORIZED"
