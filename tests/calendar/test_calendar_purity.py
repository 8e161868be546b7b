"""The calendar package is pure: no clock reads, no database, no I/O imports."""
import ast
from pathlib import Path

import engine.calendar as cal

PACKAGE = Path(cal.__file__).parent
CLOCK_CALLS = {"now", "utcnow", "today", "monotonic", "perf_counter", "time_ns", "monotonic_ns"}
FORBIDDEN_IMPORTS = {"sqlalchemy", "sqlmodel", "engine.storage", "engine.runtime", "engine.clock",
                     "os", "socket", "httpx", "random", "time"}


def _sources():
    return sorted(PACKAGE.glob("*.py"))


def test_no_clock_reads():
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                attr = node.func.attr
                assert attr not in CLOCK_CALLS, f"{path.name}:{node.lineno} calls .{attr}()"
                # datetime.time() (a method) is fine; the time module's time() is the clock
                receiver = node.func.value
                assert not (attr == "time" and isinstance(receiver, ast.Name) and receiver.id == "time"), \
                    f"{path.name}:{node.lineno} calls time.time()"


def test_no_storage_or_io_imports():
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IMPORTS), \
                    f"{path.name}:{node.lineno} imports {name}"


def test_public_api_is_exported():
    for name in cal.__all__:
        assert hasattr(cal, name), name
    for name in ("check_timezone", "check_duration", "check_time_spec", "check_duration_or_time",
                 "check_calendar", "check_send_window", "get_zone", "client_zone", "localize",
                 "to_local", "local_date", "format_local", "parse_hhmm", "add_duration",
                 "BusinessCalendar", "anchor_name", "resolve_time", "delay_business_days",
                 "days_until", "next_send_time"):
        assert name in cal.__all__, name
