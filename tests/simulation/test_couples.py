import json
from datetime import date, datetime, timedelta, timezone

from engine.clock import parse_instant
from engine.simulate import simulate
from engine.simulation import Behaviour, CouplesProfile, generate_couples

START = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)


def _dump(couples) -> str:
    return json.dumps(couples.to_dict(), sort_keys=True)


def test_same_seed_same_couples_byte_for_byte():
    assert _dump(generate_couples(300, start=START, seed=11)) == \
        _dump(generate_couples(300, start=START, seed=11))
    assert _dump(generate_couples(300, start=START, seed=11)) != \
        _dump(generate_couples(300, start=START, seed=12))


def test_a_couple_does_not_depend_on_how_many_are_drawn():
    few = generate_couples(20, start=START, seed="s", prefix="c")
    many = generate_couples(2000, start=START, seed="s", prefix="c")
    # ids are padded to the count's width, the rest of each couple is the same
    for a, b in zip(few.clients, many.clients[:20]):
        assert {k: v for k, v in a.items() if k not in ("id", "email")} == \
            {k: v for k, v in b.items() if k not in ("id", "email")}


def test_couples_fit_the_profile():
    profile = CouplesProfile(season=(date(2027, 5, 1), date(2027, 9, 30)),
                             timezones=(("Europe/Paris", 1.0), ("Asia/Tokyo", 1.0)),
                             lead_sources=(("fair", 1.0),))
    out = generate_couples(500, start=START, seed=3, profile=profile)
    weddings = [date.fromisoformat(c["wedding_date"]) for c in out.clients]
    assert min(weddings) >= date(2027, 5, 1) and max(weddings) <= date(2027, 9, 30)
    assert sum(w.weekday() == 5 for w in weddings) > len(weddings) / 3  # mostly Saturdays
    assert {c["timezone"] for c in out.clients} == {"Europe/Paris", "Asia/Tokyo"}
    assert {c["fields"]["lead_source"] for c in out.clients} == {"fair"}
    for c in out.clients:
        added = parse_instant(c["added_at"])
        assert START <= added <= datetime.combine(date.fromisoformat(c["wedding_date"]),
                                                  datetime.max.time(), tzinfo=timezone.utc)
    instants = [parse_instant(e["at"]) for e in out.events]
    assert instants == sorted(instants) and all(START <= t <= out.until for t in instants)


def test_behaviour_probabilities_and_chains():
    profile = CouplesProfile(behaviours=(
        Behaviour("always", "form_submitted", 1.0, (1, 2), "added", {"form": "f"}),
        Behaviour("never", "custom:never", 0.0, (1, 2)),
        Behaviour("after", "payment_received", 1.0, (24, 48), "always", {"kind": "deposit"}),
        Behaviour("half", "manual", 0.5, (1, 1)),
    ))
    out = generate_couples(1000, start=START, seed=5, profile=profile,
                           until=START + timedelta(days=2000))
    kinds = {}
    for e in out.events:
        kinds.setdefault(e["type"], []).append(e)
    assert len(kinds["form_submitted"]) == 1000 and "custom:never" not in kinds
    assert len(kinds["payment_received"]) == 1000
    assert 400 < len(kinds["manual"]) < 600
    added = {c["id"]: parse_instant(c["added_at"]) for c in out.clients}
    form = {e["client"]: parse_instant(e["at"]) for e in kinds["form_submitted"]}
    for e in kinds["payment_received"]:
        delay = parse_instant(e["at"]) - form[e["client"]]
        assert timedelta(hours=24) <= delay <= timedelta(hours=48, seconds=1)
    for cid, at in form.items():
        assert timedelta(hours=1) <= at - added[cid] <= timedelta(hours=2, seconds=1)


def test_generated_couples_run_through_simulate_byte_identical():
    doc = {"format": "journeys/v1", "name": "Tiny",
           "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
                     {"id": "hi", "type": "email", "config": {"subject": "Hi {{ client.name }}",
                                                             "body": "Hello"}},
                     {"id": "form", "type": "wait_for",
                      "config": {"event": "form_submitted", "timeout": {"days": 5}}},
                     {"id": "end", "type": "exit"}],
           "edges": [{"from": "start", "to": "hi"}, {"from": "hi", "to": "form"},
                     {"from": "form", "to": "end", "when": "event"},
                     {"from": "form", "to": "end", "when": "timeout"}]}
    couples = generate_couples(60, start=START, seed=9)
    runs = [json.dumps(simulate(doc, couples.clients, couples.events, start=START,
                                until=couples.until, seed=9), sort_keys=True) for _ in range(2)]
    assert runs[0] == runs[1]
    out = json.loads(runs[0])
    assert len(out["runs"]) == 60
    assert {s["outcome"] for s in out["steps"] if s["node"] == "form"} == {"event", "timeout"}
