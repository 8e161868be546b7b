"""Clients (couples): create, update, delete, and reschedules of their dates with a preview."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.calendar import check_timezone
from engine.clock import format_utc
from engine.domain import Client, Run, RunStatus, StepRecord
from engine.errors import InvalidInput, NotFound
from engine.runtime import causes as c
from engine.runtime.stepper import Runtime
from engine.storage.base import Tx, locked_runs

CLIENT_KEYS = {"id", "external_id", "name", "email", "status", "timezone", "wedding_date",
               "dates", "fields", "tags"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class RescheduleReport:
    """What a change of client dates does to pending steps: filled by really doing it."""
    client_id: str
    changed: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    date_triggers: list[dict[str, Any]] = field(default_factory=list)
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        def fmt(v: Any) -> Any:
            return format_utc(v) if hasattr(v, "tzinfo") and v is not None else v
        return {"client_id": self.client_id, "changed": self.changed, "applied": self.applied,
                "runs": [{k: fmt(v) for k, v in r.items()} for r in self.runs],
                "date_triggers": [{k: fmt(v) for k, v in t.items()} for t in self.date_triggers]}


class _PreviewOnly(Exception):
    pass


def parse_client_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Check client data and convert dates; every bad field is named in one error."""
    if not isinstance(data, dict):
        raise InvalidInput("client data must be a JSON object")
    problems: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in CLIENT_KEYS:
            problems[key] = "unknown field"
    for key in ("name", "email"):
        if key in data or not partial:
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                problems[key] = "required, a non-empty string"
            else:
                out[key] = value.strip()
    if "email" in out and not _EMAIL.match(out["email"]):
        problems["email"] = f"not an email address: {out['email']!r}"
    for key in ("status", "external_id"):
        if data.get(key) is not None:
            if not isinstance(data[key], str):
                problems[key] = "must be a string"
            else:
                out[key] = data[key]
        elif key in data:
            out[key] = None
    if "id" in data and "external_id" not in data and isinstance(data["id"], str):
        out["external_id"] = data["id"]
    if data.get("timezone") is not None:
        issues = check_timezone(data["timezone"], "timezone")
        if issues:
            problems["timezone"] = issues[0][1]
        else:
            out["timezone"] = data["timezone"]
    elif "timezone" in data:
        out["timezone"] = None
    if "wedding_date" in data:
        out["wedding_date"] = _date_or_problem(data["wedding_date"], "wedding_date", problems)
    if "dates" in data:
        dates = data["dates"] or {}
        if not isinstance(dates, dict):
            problems["dates"] = "must be an object of name -> YYYY-MM-DD"
        else:
            out["dates"] = {}
            for name, value in dates.items():
                if not isinstance(name, str) or not _NAME.match(name):
                    problems[f"dates.{name}"] = "date names are 1-64 of A-Z a-z 0-9 _ -"
                    continue
                parsed = _date_or_problem(value, f"dates.{name}", problems)
                if parsed is not None:
                    out["dates"][name] = parsed
    if "fields" in data:
        if not isinstance(data["fields"], dict):
            problems["fields"] = "must be an object"
        else:
            out["fields"] = copy.deepcopy(data["fields"])
    if "tags" in data:
        tags = data["tags"] or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems["tags"] = "must be a list of strings"
        else:
            out["tags"] = list(dict.fromkeys(tags))
    if problems:
        raise InvalidInput("invalid client: " + "; ".join(f"{k}: {v}" for k, v in problems.items()),
                           details={"fields": problems})
    return out


def _date_or_problem(value: Any, key: str, problems: dict[str, str]) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems[key] = f"must be a date YYYY-MM-DD, got {value!r}"
    return None


class ClientService:
    def __init__(self, rt: Runtime, events: "Any"):
        self.rt = rt
        self.events = events  # EventService: adding a client emits client_added

    def get(self, vendor_id: str, client_id: str, tx: Tx | None = None) -> Client:
        if tx is None:
            with self.rt.store.transaction() as tx:
                return self.get(vendor_id, client_id, tx)
        client = tx.get_client(client_id)
        if client is None or client.vendor_id != vendor_id:
            client = tx.find_client(vendor_id, client_id)
        if client is None:
            raise NotFound("client", client_id)
        return client

    def list(self, vendor_id: str, *, search: str | None = None, limit: int = 100,
             offset: int = 0) -> list[Client]:
        with self.rt.store.transaction() as tx:
            return tx.list_clients(vendor_id, search=search, limit=limit, offset=offset)

    def add(self, vendor_id: str, data: dict[str, Any], *, actor: str = "api",
            event_data: dict[str, Any] | None = None) -> Client:
        """Create a client, schedule its date triggers and emit `client_added`, atomically.

        The event's data (what a trigger `match` and `event.*` see) is the new client itself
        (client_id, name, email, status, timezone, wedding_date, dates, fields, tags), plus any
        `event_data` the caller adds, such as {"source": "website"}."""
        if event_data is not None and not isinstance(event_data, dict):
            raise InvalidInput("event data must be a JSON object")
        values = parse_client_fields(data, partial=False)
        now = self.rt.clock.now()
        with self.rt.store.transaction() as tx:
            vendor = self.rt.vendor(tx, vendor_id)
            client = Client(id=self.rt.ids.new_id("cli"), vendor_id=vendor_id,
                            created_at=now, updated_at=now, **values)
            tx.put_client(client)
            self.rt.sync_date_triggers(tx, client, vendor, fire_overdue=False)
            self.events.handle(tx, vendor, client, "client_added",
                               {**_client_data(client), **copy.deepcopy(event_data or {})},
                               key=None)
            return client

    def update(self, vendor_id: str, client_id: str, data: dict[str, Any], *,
               actor: str = "api", preview: bool = False) -> tuple[Client, RescheduleReport]:
        """Change a client; waiting runs and date triggers anchored on a changed date are
        re-timed in the same transaction. With preview=True the same work is done and rolled
        back, so the preview is exactly what applying would do."""
        values = parse_client_fields(data, partial=True)
        result: list[Any] = []
        try:
            with self.rt.store.transaction() as tx:
                result.extend(self._update(tx, vendor_id, client_id, values, actor))
                if preview:
                    raise _PreviewOnly
        except _PreviewOnly:
            pass
        client, report = result
        report.applied = not preview
        return client, report

    def _update(self, tx: Tx, vendor_id: str, client_id: str, values: dict[str, Any],
                actor: str) -> tuple[Client, RescheduleReport]:
        before = self.get(vendor_id, client_id, tx)
        client = before.clone()
        for key, value in values.items():
            setattr(client, key, value)
        client.updated_at = self.rt.clock.now()
        tx.put_client(client)
        old_dates, new_dates = before.anchor_dates(), client.anchor_dates()
        changed = sorted(k for k in set(old_dates) | set(new_dates)
                         if old_dates.get(k) != new_dates.get(k))
        if client.timezone != before.timezone:
            changed.append("timezone")
        report = RescheduleReport(client_id=client.id, changed=changed)
        if changed:
            vendor = self.rt.vendor(tx, vendor_id)
            for run in locked_runs(tx, client.id, (RunStatus.WAITING, RunStatus.NEEDS_DATE)):
                wait = run.wait or {}
                if wait.get("anchor") in changed or "timezone" in changed:
                    after = self.rt.advance(tx, run, c.Recheck(), client=client, vendor=vendor)
                    report.runs.append(_describe_move(tx, run, after))
            report.date_triggers = self.rt.sync_date_triggers(tx, client, vendor)
        self.events.record(tx, vendor_id, client, "client_updated",
                           {k: _jsonable(v) for k, v in values.items()}, key=None)
        return client, report

    def delete(self, vendor_id: str, client_id: str, *, actor: str = "api") -> None:
        """Remove a client: open runs are cancelled first; history stays for analytics."""
        with self.rt.store.transaction() as tx:
            client = self.get(vendor_id, client_id, tx)
            now = self.rt.clock.now()
            for run in tx.runs_for_client(client.id):
                if run.is_open:
                    ended = run.clone()
                    ended.status, ended.ended_at, ended.due_at = RunStatus.CANCELLED, now, None
                    ended.seq += 1
                    tx.add_step(StepRecord(run_id=run.id, key=f"control#{ended.seq}",
                                           node=run.node, visit=run.visit, type="control",
                                           outcome="cancelled", at=now, seq=ended.seq,
                                           actor=actor, detail={"reason": "client deleted"},
                                           vendor_id=run.vendor_id, journey_id=run.journey_id,
                                           version=run.version, client_id=run.client_id))
                    approval = tx.get_approval(f"{run.id}:{run.node}:{run.visit}")
                    if approval is not None and approval.status == "pending":
                        approval = copy.copy(approval)
                        approval.status, approval.decided_by, approval.decided_at = (
                            "cancelled", actor, now)
                        tx.put_approval(approval)
                    self.rt.save_run(tx, ended)
            for trigger in tx.date_triggers_for_client(client.id):
                tx.delete_date_trigger(trigger.journey_id, client.id)
            tx.delete_client(client.id)


def _describe_move(tx: Tx, before: Run, after: Run) -> dict[str, Any]:
    """One line of a reschedule report. If the run left its step, the outcome is what that step
    logged (past_due, timeout, done...); otherwise moved / unchanged / scheduled / needs_date."""
    left = (after.node, after.visit) != (before.node, before.visit) or not after.is_open
    if left:
        logged = {s.key: s.outcome for s in tx.steps_for_run(before.id)}
        outcome = logged.get(f"{before.node}#{before.visit}", after.status)
    elif after.status == RunStatus.NEEDS_DATE:
        outcome = "unchanged" if before.status == RunStatus.NEEDS_DATE else "needs_date"
    elif before.status == RunStatus.NEEDS_DATE:
        outcome = "scheduled"
    else:
        outcome = "moved" if after.due_at != before.due_at else "unchanged"
    return {"run_id": before.id, "journey_id": before.journey_id, "node": before.node,
            "from": before.due_at, "to": after.due_at, "outcome": outcome,
            "now_at": after.node, "status": after.status}


def _client_data(client: Client) -> dict[str, Any]:
    view = client.view()
    return _jsonable({"client_id": view["id"], **{k: view[k] for k in (
        "name", "email", "status", "timezone", "wedding_date", "dates", "fields", "tags")}})


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
