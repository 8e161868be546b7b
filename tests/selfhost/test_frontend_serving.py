"""Serving a prebuilt frontend: finding the project, and pointing the build's backend address at
whatever origin the browser used (so one build works on any port and host name)."""
from __future__ import annotations

import sys

import pytest

from engine.ops import frontend
from engine.ops.frontend import (ProjectNotFound, SameOriginBackend, find_project_dir,
                                 rewrite_origins)

from .helpers import ROOT, AsgiClient

ENV_CHUNK = ("var e={PING:`http://localhost:3000/ping`,EVENT:`ws://localhost:3000/_event`,"
             "UPLOAD:`http://localhost:3000/_upload`,TRANSPORT:`websocket`,TEST_MODE:!1};"
             "export{e as t};")


def test_rewrite_for_plain_and_tls_origins():
    plain = rewrite_origins(ENV_CHUNK, "http", "journeys.lan:8080")
    assert "http://journeys.lan:8080/ping" in plain and "ws://journeys.lan:8080/_event" in plain
    assert "localhost:3000" not in plain
    tls = rewrite_origins(ENV_CHUNK, "https", "journeys.example.com")
    assert "https://journeys.example.com/ping" in tls
    assert "wss://journeys.example.com/_event" in tls


async def _static(scope, receive, send):
    await send({"type": "http.response.start", "status": 298, "headers": []})
    await send({"type": "http.response.body", "body": b"static"})


@pytest.fixture
def served(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "reflex-env-AbC123.js").write_text(ENV_CHUNK)
    (assets / "other-XyZ.js").write_text("localhost:3000")
    return AsgiClient(SameOriginBackend(_static, tmp_path))


def test_env_chunk_follows_the_request_host(served):
    answer = served.get("/assets/reflex-env-AbC123.js", headers={"host": "127.0.0.1:45123"})
    assert answer.status_code == 200
    assert "ws://127.0.0.1:45123/_event" in answer.text
    assert answer.headers["content-type"].startswith("text/javascript")


def test_everything_else_is_left_to_the_app(served):
    assert served.get("/assets/other-XyZ.js", headers={"host": "x:1"}).status_code == 298
    assert served.get("/", headers={"host": "x:1"}).status_code == 298
    # A host header that could inject script is never written into JavaScript.
    hostile = served.get("/assets/reflex-env-AbC123.js", headers={"host": "a`;alert(1)//"})
    assert hostile.status_code == 298
    assert served.get("/assets/reflex-env-Missing1.js", headers={"host": "x:1"}).status_code == 298


def test_project_dir_precedence(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "rxconfig.py").write_text("")
    monkeypatch.delenv(frontend.PROJECT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no rxconfig.py here: falls back to this checkout
    assert find_project_dir() == ROOT
    assert find_project_dir(project) == project
    monkeypatch.setenv(frontend.PROJECT_ENV, str(project))
    assert find_project_dir() == project
    with pytest.raises(ProjectNotFound, match="no rxconfig.py"):
        find_project_dir(tmp_path)


def test_single_file_build_uses_its_own_project_not_the_cwd(tmp_path, monkeypatch):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "rxconfig.py").write_text("")
    monkeypatch.delenv(frontend.PROJECT_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.chdir(ROOT)  # a source checkout with its own rxconfig.py
    assert find_project_dir() == bundle
