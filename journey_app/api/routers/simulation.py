"""Simulation: run a document for clients and events on a virtual clock (nothing is sent and
nothing is written) and answer with the spec's output."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from engine.simulate import default_until, simulate
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import ApiError, COMMON_RESPONSES
from journey_app.api.schemas import SimulationIn, SimulationOut


MIN_YEAR, MAX_YEAR = 1900, 2200


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, f"invalid request: body.{field}: {message}", code="VALIDATION_ERROR",
                    details={"fields": [{"field": f"body.{field}", "location": "body",
                                         "message": message, "type": "value_error"}]})


def router() -> APIRouter:
    r = APIRouter(tags=["simulation"], responses=COMMON_RESPONSES)

    @r.post("/simulations", response_model=SimulationOut)
    def run_simulation(body: SimulationIn, caller: Caller, ctx: Ctx):
        """Simulate `document` for `clients` (and `events`) from `start` to `until` in the
        vendor's time zone. The same inputs and seed give the same output. `until` defaults to
        the last client anchor date plus a year, and is at most `max_simulation_days` (3660 by
        default) after `start`."""
        limits = ctx.settings
        if len(body.clients) > limits.max_simulation_clients:
            raise ApiError(422, f"at most {limits.max_simulation_clients} clients per "
                           "simulation", code="VALIDATION_ERROR",
                           details={"fields": [{"field": "body.clients", "message": "too many"}]})
        if len(body.events) > limits.max_simulation_events:
            raise ApiError(422, f"at most {limits.max_simulation_events} events per simulation",
                           code="VALIDATION_ERROR",
                           details={"fields": [{"field": "body.events", "message": "too many"}]})
        start = body.start or ctx.engine.clock.now()
        longest = timedelta(days=limits.max_simulation_days)
        if not MIN_YEAR <= start.year <= MAX_YEAR:
            raise _invalid("start", f"a year between {MIN_YEAR} and {MAX_YEAR}")
        until = body.until
        if until is None:
            try:
                until = min(default_until(body.clients, start), start + longest)
            except (ValueError, TypeError, AttributeError, OverflowError):
                until = start + longest  # bad client data: simulate() names the problem
        elif until - start > longest:
            raise _invalid("until", f"at most {limits.max_simulation_days} days after start")
        vendor = ctx.engine.get_vendor(caller.vendor_id)
        return simulate(body.document, body.clients, body.events, start=start, until=until,
                        seed=body.seed, vendor_timezone=vendor.timezone)

    return r

