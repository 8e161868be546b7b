"""Helpers for the outbox tests: effects, a real SMTP server (aiosmtpd), a real HTTP receiver."""
from __future__ import annotations

import email
import email.policy
import http.server
import itertools
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from aiosmtpd.controller import Controller

from engine.domain import Effect

T0 = datetime(2027, 6, 1, 9, 0, tzinfo=timezone.utc)
SECRET = "whsec_test_0123456789"
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_effect(kind: str = "email", *, key: str | None = None, vendor_id: str = "ven_1",
                at: datetime = T0, **payload: Any) -> Effect:
    n = next(_ids)
    if kind in ("email", "form"):
        base = {"to": f"couple{n}@example.com", "subject": f"Hello {n}",
                "text": f"Plain body {n}", "html": f"<p>HTML body {n}</p>",
                "from_name": "Lumen Photography", "reply_to": "studio@lumen.example"}
    elif kind == "webhook":
        base = {"url": "http://127.0.0.1:9/", "method": "POST", "headers": {},
                "body": '{"n": %d}' % n}
    else:
        base = {"title": f"Call couple {n}", "due": None, "client_id": "cli_1"}
    base.update(payload)
    return Effect(id=f"eff_{n:06d}", vendor_id=vendor_id, key=key or f"run_{n}:node:1",
                  kind=kind, payload=base, created_at=at, next_attempt_at=at,
                  destination="smtp" if kind in ("email", "form") else base.get("url"))


def add_effects(store, *effects: Effect) -> list[Effect]:
    with store.transaction() as tx:
        for effect in effects:
            assert tx.add_effect(effect)
    return list(effects)


def get_effect(store, effect_id: str) -> Effect:
    with store.transaction() as tx:
        return tx.get_effect(effect_id)


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepted."""
    messages: list = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> SMTP reply
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for _, _, m in self.messages)


class SmtpServer:
    def __init__(self, port: int | None = None, **kwargs: Any):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.kwargs = kwargs
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     **self.kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b"ok"


class Receiver:
    """A threaded HTTP server answering from a script (then 200), recording every request."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    reply = receiver.script.pop(0) if receiver.script else Reply()
                    receiver.requests.append({"method": self.command, "path": self.path,
                                              "headers": dict(self.headers.items()),
                                              "body": body, "status": reply.status,
                                              "at": time.monotonic()})
                if reply.delay:
                    receiver.release.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            do_POST = do_PUT = do_GET = do_PATCH = do_DELETE = _serve

        lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/journeys"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
