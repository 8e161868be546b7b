"""`journeys couples` and `journeys forecast`: synthetic couples and the predicted funnel.

    journeys couples N [--seed S] [--start T] [--until T] [--clients OUT] [--events OUT]
        writes N synthetic couples as CLIENTS.json / EVENTS.json for `journeys simulate`
        (to stdout as {"clients": [...], "events": [...]} without --clients/--events)
    journeys forecast JOURNEY.json [--couples N] [--seed S] [--start T] [--until T]
        [--trials K] [--format json|table]
        simulates N synthetic couples through the journey and prints the predicted funnel

The same arguments give the same output, byte for byte. Exit codes as `journeys simulate`:
1 for an invalid journey, 2 for unreadable files or bad arguments.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from typing import Any

from engine.clock import SystemClock, format_utc, parse_instant
from engine.errors import InvalidDocument, InvalidInput


def add_parser(subparsers) -> argparse.ArgumentParser:
    couples = subparsers.add_parser(
        "couples", help="write synthetic couples (clients and events) for simulate",
        description="Draw N synthetic couples: wedding dates over a season, time zones, lead "
                    "sources, booking lead times, and the forms, payments and other events "
                    "they send, with delays. Output in the `journeys simulate` input format.")
    couples.add_argument("count", type=int, metavar="N")
    _common(couples)
    couples.add_argument("--clients", metavar="OUT", help="write the clients list here")
    couples.add_argument("--events", metavar="OUT", help="write the events list here")
    couples.set_defaults(run=run_couples)

    forecast = subparsers.add_parser(
        "forecast", help="predict a journey's funnel over synthetic couples (Monte Carlo)",
        description="Simulate synthetic couples through a journey (the live runtime on a "
                    "virtual clock) and print, per node, how many reach it and how its steps "
                    "come out, with 95% intervals; and how many reach the journey's goal.")
    forecast.add_argument("journey", metavar="JOURNEY.json")
    forecast.add_argument("--couples", type=int, default=1000, metavar="N")
    forecast.add_argument("--trials", type=int, default=1, metavar="K")
    _common(forecast)
    forecast.add_argument("--timezone", default="UTC", help="the vendor's time zone")
    forecast.add_argument("--format", choices=("json", "table"), default="table")
    forecast.set_defaults(run=run_forecast)
    return forecast


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", default="0")
    parser.add_argument("--start", metavar="T", help="ISO 8601 instant (default: now)")
    parser.add_argument("--until", metavar="T", help="ISO 8601 instant (default: start + 1 year)")


def _window(args: argparse.Namespace) -> tuple[datetime, datetime | None]:
    try:
        start = parse_instant(args.start) if args.start else \
            SystemClock().now().replace(microsecond=0)
        until = parse_instant(args.until) if args.until else None
    except ValueError:
        raise InvalidInput("--start and --until must be ISO 8601 instants") from None
    return start, until


def run_couples(args: argparse.Namespace) -> int:
    from engine.simulation.couples import generate_couples

    try:
        if args.count < 1:
            raise InvalidInput("N must be at least 1")
        start, until = _window(args)
        drawn = generate_couples(args.count, start=start, seed=args.seed, until=until)
    except InvalidInput as error:
        print(f"journeys couples: {error.message}", file=sys.stderr)
        return 2
    if args.clients or args.events:
        for path, items in ((args.clients, drawn.clients), (args.events, drawn.events)):
            if path:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(drawn.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return 0


def run_forecast(args: argparse.Namespace) -> int:
    from engine.simulation.funnel import predict_funnel

    try:
        with open(args.journey, "rb") as fh:
            document = json.loads(fh.read())
    except OSError as exc:
        print(f"journeys forecast: cannot read journey file {args.journey}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 2
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"journeys forecast: {args.journey} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        if args.couples < 1 or args.trials < 1:
            raise InvalidInput("--couples and --trials must be at least 1")
        start, until = _window(args)
        forecast = predict_funnel(document, couples=args.couples, seed=args.seed, start=start,
                                  until=until, trials=args.trials,
                                  vendor_timezone=args.timezone)
    except InvalidDocument as error:
        print(f"journeys forecast: {args.journey} is not a valid journey:", file=sys.stderr)
        for p in error.problems:
            print(f"  {p.severity} {p.code} {p.message}", file=sys.stderr)
        return 1
    except InvalidInput as error:
        print(f"journeys forecast: {error.message}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(_jsonable(asdict(forecast)), indent=2) + "\n")
        return 0
    print(f"{forecast.couples * forecast.trials} couples ({forecast.trials} trial(s), seed "
          f"{forecast.seed}) from {format_utc(forecast.start)} to {format_utc(forecast.until)}")
    rows = [("NODE", "TYPE", "REACHED", "SHARE", "95% INTERVAL", "OUTCOMES")]
    for n in forecast.nodes:
        rows.append((n.node, n.type or "", str(n.reached), f"{100 * n.share:.1f}%",
                     f"{100 * n.low:.1f}-{100 * n.high:.1f}%",
                     ", ".join(f"{k} {v}" for k, v in n.outcomes.items())))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    low, high = forecast.conversion_interval
    rate = forecast.conversion_rate
    print(f"\nruns: {forecast.statuses}; goal reached by {forecast.converted} of "
          f"{forecast.enrolled}" + (f" ({100 * rate:.1f}%, 95% {100 * low:.1f}-{100 * high:.1f}%)"
                                    if rate is not None else ""))
    return 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:  # the module's default (not used: each sets its own)
    return args.run(args)
