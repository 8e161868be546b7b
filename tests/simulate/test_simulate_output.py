"""The simulator's output object, exactly as the spec shows it."""
from __future__ import annotations

import json
import re

import pytest

from engine.clock import format_utc, parse_instant
from engine.errors import InvalidDocument, InvalidInput
from engine.simulate import default_until, simulate

from .documents import CLIENTS, EVENTS, EXPECTED, START, ab_test, countdown, every_outcome

OUTCOMES = {"sent", "done", "skipped", "past_due", "timeout", "event"}


def run(document=None, clients=None, events=None, start=START, **kw) -> dict:
    return simulate(document or every_outcome(), CLIENTS if clients is None else clients,
                    EVENTS if events is None else events, start=parse_instant(start), **kw)


def test_the_whole_output_worked_out_by_hand():
    assert run() == EXPECTED


def test_the_output_has_exactly_the_spec_keys_in_order():
    out = run()
    assert list(out) == ["steps", "runs"]
    assert all(list(s) == ["client", "node", "type", "at", "local", "outcome"]
               for s in out["steps"])
    assert all(list(r) == ["client", "status", "path"] for r in out["runs"])


def test_instants_are_utc_with_z_and_local_times_carry_their_offset():
    for step in run()["steps"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", step["at"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", step["local"])
        assert parse_instant(step["local"]) == parse_instant(step["at"])
        assert step["outcome"] in OUTCOMES


def test_the_trigger_is_in_the_path_but_not_a_step():
    out = run()
    assert all(s["type"] != "trigger" for s in out["steps"])
    assert all(r["path"][0] == "start" for r in out["runs"])


def test_the_output_is_plain_json():
    out = run()
    assert json.loads(json.dumps(out)) == out


def test_a_run_still_waiting_at_the_end_shows_where_it_waits():
    out = run(until=parse_instant("2027-02-01T00:00:00Z"))
    c1 = next(r for r in out["runs"] if r["client"] == "c1")
    assert c1 == {"client": "c1", "status": "waiting",
                  "path": ["start", "hello", "await", "booked_mail", "month_before"]}
    assert all(s["at"] <= "2027-02-01T00:00:00Z" for s in out["steps"])


def test_a_client_no_trigger_enrolls_has_no_run():
    doc = every_outcome()
    doc["nodes"][0]["config"] = {"event": "manual"}
    out = run(doc, events=[{"at": "2027-01-04T12:00:00Z", "client": "c2", "type": "manual"}])
    assert [r["client"] for r in out["runs"]] == ["c2"]


def test_a_local_time_uses_the_journey_zone_for_clients_without_one():
    doc = every_outcome()
    doc["settings"]["timezone"] = "Asia/Tokyo"
    out = run(doc)
    c2 = next(s for s in out["steps"] if s["client"] == "c2")
    assert c2["local"] == "2027-01-04T19:00:00+09:00"


def test_the_vendor_zone_is_used_last():
    doc = every_outcome()
    del doc["settings"]
    out = run(doc, vendor_timezone="Europe/Paris")
    c2 = next(s for s in out["steps"] if s["client"] == "c2")
    assert c2["local"] == "2027-01-04T11:00:00+01:00"


# -- --until ----------------------------------------------------------------------------------
def test_until_defaults_to_the_last_anchor_date_plus_one_year():
    clients = [{"id": "a", "wedding_date": "2027-06-12"},
               {"id": "b", "wedding_date": "2027-03-01", "dates": {"album": "2027-08-01"}}]
    until = default_until(clients, parse_instant(START))
    assert format_utc(until) == "2028-08-02T00:00:00Z"  # through all of 2028-08-01 (UTC)


def test_until_default_covers_the_whole_local_day_of_the_client():
    clients = [{"id": "a", "wedding_date": "2027-06-12", "timezone": "America/Los_Angeles"}]
    until = default_until(clients, parse_instant(START))
    assert format_utc(until) == "2028-06-13T07:00:00Z"  # midnight after 2028-06-12 in LA


def test_until_default_counts_dates_set_by_reschedule_events():
    clients = [{"id": "a", "wedding_date": "2027-06-12"}]
    events = [{"at": START, "client": "a", "type": "client_updated",
               "data": {"wedding_date": "2027-10-02"}}]
    until = default_until(clients, parse_instant(START), events=events)
    assert format_utc(until) == "2028-10-03T00:00:00Z"


def test_until_default_without_dates_is_a_year_after_start():
    until = default_until([{"id": "a"}], parse_instant(START))
    assert format_utc(until) == "2028-01-04T10:00:00Z"


def test_the_default_until_includes_the_first_anniversary_but_not_the_day_after():
    clients = [{"id": "c1", "wedding_date": "2027-06-12"}]
    out = run(countdown(), clients=clients, events=[])  # 366 days on: 2028-06-12 (leap year)
    assert [(s["node"], s["at"]) for s in out["steps"] if s["type"] == "email"] == [
        ("reminder", "2027-06-05T09:00:00Z"), ("anniversary", "2028-06-12T09:00:00Z")]
    doc = countdown()
    doc["nodes"][3]["config"]["until"]["offset"]["days"] = 367
    out = run(doc, clients=clients, events=[])
    assert [s["node"] for s in out["steps"] if s["type"] == "email"] == ["reminder"]
    assert out["runs"][0]["status"] == "waiting"


# -- determinism ------------------------------------------------------------------------------
def test_the_same_inputs_give_the_same_output_byte_for_byte():
    clients = [{"id": f"c{i}", "wedding_date": "2027-09-18"} for i in range(30)]
    first = json.dumps(run(ab_test(), clients=clients, events=[], seed=7))
    assert json.dumps(run(ab_test(), clients=clients, events=[], seed=7)) == first


def test_the_seed_chooses_the_split_branches():
    clients = [{"id": f"c{i}", "wedding_date": "2027-09-18"} for i in range(30)]
    paths = {seed: [r["path"][-1] for r in run(ab_test(), clients=clients, events=[],
                                                seed=seed)["runs"]] for seed in (1, 2)}
    assert paths[1] != paths[2]
    assert set(paths[1]) == {"mail_a", "mail_b"}


# -- reschedules and other events -------------------------------------------------------------
def test_a_client_updated_event_reschedules_the_wedding():
    events = [{"at": "2027-02-01T12:00:00Z", "client": "c1", "type": "client_updated",
               "data": {"wedding_date": "2027-10-02"}}]
    out = run(countdown(), clients=[{"id": "c1", "wedding_date": "2027-06-12"}], events=events)
    assert out["steps"][0] == {"client": "c1", "node": "week_before", "type": "delay",
                               "at": "2027-09-25T09:00:00Z", "local": "2027-09-25T10:00:00+01:00",
                               "outcome": "done"}


def test_a_reschedule_into_the_past_shows_past_due():
    events = [{"at": "2027-02-01T12:00:00Z", "client": "c1", "type": "client_updated",
               "data": {"wedding_date": "2027-02-05"}}]
    out = run(countdown(), clients=[{"id": "c1", "wedding_date": "2027-06-12"}], events=events)
    assert out["steps"][0] == {"client": "c1", "node": "week_before", "type": "delay",
                               "at": "2027-02-01T12:00:00Z", "local": "2027-02-01T12:00:00+00:00",
                               "outcome": "past_due"}


def test_an_event_at_the_instant_of_a_timeout_is_handled_first():
    events = [{"at": "2027-01-06T10:00:00Z", "client": "c2", "type": "custom:call_booked"}]
    out = run(events=events)
    c2 = [s for s in out["steps"] if s["client"] == "c2"]
    assert c2[1] == {"client": "c2", "node": "await", "type": "wait_for",
                     "at": "2027-01-06T10:00:00Z", "local": "2027-01-06T10:00:00+00:00",
                     "outcome": "event"}


def test_events_at_the_same_instant_keep_their_file_order():
    doc = every_outcome()
    doc["settings"]["exit_on"] = ["custom:cancelled"]
    events = [{"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "custom:call_booked"},
              {"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "custom:cancelled"}]
    out = run(doc, events=events)
    c1 = next(r for r in out["runs"] if r["client"] == "c1")
    assert c1 == {"client": "c1", "status": "exited",
                  "path": ["start", "hello", "await", "booked_mail", "month_before"]}
    out = run(doc, events=events[::-1])
    c1 = next(r for r in out["runs"] if r["client"] == "c1")
    assert c1 == {"client": "c1", "status": "exited", "path": ["start", "hello", "await"]}


def test_a_failed_step_shows_in_the_run_not_as_a_step():
    doc = every_outcome()
    doc["nodes"][7]["config"]["title"] = "{{ 1 // client.fields.tables }}"  # c1 has none
    out = run(doc)
    c1 = next(r for r in out["runs"] if r["client"] == "c1")
    assert c1["status"] == "failed" and c1["path"][-1] == "vip_task"
    assert not any(s["node"] == "vip_task" for s in out["steps"])


# -- bad input --------------------------------------------------------------------------------
def test_an_invalid_journey_is_refused_with_its_problems():
    doc = every_outcome()
    doc["edges"] = [e for e in doc["edges"] if e.get("when") != "timeout"]
    with pytest.raises(InvalidDocument) as error:
        run(doc)
    assert [(p.severity, p.node) for p in error.value.problems if p.severity == "error"] == [
        ("error", "await"), ("error", "approve_mail")]


@pytest.mark.parametrize("events", [
    [{"at": "2027-01-05T10:00:00Z", "client": "nobody", "type": "manual"}],
    [{"at": "yesterday", "client": "c1", "type": "manual"}],
    [{"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "paid"}],
    [{"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "client_updated",
      "data": {"wedding_date": "next June"}}],
    [{"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "approval",
      "data": {"decision": "maybe"}}],
    [{"at": "2027-01-05T10:00:00Z", "client": "c1", "type": "manual", "dat": {"x": 1}}],
])
def test_bad_events_are_refused_before_anything_runs(events):
    with pytest.raises(InvalidInput):
        run(events=events)


def test_bad_clients_are_refused():
    with pytest.raises(InvalidInput):
        run(clients=[{"id": "c1", "timezone": "Mars/Olympus"}])
    with pytest.raises(InvalidInput):
        run(clients=[{"id": "c1"}, {"id": "c1"}])


def test_wake_ups_at_an_instant_run_after_every_event_of_that_instant():
    events = [{"at": "2027-01-06T10:00:00Z", "client": "c1", "type": "custom:unrelated"},
              {"at": "2027-01-06T10:00:00Z", "client": "c2", "type": "custom:call_booked"}]
    out = run(events=EVENTS + events)
    c2 = [s for s in out["steps"] if s["client"] == "c2"]
    assert [(s["node"], s["outcome"]) for s in c2[:2]] == [("hello", "sent"), ("await", "event")]


def test_an_event_before_start_is_delivered_at_the_start():
    events = [{"at": "2026-12-01T00:00:00Z", "client": "c2", "type": "custom:call_booked"}]
    out = run(events=events)
    c2 = [s for s in out["steps"] if s["client"] == "c2"]
    assert (c2[1]["node"], c2[1]["outcome"], c2[1]["at"]) == ("await", "event", START)


# -- extensions: late clients and approvals ---------------------------------------------------
def test_a_client_added_event_adds_that_client_at_its_instant():
    events = [{"at": "2027-02-01T08:00:00Z", "client": "c2", "type": "client_added"}]
    out = run(events=events)
    c2 = [s for s in out["steps"] if s["client"] == "c2"]
    assert c2[0]["at"] == "2027-02-01T08:00:00Z"


def test_an_approval_event_decides_a_held_email():
    doc = every_outcome()
    doc["nodes"][4]["config"]["approval"]["timeout"] = {"days": 3}
    events = [{"at": "2027-01-07T09:00:00Z", "client": "c2", "type": "approval",
               "data": {"decision": "approved", "edits": {"subject": "Edited"}}}]
    out = run(doc, events=events)
    c2 = [s for s in out["steps"] if s["client"] == "c2"]
    assert (c2[2]["node"], c2[2]["outcome"], c2[2]["at"]) == ("approve_mail", "sent",
                                                              "2027-01-07T09:00:00Z")


def test_a_client_added_event_passes_its_data_to_the_trigger():
    from pathlib import Path
    doc = json.loads((Path(__file__).parent.parent / "catalog" / "valid"
                      / "inquiry-follow-up.json").read_text())
    clients = [{"id": "web"}, {"id": "phone"}]
    events = [{"at": "2027-01-04T15:00:00Z", "client": "web", "type": "client_added",
               "data": {"source": "website"}},
              {"at": "2027-01-04T15:00:00Z", "client": "phone", "type": "client_added",
               "data": {"source": "phone"}}]
    out = run(doc, clients=clients, events=events)
    assert [r["client"] for r in out["runs"]] == ["web"]
    assert out["steps"][0] == {"client": "web", "node": "thanks", "type": "email",
                               "at": "2027-01-04T15:00:00Z", "local": "2027-01-04T10:00:00-05:00",
                               "outcome": "sent"}


def test_null_client_keys_mean_not_given():
    clients = [{"id": "c1", "name": None, "email": None, "timezone": None, "wedding_date": None,
                "dates": None, "fields": None, "status": None, "tags": None}]
    out = run(clients=clients, events=[])
    assert out["runs"][0]["client"] == "c1"


def test_an_event_key_makes_a_repeated_event_count_once():
    doc = {"format": "journeys/v1", "name": "Thanks", "settings": {"reentry": "after_exit"},
           "nodes": [{"id": "start", "type": "trigger", "config": {"event": "payment_received"}},
                     {"id": "thanks", "type": "email", "config": {"subject": "T", "body": "t"}}],
           "edges": [{"from": "start", "to": "thanks"}]}
    paid = {"at": "2027-01-04T12:00:00Z", "client": "c2", "type": "payment_received"}
    again = {**paid, "at": "2027-01-04T12:05:00Z"}
    assert len(run(doc, events=[paid, again])["runs"]) == 2
    out = run(doc, events=[{**paid, "key": "stripe-1"}, {**again, "key": "stripe-1"}])
    assert len(out["runs"]) == 1 and len(out["steps"]) == 1
