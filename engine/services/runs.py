"""Per-run controls (pause, resume, cancel, skip, retry, reschedule) and approval decisions.
Each control is written to the run's step log with who did it."""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Callable

from engine.clock import ensure_utc, format_utc
from engine.domain import Approval, Run, RunStatus, StepRecord
from engine.errors import Conflict, InvalidInput, NotFound
from engine.runtime import causes as c
from engine.runtime.stepper import Runtime
from engine.storage.base import Tx


class RunService:
    def __init__(self, rt: Runtime):
        self.rt = rt

    # -- reading -----------------------------------------------------------------------------
    def get(self, vendor_id: str, run_id: str, tx: Tx | None = None) -> Run:
        if tx is None:
            with self.rt.store.transaction() as tx:
                return self.get(vendor_id, run_id, tx)
        run = tx.get_run(run_id)
        if run is None or run.vendor_id != vendor_id:
            raise NotFound("run", run_id)
        return run

    def list(self, vendor_id: str, **filters: Any) -> list[Run]:
        with self.rt.store.transaction() as tx:
            return tx.list_runs(vendor_id, **filters)

    def timeline(self, vendor_id: str, run_id: str) -> list[StepRecord]:
        with self.rt.store.transaction() as tx:
            self.get(vendor_id, run_id, tx)
            return sorted(tx.steps_for_run(run_id), key=lambda s: s.seq)

    # -- controls ----------------------------------------------------------------------------
    def pause(self, vendor_id: str, run_id: str, *, actor: str) -> Run:
        def act(tx: Tx, run: Run) -> Run:
            _require(run, {RunStatus.WAITING, RunStatus.NEEDS_DATE, RunStatus.FAILED}, "pause")
            run.paused_status, run.status, run.due_at = run.status, RunStatus.PAUSED, None
            self.rt.save_run(tx, run)
            return run
        return self._control(vendor_id, run_id, "paused", actor, act)

    def resume(self, vendor_id: str, run_id: str, *, actor: str) -> Run:
        def act(tx: Tx, run: Run) -> Run:
            _require(run, {RunStatus.PAUSED}, "resume")
            run.status, run.paused_status = run.paused_status or RunStatus.WAITING, None
            if run.status == RunStatus.FAILED:
                self.rt.save_run(tx, run)
                return run
            # Re-time the wait: a date-anchored step now in the past follows the past-due rule
            # instead of firing with every other overdue step at once.
            return self.rt.advance(tx, run, c.Recheck())
        return self._control(vendor_id, run_id, "resumed", actor, act)

    def cancel(self, vendor_id: str, run_id: str, *, actor: str) -> Run:
        def act(tx: Tx, run: Run) -> Run:
            _require(run, RunStatus.OPEN, "cancel")
            self._expire_approval(tx, run, actor)
            run.status, run.ended_at, run.due_at = RunStatus.CANCELLED, self.rt.clock.now(), None
            self.rt.save_run(tx, run)
            return run
        return self._control(vendor_id, run_id, "cancelled", actor, act)

    def skip(self, vendor_id: str, run_id: str, *, actor: str) -> Run:
        def act(tx: Tx, run: Run) -> Run:
            _require(run, {RunStatus.WAITING, RunStatus.NEEDS_DATE, RunStatus.FAILED}, "skip")
            return self.rt.advance(tx, run, c.Skip(actor))
        return self._control(vendor_id, run_id, None, actor, act)

    def retry(self, vendor_id: str, run_id: str, *, actor: str) -> Run:
        def act(tx: Tx, run: Run) -> Run:
            _require(run, {RunStatus.FAILED}, "retry")
            run.error = None
            return self.rt.advance(tx, run, c.Retry(actor))
        return self._control(vendor_id, run_id, "retried", actor, act)

    def reschedule(self, vendor_id: str, run_id: str, *, at: datetime, actor: str) -> Run:
        """Move the current wait to `at` (a past instant runs it at once). The wait no longer
        follows its anchor date: the vendor's choice wins over later date changes."""
        try:
            at = ensure_utc(at)
        except (ValueError, AttributeError):
            raise InvalidInput("reschedule needs an aware instant, e.g. 2027-05-01T09:00:00Z")

        def act(tx: Tx, run: Run) -> Run:
            _require(run, {RunStatus.WAITING}, "reschedule")
            if not (run.wait or {}).get("kind") in ("delay", "wait_for", "window", "approval"):
                raise Conflict(f"run {run.id} is not waiting for a time")
            now = self.rt.clock.now()
            run.wait = {**(run.wait or {}), "due": format_utc(at), "spec": None, "anchor": None,
                        "rescheduled_by": actor}
            run.due_at = max(at, now)
            self.rt.save_run(tx, run)
            return run
        return self._control(vendor_id, run_id, "rescheduled", actor, act,
                             detail={"to": format_utc(at)})

    def _control(self, vendor_id: str, run_id: str, outcome: str | None, actor: str,
                 act: Callable[[Tx, Run], Run], detail: dict[str, Any] | None = None) -> Run:
        with self.rt.store.transaction() as tx:
            self.get(vendor_id, run_id, tx)  # NotFound for another vendor's run
            run = tx.lock_run(run_id).clone()
            if outcome is not None:
                run.seq += 1
                tx.add_step(StepRecord(run_id=run.id, key=f"control#{run.seq}", node=run.node,
                                       visit=run.visit, type="control", outcome=outcome,
                                       at=self.rt.clock.now(), seq=run.seq, actor=actor,
                                       detail=detail or {}, vendor_id=run.vendor_id,
                                       journey_id=run.journey_id, version=run.version,
                                       client_id=run.client_id))
            return act(tx, run)

    def _expire_approval(self, tx: Tx, run: Run, actor: str) -> None:
        if (run.wait or {}).get("kind") == "approval":
            approval = tx.get_approval(f"{run.id}:{run.node}:{run.visit}")
            if approval is not None and approval.status == "pending":
                approval = copy.copy(approval)  # never change what the store holds
                approval.status, approval.decided_by = "cancelled", actor
                approval.decided_at = self.rt.clock.now()
                tx.put_approval(approval)

    # -- approvals -------------------------------------------------------------------------
    def approvals(self, vendor_id: str, *, status: str | None = "pending") -> list[Approval]:
        with self.rt.store.transaction() as tx:
            return tx.list_approvals(vendor_id, status=status)

    def decide(self, vendor_id: str, approval_id: str, *, decision: str, actor: str,
               edits: dict[str, Any] | None = None) -> Approval:
        """Approve (optionally with an edited subject/body) or reject a held email."""
        if decision not in ("approved", "rejected"):
            raise InvalidInput("decision must be 'approved' or 'rejected'")
        if edits is not None:
            unknown = set(edits) - {"subject", "text", "html", "to"}
            if unknown:
                raise InvalidInput(f"unknown edit fields: {', '.join(sorted(unknown))}")
        with self.rt.store.transaction() as tx:
            approval = tx.get_approval(approval_id)
            if approval is None or approval.vendor_id != vendor_id:
                raise NotFound("approval", approval_id)
            if approval.status != "pending":
                raise Conflict(f"approval {approval_id} is already {approval.status}")
            run = tx.lock_run(approval.run_id)
            if run is None or run.status != RunStatus.WAITING or \
                    (run.wait or {}).get("kind") != "approval":
                raise Conflict(f"run {approval.run_id} is no longer waiting for this approval")
            if edits and "text" in edits and "html" not in edits:
                edits = {**edits, "html": edits["text"].replace("\n", "<br>\n")}
            self.rt.advance(tx, run, c.ApprovalDecided(decision, actor, edits))
            return tx.get_approval(approval_id)


def _require(run: Run, allowed: set[str] | frozenset[str], action: str) -> None:
    if run.status not in allowed:
        raise Conflict(f"cannot {action} run {run.id}: it is {run.status}",
                       details={"status": run.status})
