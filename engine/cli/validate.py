"""`journeys validate FILE [--format text|json]`: check a journey document.

Exit code 0 when the document is valid (warnings may be printed), 1 when it has errors, 2 when
the file cannot be read (or the arguments are wrong). FILE may be `-` for standard input.

Text output: one line per problem, `<severity> <CODE> <message>` (messages start with where the
problem is, e.g. `error UNREACHABLE_NODE node 'x': is not reachable from the trigger`), then a
summary line. JSON output: `{"valid": bool, "problems": [...]}` on stdout.
"""
from __future__ import annotations

import argparse
import json
import sys

from engine.graph.problems import errors, warnings
from engine.graph.validate import validate


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "validate", help="check a journey document (journeys/v1)",
        description="Check a journey document and list every problem at once. "
                    "Exit code: 0 valid, 1 invalid, 2 unreadable file.")
    parser.add_argument("file", metavar="FILE", help="the journey JSON file ('-' for stdin)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    parser.set_defaults(run=run)
    return parser


def read_source(path: str) -> bytes:
    """The file's bytes; OSError when it cannot be read."""
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def run(args: argparse.Namespace) -> int:
    try:
        data = read_source(args.file)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        print(f"journeys validate: cannot read {args.file}: {reason}", file=sys.stderr)
        return 2
    problems = validate(data)
    errs, warns = errors(problems), warnings(problems)
    valid = not errs
    if args.format == "json":
        json.dump({"valid": valid, "problems": [p.to_dict() for p in problems]}, sys.stdout,
                  indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for p in problems:
            print(f"{p.severity} {p.code} {p.message}")
        counts = f"{_plural(len(errs), 'error')}, {_plural(len(warns), 'warning')}"
        print(f"{args.file}: {'valid' if valid else 'invalid'} ({counts})")
    sys.stdout.flush()
    return 0 if valid else 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
