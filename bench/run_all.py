"""`make bench`: every benchmark with its in-run baseline, one after the other.

Each script prints its own figures beside the baseline it measured in the same run (the
machine's absolute speed swings 2x). The big ones take minutes; see bench/README.md.
"""
from __future__ import annotations

import importlib
import os
import sys

PG = os.environ.get("DATABASE_URL_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RUNS = [
    ("bench.engine_steps", ["--clients", "1000", "--postgres", PG]),
    ("bench.simulate_bench", []),
    ("bench.scaleout_all", []),
    ("bench.analytics_bench", []),
]


def main() -> int:
    status = 0
    for module, args in RUNS:
        print(f"\n== {module} {' '.join(args)}", flush=True)
        status |= importlib.import_module(module).main(args) or 0
    return status


if __name__ == "__main__":
    sys.exit(main())
