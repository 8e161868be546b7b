"""ASGI middleware for the API's paths only (the Reflex app mounted behind us is untouched):
refuse bodies over the size limit with 413, and turn any unexpected exception into a logged 500
in the error shape -- never a stack trace on the wire."""
from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journey_app.api.errors import ApiError

log = logging.getLogger("journeys.api")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"request body larger than {limit} bytes", code="PAYLOAD_TOO_LARGE",
                    details={"max_bytes": limit})


class ApiGuard:
    def __init__(self, app: ASGIApp, *, prefix: str, max_body_bytes: int):
        self.app, self.prefix, self.limit = app, prefix, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _under(scope.get("path", ""), self.prefix):
            await self.app(scope, receive, send)
            return
        started = False
        received = 0

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _too_large(self.limit)
            return message

        length = _content_length(scope)
        if length is not None and length > self.limit:
            await _send_error(send, 413, "PAYLOAD_TOO_LARGE",
                              f"request body larger than {self.limit} bytes",
                              {"max_bytes": self.limit})
            return
        try:
            await self.app(scope, receive_limited, send_tracked)
        except ApiError as exc:
            if started:
                raise
            await _send_error(send, exc.status_code, exc.code, str(exc.detail), exc.details)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_error(send, 500, "INTERNAL_ERROR",
                                  "unexpected error; it has been logged", None)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_error(send: Send, status: int, code: str, message: str, details) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
