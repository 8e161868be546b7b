"""The single-file build, end to end: build dist/journeys, start it in a clean environment (only
PATH=/usr/bin:/bin, a temporary HOME and DATABASE_URL), wait for /healthz, sign in with the demo
credentials it prints, create a journey through the API, and open that journey's editor in
Chromium. Then SIGTERM stops it cleanly.

Slow (the build takes minutes), but run in CI. JOURNEYS_BINARY=/path/to/journeys tests an
existing build instead of building one; JOURNEYS_SKIP_BINARY=1 skips it outside CI.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from .helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

ARTIFACTS = ROOT / "test-artifacts" / "selfhost"
CHROMIUM = Path(os.environ.get("JOURNEYS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
BUILD_TIMEOUT_S = 1800
START_TIMEOUT_S = 180
DOCUMENT = {
    "format": "journeys/v1",
    "name": "Self-hosted smoke test",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "manual"},
         "position": {"x": 0, "y": 0}},
        {"id": "welcome", "type": "email", "position": {"x": 260, "y": 0},
         "config": {"subject": "Welcome, {{ client.name }}", "body": "Hello!"}},
        {"id": "done", "type": "exit", "position": {"x": 520, "y": 0}},
    ],
    "edges": [{"from": "start", "to": "welcome"}, {"from": "welcome", "to": "done"}],
}


def _require(condition: bool, message: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def binary() -> Path:
    if os.environ.get("JOURNEYS_SKIP_BINARY") == "1" and not os.environ.get("CI"):
        pytest.skip("JOURNEYS_SKIP_BINARY=1")
    if given := os.environ.get("JOURNEYS_BINARY"):
        return Path(given)
    _require(os.access(ROOT / ".tools" / "bin" / "bun", os.X_OK),
             "bun missing in .tools (run scripts/setup.sh): cannot build the frontend")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with (ARTIFACTS / "build.log").open("w") as log:
        done = subprocess.run(["bash", "scripts/build_binary.sh"], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              env={**os.environ, "JOURNEYS_SKIP_SETUP": "1"},
                              timeout=BUILD_TIMEOUT_S)
    tail = (ARTIFACTS / "build.log").read_text()[-3000:]
    assert done.returncode == 0, f"build failed:\n{tail}"
    path = ROOT / "dist" / "journeys"
    print(f"\n[selfhost] built {path} ({path.stat().st_size / 2**20:.0f} MB) "
          f"in {time.monotonic() - began:.0f}s")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, binary: Path, tmp: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.home = tmp / "home"
        self.home.mkdir()
        self.log_path = ARTIFACTS / "server.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # A clean environment: no Python, no Node, no virtualenv on PATH; nothing inherited.
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.home),
               "DATABASE_URL": f"sqlite:///{tmp / 'data' / 'journeys.db'}",
               "JOURNEYS_PORT": str(self.port)}
        (tmp / "data").mkdir()
        self.started = time.monotonic()
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(["/usr/bin/env", "-i", *(f"{k}={v}" for k, v in env.items()),
                                         str(binary), "serve", "--demo", "--host", "127.0.0.1"],
                                        cwd=tmp, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self) -> float:
        deadline = self.started + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the binary exited with {self.process.returncode}:\n"
                            f"{self.output()[-4000:]}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"no /healthz after {START_TIMEOUT_S}s:\n{self.output()[-4000:]}")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
        return self.process.returncode


def _http(opener, method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"content-type": "application/json"})
    try:
        with opener.open(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _descendants(pid: int) -> list[str]:
    import psutil

    try:
        return [" ".join(p.cmdline()[:2]) for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def test_binary_serves_ui_api_and_engine_on_one_port(binary: Path, tmp_path: Path):
    _require(CHROMIUM.exists(), f"{CHROMIUM} missing (scripts/setup.sh installs it)")
    assert binary.is_file() and os.access(binary, os.X_OK)
    server = Server(binary, tmp_path)
    try:
        startup = server.wait_healthy()
        print(f"\n[selfhost] binary answered /healthz {startup:.1f}s after start "
              f"({binary.stat().st_size / 2**20:.0f} MB)")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

        status, ready = _http(opener, "GET", server.base + "/readyz")
        assert status == 200 and ready["status"] == "ok", ready

        # The demo credentials are printed once, on stdout.
        deadline = time.monotonic() + 30
        while "password" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.2)
        found = re.search(r"email\s+(\S+@\S+)\s+password\s+(\S+)", server.output())
        assert found, server.output()[-3000:]
        email, password = found.groups()

        status, session = _http(opener, "POST", server.base + "/api/v1/auth/login",
                                {"email": email, "password": password})
        assert status == 200, session
        status, page = _http(opener, "GET", server.base + "/api/v1/journeys?limit=100")
        assert status == 200 and len(page["items"]) >= 11, page  # templates published
        status, journey = _http(opener, "POST", server.base + "/api/v1/journeys", DOCUMENT)
        assert status == 201, journey

        with urllib.request.urlopen(server.base + "/metrics", timeout=10) as resp:
            assert b"journeys_runs" in resp.read()

        _open_editor(server.base, email, password, journey["id"])

        # No Python and no Node at run time: the binary starts no helper programs.
        children = _descendants(server.process.pid)
        assert not [c for c in children if re.search(r"\b(node|bun|python3?)\b", c)], children
    finally:
        code = server.stop()
        print(f"[selfhost] server log: {server.log_path}")
    assert code == 0, f"exit {code} after SIGTERM:\n{server.output()[-3000:]}"
    output = server.output()
    assert "Traceback" not in output, output[-5000:]


def _open_editor(base: str, email: str, password: str, journey_id: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.set_default_timeout(30_000)
            login = context.request.post(f"{base}/api/v1/auth/login",
                                         data={"email": email, "password": password})
            assert login.ok, login.text()
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on("console", lambda msg: errors.append(f"console: {msg.text}")
                    if msg.type == "error" else None)
            page.goto(f"{base}/journeys/{journey_id}")
            canvas = page.get_by_test_id("journey-canvas")
            canvas.wait_for()
            page.wait_for_function(
                "() => document.querySelector('[data-testid=journey-canvas]')"
                "?.getAttribute('data-node-count') === '3'")
            page.get_by_text("Self-hosted smoke test").first.wait_for()
            # A frontend built for another state tree would show Reflex's reload banner.
            assert page.locator("#reflex-new-version-banner").count() == 0
            page.screenshot(path=str(ARTIFACTS / "editor.png"))
            assert not errors, errors
        finally:
            browser.close()
