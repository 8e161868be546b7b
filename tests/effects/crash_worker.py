"""A dispatcher process for test_crash.py: sends every pending email of a SQLite outbox to an
SMTP server, printing "S <key>" before each send and "M <key>" once it is marked, then exits.

    python crash_worker.py DATABASE_URL SMTP_PORT [--wait]

With --wait it imports everything, then waits for a line on stdin before it starts: the test
starts the next worker while the current one is still sending, so restarts cost no import time.

This file is a bootstrap, like the real worker: it alone creates the SystemClock.
"""
from __future__ import annotations

import sys
from datetime import timedelta

from engine.clock import SystemClock
from engine.effects import (Breakers, Dispatcher, DispatchLoop, EventSleeper, RetryPolicies,
                            RetryPolicy, SmtpSender, SmtpSettings)
from engine.storage.sql import SqlStore

BATCH = 10


class Announcing:
    """Says which effect is about to go, so the test can tell the crash window apart."""

    def __init__(self, inner):
        self.inner = inner

    def destination(self, effect):
        return self.inner.destination(effect)

    def send(self, effect):
        print("S", effect.key, flush=True)
        return self.inner.send(effect)

    def close(self):
        self.inner.close()


def main(url: str, port: int) -> int:
    clock = SystemClock()
    store = SqlStore(url)
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=10,
                        from_address="hello@journeys.example")
    fast = RetryPolicy(max_attempts=50, base=timedelta(milliseconds=100),
                       cap=timedelta(seconds=1))
    dispatcher = Dispatcher(store, clock, {"email": Announcing(SmtpSender(smtp, clock))},
                            RetryPolicies.seeded(1, email=fast),
                            Breakers(clock, threshold=50, cool_down=timedelta(seconds=1)),
                            claim_lease=timedelta(seconds=3),
                            listeners=[lambda outcome, e: print("M", e.key, outcome, flush=True)])
    loop = DispatchLoop(dispatcher, EventSleeper(), batch_size=BATCH, poll_interval=0.05)
    while True:
        loop.step()
        with store.transaction() as tx:
            if not tx.list_effects(status="pending", limit=1):
                break
        loop.sleeper.sleep(0.01)
    print("DONE", loop.total.as_dict(), flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    if "--wait" in sys.argv:
        sys.stdin.readline()
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
