"""`journeys serve`: production mode on one port: the web UI, its live updates (websocket), the
REST API, /healthz, /readyz, /metrics and the engine, in one process.

Start-up, in order; any failure stops here with one message that says what to fix:
  1. settings (flags, then environment variables, then journeys.toml), checked for a server;
  2. the database: reachable, not migrated by a newer Journeys, then migrated to head;
  3. optional demo data on a brand-new database (--demo; the password is printed once);
  4. the web app (rxconfig.py, see engine.ops.frontend.find_project_dir) and its frontend: built
     first from a source checkout (bun), prebuilt and embedded in a single-file build (no Node);
  5. serve with uvicorn until SIGTERM/SIGINT; the app's lifespan stops the engine's worker, so
     steps in flight finish. A clean stop exits 0.

The web app is loaded by name, the way `reflex run` does, so the engine never imports it.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from engine.errors import JourneyError
from engine.ops.startup import StartupError

log = logging.getLogger("journeys.serve")
PROG = "journeys serve"
DEFAULT_HOST = "0.0.0.0"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve", help="run Journeys in production mode: UI, API and engine on one port",
        description="Serve the web UI, the REST API (/api/v1), live updates, /healthz, /readyz, "
                    "/metrics and the engine on one port. Settings come from environment "
                    "variables (DATABASE_URL, JOURNEYS_PORT, JOURNEYS_BASE_URL, "
                    "JOURNEYS_SECRET_KEY, JOURNEYS_SMTP_HOST, ...) or journeys.toml.")
    parser.add_argument("--host", default=os.environ.get("JOURNEYS_HOST", DEFAULT_HOST),
                        help=f"address to listen on (default $JOURNEYS_HOST or {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, help="port (overrides JOURNEYS_PORT; default 3000)")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    parser.add_argument("--project-dir", help="directory holding rxconfig.py")
    parser.add_argument("--web-dir", help="Reflex web directory holding build/client "
                                          "(default $REFLEX_WEB_WORKDIR or <project>/.web)")
    parser.add_argument("--no-build", action="store_true",
                        help="serve the existing frontend build instead of building it first")
    parser.add_argument("--demo", action="store_true",
                        help="on a brand-new database, add a demo vendor (credentials printed "
                             "once), the template journeys and sample couples")
    parser.add_argument("--check", action="store_true",
                        help="check settings, database and frontend, then exit without serving")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    from engine.ops.logs import configure_logging

    configure_logging(logging.INFO)
    # Routine chatter (one line per migration, two per scheduler tick) drowns the real news.
    for noisy in ("alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        plan = prepare(args)
        if args.check:
            print(f"{PROG}: ready to serve on {plan.address} ({plan.describe()})", flush=True)
            return 0
        return serve(plan, started)
    except StartupError as error:
        print(f"{PROG}: cannot start: {error}", file=sys.stderr, flush=True)
        return 2
    except JourneyError as error:
        print(f"{PROG}: cannot start: {error.message}", file=sys.stderr, flush=True)
        return 2


# -- start-up ------------------------------------------------------------------------------------

class Plan:
    """Everything decided before the server starts."""

    def __init__(self, settings: Any, host: str, project_dir: Path, web_dir: Path,
                 frozen: bool, schema: str, demo: Any):
        self.settings, self.host, self.project_dir, self.web_dir = settings, host, project_dir, web_dir
        self.frozen, self.schema, self.demo = frozen, schema, demo

    @property
    def port(self) -> int:
        return int(self.settings.port)

    @property
    def address(self) -> str:
        shown = "localhost" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{shown}:{self.port}"

    def describe(self) -> str:
        from engine.ops.startup import safe_url

        return (f"database {safe_url(self.settings.database_url)}, {self.schema}, "
                f"frontend {self.web_dir}")


def prepare(args: argparse.Namespace) -> Plan:
    from engine.ops.frontend import ProjectNotFound, bundle_dir, find_project_dir
    from engine.ops.startup import host_problem, load_checked_settings, prepare_database

    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = load_checked_settings(**overrides)
    if (problem := host_problem(args.host)) is not None:
        raise StartupError(problem)
    schema = prepare_database(settings.database_url)
    demo = _seed_demo(settings) if args.demo else None
    try:
        project_dir = find_project_dir(args.project_dir)
    except ProjectNotFound as error:
        raise StartupError(str(error)) from None
    frozen = bundle_dir() is not None
    web_dir = _web_dir(args, project_dir, frozen)
    if frozen or args.no_build:
        _require_build(web_dir, frozen)
    else:
        build_frontend(project_dir, web_dir)
    return Plan(settings, args.host, project_dir, web_dir, frozen, schema, demo)


def _seed_demo(settings: Any) -> Any:
    from engine.demo import seed_database

    result = seed_database(settings)
    if result is None:
        log.info("demo data not added: the database already has a vendor")
    return result


def _web_dir(args: argparse.Namespace, project_dir: Path, frozen: bool) -> Path:
    from engine.ops.frontend import bundle_dir

    if args.web_dir:
        return Path(args.web_dir).expanduser().resolve()
    if frozen:
        return bundle_dir() / "web"  # type: ignore[operator]
    if os.environ.get("REFLEX_WEB_WORKDIR"):
        return (project_dir / os.environ["REFLEX_WEB_WORKDIR"]).resolve()
    return project_dir / ".web"


def _require_build(web_dir: Path, frozen: bool) -> None:
    from engine.ops.frontend import has_frontend_build, static_dir

    if not has_frontend_build(web_dir):
        hint = ("this single-file build is incomplete; rebuild it with scripts/build_binary.sh"
                if frozen else "build it first (run without --no-build), or point --web-dir at "
                               "a Reflex web directory that has build/client")
        raise StartupError(f"no frontend build at {static_dir(web_dir)}: {hint}")


def build_frontend(project_dir: Path, web_dir: Path) -> None:
    """Compile and build the frontend the way `reflex export --frontend-only` does (bun)."""
    env = dict(os.environ, REFLEX_WEB_WORKDIR=str(web_dir), REFLEX_TELEMETRY_ENABLED="false",
               REFLEX_CHECK_LATEST_VERSION="false", NEXT_TELEMETRY_DISABLED="1",
               DO_NOT_TRACK="1")
    bun = env.get("REFLEX_BUN_PATH") or str(project_dir / ".tools" / "bin" / "bun")
    if not os.access(bun, os.X_OK):
        raise StartupError(f"building the frontend needs bun, not found at {bun}: run "
                           "scripts/setup.sh (or set REFLEX_BUN_PATH), or serve an existing "
                           "build with --no-build")
    env["REFLEX_BUN_PATH"] = bun
    env["PATH"] = os.pathsep.join([str(Path(bun).parent), env.get("PATH", "")])
    print(f"[serve] building the frontend into {web_dir} ...", file=sys.stderr, flush=True)
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "reflex", "export", "--frontend-only",
                             "--no-zip", "--env", "prod"], cwd=project_dir, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.strip().splitlines()[-25:])
        raise StartupError(f"the frontend build failed (exit {result.returncode}):\n{tail}")
    _require_build(web_dir, frozen=False)
    print(f"[serve] frontend built in {time.monotonic() - began:.0f}s", file=sys.stderr,
          flush=True)


# -- serving -------------------------------------------------------------------------------------

def serve(plan: Plan, started: float) -> int:
    sock = bind(plan.host, plan.port)
    _export_environment(plan)
    os.chdir(plan.project_dir)  # Reflex reads rxconfig.py and its dirs relative to the cwd
    app = load_web_app(plan)
    asgi = build_asgi(app, plan)

    import uvicorn

    config = uvicorn.Config(asgi, lifespan="on", http="h11", ws="wsproto", loop="asyncio",
                            log_config=None, access_log=False, proxy_headers=True,
                            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS",
                                                               "127.0.0.1"),
                            timeout_graceful_shutdown=30)
    server = _ready_server(config, on_ready=lambda: _announce(plan, started))
    server.run(sockets=[sock])
    return 0 if server.started else 2


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise StartupError(f"port {port} on {host} is already in use (another Journeys or "
                               "another server?). Stop it, or choose another port with "
                               "JOURNEYS_PORT or --port.") from None
        raise StartupError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)
    return sock


def _export_environment(plan: Plan) -> None:
    """The resolved settings go into the environment, so the web app's own load_settings()
    (after the change of directory) sees exactly what was checked here."""
    from engine.ops.startup import env_name
    from engine.settings import config_path

    for name, value in plan.settings.model_dump().items():
        if value is not None:
            os.environ[env_name(name)] = str(value)
    path = config_path()
    if path.is_file():
        os.environ["JOURNEYS_CONFIG"] = str(path.resolve())
    # Reflex's internal switches have their own variable names (e.g. __REFLEX_SKIP_COMPILE).
    reflex_env = importlib.import_module("reflex_base.environment").environment
    os.environ.update({
        reflex_env.REFLEX_SKIP_COMPILE.name: "true",  # serve the prebuilt frontend as it is
        reflex_env.REFLEX_MOUNT_FRONTEND_COMPILED_APP.name: "true",  # ... from this process
        "REFLEX_ENV_MODE": "prod",
        "REFLEX_WEB_WORKDIR": str(plan.web_dir),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_FRONTEND_PORT": str(plan.port),
        "REFLEX_BACKEND_PORT": str(plan.port),
    })


def load_web_app(plan: Plan) -> Any:
    """Import the Reflex app named by rxconfig.py (by name: the engine does not import it)."""
    from engine.ops.startup import first_line

    if str(plan.project_dir) not in sys.path:  # the app package lives next to rxconfig.py
        sys.path.insert(0, str(plan.project_dir))
    try:
        config = importlib.import_module("reflex_base.config").get_config()
        if not config.app_name:
            raise StartupError(f"{plan.project_dir / 'rxconfig.py'} names no app_name")
        # Imported directly rather than through reflex.utils.prerequisites.get_app(), which
        # insists on finding the module as a .py file (a single-file build has none).
        module = config.app_module or importlib.import_module(config.module)
        app = getattr(module, "app")
    except StartupError:
        raise
    except Exception as error:  # noqa: BLE001 - report any import failure in one line
        raise StartupError(f"cannot load the web app from {plan.project_dir}: "
                           f"{type(error).__name__}: {first_line(error)}") from error
    return app


def build_asgi(app: Any, plan: Plan) -> Callable:
    """The Reflex app's ASGI callable, wrapped in the operational endpoints and the
    same-origin rewrite of the prebuilt frontend's backend address."""
    from engine.clock import SystemClock
    from engine.ops.asgi import OpsEndpoints
    from engine.ops.frontend import SameOriginBackend, static_dir
    from engine.ops.health import readiness
    from engine.ops.metrics import EngineCollector, metrics_text
    from engine.storage.database import make_engine

    asgi = app()  # Reflex's App.__call__ builds the ASGI app (compile skipped, see env)
    probe_engine = make_engine(plan.settings.database_url)  # readiness and metrics only
    clock = SystemClock()
    # The engine itself (and its in-process worker) is the web app's own lifespan task.
    asgi = SameOriginBackend(asgi, static_dir(plan.web_dir))
    return OpsEndpoints(asgi, ready=lambda: readiness(probe_engine),
                        metrics=lambda: metrics_text(EngineCollector(probe_engine, clock)))


def _ready_server(config: Any, on_ready: Callable[[], None]) -> Any:
    import uvicorn

    class ReadyServer(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            # uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown, so the process would
            # end "killed by signal"; a clean stop exits 0 instead (as `journeys worker` does).
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                on_ready()

    return ReadyServer(config)


def _announce(plan: Plan, started: float) -> None:
    if plan.demo is not None:
        print(plan.demo.announcement(plan.settings.base_url), flush=True)
    print(f"[serve] Journeys is ready on {plan.address} (in {time.monotonic() - started:.1f}s; "
          f"{plan.describe()})", flush=True)
