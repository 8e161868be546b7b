"""Clients (couples): create, read, update with the reschedule it causes, delete, search, and a
client's timeline across all their runs."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime

from engine.audit import AuditService
from engine.errors import NotFound

from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_fetched, page_of
from journey_app.api.schemas import (ClientIn, ClientOut, ClientPatch, ClientUpdated,
                                     TimelineEntryOut)


TimelineKind = Literal["event", "run_started", "step", "control", "effect_attempt", "run_ended"]


def router() -> APIRouter:
    r = APIRouter(tags=["clients"], responses=COMMON_RESPONSES)

    @r.get("/clients", response_model=Page[ClientOut])
    def list_clients(caller: Caller, ctx: Ctx, paging: Paging,
                     search: Annotated[str | None, Query(max_length=200, description=
                                       "part of the name, email or external id")] = None):
        """Clients by name (then id), optionally searched."""
        fetched = ctx.engine.clients.list(caller.vendor_id, search=search or None,
                                          limit=paging.limit + 1, offset=paging.offset)
        return page_fetched(fetched, paging, ClientOut.model_validate)

    @r.post("/clients", status_code=status.HTTP_201_CREATED, response_model=ClientOut)
    def add_client(body: ClientIn, caller: Caller, ctx: Ctx):
        """Add a client: schedules its date triggers and emits `client_added`."""
        return ctx.engine.clients.add(caller.vendor_id, body.model_dump(exclude_unset=True,
                                                                         mode="json"),
                                      actor=caller.actor)

    @r.get("/clients/{client_id}", response_model=ClientOut)
    def get_client(client_id: str, caller: Caller, ctx: Ctx):
        """A client by id or by external id."""
        return ctx.engine.clients.get(caller.vendor_id, client_id)

    @r.patch("/clients/{client_id}", response_model=ClientUpdated)
    def update_client(client_id: str, body: ClientPatch, caller: Caller, ctx: Ctx,
                      preview: Annotated[bool, Query(description="only show what the change "
                                                     "would reschedule; change nothing")] = False):
        """Change a client. A changed date re-times the waiting runs and date triggers
        anchored on it; the answer lists each (`reschedule`). With ?preview=true nothing is
        changed and the answer is exactly what applying would do."""
        client, report = ctx.engine.clients.update(
            caller.vendor_id, client_id, body.model_dump(exclude_unset=True, mode="json"),
            actor=caller.actor, preview=preview)
        return ClientUpdated(client=ClientOut.model_validate(client),
                             reschedule=report.to_dict())

    @r.delete("/clients/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_client(client_id: str, caller: Caller, ctx: Ctx) -> Response:
        """Remove a client; their open runs are cancelled, history stays for analytics."""
        ctx.engine.clients.delete(caller.vendor_id, client_id, actor=caller.actor)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @r.get("/clients/{client_id}/timeline", response_model=Page[TimelineEntryOut])
    def client_timeline(client_id: str, caller: Caller, ctx: Ctx, paging: Paging,
                        kind: Annotated[list[TimelineKind] | None, Query(
                            description="only these kinds (repeat the parameter)")] = None,
                        since: AwareDatetime | None = None, until: AwareDatetime | None = None):
        """Everything that happened to a client, oldest first: events received, runs started
        and ended, every step and manual control (with who did it), and every delivery
        attempt, replay or discard of their emails, forms, webhooks and tasks."""
        try:
            client_id = ctx.engine.clients.get(caller.vendor_id, client_id).id
        except NotFound:
            pass  # a removed client's history is still readable by its id
        entries = AuditService(ctx.engine).client_timeline(
            caller.vendor_id, client_id, since=since, until=until, kinds=kind)
        return page_of(entries, paging, TimelineEntryOut.model_validate)

    return r
