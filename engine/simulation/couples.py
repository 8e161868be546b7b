"""Synthetic couples: clients and events in the `journeys simulate` input format, from a seed.

A vendor describes the couples it expects (when they marry, where they live, how long before the
wedding they book, how likely they are to return a form or pay, and how long they take) as a
`CouplesProfile`; `generate_couples()` draws that many couples and what they will do. The same
profile, count, start and seed give the same couples, byte for byte: every draw comes from a
`random.Random` seeded with text (stable across processes and PYTHONHASHSEED), one per couple,
so couple 17 is the same couple whether 100 or 10,000 are drawn.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping, Sequence

from engine.calendar import get_zone, localize
from engine.clock import ensure_utc, format_utc

# Weddings happen mostly on Saturdays; weekday weights for a drawn date (Mon=0 ... Sun=6).
DEFAULT_WEEKDAY_WEIGHTS = (0.3, 0.3, 0.4, 0.6, 2.0, 6.0, 1.5)
# Peak season in the northern hemisphere: May to October.
DEFAULT_MONTH_WEIGHTS = {1: 0.3, 2: 0.4, 3: 0.6, 4: 0.9, 5: 1.4, 6: 1.8, 7: 1.6, 8: 1.6,
                         9: 2.0, 10: 1.8, 11: 0.6, 12: 0.5}
DEFAULT_TIMEZONES = (("America/New_York", 4.0), ("America/Chicago", 2.0),
                     ("America/Los_Angeles", 3.0), ("Europe/London", 1.0))
DEFAULT_LEAD_SOURCES = (("instagram", 4.0), ("referral", 3.0), ("the_knot", 2.0),
                        ("google", 2.0), ("wedding_fair", 1.0))


@dataclass(frozen=True)
class Behaviour:
    """Something a couple may do: with `probability`, `delay_hours` (min, max) after `after`.

    `after` is "added" (when the couple enquired), "wedding_date" (local noon on the day; a
    negative delay is before it) or the `name` of another behaviour (only couples who did that
    one can do this one, e.g. the balance after the deposit). Delays are drawn from a triangular
    distribution leaning towards `min` (most couples answer quickly, a few take long).
    """
    name: str
    type: str  # form_submitted | payment_received | manual | custom:<name> | client_updated
    probability: float
    delay_hours: tuple[float, float] = (1.0, 72.0)
    after: str = "added"
    data: Mapping[str, Any] = field(default_factory=dict)


DEFAULT_BEHAVIOURS = (
    Behaviour("questionnaire", "form_submitted", 0.72, (2, 24 * 9), "added",
              {"form": "wedding-questionnaire", "answers": {"guests": 120}}),
    Behaviour("deposit", "payment_received", 0.61, (24, 24 * 21), "added",
              {"kind": "deposit", "amount": 500}),
    Behaviour("balance", "payment_received", 0.93, (24 * 20, 24 * 60), "deposit",
              {"kind": "balance", "amount": 2500}),
    Behaviour("tour", "custom:tour_booked", 0.35, (12, 24 * 14), "added", {}),
    Behaviour("cancelled", "custom:booking_cancelled", 0.04, (24 * 7, 24 * 120), "added", {}),
)


@dataclass(frozen=True)
class CouplesProfile:
    """Who the couples are. Dates are local calendar dates; every field has a sensible default.

    season: (first, last) wedding date; None: from a month after the start to a year after it.
    lead_time_days: (min, mode, max) days between the enquiry and the wedding. A couple whose
    drawn lead time would put the enquiry before the start enquires at a uniformly drawn moment
    between the start and its wedding instead (no pile-up of couples at the first instant).
    """
    season: tuple[date, date] | None = None
    weekday_weights: Sequence[float] = DEFAULT_WEEKDAY_WEIGHTS
    month_weights: Mapping[int, float] = field(default_factory=lambda: dict(DEFAULT_MONTH_WEIGHTS))
    timezones: Sequence[tuple[str, float]] = DEFAULT_TIMEZONES
    lead_time_days: tuple[float, float, float] = (45.0, 240.0, 420.0)
    lead_sources: Sequence[tuple[str, float]] = DEFAULT_LEAD_SOURCES
    behaviours: Sequence[Behaviour] = DEFAULT_BEHAVIOURS
    status: str = "lead"
    # Enquiries arrive in the couple's local business hours.
    enquiry_hours: tuple[int, int] = (8, 21)


@dataclass
class Couples:
    """Generated input for a simulation: `clients` and `events` as `journeys simulate` reads them."""
    clients: list[dict[str, Any]]
    events: list[dict[str, Any]]
    start: datetime
    until: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"clients": self.clients, "events": self.events}


def _season(profile: CouplesProfile, start: datetime) -> tuple[date, date]:
    if profile.season is not None:
        return profile.season
    return start.date() + timedelta(days=30), start.date() + timedelta(days=364)


def _date_table(profile: CouplesProfile, first: date, last: date) -> tuple[list[date], list[float]]:
    dates, cumulative, total = [], [], 0.0
    day = first
    while day <= last:
        weight = (profile.weekday_weights[day.weekday()]
                  * float(profile.month_weights.get(day.month, 1.0)))
        if weight > 0:
            total += weight
            dates.append(day)
            cumulative.append(total)
        day += timedelta(days=1)
    if not dates:
        raise ValueError("the season has no date with a positive weight")
    return dates, cumulative


def _pick(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def generate_couples(count: int, *, start: datetime, seed: int | str = 0,
                     profile: CouplesProfile | None = None,
                     until: datetime | None = None, prefix: str = "c") -> Couples:
    """Draw `count` couples who enquire between `start` and their wedding.

    Each couple gets a wedding date in the season, a time zone, a lead source
    (`fields.lead_source`) and an enquiry instant (`added_at`, never before `start`), plus the
    events its behaviours produce before `until` (default: start + 1 year).
    """
    profile = profile or CouplesProfile()
    start = ensure_utc(start).replace(microsecond=0)
    until = ensure_utc(until) if until is not None else start + timedelta(days=365)
    first, last = _season(profile, start)
    dates, cumulative = _date_table(profile, first, last)
    width = max(4, len(str(count)))
    clients: list[dict[str, Any]] = []
    events: list[tuple[datetime, int, dict[str, Any]]] = []
    lo, mode, hi = profile.lead_time_days
    for i in range(count):
        rng = random.Random(f"journeys-couples|{seed}|{i}")
        cid = f"{prefix}{i + 1:0{width}d}"
        tz_name = _pick(rng, profile.timezones)
        zone = get_zone(tz_name)
        wedding = rng.choices(dates, cum_weights=cumulative)[0]
        lead, fallback = rng.triangular(lo, hi, mode), rng.random()
        room = (wedding - start.date()).days
        if lead > room:
            lead = room * fallback
        hour = rng.randrange(profile.enquiry_hours[0], profile.enquiry_hours[1])
        minute = rng.randrange(60)
        added = max(localize(wedding - timedelta(days=int(lead)), time(hour, minute), zone), start)
        source = _pick(rng, profile.lead_sources)
        clients.append({
            "id": cid, "name": f"Couple {i + 1}", "email": f"{cid}@example.com",
            "timezone": tz_name, "wedding_date": wedding.isoformat(), "dates": {},
            "fields": {"lead_source": source, "guests": 40 + rng.randrange(200)},
            "status": profile.status, "tags": [], "added_at": format_utc(added)})
        wedding_noon = localize(wedding, time(12), zone)
        happened: dict[str, datetime] = {}
        for b in profile.behaviours:
            base = (added if b.after == "added" else wedding_noon if b.after == "wedding_date"
                    else happened.get(b.after))
            # Draw both numbers for every couple, so one behaviour's outcome never shifts the
            # random stream of the next (a profile tweak changes only what it touches).
            roll, spread = rng.random(), rng.triangular(0.0, 1.0, 0.0)
            if base is None or roll >= b.probability:
                continue
            low, high = b.delay_hours
            at = (base + timedelta(hours=low + (high - low) * spread)).replace(microsecond=0)
            if at < added:
                continue
            happened[b.name] = at
            if at <= until:
                events.append((at, len(events), {"at": format_utc(at), "client": cid,
                                                 "type": b.type, "data": dict(b.data)}))
    events.sort(key=lambda e: (e[0], e[1]))
    return Couples(clients=clients, events=[e for _, _, e in events], start=start, until=until)
