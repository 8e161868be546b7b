"""The REST API, mounted into the Reflex backend (same port as the UI).

``create_api()`` is the factory: add routers here (``app.include_router(...,
prefix=API_PREFIX)``). Note that the Reflex server runs its own lifespan and
does not run this FastAPI app's lifespan handlers; register startup work with
``rx.App.register_lifespan_task`` in ``journey_app.journey_app`` instead.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from journey_app.routes import API_PREFIX

__all__ = ["API_PREFIX", "create_api"]


def _meta_router() -> APIRouter:
    router = APIRouter(tags=["meta"])

    @router.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process is up and serving requests."""
        return {"status": "ok"}

    return router


def create_api() -> FastAPI:
    """Build the FastAPI app that Reflex mounts in front of its own routes."""
    api = FastAPI(
        title="Journeys API",
        version="1",
        # Keep FastAPI's own pages under the API prefix so they never shadow UI routes.
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    api.include_router(_meta_router(), prefix=API_PREFIX)
    return api
