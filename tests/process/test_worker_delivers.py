"""`journeys worker` delivers the outbox: a real worker process sends a journey's emails to a
real SMTP server (aiosmtpd)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from aiosmtpd.controller import Controller

from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

from .crash_harness import FIVE_STEPS, ROOT, VirtualTime


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_worker_sends_journey_emails_over_smtp(tmp_path):
    inbox = Inbox()
    port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    url = f"sqlite:///{tmp_path}/mail.db"
    migrate(url)
    sa_engine = make_engine(url)
    vt = VirtualTime()
    engine = Engine(SqlStore(sa_engine), vt.clock)
    vendor = engine.create_vendor("Mail Studio")
    journey = engine.journeys.create(vendor.id, FIVE_STEPS)
    engine.journeys.publish(vendor.id, journey.id)
    for i in range(3):
        engine.clients.add(vendor.id, {"name": f"Couple {i}", "email": f"c{i}@example.com"})
    env = {**os.environ, "JOURNEYS_CLOCK": vt.spec, "JOURNEYS_TICK_SECONDS": "0.2",
           "DATABASE_URL": url, "JOURNEYS_SMTP_HOST": "127.0.0.1",
           "JOURNEYS_SMTP_PORT": str(port), "JOURNEYS_SMTP_SECURITY": "none",
           "JOURNEYS_SMTP_FROM": "studio@example.com"}
    worker = subprocess.Popen([sys.executable, "-m", "engine.cli", "worker"], cwd=ROOT, env=env,
                              stdout=(tmp_path / "w.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while len(inbox.messages) < 6 and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        smtp.stop()
        sa_engine.dispose()
    log = (tmp_path / "w.log").read_text()
    assert len(inbox.messages) == 6, log[-3000:]  # hello and checkin for three couples
    subjects = sorted(m.split(b"Subject: ")[1].split(b"\r\n")[0] for m in inbox.messages)
    assert subjects == [b"Checking in"] * 3 + [b"Hello Couple 0", b"Hello Couple 1",
                                               b"Hello Couple 2"]
