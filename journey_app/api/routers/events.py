"""Event ingestion with an Idempotency-Key: the same key twice has one effect and answers with
the first response, unchanged. Rate limited per API key and per client address."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from journey_app.api.auth import Caller
from journey_app.api.context import Ctx, client_address
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.schemas import EventIn, EventResult

RESULT_KEYS = ("event_id", "type", "client_id", "started", "resumed", "exited", "goals")


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
        result = ctx.engine.events.ingest(caller.vendor_id, client=body.client, type=body.type,
                                          data=body.data, key=idempotency_key,
                                          actor=caller.actor)
        return {k: result[k] for k in RESULT_KEYS}

    return r
