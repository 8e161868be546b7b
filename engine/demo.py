"""Demo data for a first look: a demo vendor who can sign in, every template journey from the
library published, and a few sample couples already on their way.

    result = seed_demo(engine, accounts)     # None when the database already holds any vendor
    if result: print(result.announcement())  # the only time the password is ever shown

Seeding happens on a brand-new installation only: if any vendor exists (the demo one or a real
one) nothing is written, so running it at every start is safe. Sample couples use example.com
addresses (RFC 2606: never delivered). Run it by hand with `python -m engine.demo`.
"""
from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from engine.accounts import AccountService
from engine.errors import Conflict
from engine.library import list_templates, load_template
from engine.service import Engine

DEMO_EMAIL = "demo@journeys.example"
DEMO_VENDOR = "Golden Hour Photography (demo)"
DEMO_TIMEZONE = "America/New_York"
DEMO_ACTOR = "demo-seed"

# (name, email, days until the wedding, status, tags, extra dates as days from today)
SAMPLE_COUPLES: tuple[tuple[str, str, int, str, list[str], dict[str, int]], ...] = (
    ("Maya & Jordan Ellis", "maya.jordan@example.com", 45, "booked", ["engagement_session"],
     {"final_payment": 31, "engagement_shoot": 12}),
    ("Priya & Sam Okafor", "priya.sam@example.com", 120, "booked", [],
     {"final_payment": 90}),
    ("Lena & Chris Novak", "lena.chris@example.com", 240, "lead", [], {}),
    ("Ava & Noah Martin", "ava.noah@example.com", 330, "lead", [], {}),
)


@dataclass
class DemoResult:
    vendor_id: str
    email: str
    password: str
    journeys: list[str] = field(default_factory=list)  # journey ids, published
    couples: list[str] = field(default_factory=list)  # client ids

    def announcement(self, base_url: str = "http://localhost:3000") -> str:
        line = "-" * 66
        return "\n".join([
            line,
            " Demo data created: shown this once, write the password down.",
            f"   sign in at  {base_url.rstrip('/')}",
            f"   email       {self.email}",
            f"   password    {self.password}",
            f" {len(self.journeys)} template journeys published, {len(self.couples)} sample "
            f"couples added.",
            line,
        ])


def needs_seeding(engine: Engine) -> bool:
    """True on a brand-new installation only (no vendor at all)."""
    with engine.store.transaction() as tx:
        return not tx.list_vendors()


def seed_demo(engine: Engine, accounts: AccountService, *,
              password: str | None = None) -> DemoResult | None:
    """Create the demo vendor, its journeys and couples; None if the installation is not new."""
    if not needs_seeding(engine):
        return None
    password = password or _new_password()
    try:
        vendor, _user, _token = accounts.signup(vendor_name=DEMO_VENDOR, email=DEMO_EMAIL,
                                                password=password, name="Demo Owner",
                                                timezone=DEMO_TIMEZONE)
    except Conflict:  # another process seeded at the same moment
        return None
    engine.update_vendor(vendor.id, settings={**(vendor.settings or {}), "demo": True},
                         phone="+1 555 0100")
    result = DemoResult(vendor_id=vendor.id, email=DEMO_EMAIL, password=password)
    for info in list_templates():
        journey = engine.journeys.create(vendor.id, load_template(info.key), actor=DEMO_ACTOR)
        engine.journeys.publish(vendor.id, journey.id, actor=DEMO_ACTOR)
        result.journeys.append(journey.id)
    today = engine.clock.now().date()
    for name, email, days, status, tags, dates in SAMPLE_COUPLES:
        client = engine.clients.add(vendor.id, {
            "name": name, "email": email, "status": status, "tags": tags,
            "timezone": DEMO_TIMEZONE,
            "wedding_date": (today + timedelta(days=days)).isoformat(),
            "dates": {k: (today + timedelta(days=v)).isoformat() for k, v in dates.items()},
            "fields": {"balance_due": "$2,400"} if status == "booked" else {},
        }, actor=DEMO_ACTOR)
        result.couples.append(client.id)
    return result


def _new_password() -> str:
    # 4 groups of 4 from an unambiguous alphabet: ~80 bits, easy to copy by hand.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def seed_database(settings: Any = None) -> DemoResult | None:
    """Seed the database named by the settings (migrating it first)."""
    from engine.accounts.sql import SqlAccountStore
    from engine.bootstrap import open_live
    from engine.ops.schema import refuse_newer_database
    from engine.settings import load_settings

    settings = settings or load_settings()
    refuse_newer_database(settings.database_url)
    live = open_live(settings)
    try:
        return seed_demo(live.engine, AccountService(SqlAccountStore(live.sa_engine),
                                                     live.engine))
    finally:
        live.sa_engine.dispose()


def main() -> int:
    from engine.errors import JourneyError

    try:
        result = seed_database()
    except JourneyError as error:
        print(f"demo: {error.message}", file=sys.stderr)
        return 2
    if result is None:
        print("demo: this installation already has data; nothing seeded", file=sys.stderr)
        return 0
    from engine.settings import load_settings

    print(result.announcement(load_settings().base_url), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
