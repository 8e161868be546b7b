"""SqlStore: the storage contract on SQLite and PostgreSQL, with SQLAlchemy Core.

One connection and one database transaction per `Store.transaction()`. Statements are built
once per dialect and reused (SQLAlchemy caches their compiled SQL), reads select exactly the
dataclass's fields in order, and every write is a single statement by key:

- put_*: INSERT ... ON CONFLICT (primary key) DO UPDATE (an upsert, both dialects);
- add_step / add_effect / add_version / add_event: INSERT ... ON CONFLICT DO NOTHING RETURNING 1
  says whether the row landed, so a duplicate never aborts a PostgreSQL transaction;
- put_wakeup: an upsert on the natural key (run_id, or (client, journey) among date triggers),
  so replacing a wake-up is one statement and a run can never hold two.

due_wakeups/due_effects take row locks with FOR UPDATE SKIP LOCKED on PostgreSQL, so concurrent
schedulers or senders never claim the same row. SQLite has one writer at a time (every
transaction starts with BEGIN IMMEDIATE, see engine.storage.database), so a plain SELECT is
already exclusive there.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import Engine, Table, bindparam, func, literal_column, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, URL
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from engine.domain import (Approval, Client, Effect, Event, FormRequest, Journey, JourneyVersion,
                           Run, StepRecord, Vendor, WakeUp)
from engine.errors import Conflict, DuplicateStep, StorageUnavailable
from engine.storage.base import Store, Tx
from engine.storage.database import make_engine
from engine.storage.sql import tables as T

_DATE_TRIGGER = text("kind = 'date_trigger'")


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _cols(table: Table, cls: type) -> list:
    return [table.c[name] for name in _names(cls)]


class _Statements:
    """Every statement the store runs, built once per dialect."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._memo: dict[tuple, Any] = {}
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.lock = dialect == "postgresql"

        def upsert(table: Table, conflict: list[str], where: Any = None):
            stmt = insert(table)
            skip = set(conflict) | {c.name for c in table.primary_key if c.autoincrement is True}
            return stmt.on_conflict_do_update(
                index_elements=conflict, index_where=where,
                set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in skip})

        def get(table: Table, cls: type, *keys: str):
            return select(*_cols(table, cls)).where(
                *[table.c[k] == bindparam(k) for k in keys])

        self.put_vendor = upsert(T.vendor, ["id"])
        self.put_client = upsert(T.client, ["id"])
        self.put_journey = upsert(T.journey, ["id"])
        self.put_run = upsert(T.run, ["id"])
        self.put_effect = upsert(T.effect, ["id"])
        self.put_approval = upsert(T.approval, ["id"])
        # Form requests are addressed by token (as in the memory store).
        self.put_form_request = upsert(T.form_request, ["token"])
        self.put_run_wakeup = upsert(T.wakeup, ["run_id"])
        self.put_date_trigger = upsert(T.wakeup, ["client_id", "journey_id"], _DATE_TRIGGER)
        self.put_other_wakeup = upsert(T.wakeup, ["id"])

        def insert_if_absent(table: Table, conflict: list[str]):
            # RETURNING says whether the row landed (a driver's rowcount is not reliable for
            # INSERT ... ON CONFLICT DO NOTHING across drivers).
            return insert(table).on_conflict_do_nothing(index_elements=conflict).returning(
                literal_column("1"))

        self.add_version = insert_if_absent(T.journey_version, ["journey_id", "version"])
        self.add_step = insert_if_absent(T.step, ["run_id", "key"])
        # Several steps in one statement (SQLAlchemy's insertmanyvalues), returning which
        # landed. No guaranteed order is asked for: with one, SQLite takes a row per statement.
        self.add_steps = insert(T.step).on_conflict_do_nothing(
            index_elements=["run_id", "key"]).returning(T.step.c.run_id, T.step.c.key)
        self.add_event = insert_if_absent(T.event, ["vendor_id", "key"])
        self.add_effect = insert_if_absent(T.effect, ["key"])

        self.get_vendor = get(T.vendor, Vendor, "id")
        self.get_client = get(T.client, Client, "id")
        self.find_client = get(T.client, Client, "vendor_id", "external_id")
        lock_clients = select(*_cols(T.client, Client)).where(
            T.client.c.id.in_(bindparam("ids", expanding=True))).order_by(T.client.c.id)
        self.lock_clients = lock_clients.with_for_update() if self.lock else lock_clients
        self.client_owner = select(T.client.c.id).where(
            T.client.c.vendor_id == bindparam("vendor_id"),
            T.client.c.external_id == bindparam("external_id"),
            T.client.c.id != bindparam("id")).limit(1)
        self.get_journey = get(T.journey, Journey, "id")
        self.get_version = get(T.journey_version, JourneyVersion, "journey_id", "version")
        self.get_run = get(T.run, Run, "id")
        self.get_event_by_key = get(T.event, Event, "vendor_id", "key")
        self.get_run_wakeup = get(T.wakeup, WakeUp, "run_id")
        self.get_effect = get(T.effect, Effect, "id")
        self.get_approval = get(T.approval, Approval, "id")
        self.get_form_request = get(T.form_request, FormRequest, "token")
        self.steps_for_run = get(T.step, StepRecord, "run_id").order_by(T.step.c.id)

        self.delete_client = T.client.delete().where(T.client.c.id == bindparam("id"))
        self.delete_journey = T.journey.delete().where(T.journey.c.id == bindparam("id"))
        w = T.wakeup
        self.delete_run_wakeup = w.delete().where(w.c.run_id == bindparam("run_id"))
        self.delete_date_trigger = w.delete().where(
            w.c.journey_id == bindparam("journey_id"), w.c.client_id == bindparam("client_id"),
            w.c.kind == "date_trigger")
        self.date_triggers_for_client = get(T.wakeup, WakeUp, "client_id").where(
            w.c.kind == "date_trigger").order_by(w.c.due_at, w.c.id)
        now = bindparam("now", type_=w.c.due_at.type)
        due = (select(*_cols(w, WakeUp)).where(w.c.due_at <= now)
               .order_by(w.c.due_at, w.c.id).limit(bindparam("limit")))
        self.due_wakeups = due.with_for_update(skip_locked=True) if self.lock else due
        self.next_due_at = select(func.min(w.c.due_at))
        self.count_wakeups = select(func.count()).select_from(w)
        # Claims with leases (engine.scaleout): lease the earliest due wake-ups nobody holds in
        # one statement; SKIP LOCKED lets concurrent claimers pass each other's rows. The CTE is
        # MATERIALIZED so PostgreSQL runs the LIMIT-ed pick exactly once.
        lease_now = bindparam("lease_now", type_=w.c.lease_until.type)
        pick = (select(w.c.id)
                .where(w.c.due_at <= now, or_(w.c.lease_until.is_(None), w.c.lease_until < lease_now,
                                              w.c.lease_owner == bindparam("owner")))
                .order_by(w.c.due_at, w.c.id).limit(bindparam("limit")))
        picked = (pick.with_for_update(skip_locked=True) if self.lock else pick).cte(
            "picked").prefix_with("MATERIALIZED", dialect="postgresql")
        until = bindparam("until", type_=w.c.lease_until.type)
        self.claim_due = (w.update().where(w.c.id == picked.c.id)
                          .values(lease_owner=bindparam("owner"), lease_until=until)
                          .returning(*_cols(w, WakeUp)))
        mine = w.c.lease_owner == bindparam("owner")
        listed = w.c.id.in_(bindparam("ids", expanding=True))
        # A renewal passes over rows a step of the same worker has locked (it is about to
        # rewrite them), and takes the rest in id order, as steps do: it never deadlocks one.
        def renewal(*where: Any) -> Any:
            rows = select(w.c.id).where(*where).order_by(w.c.id)
            rows = rows.with_for_update(skip_locked=True) if self.lock else rows
            return w.update().where(w.c.id.in_(rows.scalar_subquery())).values(lease_until=until)

        self.renew_leases = renewal(mine)
        self.renew_listed_leases = renewal(mine, listed)
        self.release_leases = w.update().where(mine).values(lease_owner=None, lease_until=None)
        self.release_listed_leases = w.update().where(mine, listed).values(lease_owner=None,
                                                                           lease_until=None)
        lock_run = select(*_cols(T.run, Run)).where(T.run.c.id == bindparam("id"))
        self.lock_run = lock_run.with_for_update() if self.lock else lock_run
        lock_runs = select(*_cols(T.run, Run)).where(
            T.run.c.id.in_(bindparam("ids", expanding=True))).order_by(T.run.c.id)
        self.lock_runs = lock_runs.with_for_update() if self.lock else lock_runs
        lock_one = select(*_cols(w, WakeUp)).where(w.c.id == bindparam("id"))
        self.lock_wakeup = lock_one.with_for_update() if self.lock else lock_one
        lock_many = select(*_cols(w, WakeUp)).where(listed).order_by(w.c.id)
        self.lock_wakeups = lock_many.with_for_update() if self.lock else lock_many

        e = T.effect
        now = bindparam("now", type_=e.c.next_attempt_at.type)
        due_fx = (select(*_cols(e, Effect))
                  .where(e.c.status == "pending",
                         e.c.next_attempt_at.is_(None) | (e.c.next_attempt_at <= now))
                  .order_by(func.coalesce(e.c.next_attempt_at, e.c.created_at), e.c.id)
                  .limit(bindparam("limit")))
        self.due_effects = due_fx.with_for_update(skip_locked=True) if self.lock else due_fx

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """A statement for one shape of a filtered query, built on first use. Values are bound
        parameters, so building (the costly part in Python) happens once per shape."""
        stmt = self._memo.get(key)
        if stmt is None:
            stmt = self._memo[key] = build()
        return stmt

    def filtered(self, table: Table, cls: type, equal: Iterable[str], *, extra: Iterable = (),
                 order: Iterable = (), paged: bool = False, limited: bool = False) -> Any:
        """SELECT the fields of `cls` WHERE each column in `equal` = :column [AND extra]."""
        stmt = select(*_cols(table, cls)).where(
            *[table.c[name] == bindparam(name) for name in equal], *extra).order_by(*order)
        if paged or limited:
            stmt = stmt.limit(bindparam("limit"))
        if paged:
            stmt = stmt.offset(bindparam("offset"))
        return stmt

    def text_order(self, column: Any) -> Any:
        """Case-insensitive name order in code-point order (as Python sorts), on both dialects."""
        lowered = func.lower(column)
        return lowered.collate("C") if self.dialect == "postgresql" else lowered


_STATEMENTS: dict[str, _Statements] = {}


def _statements(dialect: str) -> _Statements:
    found = _STATEMENTS.get(dialect)
    if found is None:
        found = _STATEMENTS[dialect] = _Statements(dialect)
    return found


# -- conversions between dataclasses and rows ------------------------------------------------------

_VENDOR, _CLIENT, _JOURNEY, _VERSION = _names(Vendor), _names(Client), _names(Journey), \
    _names(JourneyVersion)
_RUN, _STEP, _EVENT, _WAKEUP = _names(Run), _names(StepRecord), _names(Event), _names(WakeUp)
_EFFECT, _APPROVAL, _FORM = _names(Effect), _names(Approval), _names(FormRequest)


def _params(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _vendor_params(v: Vendor) -> dict[str, Any]:
    params = _params(v, _VENDOR)
    params["blackout_dates"] = [_iso(d) for d in v.blackout_dates or ()]
    return params


def _vendor(row: Any) -> Vendor:
    v = Vendor(*row)
    v.blackout_dates = [_date(d) for d in v.blackout_dates or ()]
    return v


def _client_params(c: Client) -> dict[str, Any]:
    params = _params(c, _CLIENT)
    params["dates"] = {k: _iso(d) for k, d in (c.dates or {}).items()}
    return params


def _client(row: Any) -> Client:
    c = Client(*row)
    c.dates = {k: _date(d) for k, d in (c.dates or {}).items()}
    return c


def _integrity(error: IntegrityError, message: str, **details: Any) -> Conflict:
    return Conflict(message, details={**details, "database": str(error.orig)[:300]})


class _VersionCache:
    """Published versions never change, and every step reads one: keep the recent ones.

    Only rows read by a transaction that did not write them are cached, so a version that was
    never committed (its transaction rolled back) cannot be served. Deleting a journey in this
    process evicts its versions. Shared objects: callers copy before changing (the contract).
    """

    def __init__(self, size: int = 512):
        self.size = size
        self.items: dict[tuple[str, int], JourneyVersion] = {}

    def get(self, key: tuple[str, int]) -> JourneyVersion | None:
        return self.items.get(key)

    def put(self, key: tuple[str, int], value: JourneyVersion) -> None:
        if len(self.items) >= self.size:
            try:
                del self.items[next(iter(self.items))]
            except (StopIteration, KeyError, RuntimeError):  # raced with another thread
                pass
        self.items[key] = value

    def evict_journey(self, journey_id: str) -> None:
        for key in [k for k in list(self.items) if k[0] == journey_id]:
            self.items.pop(key, None)


def _duplicate(run_id: str, key: str) -> DuplicateStep:
    return DuplicateStep(f"step {key} of run {run_id} was already executed",
                         details={"run": run_id, "key": key})


def _insert_steps(conn: Any, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Insert step rows in one statement; the first one already there is a DuplicateStep."""
    written = {(r[0], r[1]) for r in conn.execute(stmt, rows)}
    if len(written) != len(rows):
        first = next(r for r in rows if (r["run_id"], r["key"]) not in written)
        raise _duplicate(first["run_id"], first["key"])


class _DeferredWrites:
    """Writes held back by SqlTx.defer_writes(), flushed one statement per table.

    Upserts and deletes by key keep only the last write per key (what executing them in order
    leaves behind); inserts keep their order. Tables are written parents first (clients, runs,
    then rows referring to runs) so foreign keys hold at every statement."""

    ORDER = ("client", "run", "wakeup")

    def __init__(self, conn: Connection, statements: _Statements):
        self.conn = conn
        self.s = statements
        self.by_key: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
        self.steps: list[dict[str, Any]] = []
        self.effects: list[dict[str, Any]] = []

    def put(self, key: tuple[str, str], stmt: Any, params: dict[str, Any]) -> None:
        self.by_key.pop(key, None)  # re-inserted last: a later write replaces an earlier one
        self.by_key[key] = (stmt, params)

    def flush(self) -> None:
        if not (self.by_key or self.steps or self.effects):
            return
        by_key, self.by_key = self.by_key, {}
        steps, self.steps = self.steps, []
        effects, self.effects = self.effects, []
        for table in self.ORDER:
            batches: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
            for (kind, _), (stmt, params) in by_key.items():
                if kind == table:
                    batches.setdefault(id(stmt), (stmt, []))[1].append(params)
            for stmt, rows in batches.values():
                self.conn.execute(stmt, rows if len(rows) > 1 else rows[0])
        if steps:
            _insert_steps(self.conn, self.s.add_steps, steps)
        if effects:
            self.conn.execute(self.s.add_effect, effects if len(effects) > 1 else effects[0])


class _FlushingConnection:
    """The transaction's connection while writes are deferred: any other statement first sends
    the deferred writes, so reads see them and statements keep their order."""

    def __init__(self, conn: Connection, deferred: _DeferredWrites):
        self._conn = conn
        self._deferred = deferred

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._deferred.flush()
        return self._conn.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class SqlTx(Tx):
    """One database transaction. Entities read from it are fresh objects (journey versions
    excepted: immutable, they come from a per-store cache; and a vendor read twice in one
    transaction is the same object)."""

    def __init__(self, conn: Connection, statements: _Statements,
                 versions: _VersionCache | None = None):
        self.conn = conn
        self.s = statements
        self.versions = versions if versions is not None else _VersionCache(0)
        self.written_versions: set[tuple[str, int]] = set()
        # Vendors read in this transaction: a group of steps (engine.scaleout) reads the same
        # vendor for each; it changes only through put_vendor here, or as a concurrent commit.
        self._vendors: dict[str, Vendor | None] = {}
        # Rows this transaction holds (locked FOR UPDATE, or written): nobody else can change
        # them before it ends, so a second read is answered here. A group of steps
        # (engine.scaleout) locks its clients and runs in one statement each, then each step
        # reads them again.
        self._held: dict[tuple[str, str], Any] = {}
        self._deferred: _DeferredWrites | None = None

    def defer_writes(self) -> None:
        """From now on, hold this transaction's step writes (runs, run wake-ups, steps,
        effects, clients) and send them as one statement per table at commit, or before the
        next statement that reads the database. A group of steps (group commit) then costs a
        few statements instead of five per step. Errors (a duplicate step, a constraint) surface
        at that flush and roll back the whole transaction; the group is then run again one step
        per transaction, without deferral, where each error is reported where it happens."""
        if self._deferred is None:
            self._deferred = _DeferredWrites(self.conn, self.s)
            self.conn = _FlushingConnection(self.conn, self._deferred)

    def flush(self) -> None:
        if self._deferred is not None:
            self._deferred.flush()

    def _one(self, stmt: Any, params: dict[str, Any]) -> Any:
        return self.conn.execute(stmt, params).first()

    def _inserted(self, stmt: Any, params: dict[str, Any]) -> bool:
        return self.conn.execute(stmt, params).first() is not None

    # -- vendors ---------------------------------------------------------------------------
    def get_vendor(self, vendor_id: str) -> Vendor | None:
        if vendor_id in self._vendors:
            return self._vendors[vendor_id]
        row = self._one(self.s.get_vendor, {"id": vendor_id})
        found = self._vendors[vendor_id] = _vendor(row) if row is not None else None
        return found

    def put_vendor(self, vendor: Vendor) -> None:
        self._vendors.pop(vendor.id, None)
        self.conn.execute(self.s.put_vendor, _vendor_params(vendor))

    def list_vendors(self) -> list[Vendor]:
        v = T.vendor
        stmt = self.s.memo(("vendors",), lambda: self.s.filtered(
            v, Vendor, (), order=(v.c.created_at, v.c.id)))
        return [_vendor(r) for r in self.conn.execute(stmt)]

    # -- clients ---------------------------------------------------------------------------
    def get_client(self, client_id: str) -> Client | None:
        held = self._held.get(("client", client_id))
        if held is not None:
            return held
        row = self._one(self.s.get_client, {"id": client_id})
        return _client(row) if row is not None else None

    def lock_clients(self, client_ids: Iterable[str]) -> list[Client]:
        ids = sorted(set(client_ids))
        if not ids:
            return []
        found = [_client(r) for r in self.conn.execute(self.s.lock_clients, {"ids": ids})]
        self._held.update((("client", c.id), c) for c in found)
        return found

    def find_client(self, vendor_id: str, external_id: str) -> Client | None:
        row = self._one(self.s.find_client, {"vendor_id": vendor_id, "external_id": external_id})
        return _client(row) if row is not None else None

    def put_client(self, client: Client) -> None:
        # Check first so that the usual conflict leaves the transaction usable on PostgreSQL;
        # the unique constraint still decides a race. A client this transaction holds with the
        # same external_id (a step changing tags or fields) needs no check.
        held = self._held.get(("client", client.id))
        if held is not None and held.external_id == client.external_id \
                and self._deferred is not None:
            self._deferred.put(("client", client.id), self.s.put_client, _client_params(client))
            self._held[("client", client.id)] = client
            return
        if client.external_id is not None and self._one(self.s.client_owner, {
                "vendor_id": client.vendor_id, "external_id": client.external_id,
                "id": client.id}) is not None:
            raise Conflict(f"a client with external_id {client.external_id!r} already exists",
                           details={"external_id": client.external_id})
        try:
            self.conn.execute(self.s.put_client, _client_params(client))
        except IntegrityError as error:
            raise _integrity(error, f"client {client.id!r} could not be written",
                             external_id=client.external_id) from error
        self._held[("client", client.id)] = client

    def delete_client(self, client_id: str) -> None:
        self._held.pop(("client", client_id), None)
        self.conn.execute(self.s.delete_client, {"id": client_id})

    def list_clients(self, vendor_id: str, *, search: str | None = None, limit: int = 100,
                     offset: int = 0) -> list[Client]:
        c = T.client
        params: dict[str, Any] = {"vendor_id": vendor_id, "limit": limit, "offset": offset}
        if search:
            escaped = (search.lower().replace("\\", "\\\\").replace("%", "\\%")
                       .replace("_", "\\_"))
            params["pattern"] = f"%{escaped}%"

        def build() -> Any:
            extra: tuple = ()
            if search:
                like = [func.lower(col).like(bindparam("pattern"), escape="\\") for col in (
                    c.c.name, c.c.email, func.coalesce(c.c.external_id, ""))]
                extra = (or_(*like),)
            return self.s.filtered(c, Client, ("vendor_id",), extra=extra,
                                   order=(self.s.text_order(c.c.name), c.c.id), paged=True)

        stmt = self.s.memo(("clients", bool(search)), build)
        return [_client(r) for r in self.conn.execute(stmt, params)]

    # -- journeys and versions -------------------------------------------------------------
    def get_journey(self, journey_id: str) -> Journey | None:
        row = self._one(self.s.get_journey, {"id": journey_id})
        return Journey(*row) if row is not None else None

    def put_journey(self, journey: Journey) -> None:
        try:
            self.conn.execute(self.s.put_journey, _params(journey, _JOURNEY))
        except IntegrityError as error:
            raise _integrity(error, f"journey {journey.id!r} could not be written") from error

    def delete_journey(self, journey_id: str) -> None:
        # Its versions go with it (ON DELETE CASCADE).
        self.conn.execute(self.s.delete_journey, {"id": journey_id})
        self.versions.evict_journey(journey_id)

    def _journeys(self, vendor_id: str, live: bool) -> list[Journey]:
        j = T.journey
        stmt = self.s.memo(("journeys", live), lambda: self.s.filtered(
            j, Journey, ("vendor_id",), order=(self.s.text_order(j.c.name), j.c.id),
            extra=(j.c.live_version.is_not(None), j.c.archived.is_(False)) if live else ()))
        return [Journey(*r) for r in self.conn.execute(stmt, {"vendor_id": vendor_id})]

    def list_journeys(self, vendor_id: str) -> list[Journey]:
        return self._journeys(vendor_id, live=False)

    def live_journeys(self, vendor_id: str) -> list[Journey]:
        return self._journeys(vendor_id, live=True)

    def get_version(self, journey_id: str, version: int) -> JourneyVersion | None:
        key = (journey_id, version)
        found = self.versions.get(key)
        if found is not None:
            return found
        row = self._one(self.s.get_version, {"journey_id": journey_id, "version": version})
        if row is None:
            return None
        found = JourneyVersion(*row)
        if key not in self.written_versions and self.versions.size:
            self.versions.put(key, found)
        return found

    def add_version(self, version: JourneyVersion) -> None:
        message = f"version {version.version} of journey {version.journey_id!r} exists"
        self.written_versions.add((version.journey_id, version.version))
        try:
            inserted = self._inserted(self.s.add_version, _params(version, _VERSION))
        except IntegrityError as error:
            raise _integrity(error, f"version {version.version} of journey "
                             f"{version.journey_id!r} could not be written") from error
        if not inserted:
            raise Conflict(message)

    def list_versions(self, journey_id: str) -> list[JourneyVersion]:
        v = T.journey_version
        stmt = self.s.memo(("versions",), lambda: self.s.filtered(
            v, JourneyVersion, ("journey_id",), order=(v.c.version,)))
        return [JourneyVersion(*r) for r in self.conn.execute(stmt, {"journey_id": journey_id})]

    # -- runs ------------------------------------------------------------------------------
    def get_run(self, run_id: str) -> Run | None:
        held = self._held.get(("run", run_id))
        if held is not None:
            return held
        row = self._one(self.s.get_run, {"id": run_id})
        return Run(*row) if row is not None else None

    def lock_run(self, run_id: str) -> Run | None:
        held = self._held.get(("run", run_id))
        if held is not None:
            return held
        row = self._one(self.s.lock_run, {"id": run_id})
        if row is None:
            return None
        run = self._held[("run", run_id)] = Run(*row)
        return run

    def lock_runs(self, run_ids: Iterable[str]) -> list[Run]:
        ids = sorted(set(run_ids))
        if not ids:
            return []
        found = [Run(*r) for r in self.conn.execute(self.s.lock_runs, {"ids": ids})]
        self._held.update((("run", r.id), r) for r in found)
        return found

    def put_run(self, run: Run) -> None:
        if self._deferred is not None:
            self._deferred.put(("run", run.id), self.s.put_run, _params(run, _RUN))
        else:
            self.conn.execute(self.s.put_run, _params(run, _RUN))
        self._held[("run", run.id)] = run

    def runs_for_client(self, client_id: str, *, journey_id: str | None = None,
                        statuses: Iterable[str] | None = None) -> list[Run]:
        r = T.run
        params: dict[str, Any] = {"client_id": client_id, "journey_id": journey_id}
        equal = ("client_id", "journey_id") if journey_id is not None else ("client_id",)
        if statuses is not None:
            params["statuses"] = sorted(set(statuses))
        by_status = statuses is not None
        stmt = self.s.memo(("runs_for_client", equal, by_status), lambda: self.s.filtered(
            r, Run, equal, order=(r.c.started_at, r.c.id),
            extra=(r.c.status.in_(bindparam("statuses", expanding=True)),) if by_status else ()))
        return [Run(*row) for row in self.conn.execute(stmt, params)]

    def list_runs(self, vendor_id: str, *, journey_id: str | None = None,
                  client_id: str | None = None, status: str | None = None,
                  node: str | None = None, version: int | None = None, limit: int = 100,
                  offset: int = 0) -> list[Run]:
        r = T.run
        params = {"vendor_id": vendor_id, "journey_id": journey_id, "client_id": client_id,
                  "status": status, "node": node, "version": version, "limit": limit,
                  "offset": offset}
        equal = ("vendor_id",) + tuple(k for k in ("journey_id", "client_id", "status", "node",
                                                   "version") if params[k] is not None)
        # started_at is always set by the engine; a NULL would sort first on SQLite, last on
        # PostgreSQL (the dialect default keeps the (vendor_id, started_at, id) index usable).
        stmt = self.s.memo(("runs", equal), lambda: self.s.filtered(
            r, Run, equal, order=(r.c.started_at, r.c.id), paged=True))
        return [Run(*row) for row in self.conn.execute(stmt, params)]

    # -- step log --------------------------------------------------------------------------
    def add_step(self, step: StepRecord) -> None:
        if not self._inserted(self.s.add_step, _params(step, _STEP)):
            raise _duplicate(step.run_id, step.key)

    def add_steps(self, steps: Sequence[StepRecord]) -> None:
        if self._deferred is not None:
            self._deferred.steps.extend(_params(s, _STEP) for s in steps)
            return
        if len(steps) < 2:
            for step in steps:
                self.add_step(step)
            return
        _insert_steps(self.conn, self.s.add_steps, [_params(s, _STEP) for s in steps])

    def steps_for_run(self, run_id: str) -> list[StepRecord]:
        return [StepRecord(*r) for r in self.conn.execute(self.s.steps_for_run,
                                                          {"run_id": run_id})]

    # -- events ----------------------------------------------------------------------------
    def get_event_by_key(self, vendor_id: str, key: str) -> Event | None:
        row = self._one(self.s.get_event_by_key, {"vendor_id": vendor_id, "key": key})
        return Event(*row) if row is not None else None

    def add_event(self, event: Event) -> None:
        try:
            inserted = self._inserted(self.s.add_event, _params(event, _EVENT))
        except IntegrityError as error:
            raise _integrity(error, f"event {event.id!r} exists") from error
        if not inserted:
            raise Conflict(f"an event with idempotency key {event.key!r} exists")

    def list_events(self, vendor_id: str, *, client_id: str | None = None,
                    limit: int = 100) -> list[Event]:
        e = T.event
        equal = ("vendor_id", "client_id") if client_id is not None else ("vendor_id",)
        stmt = self.s.memo(("events", equal), lambda: self.s.filtered(
            e, Event, equal, order=(e.c.received_at.desc(), e.c.id.desc()), limited=True))
        return [Event(*r) for r in self.conn.execute(
            stmt, {"vendor_id": vendor_id, "client_id": client_id, "limit": limit})]

    # -- wake-ups --------------------------------------------------------------------------
    # The earliest wake-up this transaction wrote, for SqlStore.before_commit hooks (the
    # scale-out mode NOTIFYs workers of near-term work in the same transaction).
    soonest_wakeup: datetime | None = None

    def put_wakeup(self, wakeup: WakeUp) -> None:
        if wakeup.kind == "run":
            stmt = self.s.put_run_wakeup
            if self._deferred is not None:
                self._deferred.put(("wakeup", wakeup.run_id), stmt, _params(wakeup, _WAKEUP))
                if self.soonest_wakeup is None or wakeup.due_at < self.soonest_wakeup:
                    self.soonest_wakeup = wakeup.due_at
                return
        elif wakeup.kind == "date_trigger":
            stmt = self.s.put_date_trigger
        else:
            stmt = self.s.put_other_wakeup
        self.conn.execute(stmt, _params(wakeup, _WAKEUP))
        if self.soonest_wakeup is None or wakeup.due_at < self.soonest_wakeup:
            self.soonest_wakeup = wakeup.due_at

    def delete_run_wakeup(self, run_id: str) -> None:
        if self._deferred is not None:
            self._deferred.put(("wakeup", run_id), self.s.delete_run_wakeup, {"run_id": run_id})
            return
        self.conn.execute(self.s.delete_run_wakeup, {"run_id": run_id})

    def delete_date_trigger(self, journey_id: str, client_id: str) -> None:
        self.conn.execute(self.s.delete_date_trigger,
                          {"journey_id": journey_id, "client_id": client_id})

    def get_run_wakeup(self, run_id: str) -> WakeUp | None:
        row = self._one(self.s.get_run_wakeup, {"run_id": run_id})
        return WakeUp(*row) if row is not None else None

    def date_triggers_for_client(self, client_id: str) -> list[WakeUp]:
        return [WakeUp(*r) for r in self.conn.execute(self.s.date_triggers_for_client,
                                                      {"client_id": client_id})]

    def due_wakeups(self, now: datetime, limit: int) -> list[WakeUp]:
        rows = self.conn.execute(self.s.due_wakeups, {"now": now, "limit": limit})
        return [WakeUp(*r) for r in rows]

    def next_due_at(self) -> datetime | None:
        return self.conn.execute(self.s.next_due_at).scalar()

    def count_wakeups(self) -> int:
        return self.conn.execute(self.s.count_wakeups).scalar_one()

    def claim_due(self, now: datetime, limit: int, *, owner: str, lease_until: datetime,
                  lease_now: datetime | None = None) -> list[WakeUp]:
        rows = self.conn.execute(self.s.claim_due, {
            "now": now, "limit": limit, "owner": owner, "until": lease_until,
            "lease_now": lease_now if lease_now is not None else now}).all()
        return sorted((WakeUp(*r) for r in rows), key=lambda w: (w.due_at, w.id))

    def _leases(self, every: Any, listed: Any, params: dict[str, Any],
                ids: Iterable[str] | None) -> int:
        if ids is None:
            return self.conn.execute(every, params).rowcount
        params["ids"] = list(ids)
        return self.conn.execute(listed, params).rowcount if params["ids"] else 0

    def renew_leases(self, owner: str, until: datetime, ids: Iterable[str] | None = None) -> int:
        return self._leases(self.s.renew_leases, self.s.renew_listed_leases,
                            {"owner": owner, "until": until}, ids)

    def release_leases(self, owner: str, ids: Iterable[str] | None = None) -> int:
        return self._leases(self.s.release_leases, self.s.release_listed_leases,
                            {"owner": owner}, ids)

    def lock_wakeup(self, wakeup_id: str) -> WakeUp | None:
        row = self._one(self.s.lock_wakeup, {"id": wakeup_id})
        return WakeUp(*row) if row is not None else None

    def lock_wakeups(self, wakeup_ids: Iterable[str]) -> list[WakeUp]:
        ids = sorted(set(wakeup_ids))
        if not ids:
            return []
        return [WakeUp(*r) for r in self.conn.execute(self.s.lock_wakeups, {"ids": ids})]

    # -- outbox ----------------------------------------------------------------------------
    def add_effect(self, effect: Effect) -> bool:
        if self._deferred is not None:  # a duplicate key is skipped at the flush, as below
            self._deferred.effects.append(_params(effect, _EFFECT))
            return True
        try:
            return self._inserted(self.s.add_effect, _params(effect, _EFFECT))
        except IntegrityError as error:
            raise _integrity(error, f"effect {effect.id!r} exists", key=effect.key) from error

    def get_effect(self, effect_id: str) -> Effect | None:
        row = self._one(self.s.get_effect, {"id": effect_id})
        return Effect(*row) if row is not None else None

    def put_effect(self, effect: Effect) -> None:
        try:
            self.conn.execute(self.s.put_effect, _params(effect, _EFFECT))
        except IntegrityError as error:
            raise _integrity(error, f"effect {effect.id!r} could not be written",
                             key=effect.key) from error

    def list_effects(self, vendor_id: str | None = None, *, status: str | None = None,
                     run_id: str | None = None, limit: int = 100) -> list[Effect]:
        e = T.effect
        params = {"vendor_id": vendor_id, "status": status, "run_id": run_id, "limit": limit}
        equal = tuple(k for k in ("vendor_id", "status", "run_id") if params[k] is not None)
        stmt = self.s.memo(("effects", equal), lambda: self.s.filtered(
            e, Effect, equal, order=(e.c.created_at, e.c.id), limited=True))
        return [Effect(*r) for r in self.conn.execute(stmt, params)]

    def due_effects(self, now: datetime, limit: int) -> list[Effect]:
        rows = self.conn.execute(self.s.due_effects, {"now": now, "limit": limit})
        return [Effect(*r) for r in rows]

    # -- approvals and form requests -------------------------------------------------------
    def get_approval(self, approval_id: str) -> Approval | None:
        row = self._one(self.s.get_approval, {"id": approval_id})
        return Approval(*row) if row is not None else None

    def put_approval(self, approval: Approval) -> None:
        self.conn.execute(self.s.put_approval, _params(approval, _APPROVAL))

    def list_approvals(self, vendor_id: str, *, status: str | None = "pending") -> list[Approval]:
        a = T.approval
        equal = ("vendor_id", "status") if status is not None else ("vendor_id",)
        stmt = self.s.memo(("approvals", equal), lambda: self.s.filtered(
            a, Approval, equal, order=(a.c.created_at, a.c.id)))
        return [Approval(*r) for r in self.conn.execute(
            stmt, {"vendor_id": vendor_id, "status": status})]

    def get_form_request(self, token: str) -> FormRequest | None:
        row = self._one(self.s.get_form_request, {"token": token})
        return FormRequest(*row) if row is not None else None

    def put_form_request(self, request: FormRequest) -> None:
        self.conn.execute(self.s.put_form_request, _params(request, _FORM))


class SqlStore(Store):
    """The SQL store. `SqlStore(engine)` or `SqlStore("postgresql://...")`.

    The schema must exist: call engine.storage.database.migrate() first (at start-up). A store
    built from a URL owns its engine and disposes it in close().
    """

    def __init__(self, engine: Engine | str | URL | None = None, *, version_cache: int = 512):
        self._owned = not isinstance(engine, Engine)
        self.engine: Engine = engine if isinstance(engine, Engine) else make_engine(engine)
        self._statements = _statements(self.engine.dialect.name)
        # Called with the SqlTx just before a transaction commits (e.g. a NOTIFY that is only
        # delivered if the transaction commits).
        self.before_commit: list[Callable[[SqlTx], None]] = []
        self._versions = _VersionCache(version_cache)

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[SqlTx]:
        """A unit of work on one connection: commit when the block ends, roll back on an exception.

        `readonly=True` (an extension of the contract) starts a deferred transaction on SQLite so
        a read does not queue behind the writer; on PostgreSQL it changes nothing.
        """
        try:
            with self.engine.connect() as conn:
                if readonly and self.engine.dialect.name == "sqlite":
                    conn = conn.execution_options(sqlite_begin="DEFERRED")
                with conn.begin():
                    tx = SqlTx(conn, self._statements, self._versions)
                    yield tx
                    tx.flush()
                    for hook in self.before_commit:
                        hook(tx)
        except (OperationalError, InterfaceError) as error:
            # Unreachable, restarting or locked database: the whole unit of work was rolled
            # back; callers may retry it later.
            raise StorageUnavailable(f"database unavailable: {str(error).splitlines()[0]}",
                                     details={"retryable": True}) from error

    def close(self) -> None:
        if self._owned:
            self.engine.dispose()


__all__ = ["SqlStore", "SqlTx"]
