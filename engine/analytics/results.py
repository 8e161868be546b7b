"""What analytics queries return: plain frozen dataclasses, no plotting, no ORM rows.

Counts are exact. Durations are seconds (floats). Rates are fractions in [0, 1] (None when there is
nothing to divide by). Instants are aware UTC datetimes; days are UTC calendar days.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class NodeStats:
    """One node of a journey (a version, or every version together).

    entered: runs that reached the node at least once (logged there, or waiting there now).
    visits: times it was entered (a loop enters a node more than once per run).
    completed: node executions that moved on (outcomes sent, done, event, timeout, past_due).
    skipped: executions skipped (an approval that timed out or was rejected, a manual skip).
    failed: executions that failed (a template that could not render, a missing date...).
    waiting: runs at the node now, waiting for time, an event, an approval or a date (or paused).
    failed_now: runs failed at the node now (not yet retried or skipped).
    outcomes: executions by outcome ("sent", "done", "event", "timeout", "past_due", ...).
    median_seconds / p90_seconds: time spent in the node (from entering it to its step), over
    the executions that moved on or were skipped; None when there are none.
    """
    node: str
    type: str | None
    title: str | None
    entered: int = 0
    visits: int = 0
    completed: int = 0
    skipped: int = 0
    failed: int = 0
    waiting: int = 0
    failed_now: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    median_seconds: float | None = None
    p90_seconds: float | None = None

    @property
    def dropped(self) -> int:
        """Entered but went nowhere: ended, failed or still there (see Transition for where the
        others went)."""
        return max(0, self.visits - self.completed - self.skipped)


@dataclass(frozen=True)
class Transition:
    """Runs that went from `source` to `target` over the edge labelled `label` (None: the
    unlabelled edge). `rate` is over the source's visits."""
    source: str
    target: str
    label: str | None
    runs: int
    rate: float | None


@dataclass(frozen=True)
class RunTotals:
    started: int = 0
    active: int = 0  # waiting, needs a date, paused or being walked
    completed: int = 0
    exited: int = 0
    cancelled: int = 0
    failed: int = 0
    converted: int = 0  # reached the journey's goal (run.goal_at is set)

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.started if self.started else None


@dataclass(frozen=True)
class Funnel:
    """Per node counts, moves between nodes and drop-off, run totals and goal conversion."""
    journey_id: str
    version: int | None
    nodes: list[NodeStats]
    transitions: list[Transition]
    runs: RunTotals
    goal: dict | None = None  # the journey's settings.goal, when it has one

    def node(self, node_id: str) -> NodeStats:
        for stats in self.nodes:
            if stats.node == node_id:
                return stats
        raise KeyError(node_id)

    def conversion(self, source: str, target: str) -> float | None:
        """Share of the visits of `source` that went on to `target` (any edge)."""
        runs = sum(t.runs for t in self.transitions if t.source == source and t.target == target)
        visits = self.node(source).visits
        return runs / visits if visits else None


@dataclass(frozen=True)
class NodeTiming:
    node: str
    count: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class StuckRun:
    """An open run that needs a look. `reason`: "overdue" (its wake-up is past due: the engine
    is behind or the step keeps failing), "waiting_long" (at the node longer than the
    threshold), "needs_date" (waits for a client date that is not set) or "failed"."""
    run_id: str
    client_id: str
    client_name: str | None
    node: str | None
    status: str
    reason: str
    entered_at: datetime | None
    due_at: datetime | None
    waiting_seconds: float | None


@dataclass(frozen=True)
class DayTrend:
    """One UTC day: runs started, ended (completed, exited, cancelled), converted, and steps
    logged (by outcome)."""
    day: date
    started: int = 0
    completed: int = 0
    exited: int = 0
    converted: int = 0
    steps: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Cohort:
    """Runs grouped by a client attribute: the wedding month ("2027-06") or a client field such
    as the lead source (None: the client has no value, or is gone)."""
    key: str | None
    runs: RunTotals


@dataclass(frozen=True)
class VersionStats:
    version: int
    runs: RunTotals
    median_seconds_to_goal: float | None = None


@dataclass(frozen=True)
class SignificanceTest:
    """Are the branches' conversion rates different, beyond chance? Pearson's chi-square test on
    the branches x (converted, not) table (for two branches it equals the two-proportion z-test,
    z**2 = chi2). `enough_data`: every expected cell count is at least 5, the usual condition for
    the approximation; below it the p-value is shown but `significant` stays False."""
    method: str
    statistic: float
    degrees_of_freedom: int
    p_value: float
    alpha: float
    enough_data: bool
    significant: bool
    z: float | None = None  # two branches only: the signed z statistic (second minus first)


@dataclass(frozen=True)
class BranchResult:
    label: str
    runs: int
    converted: int
    completed: int

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.runs if self.runs else None


@dataclass(frozen=True)
class SplitResult:
    node: str
    title: str | None
    branches: list[BranchResult]
    test: SignificanceTest | None  # None without a goal, or with fewer than two branches used
