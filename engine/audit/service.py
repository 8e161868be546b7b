"""Reading the audit trail: a client's timeline and a journey's history, oldest first.

    audit = AuditService(engine)
    audit.client_timeline(vendor_id, client_id)     # -> list[TimelineEntry]
    audit.journey_history(vendor_id, journey_id)    # -> list[JourneyHistoryEntry]
    audit.effect_attempts(vendor_id, effect_id)     # -> list[EffectAttempt]

A timeline gathers, for one client: the events received, each run's start and end, every step
the engine took and every manual control (with who did it), and every delivery attempt, replay
or discard of the client's emails, form emails, webhooks and tasks. A journey's history lists who
created it, saved its draft (with a summary of what changed), published which version,
unpublished, archived or deleted it; versions published before changes were recorded appear from
the versions themselves. Everything is scoped to the vendor and read in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from engine.audit import records as R
from engine.audit.records import EffectAttempt
from engine.audit.repository import audit_records
from engine.clock import parse_instant
from engine.domain import Effect, Journey, Run, StepRecord
from engine.effects.audit import LEGACY_KEY
from engine.errors import NotFound
from engine.storage.base import Tx

# Timeline kinds, and their order among entries at the same instant (an event comes before the
# steps it caused; a run starts before its first step and ends after its last).
EVENT, RUN_STARTED, STEP, CONTROL, EFFECT_ATTEMPT, RUN_ENDED = (
    "event", "run_started", "step", "control", "effect_attempt", "run_ended")
TIMELINE_KINDS = (EVENT, RUN_STARTED, STEP, CONTROL, EFFECT_ATTEMPT, RUN_ENDED)
_RANK = {kind: i for i, kind in enumerate(TIMELINE_KINDS)}
_MAX_EVENTS = 100_000


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # one of TIMELINE_KINDS
    summary: str  # one line for people
    client_id: str
    actor: str | None = None  # engine, dispatcher, a user, hook, api ...
    run_id: str | None = None
    journey_id: str | None = None
    journey_name: str | None = None
    version: int | None = None
    node: str | None = None
    type: str | None = None  # node type, effect kind or event type
    outcome: str | None = None
    effect_id: str | None = None
    event_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JourneyHistoryEntry:
    at: datetime
    kind: str  # created | draft_saved | published | unpublished | archived | deleted,
    #            and with include_runs: step | control
    summary: str
    journey_id: str
    actor: str | None = None
    version: int | None = None
    name: str | None = None
    run_id: str | None = None
    client_id: str | None = None
    node: str | None = None
    type: str | None = None
    outcome: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class AuditService:
    def __init__(self, engine: Any):
        self.store = engine.store

    # -- a client's timeline ---------------------------------------------------------------------
    def client_timeline(self, vendor_id: str, client_id: str, *,
                        since: datetime | None = None, until: datetime | None = None,
                        kinds: Iterable[str] | None = None) -> list[TimelineEntry]:
        wanted = set(kinds) if kinds is not None else set(TIMELINE_KINDS)
        with self.store.transaction() as tx:
            client = tx.get_client(client_id)
            runs = [r for r in tx.runs_for_client(client_id) if r.vendor_id == vendor_id]
            if (client is None or client.vendor_id != vendor_id) and not runs:
                raise NotFound("client", client_id)
            names = _JourneyNames(tx)
            entries: list[tuple[tuple, TimelineEntry]] = []
            events = tx.list_events(vendor_id, client_id=client_id, limit=_MAX_EVENTS)
            for index, event in enumerate(reversed(events)):  # listed newest first
                entries.append(((event.received_at, _RANK[EVENT], "", index), TimelineEntry(
                    at=event.received_at, kind=EVENT, summary=_event_summary(event.type,
                                                                             event.data),
                    client_id=client_id, type=event.type, event_id=event.id,
                    actor="client" if (event.key or "").startswith("form:") else None,
                    detail={"data": event.data, "key": event.key, "result": event.result})))
            for run in runs:
                entries.extend(self._run_entries(tx, run, names))
            entries.extend(self._attempt_entries(tx, vendor_id, client_id, runs, names))
        entries.sort(key=lambda pair: pair[0])
        return [e for _, e in entries if e.kind in wanted
                and (since is None or e.at >= since) and (until is None or e.at <= until)]

    def _run_entries(self, tx: Tx, run: Run, names: "_JourneyNames"):
        name = names.get(run.journey_id)
        order = run.started_at.isoformat() if run.started_at else ""
        common = dict(client_id=run.client_id, run_id=run.id, journey_id=run.journey_id,
                      journey_name=name, version=run.version)
        if run.started_at is not None:
            yield (run.started_at, _RANK[RUN_STARTED], order + run.id, 0), TimelineEntry(
                at=run.started_at, kind=RUN_STARTED, actor="engine",
                summary=f"Started {_quoted(name, run.journey_id)} (version {run.version})",
                **common)
        for step in tx.steps_for_run(run.id):
            kind = CONTROL if step.type == "control" else STEP
            yield (step.at, _RANK[STEP], order + run.id, step.seq), TimelineEntry(
                at=step.at, kind=kind, actor=step.actor, node=step.node, type=step.type,
                outcome=step.outcome, summary=_step_summary(step),
                detail={**step.detail, "seq": step.seq, "key": step.key},
                **{**common, "version": step.version})
        if run.ended_at is not None:
            yield (run.ended_at, _RANK[RUN_ENDED], order + run.id, 0), TimelineEntry(
                at=run.ended_at, kind=RUN_ENDED, actor="engine", outcome=run.status,
                summary=f"{_quoted(name, run.journey_id)} ended: {run.status}",
                detail={"error": run.error} if run.error else {}, **common)

    def _attempt_entries(self, tx: Tx, vendor_id: str, client_id: str, runs: list[Run],
                         names: "_JourneyNames"):
        run_of = {r.id: r for r in runs}
        attempts = audit_records(tx).attempts_for_client(vendor_id, client_id)
        for run in runs:  # histories kept in effect payloads before the effect_attempt table
            for effect in tx.list_effects(vendor_id, run_id=run.id, limit=_MAX_EVENTS):
                attempts.extend(legacy_attempts(effect))
        for a in attempts:
            run = run_of.get(a.run_id or "")
            yield (a.at, _RANK[EFFECT_ATTEMPT], a.effect_id, a.id or 0), TimelineEntry(
                at=a.at, kind=EFFECT_ATTEMPT, actor=a.actor, client_id=client_id,
                run_id=a.run_id, journey_id=run.journey_id if run else None,
                journey_name=names.get(run.journey_id) if run else None,
                version=run.version if run else None, type=a.kind, outcome=a.outcome,
                effect_id=a.effect_id, summary=_attempt_summary(a),
                detail={k: v for k, v in {"attempt": a.attempt, "error": a.error,
                                          "retryable": a.retryable,
                                          "destination": a.destination, **a.detail}.items()
                        if v is not None})

    # -- a journey's history ---------------------------------------------------------------------
    def journey_history(self, vendor_id: str, journey_id: str, *,
                        include_runs: bool = False) -> list[JourneyHistoryEntry]:
        with self.store.transaction() as tx:
            journey = tx.get_journey(journey_id)
            if journey is not None and journey.vendor_id != vendor_id:
                journey = None
            recorded = audit_records(tx).changes_for_journey(vendor_id, journey_id)
            if journey is None and not recorded:
                raise NotFound("journey", journey_id)
            entries: list[tuple[tuple, JourneyHistoryEntry]] = []
            published = {c.version for c in recorded if c.change == R.PUBLISHED}
            for change in recorded:
                entries.append(((change.at, 0, change.id or 0), JourneyHistoryEntry(
                    at=change.at, kind=change.change, actor=change.actor, journey_id=journey_id,
                    version=change.version, name=change.name, detail=dict(change.detail),
                    summary=_change_summary(change.change, change.version, change.detail))))
            if journey is not None:
                for v in tx.list_versions(journey_id):
                    if v.version not in published:  # published before changes were recorded
                        entries.append(((v.published_at, 0, 0), JourneyHistoryEntry(
                            at=v.published_at, kind=R.PUBLISHED, actor=v.published_by,
                            journey_id=journey_id, version=v.version, name=journey.name,
                            summary=_change_summary(R.PUBLISHED, v.version, {}),
                            detail={"from": "version"})))
                if include_runs:
                    entries.extend(self._journey_runs(tx, vendor_id, journey))
        entries.sort(key=lambda pair: pair[0])
        return [e for _, e in entries]

    @staticmethod
    def _journey_runs(tx: Tx, vendor_id: str, journey: Journey):
        offset = 0
        while batch := tx.list_runs(vendor_id, journey_id=journey.id, limit=500, offset=offset):
            offset += len(batch)
            for run in batch:
                for step in tx.steps_for_run(run.id):
                    kind = CONTROL if step.type == "control" else STEP
                    yield (step.at, 1, step.seq), JourneyHistoryEntry(
                        at=step.at, kind=kind, actor=step.actor, journey_id=journey.id,
                        version=step.version, name=journey.name, run_id=run.id,
                        client_id=run.client_id, node=step.node, type=step.type,
                        outcome=step.outcome, summary=_step_summary(step),
                        detail={**step.detail, "seq": step.seq, "key": step.key})

    # -- one effect ------------------------------------------------------------------------------
    def effect_attempts(self, vendor_id: str, effect_id: str) -> list[EffectAttempt]:
        with self.store.transaction() as tx:
            effect = tx.get_effect(effect_id)
            if effect is None or effect.vendor_id != vendor_id:
                raise NotFound("effect", effect_id)
            found = legacy_attempts(effect)
            return found + audit_records(tx).attempts_for_effects([effect_id])[effect_id]


def legacy_attempts(effect: Effect) -> list[EffectAttempt]:
    """Attempts an effect kept in payload["_attempts"] before the effect_attempt table."""
    found = []
    for item in effect.payload.get(LEGACY_KEY) or []:
        try:
            at = parse_instant(item["at"])
        except (KeyError, TypeError, ValueError):
            continue
        known = {"at", "outcome", "attempt", "error", "retryable", "destination", "by",
                 "detail"}
        found.append(EffectAttempt(
            effect_id=effect.id, at=at, outcome=str(item.get("outcome", "")),
            attempt=item.get("attempt"), error=item.get("error"),
            retryable=item.get("retryable"), destination=item.get("destination"),
            actor=item.get("by") or R.DISPATCHER, vendor_id=effect.vendor_id,
            run_id=effect.run_id, client_id=effect.client_id, kind=effect.kind,
            detail={**(item.get("detail") or {}),
                    **{k: v for k, v in item.items() if k not in known}}))
    return found


class _JourneyNames:
    def __init__(self, tx: Tx):
        self.tx, self.names = tx, {}

    def get(self, journey_id: str) -> str | None:
        if journey_id not in self.names:
            journey = self.tx.get_journey(journey_id)
            self.names[journey_id] = journey.name if journey is not None else None
        return self.names[journey_id]


def _quoted(name: str | None, fallback: str) -> str:
    return f"“{name}”" if name else f"journey {fallback}"


def _event_summary(event_type: str, data: dict[str, Any]) -> str:
    if event_type == "form_submitted" and isinstance(data.get("form"), str):
        return f"Form “{data['form']}” answered"
    if event_type == "payment_received" and "amount" in data:
        return f"Payment received: {data.get('amount')} {data.get('currency') or ''}".rstrip()
    return f"Event {event_type} received"


def _step_summary(step: StepRecord) -> str:
    if step.type == "control":
        return f"Run {step.outcome} by {step.actor}"
    return f"{step.node} ({step.type}): {step.outcome}"


_ATTEMPT_WORDS = {"sent": "sent", "captured": "captured (no SMTP configured)",
                  "retry": "failed, will retry", "dead": "failed, moved to dead letters",
                  "replayed": "replayed", "discarded": "discarded"}


def _attempt_summary(a: EffectAttempt) -> str:
    what = {"form": "form email"}.get(a.kind, a.kind or "effect")
    text = f"{what.capitalize()} {_ATTEMPT_WORDS.get(a.outcome, a.outcome)}"
    if a.attempt:
        text += f" (attempt {a.attempt})"
    if a.actor != R.DISPATCHER:
        text += f" by {a.actor}"
    if a.error:
        text += f": {a.error}"
    return text


def _change_summary(change: str, version: int | None, detail: dict[str, Any]) -> str:
    if change == R.PUBLISHED:
        return f"Published version {version}"
    if change == R.UNPUBLISHED:
        return f"Unpublished (was version {version})" if version else "Unpublished"
    if change != R.DRAFT_SAVED:
        return change.replace("_", " ").capitalize()
    parts = []
    for key, word in (("nodes_added", "added"), ("nodes_removed", "removed"),
                      ("nodes_changed", "changed")):
        if detail.get(key):
            parts.append(f"{word} {', '.join(detail[key][:5])}"
                         + ("…" if len(detail[key]) > 5 else ""))
    if detail.get("edges_added") or detail.get("edges_removed"):
        parts.append("rewired")
    for key in ("name", "settings"):
        if detail.get(f"{key}_changed"):
            parts.append(f"{key} changed")
    if detail.get("nodes_moved") and not parts:
        parts.append("moved steps on the canvas")
    return "Draft saved" + (f": {'; '.join(parts)}" if parts else " (no changes)")


__all__ = ["AuditService", "JourneyHistoryEntry", "TIMELINE_KINDS", "TimelineEntry",
           "legacy_attempts"]
