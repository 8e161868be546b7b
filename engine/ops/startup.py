"""Start-up checks shared by the long-running commands: settings that are present, valid and
safe for a server, and a database that is reachable, not newer than this code, and migrated.

Every failure is a StartupError whose message names the setting or resource, where it came
from, and how to fix it; the command prints it on one screen and exits 2 (never a traceback).
"""
from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from engine.errors import InvalidInput, JourneyError

INSECURE_SECRET = "dev-insecure-change-me"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


class StartupError(Exception):
    """A reason not to start, phrased for the person running the server."""


def load_checked_settings(**overrides: Any) -> Any:
    """Settings from overrides, environment and journeys.toml (engine.settings), checked for a
    server: a StartupError lists every problem at once."""
    settings = _absolute_sqlite(_default_base_url(_load(overrides)))
    problems = server_problems(settings)
    if problems:
        raise StartupError("the settings are not usable for a server:\n  - "
                           + "\n  - ".join(problems))
    return settings


def _load(overrides: dict[str, Any]) -> Any:
    from engine.settings import config_path, load_settings

    path = config_path()
    if "JOURNEYS_CONFIG" in os.environ and not path.is_file():
        raise StartupError(f"JOURNEYS_CONFIG is {path}, but there is no such file. Create it or "
                           "unset JOURNEYS_CONFIG.")
    try:
        return load_settings(**overrides)
    except InvalidInput as error:
        items = (error.details if isinstance(error.details, list) and error.details
                 else error.message.removeprefix("bad settings: ").split("; "))
        source = f"{path.resolve()}" + ("" if path.is_file() else " (not present)")
        raise StartupError("bad settings:\n  - " + "\n  - ".join(map(str, items))
                           + f"\nSettings are read from environment variables, then {source}."
                           ) from None
    except ValueError as error:  # tomllib.TOMLDecodeError is a ValueError
        raise StartupError(f"{path.resolve()} is not valid TOML: {error}. Fix the file or "
                           "set JOURNEYS_CONFIG to another one.") from None
    except OSError as error:
        raise StartupError(f"cannot read {path}: {error.strerror or error}") from None


def server_problems(settings: Any) -> list[str]:
    """Settings that are valid on their own but unsafe or unusable for a real server."""
    from urllib.parse import urlsplit

    from sqlalchemy.engine import make_url

    problems: list[str] = []
    base = urlsplit(settings.base_url)
    if base.scheme not in ("http", "https") or not base.hostname:
        problems.append(f"base_url {settings.base_url!r} must be the public address people open, "
                        "like https://journeys.example.com (set JOURNEYS_BASE_URL)")
    elif base.hostname not in LOCAL_HOSTS and settings.secret_key == INSECURE_SECRET:
        problems.append("secret_key is still the development default while base_url is public "
                        f"({settings.base_url}); set JOURNEYS_SECRET_KEY to a long random value, "
                        "e.g. the output of `openssl rand -hex 32`")
    if settings.database_url.startswith("sqlite"):
        database = make_url(settings.database_url).database or ""
        if not database or database == ":memory:":
            problems.append("DATABASE_URL must name a database file (sqlite:////path/journeys.db)"
                            "; an in-memory database would lose everything at exit")
        elif not Path(database).parent.is_dir():
            problems.append(f"the database folder {Path(database).parent} does not exist; create "
                            "it (mkdir -p) or point DATABASE_URL elsewhere")
        elif not os.access(Path(database).parent, os.W_OK):
            problems.append(f"the database folder {Path(database).parent} is not writable by "
                            "this user")
    return problems


def host_problem(host: str) -> str | None:
    try:
        socket.getaddrinfo(host, None)
        return None
    except (socket.gaierror, UnicodeError):
        return f"host {host!r} is not an address to listen on (e.g. 0.0.0.0 or 127.0.0.1)"


def _default_base_url(settings: Any) -> Any:
    """No base_url given: the local address on the configured port (form links use it)."""
    if "base_url" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"base_url": f"http://localhost:{settings.port}"})


def _absolute_sqlite(settings: Any) -> Any:
    """A relative SQLite path means "relative to where the command was started": make it
    absolute, so a later change of directory cannot move the database."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or Path(url.database).is_absolute():
        return settings
    absolute = url.set(database=str(Path(url.database).resolve()))
    return settings.model_copy(update={
        "database_url": absolute.render_as_string(hide_password=False)})


def prepare_database(url: str) -> str:
    """Refuse a database newer than this code, then migrate it to head; says what it did."""
    from sqlalchemy.exc import SQLAlchemyError

    from engine.ops.schema import refuse_newer_database
    from engine.storage.database import migrate

    try:
        before = refuse_newer_database(url)
        migrate(url)
    except JourneyError:
        raise
    except SQLAlchemyError as error:
        raise StartupError(f"cannot use the database {safe_url(url)}: {first_line(error)}. "
                           "Check DATABASE_URL and that the database server is running."
                           ) from None
    done = "created" if before.empty else ("migrated" if not before.at_head else "up to date")
    return f"schema {done} at {before.head_text}"


def env_name(setting: str) -> str:
    """The environment variable of a setting."""
    return "DATABASE_URL" if setting == "database_url" else f"JOURNEYS_{setting.upper()}"


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


__all__ = ["StartupError", "env_name", "first_line", "host_problem", "load_checked_settings",
           "prepare_database", "safe_url", "server_problems"]
