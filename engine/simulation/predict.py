""""What happens next" for a real client: the run's future, predicted by running it.

The run's current state (its node, wait and wake-up, visits, the event it last saw), the client,
the vendor, the journey version and any pending approval are copied into a private memory store
with a ManualClock set to now, and the same runtime steps that copy forward, wake-up by wake-up,
assuming nothing else happens: no events arrive (a wait for an event times out), no approval is
decided (an approval with a timeout follows its on_timeout rule), no date changes. The real
store is only read. The split seed is the live runtime's, so an A/B split ahead is predicted on
the branch the run will really take.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.calendar import client_zone, format_local
from engine.clock import ManualClock
from engine.domain import Client, RunStatus, StepRecord
from engine.errors import NotFound
from engine.ids import SequentialIds
from engine.storage.memory import MemoryStore

DEFAULT_HORIZON = timedelta(days=2 * 366)
DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class PredictedStep:
    node: str
    type: str
    title: str | None
    at: datetime  # UTC
    local: str  # ISO 8601 in the client's time zone
    outcome: str


@dataclass(frozen=True)
class Prediction:
    """The predicted steps (at most `limit`, in order) and where the run stands at the horizon:
    `status` "completed", "exited", "failed", or still "waiting" / "needs_date" / "paused" at
    `node` (waiting with `next_at` None: for something that, without events, never comes)."""
    run_id: str
    client_id: str
    journey_id: str
    version: int
    now: datetime
    horizon: datetime
    steps: list[PredictedStep] = field(default_factory=list)
    status: str = ""
    node: str | None = None
    next_at: datetime | None = None
    truncated: bool = False


def what_happens_next(engine: Any, vendor_id: str, run_id: str, *,
                      horizon: timedelta = DEFAULT_HORIZON, limit: int = DEFAULT_LIMIT,
                      now: datetime | None = None) -> Prediction:
    """Predict the future of run `run_id` from `now` (default: the engine's clock)."""
    from engine.service import Engine  # late: engine.service imports the services

    rt = engine.runtime
    now = now or rt.clock.now()
    with rt.store.transaction() as tx:
        run = tx.get_run(run_id)
        if run is None or run.vendor_id != vendor_id:
            raise NotFound("run", run_id)
        vendor = tx.get_vendor(vendor_id)
        client = tx.get_client(run.client_id)
        journey = tx.get_journey(run.journey_id)
        version = tx.get_version(run.journey_id, run.version)
        approval = tx.get_approval(f"{run.id}:{run.node}:{run.visit}") if run.node else None
        if vendor is None or client is None or journey is None or version is None:
            raise NotFound("run data", run_id)
        run, client, vendor = run.clone(), client.clone(), copy.deepcopy(vendor)
        journey, version = copy.deepcopy(journey), copy.deepcopy(version)
        approval = copy.deepcopy(approval)

    end = now + horizon
    if not run.is_open or run.status in (RunStatus.PAUSED,):
        return Prediction(run_id=run.id, client_id=client.id, journey_id=run.journey_id,
                          version=run.version, now=now, horizon=end, status=run.status,
                          node=run.node, next_at=None)
    clock = ManualClock(now)
    sandbox = Engine(MemoryStore(), clock, SequentialIds(), base_url=rt.base_url, seed=rt.seed)
    journey.live_version = None  # nothing new enrolls in the sandbox
    with sandbox.store.transaction() as tx:
        tx.put_vendor(vendor)
        tx.put_client(client)
        tx.put_journey(journey)
        tx.add_version(version)
        if approval is not None:
            tx.put_approval(approval)
        sandbox.runtime.save_run(tx, run)

    titles = {n.get("id"): n.get("title") for n in version.document.get("nodes") or []
              if isinstance(n, dict)}
    settings_tz = (version.document.get("settings") or {}).get("timezone")
    seen: list[tuple[StepRecord, Client]] = []

    def record(step: StepRecord, working: Client) -> None:
        if step.run_id == run.id and step.type not in ("trigger", "control"):
            seen.append((step, working))

    sandbox.runtime.step_hooks.append(record)
    sandbox.run_until(end)
    with sandbox.store.transaction() as tx:
        kept = {s.key for s in tx.steps_for_run(run.id)}  # steps whose transaction committed
        final = tx.get_run(run.id)
    steps = []
    for step, working in seen:
        if step.key not in kept or step.outcome == "failed":
            continue
        tz = client_zone(working.timezone, settings_tz, vendor.timezone)
        steps.append(PredictedStep(node=step.node, type=step.type, title=titles.get(step.node),
                                   at=step.at, local=format_local(step.at, tz),
                                   outcome=step.outcome))
    return Prediction(run_id=run.id, client_id=client.id, journey_id=run.journey_id,
                      version=run.version, now=now, horizon=end, steps=steps[:limit],
                      status=final.status if final else run.status,
                      node=final.node if final else run.node,
                      next_at=final.due_at if final and final.is_open else None,
                      truncated=len(steps) > limit)


def client_future(engine: Any, vendor_id: str, client_id: str, *,
                  horizon: timedelta = DEFAULT_HORIZON, limit: int = DEFAULT_LIMIT,
                  now: datetime | None = None) -> list[Prediction]:
    """`what_happens_next` for each open run of a client (by id or external id)."""
    with engine.runtime.store.transaction() as tx:
        client = tx.get_client(client_id)
        if client is None or client.vendor_id != vendor_id:
            client = tx.find_client(vendor_id, client_id)
        if client is None:
            raise NotFound("client", client_id)
        runs = [r.id for r in tx.runs_for_client(client.id) if r.is_open]
    return [what_happens_next(engine, vendor_id, rid, horizon=horizon, limit=limit, now=now)
            for rid in sorted(runs)]


__all__ = ["DEFAULT_HORIZON", "PredictedStep", "Prediction", "client_future",
           "what_happens_next"]
