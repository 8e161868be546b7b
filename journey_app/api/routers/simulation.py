"""Simulation: run a document for clients and events on a virtual clock (nothing is sent and
nothing is written) and answer with the spec's output."""
from __future__ import annotations

from fastapi import APIRouter

from engine.simulate import simulate
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import ApiError, COMMON_RESPONSES
from journey_app.api.schemas import SimulationIn, SimulationOut


def router() -> APIRouter:
    r = APIRouter(tags=["simulation"], responses=COMMON_RESPONSES)

    @r.post("/simulations", response_model=SimulationOut)
    def run_simulation(body: SimulationIn, caller: Caller, ctx: Ctx):
        """Simulate `document` for `clients` (and `events`) from `start` to `until` in the
        vendor's time zone. The same inputs and seed give the same output."""
        limits = ctx.settings
        if len(body.clients) > limits.max_simulation_clients:
            raise ApiError(422, f"at most {limits.max_simulation_clients} clients per "
                           "simulation", code="VALIDATION_ERROR",
                           details={"fields": [{"field": "body.clients", "message": "too many"}]})
        if len(body.events) > limits.max_simulation_events:
            raise ApiError(422, f"at most {limits.max_simulation_events} events per simulation",
                           code="VALIDATION_ERROR",
                           details={"fields": [{"field": "body.events", "message": "too many"}]})
        vendor = ctx.engine.get_vendor(caller.vendor_id)
        return simulate(body.document, body.clients, body.events,
                        start=body.start or ctx.engine.clock.now(), until=body.until,
                        seed=body.seed, vendor_timezone=vendor.timezone)

    return r

