"""Event ingestion with an Idempotency-Key: the same key twice has one effect and answers with
the first response, unchanged. Rate limited per API key and per client address."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from engine.errors import Conflict
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx, client_address
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.schemas import EventIn, EventResult

RESULT_KEYS = ("event_id", "type", "client_id", "started", "resumed", "exited", "goals")


def ingest_once(ctx: Ctx, vendor_id: str, *, key: str | None, **event: Any) -> dict:
    """Ingest; when a concurrent request with the same key won the race (the store refused
    the second insert with Conflict and rolled it back), answer with the winner's response."""
    try:
        return ctx.engine.events.ingest(vendor_id, key=key, **event)
    except Conflict:
        if key is None:
            raise
        return ctx.engine.events.ingest(vendor_id, key=key, **event)


def router() -> APIRouter:
    r = APIRouter(tags=["events"], responses=COMMON_RESPONSES)

    @r.post("/events", response_model=EventResult)
    def ingest(body: EventIn, request: Request, caller: Caller, ctx: Ctx,
               idempotency_key: Annotated[str | None, Header(
                   alias="Idempotency-Key", min_length=1, max_length=200,
                   description="send the same key when retrying: one effect, same answer")]
               = None):
        """Ingest an event for a client (id or external id): it ends, resumes, converts and
        starts runs."""
        who = f"key:{caller.api_key_id}" if caller.api_key_id else f"user:{caller.user_id}"
        ctx.limits.ingest_key.take(who)
        ctx.limits.ingest_address.take(f"addr:{client_address(request, ctx.settings)}")
        result = ingest_once(ctx, caller.vendor_id, client=body.client, type=body.type,
                             data=body.data, key=idempotency_key, actor=caller.actor)
        return {k: result[k] for k in RESULT_KEYS}

    return r
