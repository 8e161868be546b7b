"""Liveness and readiness, as plain functions (the HTTP face is engine.ops.asgi).

- /healthz (liveness): the process is up and answering. Never touches the database, so a slow or
  down database does not get a healthy process restarted in a loop.
- /readyz (readiness): the database answers and its schema is exactly this code's head. Until
  then a load balancer should not send traffic here.
"""
from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from engine.ops.schema import schema_state

READY_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Health:
    ok: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status_code(self) -> int:
        return 200 if self.ok else 503

    def to_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "unavailable", "checks": self.checks}


def liveness() -> Health:
    return Health(ok=True, checks={"process": {"ok": True}})


def readiness(sa_engine: Engine, *, timeout: float = READY_TIMEOUT_S) -> Health:
    """The database answers within `timeout` seconds and is migrated to this code's head."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(_check_database, sa_engine)
    try:
        database, schema = future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        database = {"ok": False, "error": f"no answer within {timeout:g}s"}
        schema = {"ok": False, "error": "database not reachable"}
    finally:
        pool.shutdown(wait=False)  # a hung connect must not hang the probe
    return Health(ok=database["ok"] and schema["ok"],
                  checks={"database": database, "schema": schema})


def _check_database(sa_engine: Engine) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        with sa_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", with the reason
        return ({"ok": False, "error": _one_line(error)},
                {"ok": False, "error": "database not reachable"})
    try:
        state = schema_state(sa_engine)
    except Exception as error:  # noqa: BLE001
        return {"ok": True}, {"ok": False, "error": _one_line(error)}
    schema: dict[str, Any] = {"ok": state.at_head, "current": list(state.current),
                              "head": list(state.heads)}
    if not state.at_head:
        schema["error"] = state.describe()
    return {"ok": True}, schema


def _one_line(error: BaseException) -> str:
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")


__all__ = ["Health", "READY_TIMEOUT_S", "liveness", "readiness"]
