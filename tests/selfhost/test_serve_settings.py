"""`journeys serve` stops at start-up on missing or bad settings, with one message that names
every bad setting and how to fix it (never a traceback); good settings pass --check."""
from __future__ import annotations

import socket

import pytest

from engine.cli.serve import bind
from engine.ops.startup import StartupError

from .helpers import ROOT, fake_web_dir, journeys


def check(tmp_path, env=None, *extra):
    web = fake_web_dir(tmp_path) if not (tmp_path / "web").exists() else tmp_path / "web"
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/journeys.db", **(env or {})}
    return journeys("serve", "--check", "--no-build", "--web-dir", str(web),
                    "--project-dir", str(ROOT), *extra, cwd=tmp_path, env=env)


def assert_refused(done, *needles):
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot start" in done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, f"{needle!r} not in:\n{done.stderr}"


def test_good_settings_pass_the_check(tmp_path):
    done = check(tmp_path, {"JOURNEYS_PORT": "8123"})
    assert done.returncode == 0, done.stderr
    assert "ready to serve on http://localhost:8123" in done.stdout
    assert (tmp_path / "journeys.db").exists()  # migrated at start


def test_every_bad_environment_variable_is_named(tmp_path):
    done = check(tmp_path, {"DATABASE_URL": "mysql://db/journeys", "JOURNEYS_PORT": "eighty",
                            "JOURNEYS_SMTP_SECURITY": "ssl3"})
    assert_refused(done, "DATABASE_URL", "sqlite:/// or postgresql://", "JOURNEYS_PORT",
                   "JOURNEYS_SMTP_SECURITY", "none, starttls, tls")


def test_bad_values_in_journeys_toml_name_the_file(tmp_path):
    (tmp_path / "journeys.toml").write_text('port = 70000\ntick_seconds = "often"\n')
    done = check(tmp_path)
    assert_refused(done, "port", "tick_seconds", str(tmp_path / "journeys.toml"))


def test_broken_toml_names_the_file(tmp_path):
    (tmp_path / "journeys.toml").write_text("port = = 3000\n")
    done = check(tmp_path)
    assert_refused(done, "journeys.toml", "not valid TOML")


def test_a_config_file_that_is_not_there(tmp_path):
    done = check(tmp_path, {"JOURNEYS_CONFIG": str(tmp_path / "missing.toml")})
    assert_refused(done, "JOURNEYS_CONFIG", "missing.toml", "no such file")


def test_public_address_needs_a_secret_key(tmp_path):
    done = check(tmp_path, {"JOURNEYS_BASE_URL": "https://journeys.example.com"})
    assert_refused(done, "JOURNEYS_SECRET_KEY", "openssl rand -hex 32")
    done = check(tmp_path, {"JOURNEYS_BASE_URL": "https://journeys.example.com",
                            "JOURNEYS_SECRET_KEY": "3f1c" * 16})
    assert done.returncode == 0, done.stderr


def test_database_folder_must_exist(tmp_path):
    done = check(tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path}/nowhere/journeys.db"})
    assert_refused(done, f"{tmp_path}/nowhere", "does not exist")


def test_unreachable_postgres_is_reported(tmp_path):
    done = check(tmp_path, {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/journeys"})
    assert_refused(done, "cannot use the database", "127.0.0.1:1", "DATABASE_URL")


def test_missing_frontend_build(tmp_path):
    done = journeys("serve", "--check", "--no-build", "--web-dir", str(tmp_path / "nothing"),
                    "--project-dir", str(ROOT), cwd=tmp_path,
                    env={"DATABASE_URL": f"sqlite:///{tmp_path}/journeys.db"})
    assert_refused(done, "no frontend build", str(tmp_path / "nothing"))


def test_project_dir_without_rxconfig(tmp_path):
    done = journeys("serve", "--check", "--no-build", "--project-dir", str(tmp_path),
                    cwd=tmp_path, env={"DATABASE_URL": f"sqlite:///{tmp_path}/journeys.db"})
    assert_refused(done, "rxconfig.py", str(tmp_path))


def test_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError, match=f"port {port} .* already in use.*JOURNEYS_PORT"):
            bind("127.0.0.1", port)
