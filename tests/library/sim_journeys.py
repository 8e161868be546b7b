"""Helpers for test_template_journeys.py: build sample couples and events, simulate a library
template once, and read back a couple's path, inbox and step times.

Expected times are written in the tests as the couple's local wall-clock time with its UTC
offset ("2027-03-30T10:00:00+01:00"), worked out by hand from the template and the spec. Every
read here checks both fields of a step: `local` must be exactly that text and `at` must be the
same instant in UTC with a Z, so a wrong offset (a missed DST change) fails as loudly as a
wrong day.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Any

from engine.clock import parse_instant
from engine.library import load_template
from engine.simulate import simulate


def utc(local: str) -> str:
    """'2027-03-30T10:00:00+01:00' -> '2027-03-30T09:00:00Z' (the spec's UTC form)."""
    return datetime.fromisoformat(local).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def path(text: str) -> list[str]:
    """A path written as space-separated node ids (line breaks allowed). A token "a|b" is a
    random `split`: either branch is right (which one depends on the seed's hash)."""
    return text.split()


def resolve(expected: list[Any], actual: list[Any]) -> list[Any]:
    """`expected` with each "a|b" alternative replaced by the actual entry at that position
    when it is one of them, so that `==` then compares everything else (with a readable diff).
    Entries may be node ids or (node, local) pairs."""
    out = []
    for i, want in enumerate(expected):
        got = actual[i] if i < len(actual) else None
        name, rest = (want, None) if isinstance(want, str) else (want[0], want[1:])
        if "|" in name and got is not None:
            got_name = got if isinstance(got, str) else got[0]
            if got_name in name.split("|"):
                want = got_name if rest is None else (got_name, *rest)
        out.append(want)
    return out


def couple(cid: str, tz: str, wedding: str | None, *, status: str = "booked",
           dates: dict[str, str] | None = None, fields: dict[str, Any] | None = None,
           tags: list[str] | None = None, added_at: str | None = None) -> dict[str, Any]:
    client: dict[str, Any] = {"id": cid, "name": cid.replace("_", " ").title(),
                              "email": f"{cid}@example.com", "timezone": tz,
                              "wedding_date": wedding, "status": status,
                              "dates": dict(dates or {}), "fields": dict(fields or {}),
                              "tags": list(tags or [])}
    if added_at:
        client["added_at"] = added_at
    return client


def event(at: str, cid: str, etype: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"at": at, "client": cid, "type": etype, "data": dict(data or {})}


def form_back(at: str, cid: str, form: str, **answers: Any) -> dict[str, Any]:
    """The couple submits a hosted form."""
    return event(at, cid, "form_submitted", {"form": form, "answers": answers})


def paid(at: str, cid: str, amount: int = 500) -> dict[str, Any]:
    return event(at, cid, "payment_received", {"amount": amount})


def update(at: str, cid: str, **changes: Any) -> dict[str, Any]:
    """A client_updated event (a reschedule when it changes dates). Note that `dates` and
    `fields` replace the whole object, as a PATCH of the client does."""
    return event(at, cid, "client_updated", changes)


def approve(at: str, cid: str, node: str) -> dict[str, Any]:
    return event(at, cid, "approval", {"decision": "approved", "node": node})


def reject(at: str, cid: str, node: str) -> dict[str, Any]:
    return event(at, cid, "approval", {"decision": "rejected", "node": node})


class Journey:
    """One simulation of a library template; read it per couple."""

    def __init__(self, key: str, clients: list[dict[str, Any]], events: list[dict[str, Any]],
                 *, start: str, until: str, vendor_timezone: str = "America/New_York"):
        self.key = key
        self.result = simulate(load_template(key), clients, events,
                               start=parse_instant(start), until=parse_instant(until),
                               vendor_timezone=vendor_timezone)

    # -- runs ---------------------------------------------------------------------------------
    def runs(self, cid: str) -> list[dict[str, Any]]:
        return [r for r in self.result["runs"] if r["client"] == cid]

    def run(self, cid: str) -> dict[str, Any]:
        runs = self.runs(cid)
        assert len(runs) == 1, f"{cid}: expected one run, got {runs}"
        return runs[0]

    def path(self, cid: str) -> list[str]:
        return self.run(cid)["path"]

    def status(self, cid: str) -> str:
        return self.run(cid)["status"]

    # -- steps --------------------------------------------------------------------------------
    def steps(self, cid: str, node: str | None = None) -> list[dict[str, Any]]:
        found = [s for s in self.result["steps"] if s["client"] == cid
                 and (node is None or s["node"] == node)]
        for s in found:  # both fields of every step read agree
            assert s["at"] == utc(s["local"]), s
        return found

    def step(self, cid: str, node: str, nth: int = 1) -> dict[str, Any]:
        found = self.steps(cid, node)
        assert len(found) >= nth, f"{cid}: {node} ran {len(found)} time(s), wanted #{nth}"
        return found[nth - 1]

    def when(self, cid: str, node: str, nth: int = 1) -> str:
        """The local time of the nth step at `node` (its UTC `at` is checked to match)."""
        return self.step(cid, node, nth)["local"]

    def outcome(self, cid: str, node: str, nth: int = 1) -> str:
        return self.step(cid, node, nth)["outcome"]

    def inbox(self, cid: str) -> list[tuple[str, str]]:
        """Every email and form the couple received: (node, local time), in order."""
        return [(s["node"], s["local"]) for s in self.steps(cid) if s["outcome"] == "sent"]

    def most_in_a_day(self, cid: str) -> int:
        days = Counter(local[:10] for _, local in self.inbox(cid))
        return max(days.values(), default=0)


def assert_step(journey: Journey, cid: str, node: str, local: str, outcome: str | None = None,
                nth: int = 1) -> None:
    """The nth step at `node` happened at `local` (and at its UTC instant), with `outcome`."""
    step = journey.step(cid, node, nth)
    assert (step["local"], step["at"]) == (local, utc(local)), (cid, node, step)
    if outcome is not None:
        assert step["outcome"] == outcome, (cid, node, step)
