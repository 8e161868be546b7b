"""The operational endpoints as a plain ASGI wrapper (no web framework): /healthz, /readyz and
/metrics are answered here; every other request, websocket and lifespan event goes to the app.

    app = OpsEndpoints(web_app, ready=lambda: readiness(sa_engine),
                       metrics=lambda: metrics_text(EngineCollector(sa_engine, clock)))
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable

from engine.ops.health import Health, liveness

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEALTHZ, READYZ, METRICS = "/healthz", "/readyz", "/metrics"
PROMETHEUS_TYPE = b"text/plain; version=0.0.4; charset=utf-8"


class OpsEndpoints:
    def __init__(self, app: ASGIApp, *, ready: Callable[[], Health],
                 metrics: Callable[[], bytes] | None = None):
        self.app, self.ready, self.metrics = app, ready, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path not in (HEALTHZ, READYZ, METRICS) or (
                path == METRICS and self.metrics is None):
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("GET", "HEAD"):
            await _respond(scope, send, 405, b'{"error":"method not allowed"}\n',
                           b"application/json", extra=[(b"allow", b"GET, HEAD")])
            return
        if path == HEALTHZ:
            await _json(scope, send, liveness())
        elif path == READYZ:
            await _json(scope, send, await asyncio.to_thread(self.ready))
        else:
            try:
                body = await asyncio.to_thread(self.metrics)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 - a scrape error is a 503, not a crash
                await _respond(scope, send, 503, f"# metrics unavailable: {error}\n".encode(),
                               b"text/plain; charset=utf-8")
                return
            await _respond(scope, send, 200, body, PROMETHEUS_TYPE)


async def _json(scope: Scope, send: Send, health: Health) -> None:
    body = json.dumps(health.to_dict(), default=str).encode() + b"\n"
    await _respond(scope, send, health.status_code, body, b"application/json")


async def _respond(scope: Scope, send: Send, status: int, body: bytes, content_type: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body",
                "body": b"" if scope.get("method") == "HEAD" else body})


__all__ = ["HEALTHZ", "METRICS", "OpsEndpoints", "READYZ"]
