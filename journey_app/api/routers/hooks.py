"""Signed inbound hooks: a payment processor or CRM posts events for a vendor's clients.

    POST /api/v1/hooks/{vendor_id}/events
    X-Journeys-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    X-Journeys-Idempotency-Key: <the sender's event id>     (or Idempotency-Key)
    {"client": "<id or external id>", "type": "payment_received", "data": {...}}

No session or API key: the signature is the authentication (engine.effects.signing.verify, with
a 5-minute window against replays; the current and the previous secret both verify, so a secret
can be rotated without a gap). A bad signature is refused with 401 and logged.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from engine.effects.signing import HEADER, IDEMPOTENCY_HEADER, verify
from engine.errors import AuthError, NotFound
from journey_app.api.context import Ctx, client_address
from journey_app.api.errors import PUBLIC_RESPONSES, ErrorResponse
from journey_app.api.routers.events import RESULT_KEYS, ingest_once
from journey_app.api.schemas import EventIn, EventResult

log = logging.getLogger("journeys.api.hooks")
HOOK_TYPES = re.compile(r"^(payment_received|custom:[A-Za-z0-9_.-]{1,64})$")
SECRET_KEYS = ("webhook_secret", "webhook_secret_previous")
PUBLIC = {"x-public": True}


def router() -> APIRouter:
    r = APIRouter(tags=["hooks"], responses={**PUBLIC_RESPONSES,
                                             401: {"model": ErrorResponse,
                                                   "description": "bad or missing signature"}})

    @r.post("/hooks/{vendor_id}/events", response_model=EventResult, openapi_extra={
        **PUBLIC, "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/EventIn"}}}}})
    async def inbound(vendor_id: str, request: Request, ctx: Ctx,
                      signature: Annotated[str | None, Header(alias=HEADER)] = None,
                      idempotency: Annotated[str | None, Header(
                          alias=IDEMPOTENCY_HEADER, max_length=200)] = None,
                      idempotency_key: Annotated[str | None, Header(
                          alias="Idempotency-Key", max_length=200)] = None):
        """Ingest a signed `payment_received` or `custom:<name>` event for one of the vendor's
        clients. Idempotent by key, like POST /events."""
        ctx.limits.ingest_address.take(f"addr:{client_address(request, ctx.settings)}")
        body = await request.body()
        result = await run_in_threadpool(_ingest, ctx, vendor_id, body, signature,
                                         idempotency or idempotency_key,
                                         client_address(request, ctx.settings))
        return {k: result[k] for k in RESULT_KEYS}

    return r


def _ingest(ctx: Ctx, vendor_id: str, body: bytes, signature: str | None, key: str | None,
            address: str) -> dict:
    try:
        vendor = ctx.engine.get_vendor(vendor_id)
    except NotFound:
        vendor = None
    secrets = [s for s in ((vendor.settings or {}).get(k) for k in SECRET_KEYS) if s] \
        if vendor is not None else []
    if not secrets or not signature or not verify(secrets, signature, body,
                                                   ctx.engine.clock.now()):
        log.warning("inbound hook refused for vendor %r from %s: bad or missing signature",
                    vendor_id, address)
        raise AuthError("bad or missing signature")
    try:
        event = EventIn.model_validate(json.loads(body))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",),
                                       "msg": "JSON decode error"}]) from None
    except ValidationError as error:
        raise RequestValidationError([{"type": e["type"], "loc": ("body", *e["loc"]),
                                       "msg": e["msg"]} for e in error.errors()]) from None
    if not HOOK_TYPES.match(event.type):
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "type"),
                                       "msg": "hooks take payment_received or custom:<name>"}])
    return ingest_once(ctx, vendor.id, client=event.client, type=event.type, data=event.data,
                       key=key, actor="hook")
