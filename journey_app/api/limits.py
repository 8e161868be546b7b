"""Rate limiting for routes that take no key or session (inbound hooks, public form links):
the client address's ingestion bucket, the same one POST /events spends from."""
from __future__ import annotations

from fastapi import Request

from journey_app.api.context import client_address, get_context
from journey_app.api.errors import ApiError


def by_client_address(request: Request) -> None:
    try:
        ctx = get_context(request)
    except ApiError:  # no engine yet: the route itself answers 503
        return
    ctx.limits.ingest_address.take(f"addr:{client_address(request, ctx.settings)}")
