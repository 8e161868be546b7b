"""Health: public, no engine needed."""
from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    r = APIRouter(tags=["meta"])

    @r.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the process is up and serving requests."""
        return {"status": "ok"}

    return r
