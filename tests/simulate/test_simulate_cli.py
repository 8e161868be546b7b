"""`journeys simulate` as users run it: stdout, stderr and the exit code. A few cases run the
real command in a process; the rest call the same entry point in this process (faster)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

from .documents import CLIENTS, EVENTS, EXPECTED, START, every_outcome

JOURNEYS = Path(sys.executable).with_name("journeys")


def files(tmp_path: Path, document=None, clients=None, events=None) -> list[str]:
    written = {"journey.json": every_outcome() if document is None else document,
               "clients.json": CLIENTS if clients is None else clients,
               "events.json": EVENTS if events is None else events}
    for name, content in written.items():
        (tmp_path / name).write_text(content if isinstance(content, str) else json.dumps(content))
    return ["simulate", str(tmp_path / "journey.json"), "--clients",
            str(tmp_path / "clients.json"), "--events", str(tmp_path / "events.json")]


def process(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(JOURNEYS), *args], capture_output=True, timeout=60)


# -- the real command -------------------------------------------------------------------------
def test_the_command_prints_the_same_bytes_for_the_same_inputs_and_seed(tmp_path):
    args = files(tmp_path) + ["--start", START, "--seed", "42", "--format", "json"]
    first, second = process(args), process(args)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and first.stderr == b""
    assert json.loads(first.stdout) == EXPECTED


def test_the_command_exits_1_for_an_invalid_journey_and_lists_its_problems(tmp_path):
    document = every_outcome()
    document["nodes"].append({"id": "orphan", "type": "exit"})
    done = process(files(tmp_path, document=document) + ["--start", START])
    assert done.returncode == 1 and done.stdout == b""
    assert b"UNREACHABLE_NODE" in done.stderr and b"orphan" in done.stderr


def test_the_command_exits_2_for_an_event_of_an_unknown_client(tmp_path):
    done = process(files(tmp_path, events=[{"at": START, "client": "zed", "type": "manual"}])
                   + ["--start", START])
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.startswith(b"journeys simulate: ") and b"zed" in done.stderr
    assert b"Traceback" not in done.stderr


# -- the same entry point, in process ---------------------------------------------------------
def test_json_output_is_the_spec_object(tmp_path, capsys):
    assert main(files(tmp_path) + ["--start", START, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED


def test_json_is_the_default_format(tmp_path, capsys):
    assert main(files(tmp_path) + ["--start", START]) == 0
    assert json.loads(capsys.readouterr().out) == EXPECTED


@pytest.mark.parametrize("case", ["missing file", "not json", "bad start", "bad until",
                                  "bad client"])
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, case):
    args = files(tmp_path) + ["--start", START]
    if case == "missing file":
        (tmp_path / "clients.json").unlink()
    elif case == "not json":
        (tmp_path / "events.json").write_text("[{oops")
    elif case == "bad start":
        args[-1] = "soon"
    elif case == "bad until":
        args += ["--until", "later"]
    else:
        (tmp_path / "clients.json").write_text(json.dumps([{"id": "c1", "wedding_date": "June"}]))
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("journeys simulate: ") and err.count("\n") == 1


def test_the_table_format(tmp_path, capsys):
    assert main(files(tmp_path) + ["--start", START, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["CLIENT", "NODE", "TYPE", "AT", "(UTC)", "LOCAL",
                                           "OUTCOME"]
    assert "c1: completed via start -> hello -> await -> booked_mail" in out
