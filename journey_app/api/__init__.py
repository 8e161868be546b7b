"""The REST API, mounted into the Reflex backend (same port as the UI).

``create_api()`` is the factory: add routers here (``app.include_router(...,
prefix=API_PREFIX)``). Note that the Reflex server runs its own lifespan and
does not run this FastAPI app's lifespan handlers; register startup work with
``rx.App.register_lifespan_task`` in ``journey_app.journey_app`` instead.

How a request reaches the engine: ``app.state.engine`` (an ``engine.service.Engine``). The
bootstrap sets it (``api.state.engine = live.engine``) or a test passes ``create_api(engine)``.
Accounts default to the engine's own database (``SqlAccountStore`` on the SqlStore's SQLAlchemy
engine; memory for a MemoryStore) unless ``app.state.accounts`` holds an ``AccountService``.

Every route needs a session or an API key except those marked ``x-public`` in the OpenAPI
document (health, sign-up/login/logout, the public form links, signed inbound hooks); every
engine call passes the caller's vendor id.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import iter_route_contexts
from starlette.routing import Match

from engine.accounts import AccountService
from engine.service import Engine
from journey_app.api.errors import COMMON_RESPONSES, ApiError, install_error_handlers
from journey_app.api.guard import ApiGuard
from journey_app.api import hooks as inbound_hooks
from journey_app.api import public_forms
from journey_app.api.limits import by_client_address
from journey_app.api.routers import (account, analytics, approvals, clients, events, forms,
                                     journeys, library, meta, outbox, runs, simulation)
from journey_app.api.settings import ApiSettings
from journey_app.routes import API_PREFIX

__all__ = ["API_PREFIX", "ApiSettings", "create_api"]

PUBLIC = {"x-public": True}
RATE_LIMITED = COMMON_RESPONSES[429]


def _routers() -> list[APIRouter]:
    return [account.router(), journeys.router(), clients.router(), events.router(),
            runs.router(), approvals.router(), outbox.router(), analytics.router(),
            forms.router(), simulation.router(), library.router()]


def create_api(engine: Engine | None = None, settings: ApiSettings | None = None, *,
               accounts: AccountService | None = None) -> FastAPI:
    """Build the FastAPI app that Reflex mounts in front of its own routes."""
    settings = settings or ApiSettings()
    api = FastAPI(
        title="Journeys API",
        version="1",
        description="Journeys for wedding vendors: drafts, versions, clients, events, runs, "
                    "approvals, the outbox, simulation. Authenticate with an API key "
                    "(`Authorization: Bearer jrn_...`) or the session cookie from "
                    "`POST /auth/login`. Errors are `{\"error\": {\"code\", \"message\", "
                    "\"details\"}}`; lists are pages (`limit`, `offset`, `next_offset`).",
        # Keep FastAPI's own pages under the API prefix so they never shadow UI routes.
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        swagger_ui_oauth2_redirect_url=f"{API_PREFIX}/docs/oauth2-redirect",
    )
    api.state.engine = engine
    api.state.accounts = accounts
    api.state.api_settings = settings
    install_error_handlers(api)
    api.add_middleware(ApiGuard, prefix=API_PREFIX, max_body_bytes=settings.max_body_bytes)

    for public in (meta.router(), account.public_router()):
        for route in public.routes:
            route.openapi_extra = {**(getattr(route, "openapi_extra", None) or {}), **PUBLIC}
        api.include_router(public, prefix=API_PREFIX)
    # Public routes written beside the engine's forms and inbound hooks (they answer their own
    # errors); rate limited here per client address, like event ingestion.
    limited = {"dependencies": [Depends(by_client_address)], "responses": {429: RATE_LIMITED}}
    api.include_router(inbound_hooks.router, prefix=API_PREFIX, **limited)
    api.include_router(public_forms.router, **limited)  # /f/{token} and /api/v1/public/forms
    for router in _routers():
        api.include_router(router, prefix=API_PREFIX)
    _add_fallback(api)
    return api


def _add_fallback(api: FastAPI) -> None:
    """Unknown paths and methods under the prefix answer in the error shape (otherwise they
    would fall through to the Reflex app mounted behind us). Registered last."""

    @api.api_route(f"{API_PREFIX}/{{path:path}}", include_in_schema=False,
                   methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
    def fallback(request: Request, path: str):
        allowed: set[str] = set()
        for route in iter_route_contexts(request.app.routes):
            if route.endpoint is fallback or not route.methods:
                continue
            match, _ = route.matches({**request.scope, "method": "__NONE__"})
            if match is Match.PARTIAL:
                allowed |= set(getattr(route, "methods", None) or ())
        if allowed:
            raise ApiError(405, f"{request.method} is not allowed here",
                           code="METHOD_NOT_ALLOWED", details={"allowed": sorted(allowed)},
                           headers={"Allow": ", ".join(sorted(allowed))})
        raise ApiError(404, f"no such API path: {request.url.path}", code="NOT_FOUND")
