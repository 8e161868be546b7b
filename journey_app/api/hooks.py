"""Signed inbound hooks: a payment processor or a CRM posts events for a vendor's clients.

    POST /api/v1/hooks/{vendor_id}/payment
        {"id": "pay_123", "client": "<id or external id>", "amount": 1200.50, "currency": "EUR",
         "description": "optional", "metadata": {...}}          -> payment_received
    POST /api/v1/hooks/{vendor_id}/events
        {"id": "optional", "client": "...", "type": "custom:<name>" | "payment_received",
         "data": {...}}
    X-Journeys-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    Idempotency-Key: <the sender's event id>     (or X-Journeys-Idempotency-Key, or body "id")

No session or API key: the signature with the vendor's webhook secret is the authentication
(engine.inbound.InboundHooks; a 5-minute window against replays; the previous secret still
verifies after a rotation). A bad signature is refused with 401, the same answer whatever was
wrong, and logged with the reason. The same idempotency key twice returns the first answer (with
`Idempotent-Replayed: true`) and has one effect; a key reused for a different event is a 409.
Payments need a key. Bodies over MAX_BODY_BYTES are refused with 413 before anything is parsed.

Wiring (create_api): `api.include_router(hooks.router, prefix=API_PREFIX)`; it needs no
dependencies (create_api adds its per-address rate limit).
"""
from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from engine.effects.signing import HEADER, IDEMPOTENCY_HEADER
from engine.errors import JourneyError
from engine.inbound import HookAnswer, HookRefused, InboundHooks, InvalidHook
from journey_app.api.capped_body import BodyTooLarge, read_capped
from journey_app.api.errors import ErrorResponse, error_response

log = logging.getLogger("journeys.api.hooks")

MAX_BODY_BYTES = 64 * 1024
RESULT_KEYS = ("event_id", "type", "client_id", "started", "resumed", "exited", "goals")
KEY_HEADERS = ("Idempotency-Key", IDEMPOTENCY_HEADER)
_PUBLIC = {"x-public": True}
_RESULT_SCHEMA = {"type": "object", "properties": {
    "event_id": {"type": "string"}, "type": {"type": "string"}, "client_id": {"type": "string"},
    **{k: {"type": "array", "items": {"type": "string"}}
       for k in ("started", "resumed", "exited", "goals")}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "ingested (or the first answer again, for a repeated key)",
          "content": {"application/json": {"schema": _RESULT_SCHEMA}}},
    **{status: {"model": ErrorResponse, "description": text} for status, text in (
        (401, "bad or missing signature"), (404, "no such client for this vendor"),
        (409, "the idempotency key was used for a different event"),
        (413, "body too large"), (422, "invalid body: every bad field is named"),
        (503, "the engine is not available"))}}


def _body_doc(example: dict[str, Any]) -> dict[str, Any]:
    return {**_PUBLIC, "parameters": [
        {"name": HEADER, "in": "header", "required": True, "schema": {"type": "string"},
         "description": "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>"},
        {"name": "Idempotency-Key", "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": 200}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object"}, "example": example}}}}


router = APIRouter(tags=["hooks"])


@router.post("/hooks/{vendor_id}/payment", responses=_RESPONSES, openapi_extra=_body_doc(
    {"id": "pay_123", "client": "crm-42", "amount": 1200.5, "currency": "EUR"}))
async def payment(vendor_id: str, request: Request) -> JSONResponse:
    """A payment for one of the vendor's clients: `payment_received` with amount and currency.
    Signed; idempotent by key (required)."""
    return await _handle(vendor_id, request, "payment")


@router.post("/hooks/{vendor_id}/events", responses=_RESPONSES, openapi_extra=_body_doc(
    {"id": "evt_9", "client": "crm-42", "type": "custom:booking_signed", "data": {}}))
async def events(vendor_id: str, request: Request) -> JSONResponse:
    """A `custom:<name>` (or `payment_received`) event for one of the vendor's clients.
    Signed; idempotent by key."""
    return await _handle(vendor_id, request, "event")


async def _handle(vendor_id: str, request: Request, kind: str) -> JSONResponse:
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return error_response(503, "ENGINE_UNAVAILABLE", "the engine is not configured")
    try:
        body = await read_capped(request, MAX_BODY_BYTES)
    except BodyTooLarge as error:
        return error_response(413, "PAYLOAD_TOO_LARGE", str(error), {"max_bytes": error.limit})
    hooks = InboundHooks(engine)
    key = next((request.headers[h] for h in KEY_HEADERS if h in request.headers), None)
    try:
        answer: HookAnswer = await run_in_threadpool(
            _ingest, hooks, vendor_id, request.headers.get(HEADER), body, key, kind)
    except HookRefused as refused:
        log.warning("inbound hook refused for vendor %r from %s: bad or missing signature (%s)",
                    vendor_id, _address(request), refused.reason)
        return error_response(401, refused.code, refused.message)
    except JourneyError as error:
        return error_response(error.http_status, error.code, error.message, error.details)
    log.info("inbound hook for vendor %r: %s%s", vendor_id, answer.result.get("type"),
             " (replayed)" if answer.replayed else "")
    return JSONResponse({k: answer.result.get(k) for k in RESULT_KEYS},
                        headers={"Idempotent-Replayed": "true"} if answer.replayed else None)


def _ingest(hooks: InboundHooks, vendor_id: str, signature: str | None, body: bytes,
            key: str | None, kind: str) -> HookAnswer:
    vendor = hooks.authenticate(vendor_id, signature, body)
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidHook([{"field": "body", "message": "not a JSON document (UTF-8)"}]) from None
    if kind == "payment":
        return hooks.payment(vendor, payload, key=key)
    return hooks.event(vendor, payload, key=key)


def _address(request: Request) -> str:
    settings = getattr(request.app.state, "api_settings", None)
    if getattr(settings, "trust_forwarded_for", False):
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


__all__ = ["MAX_BODY_BYTES", "router"]
