"""Prometheus metrics, read from the database at scrape time so every process reports the same
truth: steps executed, due backlog and its lateness, effect failures by kind, runs by status,
and (when a dispatcher is in this process) circuit-breaker states."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from engine.clock import Clock

BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}


class EngineCollector(Collector):
    def __init__(self, sa_engine: sa.Engine, clock: Clock,
                 breakers: Callable[[], Iterable[dict]] | None = None):
        self.sa_engine, self.clock, self.breakers = sa_engine, clock, breakers

    def collect(self):
        now = self.clock.now()
        with self.sa_engine.connect() as conn:
            steps = conn.execute(sa.text("SELECT count(*) FROM step WHERE type <> 'control'")).scalar()
            runs = conn.execute(sa.text("SELECT status, count(*) FROM run GROUP BY status")).all()
            due = conn.execute(sa.text("SELECT count(*), min(due_at) FROM wakeup WHERE due_at <= :now"),
                               {"now": now}).one()
            dead = conn.execute(sa.text("SELECT kind, count(*) FROM effect WHERE status = 'dead' "
                                        "GROUP BY kind")).all()
            pending = conn.execute(sa.text("SELECT count(*) FROM effect WHERE status = 'pending'")).scalar()
        yield CounterMetricFamily("journeys_steps_executed", "Steps executed (step-log rows)",
                                  value=steps)
        by_status = GaugeMetricFamily("journeys_runs", "Runs by status", labels=["status"])
        for status, count in runs:
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily("journeys_due_backlog", "Wake-ups due now and not yet run",
                                value=due[0])
        oldest = due[1]
        if isinstance(oldest, str):  # SQLite hands raw text back for text() queries
            oldest = datetime.fromisoformat(oldest)
        lateness = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=now.tzinfo)
            lateness = max(0.0, (now - oldest).total_seconds())
        yield GaugeMetricFamily("journeys_due_lateness_seconds",
                                "How late the oldest due wake-up is", value=lateness)
        failures = CounterMetricFamily("journeys_effect_failures", "Dead-lettered effects by kind",
                                       labels=["kind"])
        for kind, count in dead:
            failures.add_metric([kind], count)
        yield failures
        yield GaugeMetricFamily("journeys_outbox_pending", "Effects waiting to be delivered",
                                value=pending)
        if self.breakers is not None:
            states = GaugeMetricFamily("journeys_breaker_state",
                                       "Circuit breaker per destination (0 closed, 1 half-open, "
                                       "2 open)", labels=["destination"])
            for snap in self.breakers():
                states.add_metric([snap["destination"]],
                                  BREAKER_STATES.get(snap.get("state", "closed"), 0))
            yield states


def metrics_text(collector: EngineCollector) -> bytes:
    registry = CollectorRegistry()
    registry.register(collector)
    return generate_latest(registry)
