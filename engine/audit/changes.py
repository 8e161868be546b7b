"""Journey changes are written by JourneyService in the transaction that makes them:
`record_journey_change(tx, journey, DRAFT_SAVED, actor=..., at=..., before=old_draft)`.

A draft save carries a small summary of what changed (`draft_diff`), so the history can say
"added 2 steps, changed 'welcome'" without keeping every draft.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.audit.records import JourneyChange
from engine.audit.repository import audit_records
from engine.domain import Journey
from engine.storage.base import Tx

_LIST_CAP = 50


def record_journey_change(tx: Tx, journey: Journey, change: str, *, actor: str | None,
                          at: datetime, version: int | None = None,
                          before: dict[str, Any] | None = None,
                          detail: dict[str, Any] | None = None) -> JourneyChange:
    summary = dict(detail or {})
    if before is not None:
        summary.update(draft_diff(before, journey.draft))
    record = JourneyChange(journey_id=journey.id, vendor_id=journey.vendor_id, at=at,
                           change=change, actor=actor, version=version, name=journey.name,
                           detail=summary)
    audit_records(tx).add_change(record)
    return record


def _nodes(document: Any) -> dict[str, dict[str, Any]]:
    nodes = document.get("nodes") if isinstance(document, dict) else None
    found: dict[str, dict[str, Any]] = {}
    for node in nodes if isinstance(nodes, list) else ():
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found.setdefault(node["id"], node)
    return found


def _edges(document: Any) -> set[tuple[str, str, str]]:
    edges = document.get("edges") if isinstance(document, dict) else None
    return {(str(e.get("from")), str(e.get("to")), str(e.get("when") or ""))
            for e in (edges if isinstance(edges, list) else ()) if isinstance(e, dict)}


def _without_position(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != "position"}


def draft_diff(before: Any, after: Any) -> dict[str, Any]:
    """What a draft save changed: node ids added/removed/changed/moved (position only), edges
    added/removed, and whether the name, description or settings changed. Empty parts are left
    out; an identical document gives {"unchanged": True}."""
    old, new = _nodes(before), _nodes(after)
    changed = sorted(i for i in old.keys() & new.keys()
                     if _without_position(old[i]) != _without_position(new[i]))
    moved = sorted(i for i in old.keys() & new.keys()
                   if i not in changed and old[i].get("position") != new[i].get("position"))
    old_edges, new_edges = _edges(before), _edges(after)
    diff: dict[str, Any] = {
        "nodes_added": sorted(new.keys() - old.keys())[:_LIST_CAP],
        "nodes_removed": sorted(old.keys() - new.keys())[:_LIST_CAP],
        "nodes_changed": changed[:_LIST_CAP],
        "nodes_moved": moved[:_LIST_CAP],
        "edges_added": len(new_edges - old_edges),
        "edges_removed": len(old_edges - new_edges),
    }
    get = (lambda d, k: d.get(k) if isinstance(d, dict) else None)
    for key in ("name", "description", "settings"):
        if get(before, key) != get(after, key):
            diff[f"{key}_changed"] = True
    diff = {k: v for k, v in diff.items() if v}
    return diff or {"unchanged": True}


__all__ = ["draft_diff", "record_journey_change"]
