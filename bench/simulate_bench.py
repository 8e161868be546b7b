"""Simulator benchmark: N synthetic couples through the 50-node journey over a year of virtual time.

    .venv/bin/python -m bench.simulate_bench [--couples 10000] [--seed 1] [--repeat 1] [--profile]

Prints the figures (not a timed test): couples, steps in the simulate output, step-log records
written by the runtime, wall and CPU seconds, and steps per second. Target: 10,000 couples in at
most 10 s on the 2-core CI machine. The run goes through `engine.simulate.simulate`, the same
function `journeys simulate` calls, so the figure includes building the spec'd output.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from bench.fifty_node import fifty_node_journey
from engine.simulate import Simulation
from engine.simulation.couples import generate_couples

START = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
TARGET_SECONDS = 10.0


def run_once(couples: int, seed: int) -> dict:
    document = fifty_node_journey()
    t0 = time.perf_counter()
    generated = generate_couples(couples, start=START, seed=seed)
    gen_s = time.perf_counter() - t0
    sim = Simulation(document, generated.clients, generated.events, start=START,
                     until=START + timedelta(days=365), seed=seed)
    records = Counter()
    sim.engine.runtime.step_hooks.append(lambda step, client: records.update((step.type,)))
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    result = sim.run().to_dict()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    statuses = Counter(r["status"] for r in result["runs"])
    return {"couples": couples, "events": len(generated.events), "nodes": len(document["nodes"]),
            "virtual_days": 365, "generate_s": round(gen_s, 3), "steps": len(result["steps"]),
            "step_records": sum(records.values()), "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3), "steps_per_s": round(len(result["steps"]) / wall),
            "records_per_s": round(sum(records.values()) / wall),
            "runs": dict(sorted(statuses.items())), "target_s": TARGET_SECONDS,
            "within_target": wall <= TARGET_SECONDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    args = parser.parse_args(argv)
    for _ in range(args.repeat):
        if args.profile:
            profiler = cProfile.Profile()
            figures = profiler.runcall(run_once, args.couples, args.seed)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(40)
        else:
            figures = run_once(args.couples, args.seed)
        if args.json:
            print(json.dumps(figures))
        else:
            print(f"simulate: {figures['couples']} couples x {figures['nodes']}-node journey, "
                  f"{figures['virtual_days']} virtual days, {figures['events']} events")
            print(f"  {figures['steps']} steps ({figures['step_records']} step-log records) in "
                  f"{figures['wall_s']:.2f} s wall / {figures['cpu_s']:.2f} s CPU "
                  f"= {figures['steps_per_s']:,} steps/s ({figures['records_per_s']:,} records/s)")
            print(f"  runs: {figures['runs']}; couples generated in {figures['generate_s']:.2f} s")
            print(f"  target {TARGET_SECONDS:.0f} s: {'met' if figures['within_target'] else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
