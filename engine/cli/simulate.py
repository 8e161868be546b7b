"""`journeys simulate JOURNEY.json --clients CLIENTS.json [--events EVENTS.json] [--start T]
[--until T] [--seed N] [--format json|table]`: run a journey on a virtual clock.

Nothing is sent and no database is touched. Exit code 0 on success, 1 when the journey has
validation errors (listed on stderr), 2 for unreadable files or bad clients, events or arguments.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from engine.calendar import check_timezone
from engine.clock import SystemClock, format_utc, parse_instant
from engine.errors import InvalidDocument, InvalidInput
from engine.simulate import simulate


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "simulate", help="run a journey for sample clients on a virtual clock",
        description="Run a journey on a virtual clock with no email sent and nothing written "
                    "to a database, and print every step.")
    parser.add_argument("journey", metavar="JOURNEY.json")
    parser.add_argument("--clients", required=True, metavar="CLIENTS.json")
    parser.add_argument("--events", metavar="EVENTS.json")
    parser.add_argument("--start", metavar="T", help="ISO 8601 instant (default: now)")
    parser.add_argument("--until", metavar="T",
                        help="ISO 8601 instant (default: last client date plus one year)")
    parser.add_argument("--seed", default="0", help="seed for random splits (default 0, as live)")
    parser.add_argument("--timezone", default="UTC",
                        help="the vendor's time zone for clients and journeys without one")
    parser.add_argument("--format", choices=("json", "table"), default="json")
    parser.add_argument("--progress", action="store_true",
                        help="show a progress bar on stderr (default: when stderr is a terminal)")
    parser.set_defaults(run=run)
    return parser


def _load(path: str, what: str):
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read())
    except OSError as exc:
        raise _Usage(f"cannot read {what} file {path}: {exc.strerror or exc}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Usage(f"{what} file {path} is not valid JSON: {exc}")


class _Usage(Exception):
    pass


def _instant(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        raise _Usage(f"{flag} must be an ISO 8601 instant like 2027-01-15T09:00:00Z, got {value!r}")


def _progress_bar():
    state = {"last": -1}

    def show(now: datetime, until: datetime) -> None:
        total = (until - show.start).total_seconds() or 1  # type: ignore[attr-defined]
        pct = int(100 * min(1.0, (now - show.start).total_seconds() / total))  # type: ignore
        if pct != state["last"]:
            state["last"] = pct
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\rsimulating [{bar:<25}] {pct:3d}% {format_utc(now)}")
            sys.stderr.flush()
    return show


def run(args: argparse.Namespace) -> int:
    try:
        document = _load(args.journey, "journey")
        clients = _load(args.clients, "clients")
        events = _load(args.events, "events") if args.events else None
        start = _instant(args.start, "--start") or SystemClock().now().replace(microsecond=0)
        until = _instant(args.until, "--until")
        if check_timezone(args.timezone, "--timezone"):
            raise _Usage(check_timezone(args.timezone, "--timezone")[0][1])
        progress = None
        if args.progress or sys.stderr.isatty():
            progress = _progress_bar()
            progress.start = start  # type: ignore[attr-defined]
        result = simulate(document, clients, events, start=start, until=until, seed=args.seed,
                          vendor_timezone=args.timezone, progress=progress)
        if progress:
            sys.stderr.write("\n")
    except _Usage as error:
        print(f"journeys simulate: {error}", file=sys.stderr)
        return 2
    except InvalidDocument as error:
        print(f"journeys simulate: {args.journey} is not a valid journey:", file=sys.stderr)
        for p in error.problems:
            print(f"  {p.severity} {p.code} {p.message}", file=sys.stderr)
        return 1
    except InvalidInput as error:
        print(f"journeys simulate: {error.message}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        _table(result)
    return 0


def _table(result: dict) -> None:
    rows = [("CLIENT", "NODE", "TYPE", "AT (UTC)", "LOCAL", "OUTCOME")]
    rows += [(s["client"], s["node"], s["type"], s["at"], s["local"], s["outcome"])
             for s in result["steps"]]
    widths = [max(len(str(r[i])) for r in rows) for i in range(6)]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())
    print()
    for run in result["runs"]:
        print(f"{run['client']}: {run['status']} via {' -> '.join(run['path'])}")
