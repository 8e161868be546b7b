"""Fixtures that build and serve the real app and drive it in Debian's Chromium.

The app runs as ``reflex run --env prod`` in its own process group on a free port
(UI, websocket and /api/v1 on that one port), with a readiness poll under a
timeout. Set ``JOURNEYS_E2E_BASE_URL`` to test an already running server instead.
It builds into test-artifacts/e2e-web (``JOURNEYS_E2E_WEB_DIR``), not .web, so it
never disturbs a server started by scripts/run.sh.

Prerequisites come from ``scripts/setup.sh`` (bun in .tools/, /usr/bin/chromium).
When they are missing the tests are skipped locally but fail under CI=true, so a
missing install step cannot hide behind a green run.
"""

from __future__ import annotations

import json
import re
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .helpers import ARTIFACTS, ROOT

BUN = ROOT / ".tools" / "bin" / "bun"
CHROMIUM = Path(os.environ.get("JOURNEYS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A cold build (bun install + vite) takes well under a minute here; leave room for slow CI.
STARTUP_TIMEOUT_S = float(os.environ.get("JOURNEYS_E2E_STARTUP_TIMEOUT", "420"))
VIEWPORT = {"width": 1440, "height": 900}


def _missing_prerequisites() -> list[str]:
    missing = []
    if not os.environ.get("JOURNEYS_E2E_BASE_URL") and not os.access(BUN, os.X_OK):
        missing.append(f"{BUN} (run scripts/setup.sh)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (run scripts/setup.sh, or apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[test]')")
    return missing


def _require_prerequisites() -> None:
    missing = _missing_prerequisites()
    if not missing:
        return
    message = "e2e prerequisites missing: " + ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(tmp_dir: Path) -> dict[str, str]:
    """The environment scripts/env.sh gives, plus a throwaway database."""
    env = dict(os.environ)
    env.update(
        REFLEX_BUN_PATH=str(BUN),
        NPM_CONFIG_REGISTRY=os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org"),
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        NEXT_TELEMETRY_DISABLED="1",
        DO_NOT_TRACK="1",
        PATH=os.pathsep.join([str(ROOT / ".tools" / "bin"), str(Path(sys.executable).parent),
                              env.get("PATH", "")]),
        DATABASE_URL=f"sqlite:///{tmp_dir / 'e2e.db'}",
        PYTHONUNBUFFERED="1",
    )
    # Build into our own frontend dir and keep our own state dir: `reflex run` wipes
    # its states dir and rebuilds its web dir, which would disturb a developer's
    # server (or another xdist worker) sharing .web/.states. The web dir persists
    # under the git-ignored test-artifacts/, so later runs reuse its node_modules.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    default_web = ARTIFACTS.parent / ("e2e-web" + (f"-{worker}" if worker else ""))
    env["REFLEX_WEB_WORKDIR"] = os.environ.get("JOURNEYS_E2E_WEB_DIR", str(default_web))
    env["REFLEX_STATES_WORKDIR"] = str(tmp_dir / "states")
    return env


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (localhost only)
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class RunningApp:
    base_url: str
    log_path: Path | None = None
    startup_seconds: float = 0.0
    process: subprocess.Popen | None = field(default=None, repr=False)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_ready(app: RunningApp, deadline: float) -> None:
    last_error = "not polled"
    while time.monotonic() < deadline:
        if app.process is not None and app.process.poll() is not None:
            raise RuntimeError(
                f"reflex exited with {app.process.returncode} before it was ready:\n{app.log_tail()}"
            )
        try:
            status, body = _get(app.url("/api/v1/health"), timeout=2)
            if status == 200 and json.loads(body) == {"status": "ok"}:
                ui_status, _ = _get(app.url("/"), timeout=5)
                if ui_status == 200:
                    return
                last_error = f"UI answered {ui_status}"
            else:
                last_error = f"health answered {status}"
        except (OSError, ValueError) as exc:
            last_error = repr(exc)
        time.sleep(0.5)
    raise TimeoutError(f"app not ready after {STARTUP_TIMEOUT_S}s ({last_error}):\n{app.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The production app, built from this tree and served on a free port."""
    _require_prerequisites()
    if base := os.environ.get("JOURNEYS_E2E_BASE_URL"):
        app = RunningApp(base_url=base)
        _wait_until_ready(app, time.monotonic() + 30)
        yield app
        return

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log_path = ARTIFACTS / "server.log"
    tmp_dir = tmp_path_factory.mktemp("journeys-e2e")
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod",
             "--frontend-port", str(port), "--backend-host", "127.0.0.1"],
            cwd=ROOT,
            env=app_env(tmp_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: teardown ends workers too
        )
    app = RunningApp(base_url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    try:
        _wait_until_ready(app, started + STARTUP_TIMEOUT_S)
        app.startup_seconds = time.monotonic() - started
        print(f"\n[e2e] app ready on {app.base_url} after {app.startup_seconds:.1f}s")
        yield app
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser(running_app: RunningApp):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class PageProblems:
    errors: list[str] = field(default_factory=list)

    def assert_none(self) -> None:
        assert not self.errors, "browser reported errors:\n" + "\n".join(self.errors)


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh page; records uncaught errors and console errors, screenshots on exit."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    problems = PageProblems()
    pg.on("pageerror", lambda exc: problems.errors.append(f"pageerror: {exc}"))
    pg.on(
        "console",
        lambda msg: problems.errors.append(f"console.{msg.type}: {msg.text}")
        if msg.type == "error"
        else None,
    )
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"))
    finally:
        context.close()



@dataclass
class Vendor:
    """The studio signed up once per test session (sign-up is rate limited per address)."""
    email: str
    password: str
    name: str
    storage_state: dict


@pytest.fixture(scope="session")
def vendor(browser, running_app: RunningApp) -> Vendor:
    """Sign up through the real sign-up page and keep the session cookie for other tests."""
    from playwright.sync_api import expect

    from .helpers import shot

    email = f"ana.{int(time.time() * 1000)}@goldenhour.example"
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    try:
        pg.goto(running_app.url("/journeys"))
        expect(pg).to_have_url(re.compile(r"/login/?\?next="))  # signed out: to the login page
        expect(pg.get_by_role("heading", name="Log in")).to_be_visible()
        shot(pg, "01-login")
        pg.get_by_role("link", name="Create an account").click()
        expect(pg.get_by_role("heading", name="Create your account")).to_be_visible()
        pg.get_by_label("Business name").fill("Golden Hour Photography")
        pg.get_by_label("Your name").fill("Ana Lima")
        pg.get_by_label("Email").fill(email)
        pg.get_by_label("Password").fill("short")
        pg.get_by_role("button", name="Create account").click()
        expect(pg.get_by_role("alert")).to_contain_text("at least 10 characters")
        pg.get_by_label("Password").fill("golden hour forever")
        shot(pg, "02-signup")
        pg.get_by_role("button", name="Create account").click()
        expect(pg).to_have_url(re.compile(r"/journeys/?$"), timeout=30_000)
        expect(pg.get_by_role("button", name="Account menu")).to_contain_text(
            "Golden Hour Photography")
        state = context.storage_state()
    finally:
        context.close()
    return Vendor(email=email, password="golden hour forever", name="Golden Hour Photography",
                  storage_state=state)


@pytest.fixture
def app_page(browser, vendor: Vendor, request: pytest.FixtureRequest):
    """A fresh page signed in as the session's vendor; errors recorded, screenshot on exit."""
    context = browser.new_context(viewport=VIEWPORT, storage_state=vendor.storage_state,
                                  accept_downloads=True)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    problems = PageProblems()
    pg.on("pageerror", lambda exc: problems.errors.append(f"pageerror: {exc}"))
    pg.on("console", lambda msg: problems.errors.append(f"console.{msg.type}: {msg.text}")
          if msg.type == "error" else None)
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"))
    finally:
        context.close()
