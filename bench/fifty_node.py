"""The benchmarks' journey: 50 nodes of every kind a wedding vendor uses, over about a year.

Shared by bench/simulate_bench.py and bench/analytics_bench.py (and usable from tests), so both
benchmarks measure the same shape: emails and forms in a send window, waits for forms and payments
with timeouts, conditions on client data, two A/B splits, actions, delays anchored on the wedding
date with past-due edges, and a lost-lead branch.
"""
from __future__ import annotations

from typing import Any


def _email(nid: str, subject: str, body: str | None = None) -> dict[str, Any]:
    return {"id": nid, "type": "email", "config": {
        "subject": subject,
        "body": body or "Hi {{ client.first_name }},\n\n" + subject
        + " for {{ client.wedding_date | longdate }}.\n\n{{ vendor.name }}"}}


def _form(nid: str, form: str) -> dict[str, Any]:
    return {"id": nid, "type": "form", "config": {
        "form": form, "subject": "A few questions, {{ client.first_name }}",
        "body": "Please tell us about your day: {{ form_url }}"}}


def _wait(nid: str, event: str, timeout: dict[str, Any], match: dict | None = None):
    config: dict[str, Any] = {"event": event, "timeout": timeout}
    if match:
        config["match"] = match
    return {"id": nid, "type": "wait_for", "config": config}


def _until(nid: str, days: int, at: str = "10:00") -> dict[str, Any]:
    return {"id": nid, "type": "delay",
            "config": {"until": {"anchor": "wedding_date", "offset": {"days": days}, "at": at}}}


def _action(nid: str, **config: Any) -> dict[str, Any]:
    return {"id": nid, "type": "action", "config": config}


def fifty_node_journey() -> dict[str, Any]:
    deposit = {"all": [{"field": "event.kind", "op": "eq", "value": "deposit"}]}
    balance = {"all": [{"field": "event.kind", "op": "eq", "value": "balance"}]}
    nodes = [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        _email("welcome", "Thanks for your enquiry"),
        _action("tag_lead", action="add_tag", tag="lead"),
        {"id": "source_check", "type": "condition", "config": {"all": [
            {"field": "client.fields.lead_source", "op": "eq", "value": "referral"}]}},
        _email("referral_thanks", "Thank you for coming through a friend"),
        {"id": "intro_delay", "type": "delay", "config": {"duration": {"days": 1}}},
        _form("questionnaire", "wedding-questionnaire"),
        _wait("await_questionnaire", "form_submitted", {"days": 7}),
        _email("nudge_questionnaire", "A quick reminder about our questionnaire"),
        _wait("await_questionnaire_2", "form_submitted", {"days": 7}),
        _email("thanks_questionnaire", "Thanks for your answers"),
        _action("flag_no_answers", action="set_field", field="questionnaire", value="missing"),
        {"id": "offer_split", "type": "split", "config": {"branches": [
            {"label": "a", "weight": 50}, {"label": "b", "weight": 50}]}},
        _email("offer_a", "Your tailored proposal"),
        _email("offer_b", "Your proposal, with a free engagement shoot"),
        _wait("await_deposit", "payment_received", {"days": 14}, deposit),
        _email("deposit_reminder", "Your date is still held for you"),
        _wait("await_deposit_2", "payment_received", {"days": 14}, deposit),
        _action("mark_booked", action="update_status", status="booked"),
        _email("booked_email", "You're booked!"),
        _action("tag_booked", action="add_tag", tag="booked"),
        _action("planning_task", action="create_task", title="Plan {{ client.name }}",
                due={"anchor": "wedding_date", "offset": {"days": -60}}),
        _until("wait_90", -90),
        _email("ninety_days", "Ninety days to go"),
        _until("wait_60", -60),
        _email("sixty_days", "Two months to go"),
        _wait("await_balance", "payment_received",
              {"anchor": "wedding_date", "offset": {"days": -30}}, balance),
        _email("balance_reminder", "Your balance is due"),
        _action("balance_task", action="create_task", title="Chase the balance"),
        _email("balance_thanks", "Balance received, thank you"),
        _until("wait_30", -30),
        _email("thirty_days", "One month to go"),
        _form("timeline_form", "timeline"),
        _wait("await_timeline", "form_submitted", {"days": 10}),
        _email("timeline_nudge", "Your day's timeline"),
        _until("wait_7", -7),
        _email("week_email", "One week to go"),
        {"id": "guests_check", "type": "condition", "config": {"all": [
            {"field": "client.fields.guests", "op": "gt", "value": 150}]}},
        _action("big_wedding_task", action="create_task", title="Second shooter"),
        _until("wait_after", 2),
        _email("congrats", "Congratulations!"),
        {"id": "wait_review", "type": "delay", "config": {"duration": {"days": 14}}},
        {"id": "review_split", "type": "split", "config": {"branches": [
            {"label": "short", "weight": 70}, {"label": "long", "weight": 30}]}},
        _email("review_short", "Would you leave us a review?"),
        _email("review_long", "How did we do? Tell us everything"),
        _action("mark_done", action="update_status", status="completed"),
        _action("lost_status", action="update_status", status="lost"),
        _email("lost_email", "We're sorry we missed you"),
        _email("winback", "If plans change, we're here"),
        {"id": "end", "type": "exit"},
    ]
    chain = [("start", "welcome"), ("welcome", "tag_lead"), ("tag_lead", "source_check"),
             ("referral_thanks", "questionnaire"), ("intro_delay", "questionnaire"),
             ("questionnaire", "await_questionnaire"),
             ("nudge_questionnaire", "await_questionnaire_2"),
             ("thanks_questionnaire", "offer_split"), ("flag_no_answers", "offer_split"),
             ("offer_a", "await_deposit"), ("offer_b", "await_deposit"),
             ("deposit_reminder", "await_deposit_2"),
             ("mark_booked", "booked_email"), ("booked_email", "tag_booked"),
             ("tag_booked", "planning_task"), ("planning_task", "wait_90"),
             ("wait_90", "ninety_days"), ("ninety_days", "wait_60"), ("wait_60", "sixty_days"),
             ("sixty_days", "await_balance"), ("balance_reminder", "balance_task"),
             ("balance_task", "wait_30"), ("balance_thanks", "wait_30"),
             ("wait_30", "thirty_days"), ("thirty_days", "timeline_form"),
             ("timeline_form", "await_timeline"), ("timeline_nudge", "wait_7"),
             ("wait_7", "week_email"), ("week_email", "guests_check"),
             ("big_wedding_task", "wait_after"), ("wait_after", "congrats"),
             ("congrats", "wait_review"), ("wait_review", "review_split"),
             ("review_short", "mark_done"), ("review_long", "mark_done"),
             ("mark_done", "end"), ("lost_status", "lost_email"), ("lost_email", "winback"),
             ("winback", "end")]
    labelled = [("source_check", "referral_thanks", "true"), ("source_check", "intro_delay", "false"),
                ("await_questionnaire", "thanks_questionnaire", "event"),
                ("await_questionnaire", "nudge_questionnaire", "timeout"),
                ("await_questionnaire_2", "thanks_questionnaire", "event"),
                ("await_questionnaire_2", "flag_no_answers", "timeout"),
                ("offer_split", "offer_a", "a"), ("offer_split", "offer_b", "b"),
                ("await_deposit", "mark_booked", "event"),
                ("await_deposit", "deposit_reminder", "timeout"),
                ("await_deposit_2", "mark_booked", "event"),
                ("await_deposit_2", "lost_status", "timeout"),
                ("wait_90", "wait_60", "past_due"), ("wait_60", "await_balance", "past_due"),
                ("await_balance", "balance_thanks", "event"),
                ("await_balance", "balance_reminder", "timeout"),
                ("wait_30", "timeline_form", "past_due"),
                ("await_timeline", "wait_7", "event"),
                ("await_timeline", "timeline_nudge", "timeout"),
                ("wait_7", "guests_check", "past_due"),
                ("guests_check", "big_wedding_task", "true"),
                ("guests_check", "wait_after", "false"),
                ("review_split", "review_short", "short"), ("review_split", "review_long", "long")]
    edges = [{"from": a, "to": b} for a, b in chain]
    edges += [{"from": a, "to": b, "when": w} for a, b, w in labelled]
    assert len(nodes) == 50, len(nodes)
    return {"format": "journeys/v1", "name": "Benchmark: fifty nodes",
            "settings": {"send_window": {"days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                                         "start": "08:00", "end": "20:00"},
                         "goal": {"event": "payment_received", "match": deposit},
                         "exit_on": ["custom:booking_cancelled"]},
            "nodes": nodes, "edges": edges}
