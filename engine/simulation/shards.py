"""Sharded simulation: the clients of one simulation split into shards that run side by side.

Couples do not touch each other inside a journey: each has its own runs, wake-ups, steps and
split choices (a split hashes seed | client id : run number | node | visit, never a store id).
So a shard is simply a full `Simulation` - the live runtime on its own ManualClock, memory store
and SequentialIds - over a subset of the clients and only their events. Ids are per shard and
never appear in the output.

- The output does not depend on the number of shards, nor on the machine. Sharding starts at
  AUTO_MIN_CLIENTS clients (an input-only rule); above it, steps are in the canonical order:
  the virtual instant they ran at, then the client's place in CLIENTS.json, then the client's own
  order; runs by start instant, then the client's place, then the client's own order. (Below
  it, one process: steps in the order they ran, runs by start and run id, as always.) So the
  number of shards may follow the machine's cores: at least 2, one per core, at least
  AUTO_MIN_CLIENTS / 2 clients each.
- Clients coupled through the store (events sharing an idempotency key) share a shard; an event
  that renames a client's external id keeps everyone in one shard.
- Shard 0 runs in this process; the others in forked child processes (on Linux, when this
  process has no other threads), or else one after another here: the output is the same.
- Progress reports the slowest shard's virtual time. An error in a shard is raised here as
  the same error (the one a single process meets first: earliest client or event); a crashed
  shard is a clear RuntimeError. Children ignore Ctrl-C (the parent stops them), are daemonic,
  are terminated when the parent leaves early and exit if their parent dies.
"""
from __future__ import annotations

import gc
import heapq
import importlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, Sequence

from engine.errors import JourneyError

if TYPE_CHECKING:  # engine.simulate imports this module lazily, inside Simulation.run
    from engine.simulate import Simulation, SimulationResult, _Event

AUTO_MIN_CLIENTS = 1000  # below this, one process: the fork and the merge would cost more
PROGRESS_STEPS = 200  # a child reports its progress at most this many times
PARALLEL: bool | None = None  # None: fork when possible; False: shards one after another here

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_first = itemgetter(0)


def plan_shards(clients: Sequence[dict[str, Any]], events: Sequence["_Event"],
                shards: int | str) -> list[list[str]]:
    """Client ids per shard (each in input order)."""
    ids = [c["id"] for c in clients]
    wanted = auto_shards(len(ids)) if shards == "auto" else int(shards)
    wanted = min(wanted, len(ids))
    if wanted <= 1:
        return [ids]
    for event in events:
        if event.type == "client_updated" and ("external_id" in event.data or "id" in event.data):
            return [ids]  # a renamed client could collide with any other: keep them together
    # Events sharing an idempotency key count once across clients: keep their clients together.
    parent = {cid: cid for cid in ids}

    def root(cid: str) -> str:
        while parent[cid] != cid:
            parent[cid] = parent[parent[cid]]
            cid = parent[cid]
        return cid

    owner: dict[str, str] = {}
    for event in events:
        if event.key is not None:
            first = owner.setdefault(event.key, event.client)
            a, b = root(first), root(event.client)
            if a != b:
                parent[b] = a
    groups: dict[str, list[str]] = {}
    for cid in ids:
        groups.setdefault(root(cid), []).append(cid)
    position = {cid: i for i, cid in enumerate(ids)}
    bins: list[list[str]] = [[] for _ in range(wanted)]
    for group in groups.values():  # in order of each group's first client
        min(bins, key=len).extend(group)  # the emptiest shard; ties to the first
    return [sorted(b, key=position.__getitem__) for b in bins if b]


def auto_shards(clients: int) -> int:
    """1 below AUTO_MIN_CLIENTS; above, one per usable core, at least 2 (the output is the same
    for any number from 2 up)."""
    if clients < AUTO_MIN_CLIENTS:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(2, min(cores, clients * 2 // AUTO_MIN_CLIENTS))


@dataclass
class _Job:
    index: int
    document: dict[str, Any]
    clients: list[dict[str, Any]]
    events: list["_Event"]
    start: datetime
    until: datetime
    seed: int | str
    vendor_timezone: str
    report_progress: bool


@dataclass
class _Outcome:
    steps: list[tuple[tuple[datetime, int], list[dict[str, Any]]]] | None = None  # grouped
    runs: list[tuple[tuple[datetime, int], dict[str, Any]]] | None = None
    records: int = 0
    error: BaseException | None = None
    position: tuple[Any, ...] = (3,)  # where the error happened: Simulation.position


def _jobs(sim: "Simulation", plan: list[list[str]]) -> list[_Job]:
    by_id = {c["id"]: c for c in sim.clients}
    jobs = []
    for i, ids in enumerate(plan):
        members = set(ids)
        jobs.append(_Job(index=i, document=sim.document, clients=[by_id[c] for c in ids],
                         events=[e for e in sim.events if e.client in members],
                         start=sim.start, until=sim.until, seed=sim.seed,
                         vendor_timezone=sim.vendor_timezone,
                         report_progress=sim.progress is not None))
    return jobs


def _run_job(job: _Job, progress: Callable[[datetime, datetime], None] | None) -> _Outcome:
    """Run one shard here; a JourneyError (or any other) is returned, not raised."""
    from engine.simulate import Simulation
    sim = Simulation._part(job.document, job.clients, job.events, start=job.start,
                           until=job.until, seed=job.seed, vendor_timezone=job.vendor_timezone,
                           progress=progress)
    try:
        steps, runs = sim._run_here()
    except Exception as error:  # noqa: BLE001 - handed to the parent, raised there
        return _Outcome(error=error, position=sim.position)
    # The canonical order: instant, then the client's place in the input, then the client's
    # own order (a stable sort keeps it). It does not depend on which shard a client ran in.
    place = {c["id"]: c["index"] for c in job.clients}
    last = sys.maxsize  # (a client the store no longer knows by its input id: after the rest)
    keyed = [((now, place.get(line["client"], last)), line) for line, now in steps]
    keyed.sort(key=_first)
    grouped: list[tuple[tuple[datetime, int], list[dict[str, Any]]]] = []
    for key, line in keyed:
        if grouped and grouped[-1][0] == key:
            grouped[-1][1].append(line)
        else:
            grouped.append((key, [line]))
    ordered = [((started or _EPOCH, place.get(run["client"], last)), run)
               for started, run in runs]
    ordered.sort(key=_first)
    return _Outcome(steps=grouped, runs=ordered, records=sim.records)


def _can_fork() -> bool:
    if PARALLEL is not None:
        return PARALLEL and "fork" in multiprocessing.get_all_start_methods()
    # Forking a process with other threads (a web server's) can copy a lock held by one of
    # them; there the shards run one after another instead, with the same output.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def run_sharded(sim: "Simulation", plan: list[list[str]]) -> "SimulationResult":
    jobs = _jobs(sim, plan)
    outcomes = _run_parallel(sim, jobs) if _can_fork() else _run_serial(sim, jobs)
    return _merge(sim, outcomes)


def _run_serial(sim: "Simulation", jobs: list[_Job]) -> list[_Outcome]:
    outcomes = []
    span = (sim.until - sim.start) or (sim.until - sim.start).resolution
    for job in jobs:
        hook = None
        if sim.progress is not None:
            def hook(now: datetime, until: datetime, done: int = job.index) -> None:
                # Shards run in turn: report the share of all the shards' virtual time done.
                share = (done + (now - sim.start) / span) / len(jobs)
                sim.progress(sim.start + span * share, until)
        outcomes.append(_run_job(job, hook))
    return outcomes


class _Child:
    def __init__(self, job: _Job, process: Any, conn: Any):
        self.job, self.process, self.conn = job, process, conn
        self.outcome: _Outcome | None = None


def _run_parallel(sim: "Simulation", jobs: list[_Job]) -> list[_Outcome]:
    ctx = multiprocessing.get_context("fork")
    nows = [sim.start] * len(jobs)
    children: list[_Child] = []
    for stream in (sys.stdout, sys.stderr):  # a child must not write out the parent's buffers
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    try:
        for job in jobs[1:]:
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child_main, args=(send, job, os.getpid()),
                                  name=f"journeys-simulation-shard-{job.index}", daemon=True)
            process.start()
            send.close()
            children.append(_Child(job, process, receive))

        def report() -> None:
            if sim.progress is not None:
                sim.progress(min(nows), sim.until)

        def take(child: _Child) -> None:
            """Read one message of `child` (its progress, or its outcome)."""
            try:
                message = child.conn.recv()
            except (EOFError, OSError):
                child.process.join(5)
                child.outcome = _Outcome(error=RuntimeError(
                    f"simulation shard {child.job.index} stopped without a result "
                    f"(exit code {child.process.exitcode})"), position=(3,))
                nows[child.job.index] = sim.until
                return
            if message[0] == "progress":
                nows[child.job.index] = message[1]
                return
            child.outcome = _outcome_from(message, child.job.index)
            nows[child.job.index] = sim.until

        def here(now: datetime, until: datetime) -> None:
            nows[0] = now
            for child in children:
                while child.outcome is None and child.conn.poll():
                    take(child)
            report()

        outcome = _run_job(jobs[0], here if sim.progress is not None else None)
        nows[0] = sim.until
        waiting = [c for c in children if c.outcome is None]
        while waiting:
            for conn in multiprocessing.connection.wait([c.conn for c in waiting]):
                take(next(c for c in waiting if c.conn is conn))
            report()
            waiting = [c for c in waiting if c.outcome is None]
        for child in children:
            child.process.join(5)
        return [outcome] + [c.outcome for c in children]  # type: ignore[misc]
    finally:
        for child in children:
            if child.process.is_alive():
                child.process.terminate()
                child.process.join(2)
                if child.process.is_alive():
                    child.process.kill()
                    child.process.join()
            child.conn.close()


def _child_main(conn: Any, job: _Job, parent_pid: int) -> None:
    """A forked shard: runs its job and sends back one message (progress messages before)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    gc.disable()  # as Simulation.run does: the store forms no garbage cycles
    span = job.until - job.start
    state = {"sent": job.start}

    def progress(now: datetime, until: datetime) -> None:
        if os.getppid() != parent_pid:
            os._exit(1)  # the parent is gone: nobody wants this shard any more
        if job.report_progress and (now - state["sent"]) * PROGRESS_STEPS >= span:
            state["sent"] = now
            conn.send(("progress", now))

    try:
        outcome = _run_job(job, progress)
        if outcome.error is None:
            conn.send(("done", outcome.steps, outcome.runs, outcome.records))
        else:
            conn.send(("error", outcome.position, *_pack_error(outcome.error)))
    except BaseException as error:  # noqa: BLE001 - never a traceback on the parent's stderr
        try:
            conn.send(("error", (3,), *_pack_error(error)))
        except BaseException:  # noqa: BLE001
            os._exit(1)
    finally:
        conn.close()


def _pack_error(error: BaseException) -> tuple[Any, ...]:
    text = "".join(traceback.format_exception(error))
    if isinstance(error, JourneyError):
        packed = ("journey", type(error).__module__, type(error).__qualname__, error.message,
                  dict(vars(error)), text)
    else:
        packed = ("pickled", error, text)
    try:
        pickle.loads(pickle.dumps(packed))
        return packed
    except Exception:  # noqa: BLE001 - something in it does not travel: its words do
        return ("text", f"{type(error).__name__}: {error}", text)


def _outcome_from(message: tuple[Any, ...], index: int) -> _Outcome:
    if message[0] == "done":
        return _Outcome(steps=message[1], runs=message[2], records=message[3])
    position, kind, *rest = message[1:]
    error: BaseException
    if kind == "journey":
        module, name, text, state, trace = rest
        cls = importlib.import_module(module)
        for part in name.split("."):
            cls = getattr(cls, part)
        error = cls.__new__(cls)  # type: ignore[call-overload]
        Exception.__init__(error, text)
        error.__dict__.update(state)
    elif kind == "pickled":
        error, trace = rest
        error.add_note(f"(in simulation shard {index})\n{trace}")
    else:
        words, trace = rest
        error = RuntimeError(f"simulation shard {index} failed: {words}")
        error.add_note(trace)
    return _Outcome(error=error, position=position)


def _merge(sim: "Simulation", outcomes: list[_Outcome]) -> "SimulationResult":
    from engine.simulate import SimulationResult
    failed = [(o.position, i, o.error) for i, o in enumerate(outcomes) if o.error is not None]
    if failed:
        # The single-process run stops at the first failing event; so do we.
        raise min(failed, key=lambda f: (f[0], f[1]))[2]  # type: ignore[misc]
    steps: list[dict[str, Any]] = []
    for _, lines in heapq.merge(*(o.steps for o in outcomes), key=_first):  # type: ignore
        steps.extend(lines)
    runs = [run for _, run in heapq.merge(*(o.runs for o in outcomes), key=_first)]  # type: ignore
    sim.records = sum(o.records for o in outcomes)
    return SimulationResult(steps=steps, runs=runs)
