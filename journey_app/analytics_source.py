"""The numbers behind the analytics page, as plain dicts for the page state.

``journey_report(eng, vendor_id, journey_id, sa_engine=...)`` returns one dict (see ``Report``)
from ``engine.analytics`` (SQL aggregates over the step log, plain dataclasses). Without a SQL
database (an engine on the memory store, in tests) the same figures are computed from the
services (runs and their step logs).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.domain import RunStatus

STUCK_AFTER = timedelta(days=14)
TREND_DAYS = 30


@dataclass
class Report:
    journey_id: str
    name: str = ""
    goal: str = ""
    totals: dict[str, int] = field(default_factory=dict)
    conversion: float | None = None
    nodes: list[dict[str, Any]] = field(default_factory=list)  # in path order
    stuck: list[dict[str, str]] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)  # per day
    cohorts: list[dict[str, Any]] = field(default_factory=list)  # per wedding month
    splits: list[dict[str, Any]] = field(default_factory=list)  # per split branch
    source: str = "services"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def path_order(doc: dict[str, Any]) -> list[str]:
    """Node ids breadth-first from the trigger (then any others, in document order)."""
    nodes = [n for n in doc.get("nodes") or [] if isinstance(n, dict)]
    ids = [n.get("id") for n in nodes]
    out_edges: dict[str, list[str]] = defaultdict(list)
    for e in doc.get("edges") or []:
        if isinstance(e, dict):
            out_edges[e.get("from")].append(e.get("to"))
    start = next((n.get("id") for n in nodes if n.get("type") == "trigger"), None)
    seen: list[str] = []
    queue = deque([start] if start else [])
    while queue:
        node_id = queue.popleft()
        if node_id in seen or node_id not in ids:
            continue
        seen.append(node_id)
        queue.extend(out_edges.get(node_id, []))
    return seen + [i for i in ids if i not in seen]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def journey_report(eng: Any, vendor_id: str, journey_id: str, *,
                   sa_engine: Any = None) -> dict[str, Any]:
    """The page's figures: from engine.analytics (SQL aggregates) when the engine has a SQL
    database (`sa_engine`), else computed from the services (memory store, tests)."""
    if sa_engine is not None:
        return _from_analytics(eng, sa_engine, vendor_id, journey_id).to_dict()
    return _from_services(eng, vendor_id, journey_id).to_dict()


def _document(eng: Any, vendor_id: str, journey_id: str) -> tuple[Any, dict[str, Any]]:
    journey = eng.journeys.get(vendor_id, journey_id)
    version = journey.live_version or journey.latest_version
    doc = (eng.journeys.version(vendor_id, journey_id, version).document if version
           else journey.draft)
    return journey, doc


STUCK_REASONS = {"overdue": "past its expected time", "waiting_long": "waiting a long time",
                 "needs_date": "needs a date the client does not have",
                 "failed": "a step failed: see the timeline"}


def _from_analytics(eng: Any, sa_engine: Any, vendor_id: str, journey_id: str) -> Report:
    from engine.analytics import Analytics

    from journey_app.editor_model import unique_labels

    analytics = Analytics(sa_engine)
    journey, doc = _document(eng, vendor_id, journey_id)
    funnel = analytics.funnel(vendor_id, journey_id)
    goal = (funnel.goal or {}).get("event") or \
        ((doc.get("settings") or {}).get("goal") or {}).get("event", "")
    report = Report(journey_id=journey_id, name=journey.name, goal=str(goal or ""),
                    source="engine.analytics")
    t = funnel.runs
    report.totals = {"runs": t.started, "active": t.active, "completed": t.completed,
                     "exited": t.exited, "cancelled": t.cancelled, "failed": t.failed,
                     "converted": t.converted}
    rate = t.conversion_rate
    report.conversion = round(100 * rate, 1) if rate is not None and goal else None
    stats = {n.node: n for n in funnel.nodes}
    types = {n["id"]: n.get("type", "") for n in doc.get("nodes") or [] if "id" in n}
    order = path_order(doc)
    order += [n for n in stats if n not in order]  # steps only older versions have
    for node_id, title in zip(order, unique_labels(doc.get("nodes") or [], order)):
        n = stats.get(node_id)
        report.nodes.append({
            "node": node_id, "title": title if node_id in types else (n.title or node_id),
            "type": types.get(node_id) or (n.type if n else "") or "",
            "entered": n.entered if n else 0, "left": n.completed if n else 0,
            "waiting": n.waiting if n else 0, "failed": n.failed if n else 0,
            "skipped": n.skipped if n else 0,
            "median_hours": _hours(n.median_seconds) if n else None,
            "p90_hours": _hours(n.p90_seconds) if n else None,
        })
    now = eng.clock.now()
    _, stuck = analytics.stuck(vendor_id, journey_id, now=now, threshold=STUCK_AFTER)
    titles = {n["node"]: n["title"] for n in report.nodes}
    report.stuck = [{"client": s.client_name or s.client_id, "client_id": s.client_id,
                     "node": titles.get(s.node or "", s.node or "—"),
                     "since": s.entered_at.strftime("%d %b %Y") if s.entered_at else "",
                     "why": STUCK_REASONS.get(s.reason, s.reason)} for s in stuck]
    today = now.date()
    first = today - timedelta(days=TREND_DAYS - 1)
    days = {d.day: d for d in analytics.trends(
        vendor_id, journey_id, since=datetime.combine(first, datetime.min.time(),
                                                      tzinfo=now.tzinfo))}
    for i in range(TREND_DAYS):
        day = first + timedelta(days=i)
        d = days.get(day)
        report.trend.append({"day": day.isoformat(), "started": d.started if d else 0,
                             "completed": d.completed if d else 0,
                             "converted": d.converted if d else 0})
    report.cohorts = [{"month": c.key or "no date", "runs": c.runs.started,
                       "converted": c.runs.converted, "completed": c.runs.completed}
                      for c in analytics.cohorts(vendor_id, journey_id)]
    for split in analytics.splits(vendor_id, journey_id):
        test = split.test
        verdict = ("no goal to compare" if test is None else
                   "needs more couples" if not test.enough_data else
                   f"yes (p = {test.p_value:.3f})" if test.significant else
                   f"not yet (p = {test.p_value:.2f})")
        for b in split.branches:
            report.splits.append({"node": titles.get(split.node, split.title or split.node),
                                  "branch": b.label, "runs": b.runs, "converted": b.converted,
                                  "rate": round(100 * (b.conversion_rate or 0), 1),
                                  "verdict": verdict})
    return report


def _from_services(eng: Any, vendor_id: str, journey_id: str) -> Report:
    journey, doc = _document(eng, vendor_id, journey_id)
    goal = ((doc.get("settings") or {}).get("goal") or {}).get("event", "")
    report = Report(journey_id=journey_id, name=journey.name, goal=str(goal or ""))
    titles = {n["id"]: (n.get("title") or n["id"], n.get("type", ""))
              for n in doc.get("nodes") or [] if isinstance(n, dict) and "id" in n}
    now = eng.clock.now()
    runs = eng.runs.list(vendor_id, journey_id=journey_id, limit=100_000)
    statuses = Counter(r.status for r in runs)
    entered: Counter = Counter()
    left: Counter = Counter()
    outcomes: dict[str, Counter] = defaultdict(Counter)
    durations: dict[str, list[float]] = defaultdict(list)
    waiting: Counter = Counter(r.node for r in runs if r.is_open and r.node)
    branch_runs: dict[tuple[str, str], set[str]] = defaultdict(set)
    starts: Counter = Counter()
    completions: Counter = Counter()
    conversions: Counter = Counter()
    cohorts: dict[str, Counter] = defaultdict(Counter)
    clients: dict[str, Any] = {}
    for run in runs:
        if run.started_at:
            starts[run.started_at.date()] += 1
        if run.status == RunStatus.COMPLETED and run.ended_at:
            completions[run.ended_at.date()] += 1
        if run.goal_at:
            conversions[run.goal_at.date()] += 1
        seen_nodes: set[str] = set()
        for step in eng.runs.timeline(vendor_id, run.id):
            if step.type == "control" or not step.node:
                continue
            if step.node not in seen_nodes:
                entered[step.node] += 1
                seen_nodes.add(step.node)
            left[step.node] += 1
            outcomes[step.node][step.outcome] += 1
            if step.entered_at and step.at:
                durations[step.node].append((step.at - step.entered_at).total_seconds())
            label = (step.detail or {}).get("branch") or (step.detail or {}).get("label")
            if titles.get(step.node, ("", ""))[1] == "split" and label:
                branch_runs[(step.node, str(label))].add(run.id)
        if run.node and run.is_open and run.node not in seen_nodes:
            entered[run.node] += 1
        if run.client_id not in clients:
            try:
                clients[run.client_id] = eng.clients.get(vendor_id, run.client_id)
            except Exception:
                clients[run.client_id] = None
        client = clients[run.client_id]
        month = client.wedding_date.strftime("%Y-%m") if client is not None and \
            client.wedding_date else "no date"
        cohorts[month]["runs"] += 1
        cohorts[month]["converted"] += 1 if run.goal_at else 0
        cohorts[month]["completed"] += 1 if run.status == RunStatus.COMPLETED else 0
        since = run.entered_at or run.updated_at or run.started_at
        overdue = run.due_at is not None and run.due_at < now - timedelta(hours=1)
        long_wait = run.due_at is None and since is not None and now - since > STUCK_AFTER
        if run.is_open and (run.status in (RunStatus.FAILED, RunStatus.NEEDS_DATE)
                            or overdue or long_wait):
            why = {RunStatus.FAILED: f"failed: {run.error or 'see timeline'}",
                   RunStatus.NEEDS_DATE: "needs a date the client does not have"}.get(
                run.status, "past its expected time" if overdue else "waiting a long time")
            report.stuck.append({
                "client": client.name if client is not None else run.client_id,
                "client_id": run.client_id,
                "node": titles.get(run.node, (run.node or "—", ""))[0],
                "since": since.strftime("%d %b %Y") if since else "",
                "why": why,
            })
    report.totals = {
        "runs": len(runs),
        "active": sum(n for s, n in statuses.items() if s in RunStatus.OPEN),
        "completed": statuses.get(RunStatus.COMPLETED, 0),
        "exited": statuses.get(RunStatus.EXITED, 0),
        "cancelled": statuses.get(RunStatus.CANCELLED, 0),
        "failed": statuses.get(RunStatus.FAILED, 0),
        "converted": sum(1 for r in runs if r.goal_at),
    }
    report.conversion = (round(100 * report.totals["converted"] / len(runs), 1)
                         if runs and goal else None)
    from journey_app.editor_model import unique_labels

    order = path_order(doc)
    for node_id, title in zip(order, unique_labels(doc.get("nodes") or [], order)):
        kind = titles.get(node_id, (node_id, ""))[1]
        times = durations.get(node_id, [])
        report.nodes.append({
            "node": node_id, "title": title, "type": kind,
            "entered": entered.get(node_id, 0), "left": left.get(node_id, 0),
            "waiting": waiting.get(node_id, 0),
            "failed": outcomes[node_id].get("failed", 0),
            "skipped": outcomes[node_id].get("skipped", 0),
            "median_hours": _hours(statistics.median(times) if times else None),
            "p90_hours": _hours(_percentile(times, 0.9)),
        })
    today = now.date()
    for i in range(TREND_DAYS - 1, -1, -1):
        day = today - timedelta(days=i)
        report.trend.append({"day": day.isoformat(), "started": starts.get(day, 0),
                             "completed": completions.get(day, 0),
                             "converted": conversions.get(day, 0)})
    report.cohorts = [{"month": m, **dict(c)} for m, c in sorted(cohorts.items())]
    goal_runs = {r.id for r in runs if r.goal_at}
    for (node_id, label), run_ids in sorted(branch_runs.items()):
        converted = len(run_ids & goal_runs)
        report.splits.append({"node": titles.get(node_id, (node_id, ""))[0], "branch": label,
                              "runs": len(run_ids), "converted": converted,
                              "rate": round(100 * converted / len(run_ids), 1) if run_ids
                              else 0.0, "verdict": "—"})
    return report


def run_date(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""
