"""The predicted funnel: Monte Carlo over synthetic couples, with a seed.

`predict_funnel(document, couples=2000, seed=7, start=...)` draws that many couples
(engine.simulation.couples), runs the journey for them through the simulator (the live runtime on
a ManualClock and a memory store) and counts, per node, how many couples reached it and how its
steps came out, plus how the runs ended and how many reached the journey's goal. Shares carry a
95% Wilson interval (the sampling error of the simulated couples); `trials` > 1 repeats the
whole draw with derived seeds and reports the spread between trials as well.

The same document, profile, count, start, until and seed give the same forecast.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from engine.clock import ensure_utc
from engine.simulate import Simulation
from engine.simulation.couples import CouplesProfile, generate_couples

Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (well-behaved near 0 and 1)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class NodeForecast:
    """`reached`: couples whose run reached the node (in all trials together); `share` of all
    couples, with its 95% interval; `outcomes`: how its steps came out; `waiting`: runs still
    there at the end of the simulated period. With trials > 1, `trial_shares` gives each
    trial's share."""
    node: str
    type: str | None
    title: str | None
    reached: int
    share: float
    low: float
    high: float
    visits: int = 0
    waiting: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    trial_shares: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class FunnelForecast:
    couples: int  # per trial
    trials: int
    seed: str
    start: datetime
    until: datetime
    nodes: list[NodeForecast]
    statuses: dict[str, int]  # how the runs stand at `until`
    enrolled: int
    converted: int
    conversion_rate: float | None
    conversion_interval: tuple[float, float]
    steps: int  # steps logged by the simulated runs (all trials)

    def node(self, node_id: str) -> NodeForecast:
        for forecast in self.nodes:
            if forecast.node == node_id:
                return forecast
        raise KeyError(node_id)


@dataclass
class _Tally:
    reached: Counter = field(default_factory=Counter)
    visits: Counter = field(default_factory=Counter)
    waiting: Counter = field(default_factory=Counter)
    outcomes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    statuses: Counter = field(default_factory=Counter)
    enrolled: int = 0
    converted: int = 0
    steps: int = 0


def _simulate_once(document: dict[str, Any], couples: int, seed: str, start: datetime,
                   until: datetime, profile: CouplesProfile | None, vendor_timezone: str,
                   progress: Callable[[datetime, datetime], None] | None) -> _Tally:
    drawn = generate_couples(couples, start=start, seed=seed, profile=profile, until=until)
    sim = Simulation(document, drawn.clients, drawn.events, start=start, until=until, seed=seed,
                     vendor_timezone=vendor_timezone, progress=progress)
    sim.engine.runtime.step_hooks.clear()  # the spec's step lines are not needed here
    sim.run()
    tally = _Tally()
    with sim.engine.store.transaction() as tx:
        for run in tx.list_runs("sim", limit=10**9):
            tally.enrolled += 1
            tally.statuses[run.status] += 1
            if run.goal_at is not None:
                tally.converted += 1
            logged = set()
            for step in tx.steps_for_run(run.id):
                if step.type == "control" or step.node is None:
                    continue
                tally.steps += 1
                tally.visits[step.node] += 1
                tally.outcomes[step.node][step.outcome] += 1
                logged.add(step.key)
                if step.visit == 1:
                    tally.reached[step.node] += 1
            if run.is_open and run.node and f"{run.node}#{run.visit}" not in logged:
                tally.waiting[run.node] += 1
                tally.visits[run.node] += 1
                if run.visit == 1:
                    tally.reached[run.node] += 1
    return tally


def predict_funnel(document: dict[str, Any], *, couples: int = 1000, seed: int | str = 0,
                   start: datetime, until: datetime | None = None,
                   profile: CouplesProfile | None = None, trials: int = 1,
                   vendor_timezone: str = "UTC",
                   progress: Callable[[datetime, datetime], None] | None = None
                   ) -> FunnelForecast:
    """Simulate `couples` synthetic couples (`trials` times) through `document` from `start`
    to `until` (default a year later) and count the funnel."""
    if couples < 1 or trials < 1:
        raise ValueError("couples and trials must be at least 1")
    start = ensure_utc(start)
    until = ensure_utc(until) if until is not None else start + timedelta(days=365)
    tallies = [_simulate_once(document, couples, str(seed) if trials == 1 else f"{seed}:{t}",
                              start, until, profile, vendor_timezone, progress)
               for t in range(trials)]
    total = couples * trials
    types = {n.get("id"): n.get("type") for n in document.get("nodes") or []}
    titles = {n.get("id"): n.get("title") for n in document.get("nodes") or []}
    nodes = []
    for node in types:
        reached = sum(t.reached[node] for t in tallies)
        low, high = wilson_interval(reached, total)
        outcomes: Counter = Counter()
        for t in tallies:
            outcomes.update(t.outcomes.get(node, {}))
        nodes.append(NodeForecast(
            node=node, type=types[node], title=titles.get(node), reached=reached,
            share=reached / total, low=low, high=high,
            visits=sum(t.visits[node] for t in tallies),
            waiting=sum(t.waiting[node] for t in tallies), outcomes=dict(sorted(outcomes.items())),
            trial_shares=[t.reached[node] / couples for t in tallies] if trials > 1 else []))
    statuses: Counter = Counter()
    for t in tallies:
        statuses.update(t.statuses)
    enrolled = sum(t.enrolled for t in tallies)
    converted = sum(t.converted for t in tallies)
    return FunnelForecast(couples=couples, trials=trials, seed=str(seed), start=start,
                          until=until, nodes=nodes, statuses=dict(sorted(statuses.items())),
                          enrolled=enrolled, converted=converted,
                          conversion_rate=converted / enrolled if enrolled else None,
                          conversion_interval=wilson_interval(converted, enrolled),
                          steps=sum(t.steps for t in tallies))
