"""Scale-out on PostgreSQL: several `journeys worker` processes share one database.

    claims.py     ClaimLoop: lease due wake-ups in batches (FOR UPDATE SKIP LOCKED), run each in
                  its own transaction that locks and re-checks it
    heartbeat.py  Heartbeat: renews the leases a process holds; a dead process's leases end and
                  its wake-ups are taken over
    leader.py     LeaderElection: one leader per database schema, by a session advisory lock
    timer.py      LeaderTimer: APScheduler 3, in the leader only; it says *when* to look for work
                  (NOTIFY), never runs steps itself
    wakeups.py    LISTEN/NOTIFY: a commit that writes near-term work, and the leader's timer, wake
                  the workers without waiting for a poll
    node.py       ScaleoutNode: the pieces wired together for engine.worker.Worker
    pg.py         dedicated psycopg connections (outside the pool) for the lock and LISTEN

Exactly-once does not rest on leases: the step of a wake-up runs in a transaction that locks the
wake-up row and checks it is still the one claimed (owner and due time), and the step log's
unique (run, node, visit) key makes a second execution impossible. Leases only keep workers from
trampling on each other and bound how long a dead worker's claims wait.

Time: due times are on the engine's Clock (virtual in tests); leases are on a separate real clock
(`lease_clock`), so a fast virtual clock in a process test does not expire leases early. Both are
injected; engine.bootstrap creates the SystemClock.
"""
from engine.scaleout.claims import ClaimLoop, ClaimStats
from engine.scaleout.node import ScaleoutNode

__all__ = ["ClaimLoop", "ClaimStats", "ScaleoutNode"]
