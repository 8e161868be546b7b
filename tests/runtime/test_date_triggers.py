"""date triggers: enroll at the local moment anchor + offset at `at`, while the client exists
and the journey is live; never for a client added after it; late (never lost) after downtime."""
from __future__ import annotations

from .helpers import VENDOR, World, chain, email, exit_, trigger

NINETY_DAYS = {"anchor": "wedding_date", "offset": {"days": -90}, "at": "10:00"}


def countdown(**config) -> dict:
    return chain(trigger("date", **{**NINETY_DAYS, **config}), email(subject="90 days to go"),
                 exit_(), settings={"timezone": "Australia/Sydney"})


def test_a_date_trigger_enrolls_the_client_at_the_local_moment(world: World):
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")  # 90 days before: 2027-06-20 10:00 AEST
    world.go("2027-06-19T23:59:59Z")
    assert world.runs("c1") == []
    world.go("2027-06-20T00:00:00Z")
    assert world.path() == ["start", "mail", "end"]
    assert world.steps()[0] == ("mail", "sent", "2027-06-20T00:00:00Z")


def test_a_client_added_after_the_moment_is_not_enrolled():
    world = World("2027-07-01T00:00:00Z")
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.go("2028-01-01T00:00:00Z")
    assert world.runs("c1") == []


def test_a_moment_missed_while_the_engine_was_down_fires_late(world: World):
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.jump("2027-06-25T08:00:00Z")  # the engine was down for the moment
    world.engine.run_due()
    assert world.steps()[0] == ("mail", "sent", "2027-06-25T08:00:00Z")


def test_a_date_trigger_fires_once(world: World):
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.go("2027-06-20T00:00:00Z")
    world.go("2028-01-01T00:00:00Z")
    world.engine.run_due()
    assert len(world.runs("c1")) == 1 and len(world.effects()) == 1


def test_a_date_trigger_on_a_named_client_date(world: World):
    world.publish(chain(trigger("date", anchor="dates.anniversary", offset={"days": 0}, at="08:00"),
                        email(), exit_()))
    world.add("c1", dates={"anniversary": "2027-09-18"})
    world.go("2027-09-18T08:00:00Z")
    assert len(world.runs("c1")) == 1


def test_a_date_trigger_with_business_days(world: World):
    world.publish(chain(trigger("date", anchor="wedding_date", offset={"business_days": -1}),
                        email(), exit_()))
    world.add("c1", wedding_date="2027-09-20")  # a Monday: one business day before is Friday
    world.go("2027-09-17T08:59:00Z")
    assert world.runs("c1") == []
    world.go("2027-09-17T09:00:00Z")
    assert len(world.runs("c1")) == 1


def test_a_client_without_the_date_is_enrolled_once_the_date_is_set(world: World):
    world.publish(countdown())
    world.add("c1")
    world.update("c1", wedding_date="2027-09-18")
    world.go("2027-06-20T00:00:00Z")
    assert len(world.runs("c1")) == 1


def test_a_date_set_after_its_moment_does_not_enroll():
    world = World("2027-07-01T00:00:00Z")
    world.publish(countdown())
    world.add("c1")
    world.update("c1", wedding_date="2027-09-18")
    world.go("2028-01-01T00:00:00Z")
    assert world.runs("c1") == []


def test_a_reschedule_moves_the_pending_trigger(world: World):
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    _, report = world.update("c1", wedding_date="2027-10-16")  # now 2027-07-18 10:00 AEST
    assert [(t["outcome"], t["to"].isoformat()) for t in report.date_triggers] == [
        ("moved", "2027-07-18T00:00:00+00:00")]
    world.go("2027-07-17T23:59:00Z")
    assert world.runs("c1") == []
    world.go("2027-07-18T00:00:00Z")
    assert world.steps()[0] == ("mail", "sent", "2027-07-18T00:00:00Z")


def test_a_reschedule_that_moves_the_pending_moment_into_the_past_fires_at_once():
    world = World("2027-05-01T00:00:00Z")
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    _, report = world.update("c1", wedding_date="2027-07-01")  # 90 days before: 2 April
    assert report.date_triggers[0]["outcome"] == "fired_late"
    assert world.steps()[0] == ("mail", "sent", "2027-05-01T00:00:00Z")


def test_removing_the_date_drops_the_pending_trigger(world: World):
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    _, report = world.update("c1", wedding_date=None)
    assert report.date_triggers[0]["outcome"] == "dropped"
    world.go("2028-01-01T00:00:00Z")
    assert world.runs("c1") == [] and world.wakeups() == 0


def test_publishing_schedules_clients_that_already_exist(world: World):
    world.add("c1", wedding_date="2027-09-18")
    world.add("c2", wedding_date="2027-01-20")  # its moment passed before the journey was live
    world.publish(countdown())
    world.go("2028-01-01T00:00:00Z")
    assert len(world.runs("c1")) == 1 and world.runs("c2") == []


def test_an_unpublished_journey_does_not_enroll_at_the_moment(world: World):
    jid = world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.engine.journeys.unpublish(VENDOR, jid)
    world.go("2028-01-01T00:00:00Z")
    assert world.runs("c1") == []


def test_a_deleted_client_is_not_enrolled(world: World):
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.engine.clients.delete(VENDOR, world.cid("c1"))
    world.go("2028-01-01T00:00:00Z")
    with world.store.transaction() as tx:
        assert tx.list_runs(VENDOR) == []


def test_a_new_version_with_another_offset_moves_pending_triggers(world: World):
    jid = world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.engine.journeys.update_draft(VENDOR, jid, countdown(offset={"days": -60}))
    world.engine.journeys.publish(VENDOR, jid)
    world.go("2027-06-21T00:00:00Z")
    assert world.runs("c1") == []
    world.go("2027-07-20T00:00:00Z")  # 60 days before, 10:00 AEST
    assert world.run().version == 2


def test_a_new_version_that_no_longer_starts_on_a_date_does_not_fire_old_triggers(world: World):
    jid = world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.engine.journeys.update_draft(VENDOR, jid, chain(trigger("manual"), email(), exit_()))
    world.engine.journeys.publish(VENDOR, jid)
    world.go("2028-01-01T00:00:00Z")
    assert world.runs("c1") == []


def test_a_client_added_at_the_very_moment_is_enrolled():
    world = World("2027-06-20T00:00:00Z")  # exactly 90 days before, 10:00 in Sydney
    world.publish(countdown())
    world.add("c1", wedding_date="2027-09-18")
    world.engine.run_due()
    assert len(world.runs("c1")) == 1
