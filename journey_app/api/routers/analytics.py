"""Journey analytics (engine.analytics.Analytics, SQL aggregates): the funnel, runs that need a
look, daily trends, cohorts, versions compared, and A/B splits with their significance test.

Analytics reads the SQL database: on an engine without one (the memory store of tests and
simulation) these routes answer 503 ANALYTICS_UNAVAILABLE. The journey is looked up for the
caller's vendor first, so another vendor's journey id is a 404, not an empty report.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import ApiError, COMMON_RESPONSES


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RunTotalsOut(_Out):
    started: int
    active: int
    completed: int
    exited: int
    cancelled: int
    failed: int
    converted: int
    conversion_rate: float | None


class NodeStatsOut(_Out):
    node: str
    type: str | None
    title: str | None
    entered: int
    visits: int
    completed: int
    skipped: int
    failed: int
    waiting: int
    failed_now: int
    dropped: int
    outcomes: dict[str, int]
    median_seconds: float | None
    p90_seconds: float | None


class TransitionOut(_Out):
    source: str
    target: str
    label: str | None
    runs: int
    rate: float | None


class FunnelOut(_Out):
    journey_id: str
    version: int | None
    nodes: list[NodeStatsOut]
    transitions: list[TransitionOut]
    runs: RunTotalsOut
    goal: dict[str, Any] | None = None


class StuckRunOut(_Out):
    run_id: str
    client_id: str
    client_name: str | None
    node: str | None
    status: str
    reason: str
    entered_at: datetime | None
    due_at: datetime | None
    waiting_seconds: float | None


class StuckOut(BaseModel):
    total: int = Field(description="every run that needs a look (the list stops at `limit`)")
    runs: list[StuckRunOut]


class DayTrendOut(_Out):
    day: date
    started: int
    completed: int
    exited: int
    converted: int
    steps: int
    outcomes: dict[str, int]


class CohortOut(_Out):
    key: str | None
    runs: RunTotalsOut


class VersionStatsOut(_Out):
    version: int
    runs: RunTotalsOut
    median_seconds_to_goal: float | None


class SignificanceOut(_Out):
    method: str
    statistic: float
    degrees_of_freedom: int
    p_value: float
    alpha: float
    enough_data: bool
    significant: bool
    z: float | None


class BranchOut(_Out):
    label: str
    runs: int
    converted: int
    completed: int
    conversion_rate: float | None


class SplitOut(_Out):
    node: str
    title: str | None
    branches: list[BranchOut]
    test: SignificanceOut | None


class TrendsOut(BaseModel):
    days: list[DayTrendOut]


class CohortsOut(BaseModel):
    by: str
    cohorts: list[CohortOut]


class VersionsOut(BaseModel):
    versions: list[VersionStatsOut]


class SplitsOut(BaseModel):
    splits: list[SplitOut]


Version = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="one version only")]
Since = Annotated[AwareDatetime | None, Query(description="steps and runs from this instant")]
Until = Annotated[AwareDatetime | None, Query(description="... up to this instant")]
COHORT_BY = r"^(wedding_month|(fields\.)?[A-Za-z0-9_-]{1,64})$"


def _analytics(ctx: Ctx, vendor_id: str, journey_id: str):
    ctx.engine.journeys.get(vendor_id, journey_id)  # 404 unless it is the caller's
    if ctx.analytics is None:
        from engine.analytics.service import Analytics

        sa_engine = getattr(ctx.engine.store, "engine", None)
        if sa_engine is None or not hasattr(sa_engine, "dialect"):
            raise ApiError(503, "analytics needs the SQL database (this engine runs in memory)",
                           code="ANALYTICS_UNAVAILABLE")
        ctx.analytics = Analytics(sa_engine)
    return ctx.analytics


def router() -> APIRouter:
    r = APIRouter(tags=["analytics"], responses=COMMON_RESPONSES)
    base = "/journeys/{journey_id}/analytics"

    @r.get(f"{base}/funnel", response_model=FunnelOut)
    def funnel(journey_id: str, caller: Caller, ctx: Ctx, version: Version = None,
               since: Since = None, until: Until = None):
        """Per node: entered, completed, skipped, failed, waiting, time in node; the moves
        between nodes; run totals and conversion to the journey's goal."""
        return _analytics(ctx, caller.vendor_id, journey_id).funnel(
            caller.vendor_id, journey_id, version=version, since=since, until=until)

    @r.get(f"{base}/stuck", response_model=StuckOut)
    def stuck(journey_id: str, caller: Caller, ctx: Ctx, version: Version = None,
              threshold_hours: Annotated[float, Query(gt=0, le=24 * 3660)] = 24 * 7,
              limit: Annotated[int, Query(ge=1, le=500)] = 100):
        """Open runs that need a look: overdue, waiting longer than the threshold, waiting for
        a date the client lacks, or failed."""
        total, runs = _analytics(ctx, caller.vendor_id, journey_id).stuck(
            caller.vendor_id, journey_id, now=ctx.engine.clock.now(),
            threshold=timedelta(hours=threshold_hours), version=version, limit=limit)
        return StuckOut(total=total, runs=[StuckRunOut.model_validate(x) for x in runs])

    @r.get(f"{base}/trends", response_model=TrendsOut)
    def trends(journey_id: str, caller: Caller, ctx: Ctx, version: Version = None,
               since: Since = None, until: Until = None):
        """Per UTC day: runs started, completed, exited, converted; steps by outcome."""
        return TrendsOut(days=[DayTrendOut.model_validate(d) for d in _analytics(
            ctx, caller.vendor_id, journey_id).trends(caller.vendor_id, journey_id, since=since,
                                                      until=until, version=version)])

    @r.get(f"{base}/cohorts", response_model=CohortsOut)
    def cohorts(journey_id: str, caller: Caller, ctx: Ctx,
                by: Annotated[str, Query(pattern=COHORT_BY, description="wedding_month or "
                                         "fields.<name>")] = "wedding_month",
                version: Version = None, since: Since = None, until: Until = None):
        """Run totals by the client's wedding month or by a custom client field."""
        found = _analytics(ctx, caller.vendor_id, journey_id).cohorts(
            caller.vendor_id, journey_id, by=by, version=version, since=since, until=until)
        return CohortsOut(by=by, cohorts=[CohortOut.model_validate(c) for c in found])

    @r.get(f"{base}/versions", response_model=VersionsOut)
    def versions(journey_id: str, caller: Caller, ctx: Ctx, since: Since = None,
                 until: Until = None):
        """Run totals and time to goal per published version."""
        found = _analytics(ctx, caller.vendor_id, journey_id).versions(
            caller.vendor_id, journey_id, since=since, until=until)
        return VersionsOut(versions=[VersionStatsOut.model_validate(v) for v in found])

    @r.get(f"{base}/splits", response_model=SplitsOut)
    def splits(journey_id: str, caller: Caller, ctx: Ctx, version: Version = None,
               since: Since = None, until: Until = None,
               alpha: Annotated[float, Query(gt=0, lt=1)] = 0.05):
        """Each split node's branches with their conversion, and whether the difference is
        significant (chi-square test at `alpha`)."""
        found = _analytics(ctx, caller.vendor_id, journey_id).splits(
            caller.vendor_id, journey_id, version=version, since=since, until=until,
            alpha=alpha)
        return SplitsOut(splits=[SplitOut.model_validate(s) for s in found])

    return r
