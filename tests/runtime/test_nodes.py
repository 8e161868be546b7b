"""Each node type does what the spec's node table says, one behaviour per test."""
from __future__ import annotations

from engine.domain import RunStatus

from .helpers import (VENDOR, World, action, chain, email, exit_, form, journey, trigger,
                      wait_for)


# -- trigger ----------------------------------------------------------------------------------
def test_manual_trigger_starts_a_run_that_walks_to_the_end(world: World):
    world.publish(chain(trigger("manual"), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.path() == ["start", "mail", "end"]
    assert world.run().status == RunStatus.COMPLETED


def test_client_added_trigger_enrolls_a_new_client(world: World):
    world.publish(chain(trigger("client_added"), email(), exit_()))
    world.add("c1")
    assert world.path() == ["start", "mail", "end"]


def test_client_added_event_data_is_the_new_client(world: World):
    match = {"all": [{"field": "event.status", "op": "eq", "value": "inquiry"},
                     {"field": "event.fields.budget", "op": "gte", "value": 3000}]}
    world.publish(chain(trigger("client_added", match=match),
                        email(subject="{{ event.name }} on {{ event.wedding_date }}"), exit_()))
    world.add("c1", status="inquiry", fields={"budget": 2000})
    world.add("c2", name="Ben Cho", status="inquiry", fields={"budget": 5000},
              wedding_date="2027-09-18")
    assert world.runs("c1") == [] and len(world.runs("c2")) == 1
    assert world.effects()[0].payload["subject"] == "Ben Cho on 2027-09-18"


def test_client_added_event_data_can_carry_where_the_client_came_from(world: World):
    match = {"all": [{"field": "event.source", "op": "in", "value": ["website", "instagram"]}]}
    world.publish(chain(trigger("client_added", match=match), email(), exit_()))
    world.engine.clients.add(VENDOR, {"id": "c1", "name": "A", "email": "a@example.com"},
                             event_data={"source": "phone"})
    world.engine.clients.add(VENDOR, {"id": "c2", "name": "B", "email": "b@example.com"},
                             event_data={"source": "website"})
    assert world.runs("c1") == [] and len(world.runs("c2")) == 1


def test_a_trigger_for_another_event_does_not_start(world: World):
    world.publish(chain(trigger("payment_received"), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.runs("c1") == []


def test_trigger_match_filters_on_event_data(world: World):
    match = {"all": [{"field": "event.kind", "op": "eq", "value": "deposit"}]}
    world.publish(chain(trigger("payment_received", match=match), email(), exit_()))
    world.add("c1")
    world.event("c1", "payment_received", {"kind": "final", "amount": 1200})
    assert world.runs("c1") == []
    world.event("c1", "payment_received", {"kind": "deposit", "amount": 500})
    assert world.path() == ["start", "mail", "end"]


def test_trigger_match_as_a_plain_mapping_of_event_fields(world: World):
    world.publish(chain(trigger("form_submitted", match={"form": "contact"}), email(), exit_()))
    world.add("c1")
    world.event("c1", "form_submitted", {"form": "questionnaire", "answers": {}})
    assert world.runs("c1") == []
    world.event("c1", "form_submitted", {"form": "contact", "answers": {"guests": 80}})
    assert len(world.runs("c1")) == 1


def test_custom_event_trigger(world: World):
    world.publish(chain(trigger("custom:gallery_delivered"), email(), exit_()))
    world.add("c1")
    world.event("c1", "custom:gallery_delivered", {"venue": "The Barn"})
    assert world.path() == ["start", "mail", "end"]


def test_a_draft_that_was_never_published_enrolls_nobody(world: World):
    world.engine.journeys.create(VENDOR, chain(trigger("client_added"), email(), exit_()))
    world.add("c1")
    assert world.runs("c1") == []


def test_an_unpublished_journey_stops_enrolling(world: World):
    jid = world.publish(chain(trigger("manual"), email(), exit_()))
    world.engine.journeys.unpublish(VENDOR, jid)
    world.add("c1")
    world.event("c1", "manual")
    assert world.runs("c1") == []


# -- email ------------------------------------------------------------------------------------
def test_email_is_queued_in_the_outbox_with_rendered_content(world: World):
    world.publish(chain(trigger("manual"), email(
        subject="You're booked, {{ client.first_name }}!",
        body="See you on {{ client.wedding_date | longdate }}, {{ vendor.name }}"), exit_()))
    world.add("c1", name="Ana Lima", email="ana@example.com", wedding_date="2027-09-18")
    world.event("c1", "manual")
    [mail] = world.effects("email")
    assert mail.payload["to"] == "ana@example.com"
    assert mail.payload["subject"] == "You're booked, Ana!"
    assert mail.payload["text"] == "See you on Saturday, 18 September 2027, Lens & Light"
    assert mail.payload["from_name"] == "Lens & Light"
    assert mail.status == "pending"
    assert mail.key == f"{world.run().id}:mail:1"


def test_email_html_body_escapes_client_data(world: World):
    world.publish(chain(trigger("manual"), email(body="<p>Hi {{ client.name }}</p>"), exit_()))
    world.add("c1", name="Ana <script>")
    world.event("c1", "manual")
    [mail] = world.effects("email")
    assert mail.payload["html"] == "<p>Hi Ana &lt;script&gt;</p>"
    assert mail.payload["text"] == "<p>Hi Ana <script></p>"


def test_email_to_template_overrides_the_client_address(world: World):
    world.publish(chain(trigger("manual"), email(to="{{ client.fields.planner_email }}"), exit_()))
    world.add("c1", fields={"planner_email": "planner@example.com"})
    world.event("c1", "manual")
    assert world.effects("email")[0].payload["to"] == "planner@example.com"


def test_email_can_show_the_event_that_started_the_run(world: World):
    world.publish(chain(trigger("payment_received"),
                        email(subject="Thanks for the {{ event.amount }} deposit"), exit_()))
    world.add("c1")
    world.event("c1", "payment_received", {"amount": 500})
    assert world.effects("email")[0].payload["subject"] == "Thanks for the 500 deposit"


def test_email_step_is_logged_as_sent(world: World):
    world.publish(chain(trigger("manual"), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.steps() == [("mail", "sent", "2027-01-04T09:00:00Z"),
                             ("end", "done", "2027-01-04T09:00:00Z")]


# -- form -------------------------------------------------------------------------------------
def test_form_creates_a_request_with_a_token_and_emails_its_link(world: World):
    world.publish(chain(trigger("manual"), form(body="Fill it in here: {{ form_url }}"), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    [mail] = world.effects("form")
    token = mail.payload["token"]
    assert mail.payload["form"] == "questionnaire"
    assert mail.payload["form_url"] == f"http://localhost:3000/f/{token}"
    assert mail.payload["text"] == f"Fill it in here: http://localhost:3000/f/{token}"
    assert mail.payload["to"] == "c1@example.com"
    with world.store.transaction() as tx:
        request = tx.get_form_request(token)
    assert request.form_key == "questionnaire"
    assert request.client_id == world.cid("c1")
    assert request.run_id == world.run().id and request.node == "ask"
    assert world.steps()[0] == ("ask", "sent", "2027-01-04T09:00:00Z")


def test_each_form_request_has_its_own_token(world: World):
    world.publish(chain(trigger("manual"), form(), exit_()))
    world.add("c1")
    world.add("c2")
    world.event("c1", "manual")
    world.event("c2", "manual")
    tokens = {e.payload["token"] for e in world.effects("form")}
    assert len(tokens) == 2


# -- action -----------------------------------------------------------------------------------
def test_update_status_changes_the_client(world: World):
    world.publish(chain(trigger("manual"), action(action="update_status", status="booked"), exit_()))
    world.add("c1", status="inquiry")
    world.event("c1", "manual")
    assert world.client().status == "booked"
    assert world.steps()[0] == ("act", "done", "2027-01-04T09:00:00Z")


def test_set_field_sets_a_custom_field(world: World):
    world.publish(chain(trigger("manual"),
                        action(action="set_field", field="staffing", value={"runners": 3}), exit_()))
    world.add("c1", fields={"venue": "The Barn"})
    world.event("c1", "manual")
    assert world.client().fields == {"venue": "The Barn", "staffing": {"runners": 3}}


def test_add_tag_adds_once_and_remove_tag_removes(world: World):
    world.publish(chain(trigger("manual"), action("a1", action="add_tag", tag="vip"),
                        action("a2", action="add_tag", tag="vip"),
                        action("a3", action="remove_tag", tag="lead"), exit_()))
    world.add("c1", tags=["lead", "summer"])
    world.event("c1", "manual")
    assert world.client().tags == ["summer", "vip"]


def test_create_task_is_an_outbox_effect_with_a_due_time(world: World):
    world.publish(chain(trigger("manual"),
                        action(action="create_task", title="Call {{ client.first_name }}",
                               due={"days": 2}), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    [task] = world.effects("task")
    assert task.payload == {"title": "Call Ana", "due": "2027-01-06T09:00:00Z",
                            "client_id": world.cid("c1")}


def test_create_task_due_may_be_a_time_anchored_on_the_wedding(world: World):
    due = {"anchor": "wedding_date", "offset": {"days": -14}, "at": "10:00"}
    world.publish(chain(trigger("manual"), action(action="create_task", title="Confirm vendors",
                                                  due=due), exit_()))
    world.add("c1", wedding_date="2027-06-12", timezone="Europe/London")
    world.event("c1", "manual")
    # 2027-05-29 10:00 BST is 09:00Z
    assert world.effects("task")[0].payload["due"] == "2027-05-29T09:00:00Z"


def test_create_task_due_on_a_date_the_client_lacks_waits_for_the_date(world: World):
    world.publish(chain(trigger("manual"), action(action="create_task", title="Timeline call",
                                                  due={"anchor": "wedding_date",
                                                       "offset": {"days": -30}}), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.run().status == RunStatus.NEEDS_DATE and world.effects() == []
    world.update("c1", wedding_date="2027-06-12")
    assert world.effects("task")[0].payload["due"] == "2027-05-13T09:00:00Z"
    assert world.run().status == RunStatus.COMPLETED


def test_create_task_without_due(world: World):
    world.publish(chain(trigger("manual"), action(action="create_task", title="Say hi"), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.effects("task")[0].payload["due"] is None


def test_webhook_is_an_outbox_effect_with_rendered_body(world: World):
    world.publish(chain(trigger("manual"), action(
        action="webhook", url="https://hooks.example.com/handoff", method="put",
        headers={"X-Team": "day-of"},
        body='{"client": "{{ client.name }}", "journey": "{{ journey.name }}"}'), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    [hook] = world.effects("webhook")
    assert hook.payload == {"url": "https://hooks.example.com/handoff", "method": "PUT",
                            "headers": {"X-Team": "day-of"},
                            "body": '{"client": "Ana Lima", "journey": "Test journey"}'}
    assert hook.destination == "https://hooks.example.com/handoff"


def test_webhook_method_defaults_to_post(world: World):
    world.publish(chain(trigger("manual"), action(action="webhook", url="https://h.example.com/x"),
                        exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.effects("webhook")[0].payload["method"] == "POST"
    assert world.effects("webhook")[0].payload["body"] is None


def test_two_runs_resumed_by_one_event_keep_both_client_changes(world: World):
    for name, tag in (("First", "from-a"), ("Second", "from-b")):
        doc = journey([trigger("manual"), wait_for(event="custom:booked"),
                       action(action="add_tag", tag=tag), exit_("gone"), exit_()],
                      [("start", "await"), ("await", "act", "event"), ("await", "gone", "timeout"),
                       ("act", "end")])
        doc["name"] = name
        world.publish(doc)
    world.add("c1")
    world.event("c1", "manual")
    world.event("c1", "custom:booked")
    assert sorted(world.client().tags) == ["from-a", "from-b"]


# -- exit and ends ----------------------------------------------------------------------------
def test_exit_ends_the_run_as_completed(world: World):
    world.publish(chain(trigger("manual"), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    run = world.run()
    assert run.status == RunStatus.COMPLETED
    assert run.ended_at is not None and world.steps() == [("end", "done", "2027-01-04T09:00:00Z")]


def test_a_node_without_outgoing_edge_completes_the_run(world: World):
    world.publish(journey([trigger("manual"), email()], [("start", "mail")]))
    world.add("c1")
    world.event("c1", "manual")
    assert world.run().status == RunStatus.COMPLETED
    assert world.path() == ["start", "mail"]


def test_a_completed_run_leaves_no_wake_up(world: World):
    world.publish(chain(trigger("manual"), email(), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    assert world.wakeups() == 0


def test_an_email_whose_to_renders_empty_fails_the_run_instead_of_sending(world: World):
    world.publish(chain(trigger("manual"), email(to="{{ client.fields.planner_email }}"), exit_()))
    world.add("c1")
    world.event("c1", "manual")
    run = world.run()
    assert run.status == RunStatus.FAILED and "recipient" in run.error
    assert world.effects() == []


def test_a_template_that_breaks_on_this_clients_data_fails_the_run(world: World):
    world.publish(chain(trigger("manual"), email(subject="{{ 100 // client.fields.guests }}"),
                        exit_()))
    world.add("c1", fields={"guests": 0})
    world.event("c1", "manual")
    assert world.run().status == RunStatus.FAILED and world.effects() == []
    assert world.steps() == [("mail", "failed", "2027-01-04T09:00:00Z")]
