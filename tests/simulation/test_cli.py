import json

from engine.cli import main

from .test_funnel import DOC


def test_couples_cli_is_deterministic_and_feeds_simulate(tmp_path, capsys):
    args = ["couples", "25", "--seed", "3", "--start", "2027-01-04T09:00:00Z"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0 and capsys.readouterr().out == first
    clients, events = tmp_path / "clients.json", tmp_path / "events.json"
    assert main(args + ["--clients", str(clients), "--events", str(events)]) == 0
    assert json.loads(clients.read_text()) == json.loads(first)["clients"]
    journey = tmp_path / "journey.json"
    journey.write_text(json.dumps(DOC))
    assert main(["simulate", str(journey), "--clients", str(clients), "--events", str(events),
                 "--start", "2027-01-04T09:00:00Z", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["runs"]) == 25


def test_forecast_cli(tmp_path, capsys):
    journey = tmp_path / "journey.json"
    journey.write_text(json.dumps(DOC))
    args = ["forecast", str(journey), "--couples", "50", "--seed", "1",
            "--start", "2027-01-04T09:00:00Z", "--format", "json"]
    assert main(args) == 0
    first = capsys.readouterr().out
    forecast = json.loads(first)
    assert forecast["enrolled"] == 50 and forecast["nodes"][0]["reached"] == 50
    assert main(args) == 0 and capsys.readouterr().out == first
    assert main(args[:-2] + ["--format", "table"]) == 0
    assert "goal reached by" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "journeys/v1", "name": "x", "nodes": [], "edges": []}))
    assert main(["forecast", str(bad)]) == 1
    assert main(["forecast", str(tmp_path / "missing.json")]) == 2
