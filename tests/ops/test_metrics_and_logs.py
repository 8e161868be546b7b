import json
import logging
from datetime import datetime, timedelta, timezone

from engine.clock import ManualClock
from engine.ops.logs import JsonFormatter
from engine.ops.metrics import EngineCollector, metrics_text
from engine.service import Engine
from engine.storage.database import make_engine
from engine.storage.sql.store import SqlStore

JOURNEY = {"format": "journeys/v1", "name": "M", "nodes": [
    {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
    {"id": "hi", "type": "email", "config": {"subject": "Hi", "body": "x"}},
    {"id": "wait", "type": "delay", "config": {"duration": {"days": 1}}},
    {"id": "bye", "type": "email", "config": {"subject": "Bye", "body": "x"}}],
    "edges": [{"from": "start", "to": "hi"}, {"from": "hi", "to": "wait"},
              {"from": "wait", "to": "bye"}]}


def test_metrics_report_steps_backlog_lateness_and_runs(sql_url):
    sa_engine = make_engine(sql_url)
    clock = ManualClock(datetime(2027, 1, 1, 9, tzinfo=timezone.utc))
    engine = Engine(SqlStore(sa_engine), clock)
    vendor = engine.create_vendor("Metrics Studio")
    journey = engine.journeys.create(vendor.id, JOURNEY)
    engine.journeys.publish(vendor.id, journey.id)
    for i in range(3):
        engine.clients.add(vendor.id, {"name": f"C{i}", "email": f"c{i}@example.com"})
    clock.advance(timedelta(days=1, minutes=5))  # all three delays are 5 minutes overdue
    text = metrics_text(EngineCollector(sa_engine, clock)).decode()
    assert "journeys_steps_executed_total 6.0" in text  # start + hi, three times
    assert 'journeys_runs{status="waiting"} 3.0' in text
    assert "journeys_due_backlog 3.0" in text
    assert "journeys_due_lateness_seconds 300.0" in text
    engine.run_due()
    text = metrics_text(EngineCollector(sa_engine, clock)).decode()
    assert 'journeys_runs{status="completed"} 3.0' in text
    assert "journeys_due_backlog 0.0" in text
    sa_engine.dispose()


def test_json_logs_are_one_object_per_line():
    record = logging.LogRecord("journeys.worker", logging.INFO, __file__, 1, "step %s", ("x",),
                               None)
    record.j_run = "run_1"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "step x" and entry["run"] == "run_1" and entry["level"] == "info"
