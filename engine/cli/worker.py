"""`journeys worker`: run the engine (scheduler and steps) without the UI."""
from __future__ import annotations

import argparse
import logging
import signal
import sys

from engine.errors import JourneyError


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("worker", help="run the engine's scheduler and steps (no UI)",
                                   description="Run due steps from the database until stopped "
                                               "with SIGTERM or Ctrl-C.")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    parser.add_argument("--name", help="this worker's name (logs, leases)")
    parser.add_argument("--wait-for-database", type=float, default=120.0, metavar="SECONDS",
                        help="at start, wait up to this long for an unreachable database "
                             "(default 120; 0 gives up at once)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from engine.bootstrap import open_live
    from engine.ops.wait_for_database import UNREACHABLE, describe, open_when_reachable
    from engine.settings import load_settings
    from engine.worker import Worker

    from engine.ops.logs import configure_logging

    configure_logging(logging.INFO)
    overrides = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    if args.name:
        overrides["worker_name"] = args.name
    # Until the worker runs, a SIGTERM has no step in flight to finish: just leave cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        settings = load_settings(**overrides)
        # A database server may still be starting; a SQLite file's errors do not pass by waiting.
        wait = 0.0 if settings.database_url.startswith("sqlite") else args.wait_for_database
        live = open_when_reachable(lambda: open_live(settings), wait)
    except UNREACHABLE as error:
        print(f"journeys worker: the database is unreachable (waited {wait:.0f} s): "
              f"{describe(error)}. Check DATABASE_URL and that the server is running.",
              file=sys.stderr)
        return 2
    except JourneyError as error:
        print(f"journeys worker: {error.message}", file=sys.stderr)
        return 2
    try:
        return Worker(live).run_forever()
    except JourneyError as error:
        print(f"journeys worker: {error.message}", file=sys.stderr)
        return 2
