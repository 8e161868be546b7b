"""Runs: list and filter, one run, its timeline, and the manual controls (each written to the
run's step log with who did it)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_fetched, page_of
from journey_app.api.schemas import RescheduleIn, RunOut, RunStatusName, StepOut

Filter = Annotated[str | None, Query(min_length=1, max_length=200)]


def router() -> APIRouter:
    r = APIRouter(tags=["runs"], responses=COMMON_RESPONSES)

    @r.get("/runs", response_model=Page[RunOut])
    def list_runs(caller: Caller, ctx: Ctx, paging: Paging, journey_id: Filter = None,
                  client_id: Filter = None, status: RunStatusName | None = None,
                  node: Filter = None,
                  version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
        """Runs by start time (then id), filtered by journey, client, status, node, version."""
        if client_id is not None:  # an external id works too
            client_id = ctx.engine.clients.get(caller.vendor_id, client_id).id
        fetched = ctx.engine.runs.list(caller.vendor_id, journey_id=journey_id,
                                       client_id=client_id, status=status, node=node,
                                       version=version, limit=paging.limit + 1,
                                       offset=paging.offset)
        return page_fetched(fetched, paging, RunOut.model_validate)

    @r.get("/runs/{run_id}", response_model=RunOut)
    def get_run(run_id: str, caller: Caller, ctx: Ctx):
        return ctx.engine.runs.get(caller.vendor_id, run_id)

    @r.get("/runs/{run_id}/timeline", response_model=Page[StepOut])
    def timeline(run_id: str, caller: Caller, ctx: Ctx, paging: Paging):
        """The run's step log in order: steps, outcomes, controls and who did them."""
        return page_of(ctx.engine.runs.timeline(caller.vendor_id, run_id), paging,
                       StepOut.model_validate)

    def control(name: str, doc: str):
        def act(run_id: str, caller: Caller, ctx: Ctx):
            return getattr(ctx.engine.runs, name)(caller.vendor_id, run_id, actor=caller.actor)
        act.__doc__ = doc
        act.__name__ = f"{name}_run"
        r.post(f"/runs/{{run_id}}/{name}", response_model=RunOut, name=f"{name}_run")(act)

    control("pause", "Pause a waiting run (409 if it cannot be paused).")
    control("resume", "Resume a paused run; a wait now in the past follows the past-due rule.")
    control("cancel", "Cancel an open run.")
    control("skip", "Skip the current step and go on.")
    control("retry", "Retry a failed step.")

    @r.post("/runs/{run_id}/reschedule", response_model=RunOut)
    def reschedule(run_id: str, body: RescheduleIn, caller: Caller, ctx: Ctx):
        """Move the current wait to `at`; it no longer follows its anchor date."""
        return ctx.engine.runs.reschedule(caller.vendor_id, run_id, at=body.at,
                                          actor=caller.actor)

    return r
