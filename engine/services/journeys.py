"""Journeys: drafts, validation, publishing immutable versions, and moving runs between versions."""
from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.audit import records as changes
from engine.audit.changes import record_journey_change
from engine.domain import Journey, JourneyVersion, Run, RunStatus, StepRecord
from engine.errors import Conflict, InvalidDocument, InvalidInput, NotFound
from engine.graph.problems import Problem
from engine.graph.validate import validate
from engine.runtime import causes as c
from engine.runtime.stepper import Runtime
from engine.storage.base import Tx


@dataclass
class MigrationPreview:
    journey_id: str
    to_version: int
    moves: list[dict[str, Any]] = field(default_factory=list)  # {from_version, from_node, to_node, runs}
    unmapped: list[dict[str, Any]] = field(default_factory=list)  # runs at nodes with no mapping
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"journey_id": self.journey_id, "to_version": self.to_version,
                "total": self.total, "moves": self.moves, "unmapped": self.unmapped}


class JourneyService:
    def __init__(self, rt: Runtime):
        self.rt = rt

    # -- drafts ----------------------------------------------------------------------------
    def create(self, vendor_id: str, document: dict[str, Any], *, actor: str = "api") -> Journey:
        self._check_object(document)
        now = self.rt.clock.now()
        with self.rt.store.transaction() as tx:
            self.rt.vendor(tx, vendor_id)
            journey = Journey(id=self.rt.ids.new_id("jny"), vendor_id=vendor_id,
                              name=_name_of(document), draft=copy.deepcopy(document),
                              created_at=now, updated_at=now, updated_by=actor)
            tx.put_journey(journey)
            record_journey_change(tx, journey, changes.CREATED, actor=actor, at=now)
            return journey

    def get(self, vendor_id: str, journey_id: str, tx: Tx | None = None) -> Journey:
        if tx is None:
            with self.rt.store.transaction() as tx:
                return self.get(vendor_id, journey_id, tx)
        journey = tx.get_journey(journey_id)
        if journey is None or journey.vendor_id != vendor_id:
            raise NotFound("journey", journey_id)
        return journey

    def list(self, vendor_id: str) -> list[Journey]:
        with self.rt.store.transaction() as tx:
            return tx.list_journeys(vendor_id)

    def update_draft(self, vendor_id: str, journey_id: str, document: dict[str, Any], *,
                     actor: str = "api") -> Journey:
        self._check_object(document)
        with self.rt.store.transaction() as tx:
            journey = copy.copy(self.get(vendor_id, journey_id, tx))
            before = journey.draft
            journey.draft, journey.name = copy.deepcopy(document), _name_of(document)
            journey.updated_at, journey.updated_by = self.rt.clock.now(), actor
            tx.put_journey(journey)
            record_journey_change(tx, journey, changes.DRAFT_SAVED, actor=actor,
                                  at=journey.updated_at, before=before)
            return journey

    def delete(self, vendor_id: str, journey_id: str, *, actor: str = "api") -> None:
        """A journey with runs is archived (its history stays); one without is removed."""
        with self.rt.store.transaction() as tx:
            journey = self.get(vendor_id, journey_id, tx)
            if tx.list_runs(vendor_id, journey_id=journey_id, limit=1):
                journey = copy.copy(journey)
                journey.archived, journey.live_version = True, None
                tx.put_journey(journey)
                change = changes.ARCHIVED
            else:
                tx.delete_journey(journey_id)
                change = changes.DELETED
            record_journey_change(tx, journey, change, actor=actor, at=self.rt.clock.now())

    def validate(self, vendor_id: str, journey_id: str) -> list[Problem]:
        return validate(self.get(vendor_id, journey_id).draft)

    # -- publishing ------------------------------------------------------------------------
    def publish(self, vendor_id: str, journey_id: str, *, actor: str = "api") -> JourneyVersion:
        """Freeze the draft as the next version and make it live. Runs in flight stay put."""
        with self.rt.store.transaction() as tx:
            journey = copy.copy(self.get(vendor_id, journey_id, tx))
            problems = validate(journey.draft)
            if any(p.severity == "error" for p in problems):
                raise InvalidDocument(problems, f"journey {journey_id!r} cannot be published: "
                                      + "; ".join(p.message for p in problems
                                                  if p.severity == "error")[:2000])
            now = self.rt.clock.now()
            version = JourneyVersion(journey_id=journey.id, version=journey.latest_version + 1,
                                     document=copy.deepcopy(journey.draft), published_at=now,
                                     published_by=actor)
            tx.add_version(version)
            journey.latest_version = journey.live_version = version.version
            journey.archived = False
            journey.updated_at = now
            tx.put_journey(journey)
            record_journey_change(tx, journey, changes.PUBLISHED, actor=actor, at=now,
                                  version=version.version)
            vendor = self.rt.vendor(tx, vendor_id)
            compiled = self.rt.compiled_for(tx, journey.id, version.version, vendor)
            if compiled.trigger.get("event") == "date":
                offset = 0
                while batch := tx.list_clients(vendor_id, limit=500, offset=offset):
                    for client in batch:
                        self.rt.sync_date_triggers(tx, client, vendor, journeys=[journey],
                                                   fire_overdue=False)
                    offset += len(batch)
            return version

    def unpublish(self, vendor_id: str, journey_id: str, *, actor: str = "api") -> Journey:
        """Stop enrolling new clients; runs in flight carry on."""
        with self.rt.store.transaction() as tx:
            journey = copy.copy(self.get(vendor_id, journey_id, tx))
            previous, journey.live_version = journey.live_version, None
            tx.put_journey(journey)
            record_journey_change(tx, journey, changes.UNPUBLISHED, actor=actor,
                                  at=self.rt.clock.now(), version=previous)
            return journey

    def versions(self, vendor_id: str, journey_id: str) -> list[JourneyVersion]:
        with self.rt.store.transaction() as tx:
            self.get(vendor_id, journey_id, tx)
            return tx.list_versions(journey_id)

    def version(self, vendor_id: str, journey_id: str, number: int) -> JourneyVersion:
        with self.rt.store.transaction() as tx:
            self.get(vendor_id, journey_id, tx)
            found = tx.get_version(journey_id, number)
            if found is None:
                raise NotFound("journey version", f"{journey_id} v{number}")
            return found

    # -- moving runs to another version ----------------------------------------------------
    def preview_migration(self, vendor_id: str, journey_id: str, *, to_version: int,
                          mapping: dict[str, str], from_version: int | None = None
                          ) -> MigrationPreview:
        with self.rt.store.transaction() as tx:
            return self._plan(tx, vendor_id, journey_id, to_version, mapping, from_version)[0]

    def migrate_runs(self, vendor_id: str, journey_id: str, *, to_version: int,
                     mapping: dict[str, str], from_version: int | None = None,
                     actor: str = "api") -> MigrationPreview:
        """Move every open run on an older version to `to_version`, node by node as mapped.

        Runs at a node with no mapping stay where they are (reported as unmapped). A moved run
        waiting in a delay or wait_for is re-timed from when it entered that step, using the new
        version's settings for the node; other runs keep what they wait for.
        """
        with self.rt.store.transaction() as tx:
            preview, runs = self._plan(tx, vendor_id, journey_id, to_version, mapping,
                                       from_version)
            vendor = self.rt.vendor(tx, vendor_id)
            target = self.rt.compiled_for(tx, journey_id, to_version, vendor)
            for run in runs:
                moved = run.clone()
                old = (moved.version, moved.node)
                new_node = mapping[moved.node]
                moved.version, moved.node = to_version, new_node
                if new_node != old[1]:  # a fresh visit of the new node: (run, node, visit) stays unique
                    moved.visits[new_node] = moved.visits.get(new_node, 0) + 1
                    moved.visit = moved.visits[new_node]
                moved.seq += 1
                tx.add_step(StepRecord(run_id=run.id, key=f"control#{moved.seq}", node=new_node,
                                       visit=moved.visit, type="control", outcome="migrated",
                                       at=self.rt.clock.now(), seq=moved.seq, actor=actor,
                                       detail={"from_version": old[0], "from_node": old[1],
                                               "to_version": to_version, "to_node": new_node},
                                       vendor_id=run.vendor_id, journey_id=run.journey_id,
                                       version=to_version, client_id=run.client_id))
                node_type = target.graph.node(new_node).type
                wait_kind = (moved.wait or {}).get("kind")
                if moved.status == RunStatus.WAITING and node_type in ("delay", "wait_for") \
                        and wait_kind in ("delay", "wait_for", "needs_date"):
                    self.rt.advance(tx, moved, c.Retime())
                elif wait_kind == "approval" and new_node != old[1]:
                    # The held email belongs to the old node: withdraw it, ask for the new one.
                    approval = tx.get_approval(f"{run.id}:{old[1]}:{run.visit}")
                    if approval is not None and approval.status == "pending":
                        approval = copy.copy(approval)
                        approval.status, approval.decided_by = "cancelled", actor
                        approval.decided_at = self.rt.clock.now()
                        tx.put_approval(approval)
                    self.rt.advance(tx, moved, c.Retry(actor))
                elif moved.status in (RunStatus.WAITING, RunStatus.NEEDS_DATE) and \
                        _wait_fits(wait_kind, node_type):
                    self.rt.save_run(tx, moved)
                elif moved.status == RunStatus.PAUSED:
                    self.rt.save_run(tx, moved)
                else:
                    self.rt.advance(tx, moved, c.Retry(actor))
            return preview

    def _plan(self, tx: Tx, vendor_id: str, journey_id: str, to_version: int,
              mapping: dict[str, str], from_version: int | None
              ) -> tuple[MigrationPreview, list[Run]]:
        journey = self.get(vendor_id, journey_id, tx)
        target = tx.get_version(journey.id, to_version)
        if target is None:
            raise NotFound("journey version", f"{journey_id} v{to_version}")
        vendor = self.rt.vendor(tx, vendor_id)
        graph = self.rt.compiled_for(tx, journey_id, to_version, vendor).graph
        bad = {old: new for old, new in mapping.items() if new not in graph}
        if bad:
            raise InvalidInput(f"mapping names nodes that version {to_version} does not have: "
                               + ", ".join(f"{o} -> {n}" for o, n in sorted(bad.items())),
                               details={"unknown_targets": sorted(bad.values())})
        preview = MigrationPreview(journey_id=journey_id, to_version=to_version)
        moves: Counter = Counter()
        unmapped: Counter = Counter()
        runs: list[Run] = []
        offset = 0
        while batch := tx.list_runs(vendor_id, journey_id=journey_id, limit=1000, offset=offset):
            offset += len(batch)
            for run in batch:
                if not run.is_open or run.version == to_version:
                    continue
                if from_version is not None and run.version != from_version:
                    continue
                if run.node in mapping:
                    moves[(run.version, run.node, mapping[run.node])] += 1
                    runs.append(run)
                else:
                    unmapped[(run.version, run.node)] += 1
        preview.moves = [{"from_version": v, "from_node": a, "to_node": b, "runs": n}
                         for (v, a, b), n in sorted(moves.items())]
        preview.unmapped = [{"from_version": v, "node": a, "runs": n}
                            for (v, a), n in sorted(unmapped.items())]
        preview.total = len(runs)
        return preview, runs

    @staticmethod
    def _check_object(document: Any) -> None:
        if not isinstance(document, dict):
            raise InvalidInput("a journey document must be a JSON object")


def _wait_fits(wait_kind: str | None, node_type: str) -> bool:
    return (wait_kind in ("window", "approval") and node_type in ("email", "form")) or \
        wait_kind == "needs_date"


def _name_of(document: dict[str, Any]) -> str:
    name = document.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else "Untitled journey"


__all__ = ["JourneyService", "MigrationPreview", "Conflict"]
