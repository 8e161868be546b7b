"""The outbox and its dead letters: list what was (or will be) sent, replay or discard a dead
letter. Thin: the work is engine.effects.DeadLetters."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from engine.audit import AuditService
from engine.domain import Effect
from engine.effects import DeadLetters
from engine.effects.audit import histories
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_fetched
from journey_app.api.schemas import EffectAttemptOut

EffectStatus = Literal["pending", "sending", "sent", "captured", "dead", "discarded"]


class EffectOut(BaseModel):
    id: str
    key: str
    kind: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    destination: str | None = None
    run_id: str | None = None
    client_id: str | None = None
    payload: dict[str, Any]
    history: list[dict[str, Any]]


def effect_out(effect: Effect, history: list[dict[str, Any]] | None = None) -> EffectOut:
    return EffectOut(id=effect.id, key=effect.key, kind=effect.kind, status=effect.status,
                     attempts=effect.attempts, created_at=effect.created_at,
                     next_attempt_at=effect.next_attempt_at, sent_at=effect.sent_at,
                     last_error=effect.last_error, destination=effect.destination,
                     run_id=effect.run_id, client_id=effect.client_id,
                     payload={k: v for k, v in effect.payload.items() if not k.startswith("_")},
                     history=history or [])


def _list_effects(ctx: Ctx, vendor_id: str, *, status: str | None, run_id: str | None,
                  limit: int) -> list[Effect]:
    # TODO(engine): an outbox read service (with offset) in engine.effects; until then the
    # store's own vendor-scoped query, read-only.
    with ctx.engine.store.transaction() as tx:
        return tx.list_effects(vendor_id, status=status, run_id=run_id, limit=limit)


def _with_history(ctx: Ctx, effect: Effect) -> EffectOut:
    return effect_out(effect, histories(ctx.engine.store, [effect])[effect.id])


def _page_with_history(ctx: Ctx, fetched: list[Effect], paging: Paging) -> dict:
    """A page of effects with their attempt histories (one query for the page)."""
    shown = fetched[:paging.limit]
    found = histories(ctx.engine.store, shown)
    return page_fetched(fetched, paging, lambda e: effect_out(e, found.get(e.id)))


def router() -> APIRouter:
    r = APIRouter(tags=["outbox"], responses=COMMON_RESPONSES)

    def dead(ctx: Ctx) -> DeadLetters:
        return DeadLetters(ctx.engine.store, ctx.engine.clock)

    @r.get("/outbox", response_model=Page[EffectOut])
    def list_outbox(caller: Caller, ctx: Ctx, paging: Paging,
                    status: EffectStatus | None = None,
                    run_id: Annotated[str | None, Query(max_length=200)] = None):
        """Emails, form emails, webhooks and tasks, oldest first (captured emails included)."""
        fetched = _list_effects(ctx, caller.vendor_id, status=status, run_id=run_id,
                                limit=paging.offset + paging.limit + 1)[paging.offset:]
        return _page_with_history(ctx, fetched, paging)

    @r.get("/dead-letters", response_model=Page[EffectOut])
    def list_dead_letters(caller: Caller, ctx: Ctx, paging: Paging):
        """Effects that will not be tried again unless replayed, oldest first."""
        fetched = dead(ctx).list(caller.vendor_id,
                                 limit=paging.offset + paging.limit + 1)[paging.offset:]
        return _page_with_history(ctx, fetched, paging)

    @r.post("/dead-letters/{effect_id}/replay", response_model=EffectOut)
    def replay(effect_id: str, caller: Caller, ctx: Ctx):
        """Try a dead (or discarded) effect again, with a fresh retry budget."""
        return _with_history(ctx, dead(ctx).replay(effect_id, vendor_id=caller.vendor_id,
                                                   actor=caller.actor))

    @r.post("/dead-letters/{effect_id}/discard", response_model=EffectOut)
    def discard(effect_id: str, caller: Caller, ctx: Ctx):
        """Give up on a dead or pending effect."""
        return _with_history(ctx, dead(ctx).discard(effect_id, vendor_id=caller.vendor_id,
                                                    actor=caller.actor))

    @r.get("/outbox/{effect_id}/attempts", response_model=list[EffectAttemptOut])
    def attempts(effect_id: str, caller: Caller, ctx: Ctx):
        """Every delivery attempt of one effect, and every replay or discard (who, when)."""
        return [EffectAttemptOut.model_validate(a) for a in
                AuditService(ctx.engine).effect_attempts(caller.vendor_id, effect_id)]

    return r
