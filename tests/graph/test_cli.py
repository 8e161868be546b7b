"""`journeys validate` through the real command (subprocess) and in-process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import COMMANDS, build_parser, main

from .helpers import CATALOG, chain, email, minimal, trigger

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, timeout=60)


def write(tmp_path: Path, data, name: str = "journey.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_valid_file_exits_0(tmp_path):
    r = run("validate", write(tmp_path, minimal()))
    assert r.returncode == 0, r.stderr
    assert b"valid (0 errors, 0 warnings)" in r.stdout
    assert r.stderr == b""


def test_warnings_still_exit_0(tmp_path):
    r = run("validate", write(tmp_path, chain(trigger(), email("last"))))
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("warning DEAD_END node 'last': ")
    assert lines[-1].endswith("valid (0 errors, 1 warning)")


def test_invalid_file_exits_1_with_text_lines(tmp_path):
    d = minimal()
    d["nodes"].append(email("orphan"))
    d["edges"].append({"from": "orphan", "to": "end"})
    r = run("validate", write(tmp_path, d))
    assert r.returncode == 1
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "error UNREACHABLE_NODE node 'orphan': is not reachable from the trigger"
    assert lines[-1].endswith("invalid (1 error, 0 warnings)")


def test_json_output(tmp_path):
    d = minimal()
    d["edges"].append({"from": "hello", "to": "ghost"})
    r = run("validate", write(tmp_path, d), "--format", "json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["valid"] is False
    assert {p["code"] for p in out["problems"]} == {"UNKNOWN_EDGE_NODE", "DUPLICATE_EDGE_LABEL"}
    p = next(p for p in out["problems"] if p["code"] == "UNKNOWN_EDGE_NODE")
    assert list(p) == ["code", "severity", "node", "edge", "message"]
    assert p["edge"] == ["hello", "ghost"] and p["severity"] == "error"


def test_json_output_for_valid_file(tmp_path):
    r = run("validate", "--format", "json", write(tmp_path, minimal()))
    assert r.returncode == 0
    assert json.loads(r.stdout) == {"valid": True, "problems": []}


def test_malformed_json_is_invalid_not_unreadable(tmp_path):
    r = run("validate", write(tmp_path, "{not json"), "--format", "json")
    assert r.returncode == 1
    assert [p["code"] for p in json.loads(r.stdout)["problems"]] == ["INVALID_JSON"]


def test_binary_file_is_invalid_json(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\x00\xff\xfe garbage")
    r = run("validate", str(path))
    assert r.returncode == 1 and b"INVALID_JSON" in r.stdout


def test_missing_file_exits_2(tmp_path):
    r = run("validate", str(tmp_path / "nope.json"))
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "cannot read" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert r.stdout == b""


def test_directory_exits_2(tmp_path):
    r = run("validate", str(tmp_path))
    assert r.returncode == 2 and b"Traceback" not in r.stderr


@pytest.mark.parametrize("args", [[], ["validate"], ["validate", "a", "b"],
                                  ["validate", "x.json", "--format", "yaml"], ["frobnicate"],
                                  ["--bogus"]])
def test_bad_arguments_exit_2(args):
    r = run(*args)
    assert r.returncode == 2
    assert b"Traceback" not in r.stderr and b"usage:" in r.stderr


def test_help_exits_0():
    r = run("validate", "--help")
    assert r.returncode == 0 and b"FILE" in r.stdout


def test_stdin(tmp_path):
    r = run("validate", "-", stdin=json.dumps(minimal()).encode())
    assert r.returncode == 0
    r = run("validate", "-", "--format", "json", stdin=b"[]")
    assert r.returncode == 1 and json.loads(r.stdout)["problems"][0]["code"] == "INVALID_FORMAT"


def test_catalog_through_the_command():
    assert run("validate", str(CATALOG / "valid" / "wedding-countdown.json")).returncode == 0
    r = run("validate", str(CATALOG / "invalid" / "bad-config.json"), "--format", "json")
    assert r.returncode == 1


# -- in-process ------------------------------------------------------------------------------------

def test_main_returns_codes(tmp_path, capsys):
    assert main(["validate", write(tmp_path, minimal())]) == 0
    assert main(["validate", write(tmp_path, {"format": "x"})]) == 1
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert main([]) == 2
    assert main(["validate", "--help"]) == 0
    capsys.readouterr()


def test_main_never_lets_an_exception_out(monkeypatch, capsys, tmp_path):
    import engine.cli.validate as cmd

    def boom(_):
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(cmd, "validate", boom)
    assert main(["validate", write(tmp_path, minimal())]) == 2
    err = capsys.readouterr().err
    assert err == "journeys: error: kaboom\n"


def test_subcommands_are_registered_from_the_module_list():
    assert "engine.cli.validate" in COMMANDS
    parser = build_parser()
    args = parser.parse_args(["validate", "f.json", "--format", "json"])
    assert args.command == "validate" and args.format == "json" and callable(args.run)
