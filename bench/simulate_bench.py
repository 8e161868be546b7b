"""Simulator benchmark: N synthetic couples through the 50-node journey over a year of virtual time.

    .venv/bin/python -m bench.simulate_bench [--couples 10000] [--seed 1] [--repeat 1]
        [--shards auto|N] [--no-baseline] [--profile]

Prints the figures (not a timed test): couples, steps in the simulate output, step-log records
written by the runtime, wall and CPU seconds (CPU of this process; shards in child processes
add theirs), and steps per second. Target: 10,000 couples in at most 10 s on the 2-core CI
machine. The run is `Simulation(..., shards="auto").run()`, what `engine.simulate.simulate` (and
so `journeys simulate`) does, so the figure includes the shards' merge and building the spec'd
output. Beside it, unless --no-baseline, the same couples in one process (shards=1), in the same
session, with a check that both give every client the same steps and runs.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import resource
import sys
import time
from collections import Counter
from typing import Any
from datetime import datetime, timedelta, timezone

from bench.fifty_node import fifty_node_journey
from engine.simulate import Simulation
from engine.simulation.couples import generate_couples

START = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
TARGET_SECONDS = 10.0


def run_once(couples: int, seed: int, shards: int | str = "auto") -> dict:
    figures, _ = _run(couples, seed, shards)
    return figures


def _run(couples: int, seed: int, shards: int | str) -> tuple[dict, dict]:
    document = fifty_node_journey()
    t0 = time.perf_counter()
    generated = generate_couples(couples, start=START, seed=seed)
    gen_s = time.perf_counter() - t0
    sim = Simulation(document, generated.clients, generated.events, start=START,
                     until=START + timedelta(days=365), seed=seed, shards=shards)
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    result = sim.run().to_dict()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    statuses = Counter(r["status"] for r in result["runs"])
    return {"couples": couples, "events": len(generated.events), "nodes": len(document["nodes"]),
            "virtual_days": 365, "generate_s": round(gen_s, 3), "shards": shards,
            "steps": len(result["steps"]), "step_records": sim.records, "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "children_cpu_s_total": round(children.ru_utime + children.ru_stime, 3),
            "steps_per_s": round(len(result["steps"]) / wall),
            "records_per_s": round(sim.records / wall),
            "runs": dict(sorted(statuses.items())), "target_s": TARGET_SECONDS,
            "within_target": wall <= TARGET_SECONDS}, result


def _per_client(result: dict) -> dict[str, Any]:
    by: dict[str, Any] = {}
    for key in ("steps", "runs"):
        for line in result[key]:
            by.setdefault((key, line["client"]), []).append(line)
    return by


def _print(figures: dict, label: str) -> None:
    print(f"  {label}: {figures['steps']} steps ({figures['step_records']} step-log records) "
          f"in {figures['wall_s']:.2f} s wall / {figures['cpu_s']:.2f} s CPU "
          f"= {figures['steps_per_s']:,} steps/s ({figures['records_per_s']:,} records/s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--shards", default="auto", help="auto (as journeys simulate) or N")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the single-process run beside it")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile summary (of this process only)")
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    args = parser.parse_args(argv)
    shards = args.shards if args.shards == "auto" else int(args.shards)
    status = 0
    for _ in range(args.repeat):
        if args.profile:
            profiler = cProfile.Profile()
            figures, result = profiler.runcall(_run, args.couples, args.seed, shards)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(40)
        else:
            figures, result = _run(args.couples, args.seed, shards)
        baseline = None
        if not args.no_baseline and shards != 1:
            baseline, single = _run(args.couples, args.seed, 1)
            baseline["same_per_client"] = _per_client(result) == _per_client(single)
            status |= 0 if baseline["same_per_client"] else 1
            figures["speedup"] = round(baseline["wall_s"] / figures["wall_s"], 2)
            del single
        del result
        if args.json:
            print(json.dumps({**figures, "baseline": baseline}))
            continue
        print(f"simulate: {figures['couples']} couples x {figures['nodes']}-node journey, "
              f"{figures['virtual_days']} virtual days, {figures['events']} events")
        _print(figures, f"shards={shards}")
        if baseline is not None:
            _print(baseline, "one process")
            print(f"  speedup {figures['speedup']:.2f}x; every client's steps and runs the same: "
                  f"{'yes' if baseline['same_per_client'] else 'NO'}")
        print(f"  runs: {figures['runs']}; couples generated in {figures['generate_s']:.2f} s")
        print(f"  target {TARGET_SECONDS:.0f} s: {'met' if figures['within_target'] else 'MISSED'}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
