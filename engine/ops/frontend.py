"""Finding the web app to serve: the project directory (where rxconfig.py lives) and the
prebuilt frontend, and making a prebuilt frontend work on any host and port.

Nothing here imports the web framework; `journeys serve` composes these pieces.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

RXCONFIG = "rxconfig.py"
PROJECT_ENV = "JOURNEYS_PROJECT_DIR"
# Reflex builds its static site into <web dir>/build/client (reflex_base.constants.Dirs.STATIC).
STATIC_SUBDIR = Path("build") / "client"
# The build writes the backend's URLs into one small chunk, e.g. assets/reflex-env-CMiQY6cd.js:
#   var e={PING:`http://localhost:3000/ping`,EVENT:`ws://localhost:3000/_event`,...}
ENV_CHUNK = re.compile(r"^/assets/reflex-env-[A-Za-z0-9_-]+\.js$")
_ORIGIN = re.compile(r"(?P<scheme>https?|wss?)://(?P<host>localhost|127\.0\.0\.1|0\.0\.0\.0)"
                     r"(?::\d+)?(?=/)")
_SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


class ProjectNotFound(RuntimeError):
    pass


def bundle_dir() -> Path | None:
    """The directory a PyInstaller build unpacked itself into, or None when not frozen."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) if getattr(sys, "frozen", False) and base else None


def find_project_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where rxconfig.py is: the explicit path, $JOURNEYS_PROJECT_DIR, then for a single-file
    build the directory embedded in it (never the current directory: its code is frozen in),
    otherwise the current directory or the source checkout of this package."""
    tried: list[Path] = []
    env = os.environ.get(PROJECT_ENV)
    for reason, candidate in (("--project-dir", explicit), (PROJECT_ENV, env)):
        if candidate:
            path = Path(candidate).expanduser().resolve()
            if (path / RXCONFIG).is_file():
                return path
            raise ProjectNotFound(f"{reason} points at {path}, which has no {RXCONFIG}")
    bundled = bundle_dir()
    if bundled is not None:
        candidates = [bundled]
    else:
        # The current directory, then the checkout this package runs from (editable install).
        candidates = [Path.cwd(), Path(__file__).resolve().parents[2]]
    for path in candidates:
        tried.append(path)
        if (path / RXCONFIG).is_file():
            return path.resolve()
    raise ProjectNotFound(f"cannot find the web app ({RXCONFIG}); looked in "
                          + ", ".join(str(p) for p in tried)
                          + f". Run from the project directory or set {PROJECT_ENV}.")


def static_dir(web_dir: Path) -> Path:
    return web_dir / STATIC_SUBDIR


def has_frontend_build(web_dir: Path) -> bool:
    return (static_dir(web_dir) / "index.html").is_file()


def rewrite_origins(source: str, scheme: str, host: str) -> str:
    """Point the build-time backend URLs (localhost:<build port>) at `scheme://host`."""
    secure = scheme in ("https", "wss")

    def swap(match: re.Match[str]) -> str:
        websocket = match.group("scheme").startswith("ws")
        new_scheme = ("wss" if secure else "ws") if websocket else ("https" if secure else "http")
        return f"{new_scheme}://{host}"

    return _ORIGIN.sub(swap, source)


Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class SameOriginBackend:
    """ASGI wrapper: serves Reflex's env chunk with the backend URLs of the request's own origin.

    A prebuilt frontend has the backend's address baked in (http://localhost:<port at build
    time>); the browser only swaps the host name, not the port. Rewriting that one chunk per
    request makes one build work on any port and behind any host name (the UI, websocket and API
    share the origin anyway).
    """

    def __init__(self, app: ASGIApp, static: Path):
        self.app, self.static = app, static
        self._cache: dict[tuple[str, str, str], bytes] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") \
                or not ENV_CHUNK.match(path):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        file = self.static / path.lstrip("/")
        if not host or not _SAFE_HOST.match(host) or not file.is_file():
            await self.app(scope, receive, send)
            return
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        key = (path, scheme, host)
        body = self._cache.get(key)
        if body is None:
            body = rewrite_origins(file.read_text(encoding="utf-8"), scheme, host).encode()
            if len(self._cache) < 256:
                self._cache[key] = body
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/javascript; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-cache"), (b"vary", b"host")]})
        await send({"type": "http.response.body",
                    "body": b"" if scope.get("method") == "HEAD" else body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


__all__ = ["ProjectNotFound", "SameOriginBackend", "bundle_dir", "find_project_dir",
           "has_frontend_build", "rewrite_origins", "static_dir"]
