"""Tenant isolation, generated from the route table.

Every API route with a path parameter is called by vendor B with vendor A's ids: it must answer
404 and change nothing of A's (nor of B's). The routes come from the app itself, so a route added
later is covered without touching this file; a route whose path parameter this test cannot fill,
or whose body has no example in the OpenAPI document, fails until it is taught here.
Routes marked `x-shared` (the template and form library) hold no vendor's data; routes marked
`x-public` (signed hooks) are checked by their own tests.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from journey_app.api import create_api

from .harness import Harness, P

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _routes() -> list[tuple[str, str, dict]]:
    app = create_api()
    found = []
    for route in iter_route_contexts(app.routes):
        if not route.include_in_schema or not route.methods or not PARAM.search(route.path):
            continue
        extra = route.openapi_extra or {}
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, route.path, extra))
    return found


ROUTES = _routes()
SPEC = create_api().openapi()
SCOPED = [(m, p) for m, p, extra in ROUTES if not extra.get("x-shared")
          and not extra.get("x-public")]


def test_the_route_table_is_what_this_test_walks():
    """Sanity: the generator sees the id-taking routes (if FastAPI changes how routes are
    listed, this fails instead of the isolation test silently testing nothing)."""
    paths = {p for _, p in SCOPED}
    assert f"{P}/journeys/{{journey_id}}" in paths
    assert f"{P}/runs/{{run_id}}/reschedule" in paths
    assert len(SCOPED) >= 30


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _body_example(spec: dict, method: str, path: str) -> tuple[bool, Any]:
    """(needs a body, an example body) from the OpenAPI document."""
    operation = spec["paths"][path][method.lower()]
    body = operation.get("requestBody")
    if not body:
        return False, None
    media = body["content"]["application/json"]
    if "example" in media:
        return True, media["example"]
    schema = media["schema"]
    for candidate in [schema, *schema.get("anyOf", [])]:
        candidate = _resolve(candidate, spec)
        if candidate.get("examples"):
            return True, candidate["examples"][0]
        if candidate.get("example") is not None:
            return True, candidate["example"]
    if not body.get("required"):
        return False, None
    raise AssertionError(f"{method} {path}: add an example to its request body model so the "
                         "tenant isolation test can call it")


@pytest.fixture
def two_vendors(store):
    h = Harness(store)
    a = h.signup("Vendor A", "a@a.example")
    b = h.signup("Vendor B", "b@b.example")
    seeded_a = h.seed(a)
    h.seed(b)  # B has data of its own: ids must not resolve to B's things either
    yield h, a, b, seeded_a
    h.close()


@pytest.mark.parametrize("method,path", SCOPED, ids=[f"{m} {p[len(P):]}" for m, p in SCOPED])
def test_vendor_b_gets_404_with_vendor_a_ids_and_changes_nothing(two_vendors, method, path):
    h, a, b, seeded = two_vendors
    spec = SPEC
    url = path
    for name in PARAM.findall(path):
        assert name in seeded.ids, (f"{method} {path}: the isolation test does not know the "
                                    f"path parameter {name!r}; add vendor A's value in "
                                    "Harness.seed")
        url = url.replace(f"{{{name}}}", str(seeded.ids[name]))
    needs_body, example = _body_example(spec, method, path)
    before_a, before_b = h.snapshot(a.id), h.snapshot(b.id)
    kwargs = {"json": example} if needs_body else {}
    for mode in ("api_key", "session"):
        client = h.fresh_client()
        if mode == "api_key":
            client.headers.update(b.bearer)
        else:
            client.cookies.set("journeys_session", b.session)
        r = client.request(method, url, **kwargs)
        if mode == "api_key" and r.status_code == 403:
            # A route for people only (account management) refuses every API key alike: the
            # answer for A's id must be the answer for an id that does not exist at all.
            made_up = client.request(method, PARAM.sub("no-such-id", path).replace(
                "no-such-id", "1") if "{version" in path else PARAM.sub("no-such-id", path),
                **kwargs)
            assert (made_up.status_code, made_up.json()) == (r.status_code, r.json())
            continue
        assert r.status_code == 404, f"{method} {url} as B ({mode}): {r.status_code} {r.text}"
        assert r.json()["error"]["code"] == "NOT_FOUND"
    assert h.snapshot(a.id) == before_a, f"{method} {path} changed vendor A's data"
    assert h.snapshot(b.id) == before_b, f"{method} {path} changed vendor B's data"


def test_the_same_ids_work_for_their_owner(two_vendors):
    """The 404s above are about ownership, not bad ids: A reaches every one of them."""
    h, a, _, seeded = two_vendors
    ids = seeded.ids
    owner = h.fresh_client()
    owner.cookies.set("journeys_session", a.session)
    for path in (f"journeys/{ids['journey_id']}", f"journeys/{ids['journey_id']}/versions/1",
                 f"clients/{ids['client_id']}", f"runs/{ids['run_id']}",
                 f"runs/{ids['run_id']}/timeline", f"approvals/{ids['approval_id']}",
                 f"account/api-keys/{ids['key_id']}"):
        assert owner.get(f"{P}/{path}").status_code == 200, path


def test_filters_with_another_vendors_ids_find_nothing(two_vendors):
    h, a, b, seeded = two_vendors
    ids = seeded.ids
    assert h.ok(b, "GET", "runs", params={"journey_id": ids["journey_id"]})["items"] == []
    assert h.call(b, "GET", "runs", params={"client_id": ids["client_id"]}).status_code == 404
    assert h.ok(b, "GET", "outbox", params={"run_id": ids["run_id"]})["items"] == []
    assert h.ok(b, "GET", "clients", params={"search": "crm-"})["items"] != []  # B's own only
    assert all(c["id"] != ids["client_id"]
               for c in h.ok(b, "GET", "clients", params={"limit": 500})["items"])
    # events for A's client, by id or external id, are not B's to send
    before = h.snapshot(a.id)
    client = h.engine.clients.get(a.id, ids["client_id"])
    for ref in (client.id, client.external_id):
        r = h.call(b, "POST", "events", json={"client": ref, "type": "manual"})
        assert r.status_code == 404, r.text
    decided = h.ok(b, "POST", "approvals/decide", json={"decisions": [
        {"approval_id": ids["approval_id"], "decision": "approve"}]})
    assert decided["results"][0]["error"]["code"] == "NOT_FOUND"
    assert h.snapshot(a.id) == before


def test_the_generated_test_covers_a_route_added_later():
    """A new id-taking route shows up in the generated parameters with no edit here."""
    from fastapi import APIRouter

    app = create_api(None)
    extra = APIRouter()

    @extra.get(f"{P}/widgets/{{widget_id}}")
    def widget(widget_id: str) -> dict:  # pragma: no cover - never called
        return {}

    app.include_router(extra)
    paths = {r.path for r in iter_route_contexts(app.routes) if r.include_in_schema}
    assert f"{P}/widgets/{{widget_id}}" in paths
