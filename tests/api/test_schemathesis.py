"""Schemathesis over every operation of the OpenAPI document: no server error, and every
response conforms to its documented status codes, content type, headers and schema.

Bounded: MAX_EXAMPLES generated cases per operation (plus schemathesis' explicit examples and
coverage cases), against one vendor seeded with a journey, clients, runs, an approval and an
outbox row. Each case is authenticated with a fresh session of the vendor's owner (a session
can call every operation, so logout in one case cannot starve the others).
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_headers_conformance, response_schema_conformance,
                                 status_code_conformance)

from engine.storage.memory import MemoryStore

from .harness import PASSWORD, Harness, P

MAX_EXAMPLES = int(os.environ.get("JOURNEYS_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]

WORLD = Harness(MemoryStore(), own_app=True)
OWNER = WORLD.signup("Schemathesis Photography", "owner@st.example")
WORLD.seed(OWNER)

schema = schemathesis.openapi.from_asgi(f"{P}/openapi.json", WORLD.app)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
CASES: Counter = Counter()
STATUSES: Counter = Counter()
REPORT = (Path(__file__).resolve().parents[2] / "test-artifacts"
          / f"schemathesis-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json")


@pytest.fixture(scope="module", autouse=True)
def _report():
    """How big the run was: test-artifacts/schemathesis-<xdist worker>.json (sum them)."""
    yield
    if not CASES:
        return
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    documented = {f"{op.method.upper()} {op.path}" for op in OPERATIONS}
    REPORT.write_text(json.dumps({
        "max_examples": MAX_EXAMPLES, "cases": sum(CASES.values()),
        "operations_exercised": len(documented & set(CASES)),
        "cases_on_documented_operations": sum(n for k, n in CASES.items() if k in documented),
        "cases_probing_undocumented_methods": sum(n for k, n in CASES.items()
                                                  if k not in documented),
        "statuses": dict(sorted(STATUSES.items())), "per_operation": dict(sorted(CASES.items()))},
        indent=2))


def test_the_document_covers_every_route():
    """Every operation of the route table is in the document schemathesis walks."""
    from fastapi.routing import iter_route_contexts

    routed = {f"{m} {r.path}" for r in iter_route_contexts(WORLD.app.routes)
              if r.include_in_schema and r.methods for m in r.methods - {"HEAD"}}
    assert {f"{op.method.upper()} {op.path}" for op in OPERATIONS} == routed
    assert len(OPERATIONS) >= 70


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case):
    _, token = WORLD.accounts.login(OWNER.email, PASSWORD)
    # Schemathesis fills in the documented security schemes with made-up credentials; drop a
    # made-up API key so the session is what authenticates (401s are tested elsewhere).
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
    response = case.call_and_validate(cookies={"journeys_session": token}, checks=CHECKS)
    CASES[f"{case.method.upper()} {case.path}"] += 1
    STATUSES[str(response.status_code)] += 1
