"""The raw durable single-row commit rate of a database: the ceiling any engine step rate is
measured against (a step is one transaction, so it cannot commit faster than this).

    python -m bench.raw_commit [--seconds 2] [--dir DIR] [--postgres URL]

One INSERT of one small row per transaction, through the DB-API connection of an engine made by
engine.storage.database.make_engine, so SQLite runs with exactly the store's pragmas (WAL,
synchronous=NORMAL, BEGIN IMMEDIATE). SQLite is also measured with synchronous=FULL, the setting
that closes the power-loss window (see engine/storage/database.py). The SQLite file is created
in --dir (default: .journeys/bench under the current directory, i.e. on the same disk as the
project, not a tmpfs that would make fsync free). PostgreSQL uses the server's settings
(synchronous_commit as configured; `on` by default).

raw_commit_rate(url, seconds) is the function other benchmarks call for their baseline. It works
in a scratch table of its own and drops it afterwards, so it can share a database.
"""
from __future__ import annotations

import argparse
import os
import time
import uuid
from pathlib import Path

from engine.storage.database import make_engine

PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def raw_commit_rate(url: str, seconds: float = 2.0, *,
                    sqlite_synchronous: str | None = None) -> float:
    """Durable single-row commits per second on `url`, measured for about `seconds`."""
    engine = make_engine(url, sqlite_synchronous=sqlite_synchronous)
    sqlite = engine.dialect.name == "sqlite"
    table = f"bench_raw_commit_{uuid.uuid4().hex[:8]}"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        raw.commit()
        insert = (f"INSERT INTO {table} (id, payload) VALUES (?, ?)" if sqlite
                  else f"INSERT INTO {table} (id, payload) VALUES (%s, %s)")
        payload = "x" * 200  # about the size of a step-log row
        count = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            if sqlite:  # the store's connections leave BEGIN to us, as the store does
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(insert, (count, payload))
            raw.commit()
            count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        elapsed = now - start
        cursor.execute(f"DROP TABLE {table}")
        raw.commit()
        cursor.close()
        return count / elapsed
    finally:
        raw.close()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--dir", default=os.path.join(".journeys", "bench"),
                        help="directory for the SQLite file (default: .journeys/bench)")
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL_PG", PG_DEFAULT_URL),
                        help="PostgreSQL URL ('' to skip)")
    args = parser.parse_args(argv)

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"raw_commit_{os.getpid()}.db"
    try:
        for synchronous in ("NORMAL", "FULL"):
            rate = raw_commit_rate(f"sqlite:///{path}", args.seconds,
                                   sqlite_synchronous=synchronous)
            print(f"sqlite (WAL, synchronous={synchronous}) at {path}: {rate:,.0f} commits/s "
                  f"({1000 / rate:.3f} ms each)")
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.postgres:
        try:
            rate = raw_commit_rate(args.postgres, args.seconds)
        except Exception as error:  # noqa: BLE001 - report, do not crash the other figures
            print(f"postgresql: not measured ({type(error).__name__}: {error})")
        else:
            print(f"postgresql at {args.postgres}: {rate:,.0f} commits/s "
                  f"({1000 / rate:.3f} ms each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
