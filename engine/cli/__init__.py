"""The `journeys` command line.

Each subcommand is a module exposing ``add_parser(subparsers)`` (which registers the subcommand
and its arguments) and ``run(args) -> int`` (the exit code). Adding one is one line in
:data:`COMMANDS`. ``add_parser`` should call ``parser.set_defaults(run=run)``; if it does not,
the module's ``run`` is used anyway.

Exit codes: 0 success, 1 the command ran and found the input bad (e.g. an invalid journey),
2 usage errors, unreadable files and unexpected failures (one line on stderr, never a traceback),
130 interrupted.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

PROG = "journeys"

# Subcommand modules, in help order. Add a line here to add a subcommand.
COMMANDS: list[str] = [
    "engine.cli.validate",
    "engine.cli.simulate",
    "engine.cli.forecast",
    "engine.cli.worker",
    "engine.cli.backup",
    "engine.cli.serve",
]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line plus usage, with exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Journeys: journey engine for wedding vendors.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(name)
        before = set(sub.choices)
        module.add_parser(sub)
        for added in set(sub.choices) - before:
            if sub.choices[added].get_default("run") is None:
                sub.choices[added].set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (never raises, never prints a traceback)."""
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help (0) or a usage error (2)
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        return int(args.run(args))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head` which closed early: not an error of ours.
        try:
            sys.stdout = None  # type: ignore[assignment]
        except Exception:
            pass
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except Exception as exc:  # the last line of defence: one line, no traceback
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2


__all__ = ["COMMANDS", "PROG", "build_parser", "main"]
