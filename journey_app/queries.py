"""Read models the pages share, built from the engine's services (never from SQL here).

Small and honest: they list through the engine's service methods. When ``engine.analytics``
offers aggregates (counts per journey), these should call them instead of listing runs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from engine.domain import RunStatus

RUN_SCAN_LIMIT = 100_000


def journey_run_counts(eng: Any, vendor_id: str) -> dict[str, Counter]:
    """{journey_id: Counter(status -> runs)} for the vendor."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for run in eng.runs.list(vendor_id, limit=RUN_SCAN_LIMIT):
        counts[run.journey_id][run.status] += 1
    return counts


def active_count(counts: Counter) -> int:
    return sum(n for status, n in counts.items() if status in RunStatus.OPEN)


def completion_rate(counts: Counter) -> str:
    ended = sum(n for status, n in counts.items() if status in RunStatus.ENDED)
    if not ended:
        return "—"
    return f"{round(100 * counts.get(RunStatus.COMPLETED, 0) / ended)}%"


def ago(when: datetime | None, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago', or the date."""
    if when is None:
        return "—"
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        days = int(seconds // 86400)
        return f"{days} day{'s' if days != 1 else ''} ago"
    return when.strftime("%d %b %Y")


def local_and_utc(when: datetime | None, tz_name: str) -> tuple[str, str]:
    """('Sat 12 Jun 2027, 10:00 BST', '2027-06-12 09:00 UTC')."""
    if when is None:
        return "", ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except Exception:
        zone = ZoneInfo("UTC")
    local = when.astimezone(zone)
    return (local.strftime("%a %d %b %Y, %H:%M ") + (local.tzname() or ""),
            when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None
                                                                  else str(value))


def list_effects(eng: Any, vendor_id: str, *, status: str | None = None,
                 limit: int = 200) -> list[Any]:
    """The vendor's outbox rows, oldest first.

    TODO(engine): an outbox read service in engine.effects (the REST API reads the store the
    same way today); until then this is the one place the UI reads the store directly, read-only.
    """
    with eng.store.transaction() as tx:
        return tx.list_effects(vendor_id, status=status, limit=limit)
