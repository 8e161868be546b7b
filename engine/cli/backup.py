"""`journeys backup FILE` and `journeys restore FILE` for the configured database."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.errors import JourneyError


def add_parser(subparsers) -> None:
    for name, help_text in (("backup", "copy the database to FILE (safe while running)"),
                            ("restore", "replace the database with the backup in FILE "
                                        "(stop the server first)")):
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--database-url", help="overrides DATABASE_URL")
        parser.set_defaults(run=run, action=name)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        sys.stderr.write(f"\r{100 * done // total:3d}%")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from engine.ops.backup import backup, restore
    from engine.settings import load_settings

    try:
        settings = load_settings(**({"database_url": args.database_url}
                                    if args.database_url else {}))
        if args.action == "backup":
            path = backup(settings.database_url, Path(args.file), _progress)
            print(f"backed up to {path}")
        else:
            restore(settings.database_url, Path(args.file), _progress)
            print(f"restored from {args.file}")
    except JourneyError as error:
        print(f"journeys {args.action}: {error.message}", file=sys.stderr)
        return 2
    return 0
