"""Journeys: drafts (CRUD), validation, publishing, versions, moving runs between versions,
and the journey's audit log."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, status

from engine.audit import AuditService
from engine.errors import NotFound
from engine.graph import validate
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_of
from journey_app.api.schemas import (JourneyDeleted, JourneyHistoryOut, JourneyOut,
                                     JourneySummary, MigrationIn, MigrationOut, ValidationOut,
                                     VersionOut, VersionSummary)

DOCUMENT_EXAMPLE = {
    "format": "journeys/v1", "name": "Inquiry welcome",
    "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
              {"id": "welcome", "type": "email",
               "config": {"subject": "Hello {{ client.first_name }}",
                          "body": "Thanks for getting in touch!"}}],
    "edges": [{"from": "start", "to": "welcome"}]}
Document = Annotated[dict[str, Any], Body(description="a journeys/v1 document",
                                          examples=[DOCUMENT_EXAMPLE])]


def validation_of(document: dict[str, Any]) -> ValidationOut:
    problems = validate(document)
    errors = sum(1 for p in problems if p.severity == "error")
    return ValidationOut(valid=errors == 0, errors=errors, warnings=len(problems) - errors,
                         problems=[p.to_dict() for p in problems])


def router() -> APIRouter:
    r = APIRouter(tags=["journeys"], responses=COMMON_RESPONSES)

    @r.get("/journeys", response_model=Page[JourneySummary])
    def list_journeys(caller: Caller, ctx: Ctx, paging: Paging,
                      include_archived: bool = False):
        """The vendor's journeys by name (then id); archived ones only when asked."""
        found = [j for j in ctx.engine.journeys.list(caller.vendor_id)
                 if include_archived or not j.archived]
        return page_of(found, paging, JourneySummary.model_validate)

    @r.post("/journeys", status_code=status.HTTP_201_CREATED, response_model=JourneyOut)
    def create_journey(document: Document, caller: Caller, ctx: Ctx):
        """Save a new draft. Drafts may be invalid; POST .../validate says what is wrong."""
        return ctx.engine.journeys.create(caller.vendor_id, document, actor=caller.actor)

    @r.post("/journeys/validate", response_model=ValidationOut)
    def validate_document(document: Document, caller: Caller):
        """Validate a document without saving it: every problem at once."""
        return validation_of(document)

    @r.get("/journeys/{journey_id}", response_model=JourneyOut)
    def get_journey(journey_id: str, caller: Caller, ctx: Ctx):
        return ctx.engine.journeys.get(caller.vendor_id, journey_id)

    @r.put("/journeys/{journey_id}", response_model=JourneyOut)
    def update_draft(journey_id: str, document: Document, caller: Caller, ctx: Ctx):
        """Replace the draft. Published versions and runs in flight are not touched."""
        return ctx.engine.journeys.update_draft(caller.vendor_id, journey_id, document,
                                                actor=caller.actor)

    @r.delete("/journeys/{journey_id}", response_model=JourneyDeleted)
    def delete_journey(journey_id: str, caller: Caller, ctx: Ctx):
        """Delete a journey; one that has runs is archived instead (its history stays)."""
        ctx.engine.journeys.delete(caller.vendor_id, journey_id)
        try:
            ctx.engine.journeys.get(caller.vendor_id, journey_id)
            return JourneyDeleted(id=journey_id, result="archived")
        except NotFound:
            return JourneyDeleted(id=journey_id, result="deleted")

    @r.post("/journeys/{journey_id}/validate", response_model=ValidationOut)
    def validate_draft(journey_id: str, caller: Caller, ctx: Ctx):
        """Validate the saved draft: every problem, with its node or edge."""
        return validation_of(ctx.engine.journeys.get(caller.vendor_id, journey_id).draft)

    @r.post("/journeys/{journey_id}/publish", status_code=status.HTTP_201_CREATED,
            response_model=VersionOut)
    def publish(journey_id: str, caller: Caller, ctx: Ctx):
        """Freeze the draft as the next version and make it live (422 with every problem if
        the draft has errors). Runs in flight stay on their version."""
        return ctx.engine.journeys.publish(caller.vendor_id, journey_id, actor=caller.actor)

    @r.post("/journeys/{journey_id}/unpublish", response_model=JourneySummary)
    def unpublish(journey_id: str, caller: Caller, ctx: Ctx):
        """Stop enrolling new clients; runs in flight carry on."""
        return ctx.engine.journeys.unpublish(caller.vendor_id, journey_id)

    @r.get("/journeys/{journey_id}/versions", response_model=Page[VersionSummary])
    def list_versions(journey_id: str, caller: Caller, ctx: Ctx, paging: Paging):
        """Published versions, oldest first."""
        return page_of(ctx.engine.journeys.versions(caller.vendor_id, journey_id), paging,
                       VersionSummary.model_validate)

    @r.get("/journeys/{journey_id}/versions/{version}", response_model=VersionOut)
    def get_version(journey_id: str, version: Annotated[int, Path(ge=1, le=2**31 - 1)],
                    caller: Caller, ctx: Ctx):
        return ctx.engine.journeys.version(caller.vendor_id, journey_id, version)

    @r.post("/journeys/{journey_id}/migrations/preview", response_model=MigrationOut)
    def preview_migration(journey_id: str, body: MigrationIn, caller: Caller, ctx: Ctx):
        """How many runs at which nodes would move to `to_version` with this node mapping.
        Nothing changes."""
        preview = ctx.engine.journeys.preview_migration(
            caller.vendor_id, journey_id, to_version=body.to_version, mapping=body.mapping,
            from_version=body.from_version)
        return MigrationOut(**preview.to_dict(), applied=False)

    @r.post("/journeys/{journey_id}/migrations", response_model=MigrationOut)
    def migrate_runs(journey_id: str, body: MigrationIn, caller: Caller, ctx: Ctx):
        """Move open runs on older versions to `to_version`, node by node as mapped."""
        result = ctx.engine.journeys.migrate_runs(
            caller.vendor_id, journey_id, to_version=body.to_version, mapping=body.mapping,
            from_version=body.from_version, actor=caller.actor)
        return MigrationOut(**result.to_dict(), applied=True)

    @r.get("/journeys/{journey_id}/audit", response_model=Page[JourneyHistoryOut])
    def journey_audit(journey_id: str, caller: Caller, ctx: Ctx, paging: Paging,
                      runs: Annotated[bool, Query(description="also every run's steps and "
                                                  "manual controls")] = False):
        """The journey's history, oldest first: who created it, saved the draft (and what
        changed), published which version, unpublished, archived or deleted it."""
        return page_of(AuditService(ctx.engine).journey_history(
            caller.vendor_id, journey_id, include_runs=runs), paging,
            JourneyHistoryOut.model_validate)

    return r

