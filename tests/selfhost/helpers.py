"""Helpers shared by the self-hosting tests: run the CLI, stamp a schema revision."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
FUTURE_REVISION = "9999_from_a_newer_journeys"


def journeys(*args: str, cwd: Path, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess:
    """`journeys ARGS` in a clean-ish environment (no inherited JOURNEYS_*/DATABASE_URL)."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("JOURNEYS_", "REFLEX_", "__REFLEX")) and k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=cwd,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def stamp(sa_engine, revision: str) -> None:
    """Record `revision` as the database's schema revision (what a newer Journeys leaves)."""
    with sa_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})


def fake_web_dir(root: Path) -> Path:
    """A Reflex web directory with a (tiny) frontend build, for --check runs."""
    client = root / "web" / "build" / "client"
    (client / "assets").mkdir(parents=True)
    (client / "index.html").write_text("<!doctype html><title>Journeys</title>")
    return root / "web"


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status_code, self.headers, self.content = status, headers, body

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self):
        import json

        return json.loads(self.content)


def call_asgi(app, method: str, path: str, headers: dict[str, str] | None = None) -> Response:
    """One HTTP request through an ASGI app, synchronously (no test client needed)."""
    import asyncio

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1234),
             "server": ("127.0.0.1", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Response(start["status"],
                    {k.decode(): v.decode() for k, v in start.get("headers", [])}, body)


class AsgiClient:
    def __init__(self, app):
        self.app = app

    def get(self, path: str, **kw) -> Response:
        return call_asgi(self.app, "GET", path, **kw)

    def head(self, path: str, **kw) -> Response:
        return call_asgi(self.app, "HEAD", path, **kw)

    def post(self, path: str, **kw) -> Response:
        return call_asgi(self.app, "POST", path, **kw)
