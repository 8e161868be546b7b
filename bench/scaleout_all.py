"""Run the seven scale-out benchmarks one after another, then write the results files.

    .venv/bin/python -m bench.scaleout_all [--quick]

--quick runs smaller sizes (a smoke test of the scripts, not the published figures).
"""
from __future__ import annotations

import argparse

from bench import (scaleout_apscheduler, scaleout_burst, scaleout_latency, scaleout_million,
                   scaleout_pg_workers, scaleout_report, scaleout_sixty, scaleout_sqlite)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    q = args.quick
    scaleout_sqlite.main(["--clients", "300" if q else "2000"])
    scaleout_pg_workers.main(["--runs", "1000" if q else "6000"])
    scaleout_apscheduler.main(["--jobs", "500" if q else "3000"])
    scaleout_latency.main(["--seconds", "10" if q else "40"])
    scaleout_burst.main(["--runs", "1000" if q else "10000"])
    scaleout_burst.main(["--runs", "1000" if q else "10000", "--dispatch"])
    scaleout_million.main(["--pending", "20000" if q else "1000000"])
    scaleout_sixty.main(["--clients", "100" if q else "1000", "--minutes", "1" if q else "2"])
    return scaleout_report.main()


if __name__ == "__main__":
    raise SystemExit(main())
