"""Benchmark 1: steps per second of one engine process on SQLite, beside the raw durable
single-row commit rate of SQLite with the same settings (WAL, synchronous=NORMAL, BEGIN
IMMEDIATE), measured in the same run on the same disk.

    .venv/bin/python -m bench.scaleout_sqlite [--clients 2000]

The engine part is bench.engine_steps.measure: N clients on a 7-node journey, each wake-up run
in its own transaction the way the SQLite worker runs it (claim, decide, write state, step log,
outbox, next wake-up). Targets: >= 1,000 steps/s and >= 0.25x the raw commit rate.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.engine_steps import measure
from bench.raw_commit import raw_commit_rate
from bench.scaleout_common import ROOT, machine, record

TARGET_STEPS, TARGET_RATIO = 1000, 0.25


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=2000)
    args = parser.parse_args(argv)
    info = machine()
    folder = ROOT / ".journeys" / "bench"  # the project's disk, not a tmpfs
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        raw_before = raw_commit_rate(f"sqlite:///{tmp}/raw1.db", 2.0)
        started = time.perf_counter()
        cpu0 = os.times()
        result = measure(f"sqlite:///{Path(tmp) / 'engine.db'}", args.clients)
        cpu = os.times()
        raw_after = raw_commit_rate(f"sqlite:///{tmp}/raw2.db", 2.0)
    raw = (raw_before + raw_after) / 2
    ratio = result["steps_per_s"] / raw
    ok = result["steps_per_s"] >= TARGET_STEPS and ratio >= TARGET_RATIO
    wakeups = result["steps"] / 2  # two steps per wake-up on this journey
    print(f"[1] one process on SQLite: {result['steps_per_s']:,.0f} steps/s ({result['steps']} "
          f"steps in {result['seconds']:.2f} s; {wakeups / result['seconds']:,.0f} wake-ups/s) | "
          f"raw durable single-row commits: {raw:,.0f}/s (before {raw_before:,.0f}, after "
          f"{raw_after:,.0f}) | ratio {ratio:.3f}x | targets >= {TARGET_STEPS} steps/s and >= "
          f"{TARGET_RATIO}x: {'met' if ok else 'MISSED'}")
    record("1_sqlite", {**result, "raw_commits_per_s": raw, "ratio": ratio,
                        "wakeups_per_s": wakeups / result["seconds"],
                        "cpu_s": (cpu.user + cpu.system) - (cpu0.user + cpu0.system),
                        "wall_s": time.perf_counter() - started, "machine": info, "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
