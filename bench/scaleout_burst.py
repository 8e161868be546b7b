"""Benchmark 5: a burst. 10,000 wake-ups due at the same instant (everyone's 09:00 reminder),
4 `journeys worker` processes on PostgreSQL; lateness of each step's start, p50/p99/max.

    .venv/bin/python -m bench.scaleout_burst [--runs 10000]

Each wake-up runs two steps (the delay completes, the reminder email is written to the outbox).
The workers run steps only; `--dispatch` has them send the outbox as well (captured emails), the
deployment default, which shares the same two cores. Target: p99 lateness <= 5 s, which needs
the whole burst drained at about 2,000 wake-ups a second.
"""
from __future__ import annotations

import argparse

from bench.scaleout_common import machine, record, timed_run

P99 = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--dispatch", action="store_true", help="workers also send the outbox")
    args = parser.parse_args(argv)
    info = machine()
    env = {"JOURNEYS_DISPATCH_OUTBOX": "true" if args.dispatch else "false"}
    r = timed_run(args.runs, args.workers, spacing_s=0.0, lead_s=3.0, env=env)
    ok = r["p99_s"] <= P99 and r["ran"] == args.runs and not r["duplicates"]
    drain = r["max_s"]
    print(f"[5] burst of {args.runs:,} wake-ups due at one instant, {args.workers} workers "
          f"({'sending the outbox too' if args.dispatch else 'steps only'}): "
          f"lateness p50 {r['p50_s']:.2f} s, p99 {r['p99_s']:.2f} s, max {drain:.2f} s "
          f"({args.runs / drain:,.0f} wake-ups/s, {2 * args.runs / drain:,.0f} steps/s while "
          f"draining; {r['ran']}/{args.runs} ran, {r['duplicates']} doubled) | target p99 <= "
          f"{P99:.0f} s: {'met' if ok else 'MISSED'}")
    r.pop("lateness_s")
    record("5_burst_dispatch" if args.dispatch else "5_burst",
           {**r, "dispatch": args.dispatch, "machine": info, "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
