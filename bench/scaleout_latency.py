"""Benchmark 4: latency from due time to step start, p50 and p99, at a steady rate, with 4
`journeys worker` processes on PostgreSQL.

    .venv/bin/python -m bench.scaleout_latency [--rate 100] [--seconds 40]

`rate` wake-ups come due every second, evenly spaced, for `seconds` (each wake-up runs two
steps: the delay completes and an email is written). The path measured is the whole scale-out
mode: the leader's APScheduler timer fires at each due instant and NOTIFYs, a worker claims the
wake-up and starts the step. The workers also send the outbox (the deployment default). The step's start is the step log's `at` (taken by the worker when
it began the step). Targets: p50 <= 250 ms, p99 <= 2 s.
"""
from __future__ import annotations

import argparse

from bench.scaleout_common import machine, record, timed_run

P50, P99 = 0.250, 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=100.0, help="wake-ups per second")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    info = machine()
    runs = int(args.rate * args.seconds)
    r = timed_run(runs, args.workers, spacing_s=1.0 / args.rate)
    ok = r["p50_s"] <= P50 and r["p99_s"] <= P99 and r["ran"] == runs and not r["duplicates"]
    print(f"[4] latency due -> step start, {args.workers} workers, {args.rate:.0f} wake-ups/s "
          f"({2 * args.rate:.0f} steps/s) for {args.seconds:.0f} s: p50 {r['p50_s'] * 1000:,.0f} "
          f"ms, p90 {r['p90_s'] * 1000:,.0f} ms, p99 {r['p99_s'] * 1000:,.0f} ms, max "
          f"{r['max_s'] * 1000:,.0f} ms ({r['ran']}/{runs} ran, {r['duplicates']} doubled) | "
          f"targets p50 <= {P50 * 1000:.0f} ms, p99 <= {P99 * 1000:.0f} ms: "
          f"{'met' if ok else 'MISSED'}")
    r.pop("lateness_s")
    record("4_latency", {**r, "rate": args.rate, "seconds": args.seconds, "machine": info,
                         "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
