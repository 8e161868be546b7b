"""The storage contract (engine/storage/base.py): each body runs on memory, SQLite, PostgreSQL."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.domain import (Approval, Client, Effect, Event, FormRequest, Journey, JourneyVersion,
                           Run, RunStatus, StepRecord, Vendor, WakeUp)
from engine.errors import Conflict, DuplicateStep

T0 = datetime(2026, 6, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
PARIS = timezone(timedelta(hours=2))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# -- builders with every field set ---------------------------------------------------------------

def vendor(vid: str = "v1", **kw) -> Vendor:
    base = dict(id=vid, name="Lens & Lace", timezone="Europe/Paris", email="hi@lens.example",
                reply_to="reply@lens.example", phone="+33 1 23 45 67 89",
                blackout_dates=[date(2026, 12, 24), date(2026, 12, 25)],
                settings={"send_window": {"start": "08:00", "end": "20:00"}, "ab": [1, 2.5, None]},
                created_at=at(0))
    return Vendor(**{**base, **kw})


def client(cid: str = "c1", vid: str = "v1", **kw) -> Client:
    base = dict(id=cid, vendor_id=vid, name="Zoë Martin", email="zoe@example.com",
                external_id=f"ext-{cid}", status="lead", timezone="America/New_York",
                wedding_date=date(2027, 5, 22),
                dates={"engagement": date(2026, 2, 14), "final_payment": date(2027, 4, 1)},
                fields={"venue": "Château d'Or", "guests": 120, "vip": True, "notes": None,
                        "nested": {"a": [1, {"b": "c"}]}},
                tags=["summer", "référence"],
                form_answers={"inquiry": {"budget": 4500.5, "styles": ["boho", "classic"]}},
                created_at=at(1), updated_at=at(2))
    return Client(**{**base, **kw})


def journey(jid: str = "j1", vid: str = "v1", **kw) -> Journey:
    base = dict(id=jid, vendor_id=vid, name="Wedding countdown",
                draft={"format": "journeys/v1", "name": "Wedding countdown", "nodes": [
                    {"id": "start", "type": "trigger", "config": {"event": "date"}}],
                    "edges": []},
                live_version=2, latest_version=3, archived=False, created_at=at(0),
                updated_at=at(5), updated_by="ana@lens.example")
    return Journey(**{**base, **kw})


def version(jid: str = "j1", number: int = 1, **kw) -> JourneyVersion:
    # Keys deliberately not in sorted order: a published document reads back as written.
    document = {"format": "journeys/v1", "name": f"v{number}", "settings": {"z": 1, "a": 2},
                "nodes": [{"type": "trigger", "id": "start"}], "edges": []}
    base = dict(journey_id=jid, version=number, document=document, published_at=at(number),
                published_by="ana")
    return JourneyVersion(**{**base, **kw})


def run(rid: str = "r1", **kw) -> Run:
    base = dict(id=rid, vendor_id="v1", journey_id="j1", version=2, client_id="c1",
                status=RunStatus.WAITING, node="wait_30d", visit=3,
                visits={"start": 1, "wait_30d": 3},
                wait={"kind": "delay", "due": "2026-07-01T09:00:00Z", "anchor": "wedding_date",
                      "spec": {"anchor": "wedding_date", "offset": "-30d"}},
                event={"type": "form_submitted", "data": {"form": "inquiry"}},
                due_at=at(60), split_key="ext-c1:1", seq=7, paused_status=None,
                error="previous attempt failed", goal_at=at(30), entered_at=at(10),
                started_at=at(0), ended_at=None, updated_at=at(11))
    return Run(**{**base, **kw})


def step(key: str = "send#1", rid: str = "r1", seq: int = 1, **kw) -> StepRecord:
    base = dict(run_id=rid, key=key, node=key.split("#")[0], visit=1, type="email",
                outcome="sent", at=at(seq), seq=seq, actor="engine",
                detail={"subject": "Hello", "to": ["zoe@example.com"]}, vendor_id="v1",
                journey_id="j1", version=2, client_id="c1", entered_at=at(0))
    return StepRecord(**{**base, **kw})


def event(eid: str = "e1", key: str | None = "k1", **kw) -> Event:
    base = dict(id=eid, vendor_id="v1", client_id="c1", type="form_submitted",
                data={"form": "inquiry", "answers": {"budget": 3000}}, key=key,
                received_at=at(3), result={"started": ["r1"], "duplicate": False})
    return Event(**{**base, **kw})


def run_wakeup(rid: str = "r1", due: datetime | None = None, wid: str | None = None,
               **kw) -> WakeUp:
    base = dict(id=wid or f"w:{rid}", vendor_id="v1", kind="run", due_at=due or at(60),
                run_id=rid, journey_id="j1", client_id="c1", anchor="wedding_date",
                lease_owner="worker-1", lease_until=at(61))
    return WakeUp(**{**base, **kw})


def date_trigger(jid: str = "j1", cid: str = "c1", due: datetime | None = None,
                 wid: str | None = None, **kw) -> WakeUp:
    base = dict(id=wid or f"dt:{jid}:{cid}", vendor_id="v1", kind="date_trigger",
                due_at=due or at(120), run_id=None, journey_id=jid, client_id=cid,
                anchor="wedding_date", lease_owner=None, lease_until=None)
    return WakeUp(**{**base, **kw})


def effect(fid: str = "f1", key: str = "r1:send:1", **kw) -> Effect:
    base = dict(id=fid, vendor_id="v1", key=key, kind="email",
                payload={"to": "zoe@example.com", "subject": "30 days to go", "body": "…"},
                created_at=at(4), run_id="r1", client_id="c1", status="pending", attempts=2,
                next_attempt_at=at(5), sent_at=None, last_error="timeout",
                destination="zoe@example.com")
    return Effect(**{**base, **kw})


def approval(aid: str = "a1", **kw) -> Approval:
    base = dict(id=aid, vendor_id="v1", run_id="r1", client_id="c1", journey_id="j1",
                node="review", visit=1, email={"subject": "Draft", "body": "Hi", "to": "z@x"},
                created_at=at(6), deadline=at(6 + 24 * 60), on_timeout="send",
                status="pending", decided_by=None, decided_at=None)
    return Approval(**{**base, **kw})


def form_request(token: str = "tok-1", **kw) -> FormRequest:
    base = dict(id="frq1", vendor_id="v1", token=token, form_key="questionnaire",
                client_id="c1", run_id="r1", node="ask", created_at=at(7),
                expires_at=at(7 + 14 * 24 * 60), submitted_at=None, answers=None)
    return FormRequest(**{**base, **kw})


def setup_owner(store, vendors=("v1",), journeys=()) -> None:
    """Vendors (and journeys) that clients, journeys and versions belong to."""
    with store.transaction() as tx:
        for vid in vendors:
            tx.put_vendor(vendor(vid))
        for jid in journeys:
            tx.put_journey(journey(jid))


def assert_aware(*values: datetime | None) -> None:
    for value in values:
        if value is not None:
            assert value.utcoffset() is not None, f"{value!r} is naive"


# -- round trips ---------------------------------------------------------------------------------

def test_vendor_round_trip_and_update(store):
    with store.transaction() as tx:
        tx.put_vendor(vendor())
        tx.put_vendor(vendor("v2", name="Bloom", email=None, reply_to=None, phone=None,
                             blackout_dates=[], settings={}, created_at=None))
    with store.transaction() as tx:
        assert tx.get_vendor("v1") == vendor()
        assert tx.get_vendor("v2") == vendor("v2", name="Bloom", email=None, reply_to=None,
                                             phone=None, blackout_dates=[], settings={},
                                             created_at=None)
        assert tx.get_vendor("nope") is None
        assert_aware(tx.get_vendor("v1").created_at)
        assert sorted(v.id for v in tx.list_vendors()) == ["v1", "v2"]
        tx.put_vendor(vendor(name="Lens & Lace Studio", blackout_dates=[date(2027, 1, 1)]))
    with store.transaction() as tx:
        got = tx.get_vendor("v1")
        assert got.name == "Lens & Lace Studio" and got.blackout_dates == [date(2027, 1, 1)]
        assert len(tx.list_vendors()) == 2


def test_client_round_trip_find_update_delete(store):
    setup_owner(store)
    bare = client("c2", external_id=None, status=None, timezone=None, wedding_date=None, dates={},
                  fields={}, tags=[], form_answers={}, created_at=None, updated_at=None)
    with store.transaction() as tx:
        tx.put_client(client())
        tx.put_client(bare)
    with store.transaction() as tx:
        got = tx.get_client("c1")
        assert got == client()
        assert isinstance(got.wedding_date, date) and got.dates["engagement"] == date(2026, 2, 14)
        assert_aware(got.created_at, got.updated_at)
        assert tx.get_client("c2") == bare
        assert tx.find_client("v1", "ext-c1") == client()
        assert tx.find_client("v2", "ext-c1") is None
        assert tx.get_client("nope") is None
        changed = client(external_id="crm-42", name="Zoë Dupont", tags=[],
                         dates={"engagement": date(2026, 3, 1)})
        tx.put_client(changed)
    with store.transaction() as tx:
        assert tx.get_client("c1") == changed
        assert tx.find_client("v1", "ext-c1") is None
        assert tx.find_client("v1", "crm-42") == changed
        tx.delete_client("c1")
        tx.delete_client("does-not-exist")
    with store.transaction() as tx:
        assert tx.get_client("c1") is None and tx.find_client("v1", "crm-42") is None
        assert [c.id for c in tx.list_clients("v1")] == ["c2"]


def test_journey_and_version_round_trip(store):
    setup_owner(store)
    with store.transaction() as tx:
        tx.put_journey(journey())
        tx.add_version(version(number=2))
        tx.add_version(version(number=1))
        tx.add_version(version(number=3, published_by=None))
    with store.transaction() as tx:
        assert tx.get_journey("j1") == journey()
        assert tx.get_journey("nope") is None
        got = tx.get_version("j1", 2)
        assert got == version(number=2)
        assert list(got.document) == ["format", "name", "settings", "nodes", "edges"]
        assert list(got.document["settings"]) == ["z", "a"]
        assert_aware(got.published_at)
        assert tx.get_version("j1", 9) is None
        assert [v.version for v in tx.list_versions("j1")] == [1, 2, 3]
        assert tx.list_versions("other") == []
        tx.put_journey(journey(name="Renamed", live_version=None, archived=True))
    with store.transaction() as tx:
        assert tx.get_journey("j1") == journey(name="Renamed", live_version=None, archived=True)
        assert list(tx.get_journey("j1").draft) == ["format", "name", "nodes", "edges"]


def test_run_round_trip_and_update(store):
    bare = run("r2", node=None, visit=0, visits={}, wait=None, event={}, due_at=None,
               split_key="", seq=0, error=None, goal_at=None, entered_at=None, started_at=at(1),
               updated_at=None, status=RunStatus.ACTIVE)
    with store.transaction() as tx:
        tx.put_run(run())
        tx.put_run(bare)
    with store.transaction() as tx:
        got = tx.get_run("r1")
        assert got == run()
        assert_aware(got.due_at, got.goal_at, got.entered_at, got.started_at, got.updated_at)
        assert tx.get_run("r2") == bare
        assert tx.get_run("nope") is None
        ended = run(status=RunStatus.COMPLETED, node="end", wait=None, due_at=None,
                    ended_at=at(90), paused_status="waiting", seq=8, visits={"end": 1})
        tx.put_run(ended)
    with store.transaction() as tx:
        assert tx.get_run("r1") == ended


def test_step_round_trip_in_insertion_order(store):
    with store.transaction() as tx:
        # Several steps of one walk share a seq: the log keeps the order they were written in.
        for key in ("start#1", "wait#1", "send#1"):
            tx.add_step(step(key, seq=4))
        tx.add_step(step("control#5", seq=5, node=None, actor="ana", detail={}, entered_at=None))
        tx.add_step(step("start#1", rid="r2"))
    with store.transaction() as tx:
        steps = tx.steps_for_run("r1")
        assert [s.key for s in steps] == ["start#1", "wait#1", "send#1", "control#5"]
        assert steps[0] == step("start#1", seq=4)
        assert steps[3] == step("control#5", seq=5, node=None, actor="ana", detail={},
                                entered_at=None)
        assert_aware(steps[0].at, steps[0].entered_at)
        assert [s.key for s in tx.steps_for_run("r2")] == ["start#1"]
        assert tx.steps_for_run("nope") == []


def test_event_round_trip_and_listing(store):
    with store.transaction() as tx:
        tx.add_event(event("e1", "k1", received_at=at(1)))
        tx.add_event(event("e2", None, received_at=at(3), client_id=None, result={}))
        tx.add_event(event("e3", None, received_at=at(2), client_id="c2"))
        tx.add_event(event("e4", "k1", vendor_id="v2"))  # keys are per vendor
        tx.add_event(event("e5", "k2", received_at=at(3)))
    with store.transaction() as tx:
        assert tx.get_event_by_key("v1", "k1") == event("e1", "k1", received_at=at(1))
        assert tx.get_event_by_key("v2", "k1").id == "e4"
        assert tx.get_event_by_key("v1", "nope") is None
        # newest first; equal times by id, descending
        assert [e.id for e in tx.list_events("v1")] == ["e5", "e2", "e3", "e1"]
        assert [e.id for e in tx.list_events("v1", limit=2)] == ["e5", "e2"]
        assert [e.id for e in tx.list_events("v1", client_id="c2")] == ["e3"]
        assert_aware(tx.list_events("v1")[0].received_at)


def test_effect_round_trip_update_and_listing(store):
    with store.transaction() as tx:
        assert tx.add_effect(effect("f1", "k1", created_at=at(2)))
        assert tx.add_effect(effect("f2", "k2", created_at=at(1), vendor_id="v2", run_id="r2",
                                    client_id=None, next_attempt_at=None, last_error=None,
                                    destination=None, attempts=0))
        assert tx.add_effect(effect("f3", "k3", created_at=at(2), status="sent", sent_at=at(3)))
    with store.transaction() as tx:
        assert tx.get_effect("f1") == effect("f1", "k1", created_at=at(2))
        assert tx.get_effect("nope") is None
        assert [e.id for e in tx.list_effects()] == ["f2", "f1", "f3"]
        assert [e.id for e in tx.list_effects("v1")] == ["f1", "f3"]
        assert [e.id for e in tx.list_effects(status="sent")] == ["f3"]
        assert [e.id for e in tx.list_effects(run_id="r2")] == ["f2"]
        assert [e.id for e in tx.list_effects("v1", status="pending", run_id="r1")] == ["f1"]
        assert [e.id for e in tx.list_effects(limit=1)] == ["f2"]
        sent = effect("f1", "k1", created_at=at(2), status="sent", attempts=3, sent_at=at(9),
                      next_attempt_at=None, last_error=None)
        tx.put_effect(sent)
    with store.transaction() as tx:
        got = tx.get_effect("f1")
        assert got == sent
        assert_aware(got.created_at, got.sent_at)


def test_due_effects_pending_and_due_oldest_first(store):
    with store.transaction() as tx:
        tx.add_effect(effect("late", "k1", next_attempt_at=at(30)))
        tx.add_effect(effect("now", "k2", next_attempt_at=at(10)))
        tx.add_effect(effect("asap", "k3", next_attempt_at=None, created_at=at(5)))
        tx.add_effect(effect("early", "k4", next_attempt_at=at(1)))
        tx.add_effect(effect("sent", "k5", next_attempt_at=at(0), status="sent"))
        tx.add_effect(effect("dead", "k6", next_attempt_at=at(0), status="dead"))
    with store.transaction() as tx:
        assert [e.id for e in tx.due_effects(at(10), 10)] == ["early", "asap", "now"]
        assert [e.id for e in tx.due_effects(at(10), 2)] == ["early", "asap"]
        assert [e.id for e in tx.due_effects(at(0), 10)] == ["asap"]  # no time set: due now
        assert [e.id for e in tx.due_effects(at(100), 10)] == ["early", "asap", "now", "late"]


def test_approval_round_trip_and_listing(store):
    with store.transaction() as tx:
        tx.put_approval(approval("a1", created_at=at(2)))
        tx.put_approval(approval("a2", created_at=at(1), deadline=None, on_timeout=None))
        tx.put_approval(approval("a3", created_at=at(3), status="approved", decided_by="ana",
                                 decided_at=at(4)))
        tx.put_approval(approval("a4", vendor_id="v2"))
    with store.transaction() as tx:
        assert tx.get_approval("a1") == approval("a1", created_at=at(2))
        assert tx.get_approval("nope") is None
        assert [a.id for a in tx.list_approvals("v1")] == ["a2", "a1"]
        assert [a.id for a in tx.list_approvals("v1", status=None)] == ["a2", "a1", "a3"]
        assert [a.id for a in tx.list_approvals("v1", status="approved")] == ["a3"]
        decided = approval("a1", created_at=at(2), status="rejected", decided_by="ana",
                           decided_at=at(8))
        tx.put_approval(decided)
    with store.transaction() as tx:
        got = tx.get_approval("a1")
        assert got == decided
        assert_aware(got.created_at, got.deadline, got.decided_at)
        assert [a.id for a in tx.list_approvals("v1")] == ["a2"]


def test_form_request_round_trip_by_token(store):
    with store.transaction() as tx:
        tx.put_form_request(form_request())
        tx.put_form_request(form_request("tok-2", id="frq2", run_id=None, node=None,
                                         expires_at=None))
    with store.transaction() as tx:
        assert tx.get_form_request("tok-1") == form_request()
        assert tx.get_form_request("tok-2").run_id is None
        assert tx.get_form_request("nope") is None
        done = form_request(submitted_at=at(20), answers={"song": "Clair de lune", "n": 2})
        tx.put_form_request(done)
    with store.transaction() as tx:
        got = tx.get_form_request("tok-1")
        assert got == done
        assert_aware(got.created_at, got.expires_at, got.submitted_at)


def test_datetimes_in_other_zones_keep_their_instant(store):
    paris = datetime(2026, 6, 1, 11, 30, tzinfo=PARIS)
    with store.transaction() as tx:
        tx.put_run(run(due_at=paris, started_at=paris))
        tx.put_wakeup(run_wakeup(due=paris))
    with store.transaction() as tx:
        got = tx.get_run("r1")
        assert got.due_at == datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc)
        assert_aware(got.due_at)
        assert [w.id for w in tx.due_wakeups(datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc),
                                             5)] == ["w:r1"]
        assert tx.due_wakeups(datetime(2026, 6, 1, 9, 29, tzinfo=timezone.utc), 5) == []
        assert tx.next_due_at() == paris


# -- uniqueness ----------------------------------------------------------------------------------

def test_second_step_with_same_key_is_refused(store):
    with store.transaction() as tx:
        tx.add_step(step("send#1"))
    with pytest.raises(DuplicateStep):
        with store.transaction() as tx:
            tx.add_step(step("other#1"))
            tx.add_step(step("send#1", outcome="again"))
    with store.transaction() as tx:
        assert [(s.key, s.outcome) for s in tx.steps_for_run("r1")] == [("send#1", "sent")]


def test_duplicate_step_within_one_transaction_leaves_it_usable(store):
    with store.transaction() as tx:
        tx.add_step(step("send#1"))
        with pytest.raises(DuplicateStep):
            tx.add_step(step("send#1"))
        tx.add_step(step("send#2"))
        tx.put_run(run())
    with store.transaction() as tx:
        assert [s.key for s in tx.steps_for_run("r1")] == ["send#1", "send#2"]
        assert tx.get_run("r1") is not None


def test_same_effect_key_is_inserted_once(store):
    with store.transaction() as tx:
        assert tx.add_effect(effect("f1", "r1:send:1")) is True
        assert tx.add_effect(effect("f2", "r1:send:1", payload={"other": True})) is False
    with store.transaction() as tx:
        assert tx.add_effect(effect("f3", "r1:send:1")) is False
        assert tx.add_effect(effect("f4", "r1:send:2")) is True
    with store.transaction() as tx:
        assert [e.id for e in tx.list_effects()] == ["f1", "f4"]
        assert tx.get_effect("f1").payload == effect().payload
        assert tx.get_effect("f2") is None and tx.get_effect("f3") is None


def test_external_id_is_unique_per_vendor(store):
    setup_owner(store, vendors=("v1", "v2"))
    with store.transaction() as tx:
        tx.put_client(client("c1", external_id="crm-1"))
        tx.put_client(client("c2", external_id=None))
        tx.put_client(client("c3", external_id=None))  # many clients without one
        tx.put_client(client("c4", vid="v2", external_id="crm-1"))  # another vendor
        tx.put_client(client("c1", external_id="crm-1", name="again"))  # the owner may re-put
    with pytest.raises(Conflict):
        with store.transaction() as tx:
            tx.put_client(client("c5", external_id="crm-1"))
    with pytest.raises(Conflict):
        with store.transaction() as tx:
            tx.put_client(client("c2", external_id="crm-1"))
    with store.transaction() as tx:
        assert tx.get_client("c5") is None
        assert tx.get_client("c2").external_id is None
        assert tx.find_client("v1", "crm-1").id == "c1"
        assert tx.get_client("c1").name == "again"


def test_conflicting_client_leaves_transaction_usable(store):
    setup_owner(store)
    with store.transaction() as tx:
        tx.put_client(client("c1", external_id="crm-1"))
        with pytest.raises(Conflict):
            tx.put_client(client("c2", external_id="crm-1"))
        tx.put_client(client("c2", external_id="crm-2"))
    with store.transaction() as tx:
        assert tx.find_client("v1", "crm-2").id == "c2"


def test_versions_are_immutable(store):
    setup_owner(store, journeys=("j1",))
    with store.transaction() as tx:
        tx.add_version(version(number=1))
    with pytest.raises(Conflict):
        with store.transaction() as tx:
            tx.add_version(version(number=1, document={"changed": True}))
    with store.transaction() as tx:
        assert tx.get_version("j1", 1) == version(number=1)
        assert [v.version for v in tx.list_versions("j1")] == [1]


def test_event_key_is_unique_per_vendor(store):
    with store.transaction() as tx:
        tx.add_event(event("e1", "k1"))
    with pytest.raises(Conflict):
        with store.transaction() as tx:
            tx.add_event(event("e2", "k1"))
    with store.transaction() as tx:
        assert tx.get_event_by_key("v1", "k1").id == "e1"
        assert [e.id for e in tx.list_events("v1")] == ["e1"]


# -- transactions --------------------------------------------------------------------------------

class Boom(Exception):
    pass


def test_rollback_leaves_nothing(store):
    setup_owner(store, journeys=("j1",))
    with store.transaction() as tx:
        tx.put_client(client("keep", external_id="keep"))
        tx.put_wakeup(run_wakeup("r0", due=at(5)))
    with pytest.raises(Boom):
        with store.transaction() as tx:
            tx.put_vendor(vendor("v9"))
            tx.put_client(client("c1"))
            tx.put_client(client("keep", external_id="changed", name="Changed"))
            tx.delete_client("keep")
            tx.put_journey(journey("j2"))
            tx.add_version(version("j1", 7))
            tx.put_run(run())
            tx.add_step(step())
            tx.add_event(event())
            tx.put_wakeup(run_wakeup("r1", due=at(1)))
            tx.put_wakeup(run_wakeup("r0", due=at(100)))  # a replacement is undone too
            tx.put_wakeup(date_trigger())
            tx.add_effect(effect())
            tx.put_approval(approval())
            tx.put_form_request(form_request())
            raise Boom()
    with store.transaction() as tx:
        assert tx.get_vendor("v9") is None
        assert tx.get_client("c1") is None
        assert tx.get_client("keep") == client("keep", external_id="keep")
        assert tx.find_client("v1", "changed") is None
        assert tx.get_journey("j2") is None
        assert tx.get_version("j1", 7) is None
        assert tx.get_run("r1") is None
        assert tx.steps_for_run("r1") == []
        assert tx.get_event_by_key("v1", "k1") is None and tx.list_events("v1") == []
        assert tx.get_run_wakeup("r1") is None
        assert tx.get_run_wakeup("r0").due_at == at(5)
        assert tx.date_triggers_for_client("c1") == []
        assert tx.count_wakeups() == 1
        assert [w.id for w in tx.due_wakeups(at(1000), 10)] == ["w:r0"]
        assert tx.next_due_at() == at(5)
        assert tx.get_effect("f1") is None and tx.list_effects() == []
        assert tx.get_approval("a1") is None
        assert tx.get_form_request("tok-1") is None
    # The keys written by the rolled-back transaction are free again.
    with store.transaction() as tx:
        tx.add_step(step())
        assert tx.add_effect(effect()) is True
        tx.add_event(event())


def test_a_version_read_back_before_rollback_is_gone(store):
    setup_owner(store, journeys=("j1",))
    with pytest.raises(Boom):
        with store.transaction() as tx:
            tx.add_version(version(number=1))
            assert tx.get_version("j1", 1) == version(number=1)
            raise Boom()
    with store.transaction() as tx:
        assert tx.get_version("j1", 1) is None
        tx.add_version(version(number=1, published_by="second try"))
    with store.transaction() as tx:
        assert tx.get_version("j1", 1).published_by == "second try"
        assert tx.get_version("j1", 1).published_by == "second try"  # read twice (caches)


def test_committed_writes_are_visible_to_later_transactions(store):
    with store.transaction() as tx:
        tx.put_run(run())
    with store.transaction() as tx:
        assert tx.get_run("r1") == run()


# -- wake-ups ------------------------------------------------------------------------------------

def test_run_wakeup_round_trip(store):
    with store.transaction() as tx:
        tx.put_wakeup(run_wakeup())
    with store.transaction() as tx:
        got = tx.get_run_wakeup("r1")
        assert got == run_wakeup()
        assert_aware(got.due_at, got.lease_until)
        assert tx.get_run_wakeup("nope") is None


def test_one_wakeup_per_run_replacing_moves_it(store):
    with store.transaction() as tx:
        tx.put_wakeup(run_wakeup("r1", due=at(10)))
        tx.put_wakeup(run_wakeup("r2", due=at(20)))
    with store.transaction() as tx:
        tx.put_wakeup(run_wakeup("r1", due=at(30)))  # same id, later
    with store.transaction() as tx:
        assert tx.count_wakeups() == 2
        assert tx.get_run_wakeup("r1").due_at == at(30)
        assert [w.id for w in tx.due_wakeups(at(25), 10)] == ["w:r2"]
        # A replacement under a new id still leaves one wake-up for the run.
        tx.put_wakeup(run_wakeup("r1", due=at(5), wid="w:r1:b", lease_owner=None,
                                 lease_until=None))
    with store.transaction() as tx:
        assert tx.count_wakeups() == 2
        assert tx.get_run_wakeup("r1") == run_wakeup("r1", due=at(5), wid="w:r1:b",
                                                     lease_owner=None, lease_until=None)
        assert [w.id for w in tx.due_wakeups(at(25), 10)] == ["w:r1:b", "w:r2"]
        assert tx.next_due_at() == at(5)


def test_date_trigger_per_journey_and_client(store):
    with store.transaction() as tx:
        tx.put_wakeup(date_trigger("j1", "c1", due=at(100)))
        tx.put_wakeup(date_trigger("j2", "c1", due=at(50)))
        tx.put_wakeup(date_trigger("j1", "c2", due=at(70)))
        # The run wake-up of a run of the same journey and client lives alongside.
        tx.put_wakeup(run_wakeup("r1", due=at(80)))
        tx.put_wakeup(run_wakeup("r2", due=at(90)))  # another run, same journey and client
    with store.transaction() as tx:
        assert tx.count_wakeups() == 5
        triggers = tx.date_triggers_for_client("c1")
        assert sorted(w.journey_id for w in triggers) == ["j1", "j2"]
        assert date_trigger("j1", "c1", due=at(100)) in triggers
        # Replacing moves it (here earlier, under a new id).
        tx.put_wakeup(date_trigger("j1", "c1", due=at(10), wid="dt:new"))
    with store.transaction() as tx:
        assert tx.count_wakeups() == 5
        assert sorted((w.journey_id, w.id, w.due_at) for w in tx.date_triggers_for_client("c1")) \
            == [("j1", "dt:new", at(10)), ("j2", "dt:j2:c1", at(50))]
        assert [w.id for w in tx.due_wakeups(at(60), 10)] == ["dt:new", "dt:j2:c1"]
        tx.delete_date_trigger("j1", "c1")
        tx.delete_date_trigger("j9", "c1")  # absent: no error
    with store.transaction() as tx:
        assert [w.id for w in tx.date_triggers_for_client("c1")] == ["dt:j2:c1"]
        assert tx.get_run_wakeup("r1") is not None  # untouched by the date-trigger delete
        tx.delete_run_wakeup("r1")
        tx.delete_run_wakeup("absent")
    with store.transaction() as tx:
        assert tx.get_run_wakeup("r1") is None
        assert tx.count_wakeups() == 3
        assert [w.id for w in tx.due_wakeups(at(1000), 10)] == ["dt:j2:c1", "dt:j1:c2", "w:r2"]


def test_due_wakeups_earliest_first_with_limit(store):
    dues = {"r1": at(30), "r2": at(10), "r3": at(20), "r4": at(40), "r5": at(15)}
    with store.transaction() as tx:
        for rid, due in dues.items():
            tx.put_wakeup(run_wakeup(rid, due=due))
    with store.transaction() as tx:
        assert tx.due_wakeups(at(9), 10) == []
        assert [w.run_id for w in tx.due_wakeups(at(20), 10)] == ["r2", "r5", "r3"]  # <= now
        assert [w.run_id for w in tx.due_wakeups(at(100), 2)] == ["r2", "r5"]
        assert [w.run_id for w in tx.due_wakeups(at(100), 10)] == ["r2", "r5", "r3", "r1", "r4"]
        assert tx.due_wakeups(at(100), 10)[0] == run_wakeup("r2", due=at(10))
        # Reading due wake-ups does not consume them.
        assert len(tx.due_wakeups(at(100), 10)) == 5
        # Moving one later takes it out of the due set; moving one earlier puts it first.
        tx.put_wakeup(run_wakeup("r2", due=at(50)))
        tx.put_wakeup(run_wakeup("r4", due=at(1)))
    with store.transaction() as tx:
        assert [w.run_id for w in tx.due_wakeups(at(20), 10)] == ["r4", "r5", "r3"]
        assert [w.run_id for w in tx.due_wakeups(at(100), 10)] == ["r4", "r5", "r3", "r1", "r2"]


def test_next_due_at_and_count(store):
    with store.transaction() as tx:
        assert tx.next_due_at() is None
        assert tx.count_wakeups() == 0
        tx.put_wakeup(run_wakeup("r1", due=at(30)))
        tx.put_wakeup(date_trigger(due=at(20)))
        assert tx.next_due_at() == at(20)
    with store.transaction() as tx:
        assert tx.count_wakeups() == 2
        assert tx.next_due_at() == at(20)
        assert_aware(tx.next_due_at())
        tx.delete_date_trigger("j1", "c1")
        assert tx.next_due_at() == at(30)
        tx.put_wakeup(run_wakeup("r1", due=at(45)))
        assert tx.next_due_at() == at(45)
        tx.delete_run_wakeup("r1")
        assert tx.next_due_at() is None
        assert tx.count_wakeups() == 0


# -- listings ------------------------------------------------------------------------------------

def test_list_clients_search_order_and_pages(store):
    setup_owner(store, vendors=("v1", "v2"))
    names = {"c1": "bella Rossi", "c2": "Anna Smith", "c3": "Chloé Durand", "c4": "anna smith",
             "c5": "Ben 100%_Real"}
    with store.transaction() as tx:
        for cid, name in names.items():
            tx.put_client(client(cid, name=name, email=f"{cid}@Mail.example",
                                 external_id=f"CRM-{cid}"))
        tx.put_client(client("x1", vid="v2", name="Anna Other"))
    with store.transaction() as tx:
        listed = [c.id for c in tx.list_clients("v1")]
        assert listed == ["c2", "c4", "c1", "c5", "c3"]  # lower(name), then id
        pages = [c.id for off in range(0, 5, 2) for c in tx.list_clients("v1", limit=2,
                                                                           offset=off)]
        assert pages == listed
        assert tx.list_clients("v1", offset=5) == []
        assert [c.id for c in tx.list_clients("v1", search="ANNA")] == ["c2", "c4"]
        assert [c.id for c in tx.list_clients("v1", search="c3@mail")] == ["c3"]
        assert [c.id for c in tx.list_clients("v1", search="crm-c5")] == ["c5"]
        assert [c.id for c in tx.list_clients("v1", search="100%_")] == ["c5"]  # literal % _
        assert tx.list_clients("v1", search="0%r") == []
        assert [c.id for c in tx.list_clients("v1", search="")] == listed
        assert tx.list_clients("v1", search="nobody") == []
        assert [c.id for c in tx.list_clients("v2")] == ["x1"]


def test_list_journeys_and_live_journeys(store):
    setup_owner(store, vendors=("v1", "v2"))
    with store.transaction() as tx:
        tx.put_journey(journey("j1", name="beta"))
        tx.put_journey(journey("j2", name="Alpha", live_version=None))
        tx.put_journey(journey("j3", name="gamma", archived=True))
        tx.put_journey(journey("j4", name="alpha"))
        tx.put_journey(journey("j5", vid="v2", name="Other"))
    with store.transaction() as tx:
        assert [j.id for j in tx.list_journeys("v1")] == ["j2", "j4", "j1", "j3"]
        assert [j.id for j in tx.live_journeys("v1")] == ["j4", "j1"]
        assert [j.id for j in tx.list_journeys("v2")] == ["j5"]
        tx.delete_journey("j1")
        tx.delete_journey("absent")
    with store.transaction() as tx:
        assert tx.get_journey("j1") is None
        assert [j.id for j in tx.list_journeys("v1")] == ["j2", "j4", "j3"]


def test_runs_for_client_filters(store):
    with store.transaction() as tx:
        tx.put_run(run("r1", journey_id="j1", status=RunStatus.WAITING, started_at=at(1)))
        tx.put_run(run("r2", journey_id="j1", status=RunStatus.COMPLETED, started_at=at(2)))
        tx.put_run(run("r3", journey_id="j2", status=RunStatus.PAUSED, started_at=at(3)))
        tx.put_run(run("r4", client_id="c2", started_at=at(4)))
    with store.transaction() as tx:
        def ids(**kw):
            return sorted(r.id for r in tx.runs_for_client("c1", **kw))

        assert ids() == ["r1", "r2", "r3"]
        assert ids(journey_id="j1") == ["r1", "r2"]
        assert ids(statuses=RunStatus.OPEN) == ["r1", "r3"]
        assert ids(statuses=[RunStatus.COMPLETED]) == ["r2"]
        assert ids(statuses=(s for s in [RunStatus.WAITING])) == ["r1"]  # any iterable
        assert ids(statuses=[]) == []
        assert ids(journey_id="j2", statuses=RunStatus.OPEN) == ["r3"]
        assert tx.runs_for_client("nobody") == []
        assert tx.runs_for_client("c1", journey_id="j1")[0] == run(
            "r1", journey_id="j1", status=RunStatus.WAITING, started_at=at(1))


def test_list_runs_filters_and_stable_pages(store):
    with store.transaction() as tx:
        specs = [("r5", at(1), "j1", "c1", RunStatus.WAITING, "a", 1),
                 ("r3", at(1), "j1", "c2", RunStatus.WAITING, "b", 1),  # same start: id order
                 ("r1", at(2), "j2", "c1", RunStatus.COMPLETED, "a", 2),
                 ("r4", at(0), "j1", "c1", RunStatus.PAUSED, "b", 2),
                 ("r2", at(3), "j1", "c3", RunStatus.WAITING, "a", 2)]
        for rid, started, jid, cid, status, node, ver in specs:
            tx.put_run(run(rid, started_at=started, journey_id=jid, client_id=cid,
                           status=status, node=node, version=ver))
        tx.put_run(run("x1", vendor_id="v2", started_at=at(0)))
    with store.transaction() as tx:
        def ids(**kw):
            return [r.id for r in tx.list_runs("v1", **kw)]

        assert ids() == ["r4", "r3", "r5", "r1", "r2"]
        assert [r.id for off in range(0, 5, 2) for r in tx.list_runs("v1", limit=2, offset=off)] \
            == ids()
        assert ids(offset=5) == []
        assert ids(journey_id="j1") == ["r4", "r3", "r5", "r2"]
        assert ids(client_id="c1") == ["r4", "r5", "r1"]
        assert ids(status=RunStatus.WAITING) == ["r3", "r5", "r2"]
        assert ids(node="a") == ["r5", "r1", "r2"]
        assert ids(version=2) == ["r4", "r1", "r2"]
        assert ids(journey_id="j1", status=RunStatus.WAITING, node="a", version=1) == ["r5"]
        assert ids(journey_id="j1", limit=1) == ["r4"]
        assert [r.id for r in tx.list_runs("v2")] == ["x1"]


def test_entities_read_back_are_independent_copies(store):
    """Callers copy before changing; a store must still not be corrupted by the copy's owner."""
    with store.transaction() as tx:
        tx.put_run(run())
    with store.transaction() as tx:
        mine = tx.get_run("r1").clone()
        mine.visits["x"] = 9
        mine.status = RunStatus.FAILED
    with store.transaction() as tx:
        assert tx.get_run("r1") == run()
        assert copy.deepcopy(tx.get_run("r1")) == run()
