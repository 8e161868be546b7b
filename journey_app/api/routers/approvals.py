"""Approvals: emails held for the vendor to approve (optionally edited) or reject; one or
several at once."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from engine.errors import JourneyError, NotFound
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_of
from journey_app.api.schemas import (ApprovalOut, ApproveIn, DecisionOut, DecisionsIn,
                                     DecisionsOut, EmailEdits)

DECISIONS = {"approve": "approved", "reject": "rejected"}


def _edits(edits: EmailEdits | None) -> dict | None:
    return edits.model_dump(exclude_unset=True) if edits is not None else None


def router() -> APIRouter:
    r = APIRouter(tags=["approvals"], responses=COMMON_RESPONSES)

    @r.get("/approvals", response_model=Page[ApprovalOut])
    def list_approvals(caller: Caller, ctx: Ctx, paging: Paging,
                       status: Annotated[Literal["pending", "approved", "rejected", "expired",
                                                 "cancelled", "all"],
                                         Query(description="default: pending")] = "pending"):
        """Approvals, oldest first."""
        found = ctx.engine.runs.approvals(caller.vendor_id,
                                          status=None if status == "all" else status)
        return page_of(found, paging, ApprovalOut.model_validate)

    @r.get("/approvals/{approval_id}", response_model=ApprovalOut)
    def get_approval(approval_id: str, caller: Caller, ctx: Ctx):
        for approval in ctx.engine.runs.approvals(caller.vendor_id, status=None):
            if approval.id == approval_id:
                return approval
        raise NotFound("approval", approval_id)

    @r.post("/approvals/{approval_id}/approve", response_model=ApprovalOut)
    def approve(approval_id: str, caller: Caller, ctx: Ctx, body: ApproveIn | None = None):
        """Send the held email, or an edited version of it (`edits`)."""
        return ctx.engine.runs.decide(caller.vendor_id, approval_id, decision="approved",
                                      actor=caller.actor,
                                      edits=_edits(body.edits) if body else None)

    @r.post("/approvals/{approval_id}/reject", response_model=ApprovalOut)
    def reject(approval_id: str, caller: Caller, ctx: Ctx):
        """Do not send it; the run goes on."""
        return ctx.engine.runs.decide(caller.vendor_id, approval_id, decision="rejected",
                                      actor=caller.actor)

    @r.post("/approvals/decide", response_model=DecisionsOut)
    def decide_many(body: DecisionsIn, caller: Caller, ctx: Ctx):
        """Several decisions at once. Each is applied on its own: the answer says, per
        approval, whether it worked or the error it got."""
        results = []
        for item in body.decisions:
            try:
                approval = ctx.engine.runs.decide(caller.vendor_id, item.approval_id,
                                                  decision=DECISIONS[item.decision],
                                                  actor=caller.actor, edits=_edits(item.edits))
                results.append(DecisionOut(approval_id=item.approval_id, ok=True,
                                           approval=ApprovalOut.model_validate(approval)))
            except JourneyError as error:
                results.append(DecisionOut(approval_id=item.approval_id, ok=False,
                                           error=error.to_dict()))
        return DecisionsOut(results=results)

    return r
