"""Issue 10, "Show it": every library template, simulated for sample couples, with the path
and the dates of the key steps checked against expectations worked out by hand.

For each template: an early booking (about a year out), a late booking (ten days before the
wedding), a rescheduled wedding (a `client_updated` event moving `wedding_date`, and the named
dates the template uses) and a couple who never returns a form; some templates add a lead that
goes quiet. Couples live in Europe/London, America/New_York, America/Chicago,
America/Los_Angeles and Australia/Sydney, and several key steps sit on the far side of a DST
change, so each expected time is written as local wall-clock time with its UTC offset, and
`sim_journeys` checks both the `local` and the UTC `at` of every step it reads.

How each date was worked out (the spec's rules the expectations rely on):
- a TIME is the anchor date + offset at `at` local (default 09:00), in the couple's zone;
  `business_days` offsets count the journey calendar's open days;
- weeks/days durations keep the local wall-clock time across a DST change;
- a delay whose TIME is more than `past_due_grace` (default 1 hour) in the past takes
  `past_due` (or continues at once without one); a `wait_for` then times out at once;
- an email or form reached outside `send_window` waits for its next opening (holidays of the
  calendar close the window too);
- `days_until_*` counts whole local calendar days.

Calendar facts used (US holidays close the window and are not business days, observed days
included): 2026 Labor Day 7 Sep, Columbus Day 12 Oct, Veterans Day 11 Nov; 2027 Presidents' Day
15 Feb, Memorial Day 31 May, Juneteenth Fri 18 Jun (observed) and Sat 19 Jun, Independence Day
Sun 4 Jul and Mon 5 Jul (observed), Labor Day 6 Sep, Columbus Day 11 Oct, Veterans Day 11 Nov,
Thanksgiving 25 Nov, New Year observed Fri 31 Dec; 2028 New Year Sat 1 Jan, MLK Day 17 Jan,
Presidents' Day 21 Feb, Columbus Day 9 Oct. DST: London 28 Mar / 31 Oct 2027; New York,
Chicago and Los Angeles 1 Nov 2026, 14 Mar / 7 Nov 2027, 5 Nov 2028; Sydney starts 4 Oct 2026,
3 Oct 2027, 1 Oct 2028 and ends 4 Apr 2027.

Split branches (A/B tests) are written "a|b": either is right, since the branch is a hash of
the seed, which a hand calculation should not depend on; the time is checked either way.
"""
from __future__ import annotations

import pytest

from tests.library.sim_journeys import (Journey, approve, assert_step, couple, event, form_back,
                                        paid, path, reject, resolve, update)

START = "2026-09-01T12:00:00Z"  # a Tuesday


def check_path(journey: Journey, cid: str, expected: str) -> None:
    """The couple's whole path; "a|b" accepts either branch of a random split."""
    actual = journey.path(cid)
    assert actual == resolve(path(expected), actual)


def check_inbox(journey: Journey, cid: str, expected: list[tuple[str, str]]) -> None:
    """Every email and form the couple got, in order, at these local times (and UTC)."""
    actual = journey.inbox(cid)
    assert actual == resolve(expected, actual)

# =============================================================================================
# Photographer: inquiry to first anniversary (trigger: client_added)
# Window every day 08:00-20:00, past_due_grace 6 hours, default calendar (Mon-Fri, no holidays).
# Fix made while writing these: a lead who wrote ten days before the wedding and never paid got
# "Should I keep your date open?" the day after the wedding. Both lead follow-ups now check the
# wedding is 3+ days away (or undated) - `followup_date_ahead`, `last_note_date_ahead` - else
# the lead is closed as lost.
# =============================================================================================

PHOTO = "photographer_inquiry_to_anniversary"


@pytest.fixture(scope="module")
def photo():
    clients = [
        # Early: London, booked a year out, engagement session, every date set.
        couple("early", "Europe/London", "2027-09-04", tags=["engagement_session"],
               dates={"engagement_shoot": "2027-03-27", "final_payment": "2027-08-04",
                      "gallery_delivery": "2027-10-16"},
               fields={"gallery_url": "https://example.com/g/early", "balance_due": "$1,800"}),
        # Late: New York, booked ten days before the wedding, balance due in three days.
        couple("late", "America/New_York", "2027-06-19", dates={"final_payment": "2027-06-12"},
               added_at="2027-06-09T14:00:00Z"),
        # Rescheduled: Sydney, engagement session without a date yet; the wedding moves from
        # 1 May to 16 October 2027 (and the balance with it) while the run waits.
        couple("moved", "Australia/Sydney", "2027-05-01", tags=["engagement_session"],
               dates={"final_payment": "2027-04-03"},
               fields={"gallery_url": "https://example.com/g/moved"}),
        # Ghost: New York, never returns the questionnaire or the review; no gallery link
        # until the vendor adds it after the reminder task.
        couple("ghost", "America/New_York", "2027-11-13"),
        # A lead who never books, and a last-minute lead ten days before the wedding.
        couple("lead", "America/New_York", "2027-10-09", status="lead",
               added_at="2026-10-01T15:00:00Z"),
        couple("lead_late", "America/New_York", "2027-10-09", status="lead",
               added_at="2027-09-29T14:00:00Z"),
    ]
    events = [
        form_back("2027-08-08T18:30:00Z", "early", "timeline_questionnaire", first_look=True),
        approve("2027-09-08T06:00:00Z", "early", "sneak_peeks"),  # 07:00 BST: window shut
        form_back("2027-10-27T12:00:00Z", "early", "review", rating=5),
        form_back("2027-06-11T00:30:00Z", "late", "timeline_questionnaire", first_look=False),
        update("2026-09-10T00:00:00Z", "moved",
               dates={"engagement_shoot": "2026-11-14", "final_payment": "2027-04-03"}),
        update("2027-01-15T00:00:00Z", "moved", wedding_date="2027-10-16",
               dates={"engagement_shoot": "2026-11-14", "final_payment": "2027-09-18"}),
        form_back("2027-09-25T00:00:00Z", "moved", "timeline_questionnaire"),
        reject("2027-10-20T00:00:00Z", "moved", "sneak_peeks"),
        approve("2027-11-27T23:30:00Z", "moved", "gallery_delivery"),
        form_back("2027-12-06T01:00:00Z", "moved", "review", rating=3),
        update("2027-12-27T15:00:00Z", "ghost", fields={"gallery_url": "https://example.com/g"}),
    ]
    return Journey(PHOTO, clients, events, start=START, until="2028-12-01T00:00:00Z")




def test_photographer_early_booking(photo):
    assert photo.path("early") == path("""
        start is_booked booked_welcome has_wedding_date engagement_included
        engagement_scheduled engagement_prep_delay engagement_prep engagement_reminder_delay
        engagement_reminder engagement_followup_delay engagement_followup has_final_payment
        final_payment_delay final_payment_reminder questionnaire_delay questionnaire
        wait_questionnaire questionnaire_thanks shot_list_delay shot_list day_before_delay
        day_before_checklist thank_you_delay thank_you sneak_peek_delay sneak_peeks
        gallery_date_set gallery_delay gallery_link_set gallery_delivery review_delay
        review_request wait_review review_positive review_share referral_delay referral
        tag_referral_asked anniversary_delay anniversary mark_past_client done""")
    assert photo.status("early") == "completed"
    assert photo.inbox("early") == [
        ("booked_welcome", "2026-09-01T13:00:00+01:00"),
        # engagement shoot Sat 27 Mar 2027, the day before British Summer Time starts
        ("engagement_prep", "2027-03-20T10:00:00+00:00"),
        ("engagement_reminder", "2027-03-26T16:00:00+00:00"),
        ("engagement_followup", "2027-03-30T10:00:00+01:00"),
        ("final_payment_reminder", "2027-07-28T10:00:00+01:00"),
        ("questionnaire", "2027-08-05T10:00:00+01:00"),
        ("questionnaire_thanks", "2027-08-08T19:30:00+01:00"),  # no nudge once it is back
        ("shot_list", "2027-08-21T10:00:00+01:00"),
        ("day_before_checklist", "2027-09-03T10:00:00+01:00"),
        ("thank_you", "2027-09-05T10:00:00+01:00"),
        ("sneak_peeks", "2027-09-08T08:00:00+01:00"),  # approved at 07:00, window opens 08:00
        ("gallery_delivery", "2027-10-18T10:00:00+01:00"),  # nobody approved: sent after 2 days
        ("review_request", "2027-10-25T10:00:00+01:00"),
        ("review_share", "2027-10-27T13:00:00+01:00"),
        ("referral", "2027-11-24T13:00:00+00:00"),  # 4 calendar weeks, same wall clock
        ("anniversary", "2028-08-27T10:00:00+01:00"),  # 358 days (29 Feb 2028 in between)
    ]
    assert_step(photo, "early", "sneak_peeks", "2027-09-08T08:00:00+01:00", "sent")


def test_photographer_late_booking(photo):
    assert photo.path("late") == path("""
        start is_booked booked_welcome has_wedding_date engagement_included has_final_payment
        final_payment_delay final_payment_still_ahead final_payment_reminder
        questionnaire_delay questionnaire_late_check questionnaire_catchup questionnaire
        wait_questionnaire questionnaire_thanks shot_list_delay shot_list_late_check shot_list
        day_before_delay day_before_checklist thank_you_delay thank_you sneak_peek_delay
        sneak_peeks gallery_date_set gallery_default_delay gallery_link_set gallery_link_task
        gallery_link_wait gallery_link_set_2 review_delay review_request wait_review
        referral_delay referral tag_referral_asked anniversary_delay anniversary
        mark_past_client done""")
    assert_step(photo, "late", "final_payment_delay", "2027-06-09T10:00:00-04:00", "past_due")
    assert_step(photo, "late", "questionnaire_delay", "2027-06-09T10:00:00-04:00", "past_due")
    assert photo.inbox("late") == [
        ("booked_welcome", "2027-06-09T10:00:00-04:00"),
        ("final_payment_reminder", "2027-06-09T10:00:00-04:00"),  # due in 3 days: still sent
        ("questionnaire", "2027-06-10T10:00:00-04:00"),  # catch-up waits a day
        ("questionnaire_thanks", "2027-06-11T08:00:00-04:00"),  # back at 20:30: held to 08:00
        ("shot_list", "2027-06-11T08:00:00-04:00"),  # 8 days to go: still worth sending
        ("day_before_checklist", "2027-06-18T10:00:00-04:00"),
        ("thank_you", "2027-06-20T10:00:00-04:00"),
        ("review_request", "2027-08-10T10:00:00-04:00"),
        ("referral", "2027-09-17T10:00:00-04:00"),
        ("anniversary", "2028-06-11T10:00:00-04:00"),
    ]
    # Sneak peeks nobody approved are skipped after 4 days; no gallery link: a task, then
    # two business days from Saturday 31 July (6 weeks after) is Tuesday 3 August.
    assert_step(photo, "late", "sneak_peeks", "2027-06-26T18:00:00-04:00", "skipped")
    assert_step(photo, "late", "gallery_link_task", "2027-07-31T10:00:00-04:00", "done")
    assert_step(photo, "late", "gallery_link_set_2", "2027-08-03T10:00:00-04:00", "done")
    assert photo.most_in_a_day("late") == 2


def test_photographer_rescheduled_wedding(photo):
    assert photo.path("moved") == path("""
        start is_booked booked_welcome has_wedding_date engagement_included
        engagement_scheduled engagement_time_left engagement_invite engagement_task
        engagement_wait engagement_scheduled_2 engagement_prep_delay engagement_prep
        engagement_reminder_delay engagement_reminder engagement_followup_delay
        engagement_followup has_final_payment final_payment_delay final_payment_reminder
        questionnaire_delay questionnaire wait_questionnaire nudge_check questionnaire_nudge
        wait_questionnaire_2 questionnaire_thanks shot_list_delay shot_list day_before_delay
        day_before_checklist thank_you_delay thank_you sneak_peek_delay sneak_peeks
        gallery_date_set gallery_default_delay gallery_link_set gallery_delivery review_delay
        review_request wait_review review_positive review_followup_task review_private_thanks
        referral_delay referral tag_referral_asked anniversary_delay anniversary
        mark_past_client done""")
    assert photo.inbox("moved") == [
        # added 22:00 AEST: the window is shut until 08:00
        ("booked_welcome", "2026-09-02T08:00:00+10:00"),
        ("engagement_invite", "2026-09-02T08:00:00+10:00"),
        # the shoot date arrived during the 3-week wait; shoot 14 Nov 2026 (AEDT)
        ("engagement_prep", "2026-11-07T10:00:00+11:00"),
        ("engagement_reminder", "2026-11-13T16:00:00+11:00"),
        ("engagement_followup", "2026-11-17T10:00:00+11:00"),
        # moved: balance 18 Sep 2027, wedding 16 Oct 2027; nothing of the old dates is sent
        ("final_payment_reminder", "2027-09-11T10:00:00+10:00"),
        ("questionnaire", "2027-09-16T10:00:00+10:00"),
        ("questionnaire_nudge", "2027-09-23T10:00:00+10:00"),
        ("questionnaire_thanks", "2027-09-25T10:00:00+10:00"),
        ("shot_list", "2027-10-02T10:00:00+10:00"),  # the last day before daylight saving
        ("day_before_checklist", "2027-10-15T10:00:00+11:00"),
        ("thank_you", "2027-10-17T10:00:00+11:00"),
        ("gallery_delivery", "2027-11-28T10:30:00+11:00"),  # approved 10:30, 6 weeks after
        ("review_request", "2027-12-05T10:30:00+11:00"),
        ("review_private_thanks", "2027-12-06T12:00:00+11:00"),  # 3 stars: a task, no ask
        ("referral", "2028-01-03T12:00:00+11:00"),
        ("anniversary", "2028-10-08T10:00:00+11:00"),
    ]
    assert_step(photo, "moved", "engagement_wait", "2026-09-23T08:00:00+10:00", "done")
    assert_step(photo, "moved", "sneak_peeks", "2027-10-20T11:00:00+11:00", "skipped")
    assert_step(photo, "moved", "review_followup_task", "2027-12-06T12:00:00+11:00", "done")


def test_photographer_couple_who_never_returns_the_questionnaire(photo):
    assert photo.path("ghost") == path("""
        start is_booked booked_welcome has_wedding_date engagement_included has_final_payment
        questionnaire_delay questionnaire wait_questionnaire nudge_check questionnaire_nudge
        wait_questionnaire_2 timeline_call_task shot_list_delay shot_list day_before_delay
        day_before_checklist thank_you_delay thank_you sneak_peek_delay sneak_peeks
        gallery_date_set gallery_default_delay gallery_link_set gallery_link_task
        gallery_link_wait gallery_link_set_2 gallery_delivery review_delay review_request
        wait_review referral_delay referral tag_referral_asked anniversary_delay anniversary
        mark_past_client done""")
    assert photo.inbox("ghost") == [
        ("booked_welcome", "2026-09-01T08:00:00-04:00"),
        ("questionnaire", "2027-10-14T10:00:00-04:00"),
        ("questionnaire_nudge", "2027-10-21T10:00:00-04:00"),
        ("shot_list", "2027-10-30T10:00:00-04:00"),
        ("day_before_checklist", "2027-11-12T10:00:00-05:00"),  # after the clocks go back
        ("thank_you", "2027-11-14T10:00:00-05:00"),
        # 6 weeks after is Christmas Day (a Saturday); link added Monday; 2 business days on
        # is Tuesday 28 Dec, then 2 days for approval
        ("gallery_delivery", "2027-12-30T10:00:00-05:00"),
        ("review_request", "2028-01-06T10:00:00-05:00"),
        ("referral", "2028-02-13T10:00:00-05:00"),
        ("anniversary", "2028-11-05T10:00:00-05:00"),  # DST ended at 02:00 that morning
    ]
    assert_step(photo, "ghost", "timeline_call_task", "2027-10-26T10:00:00-04:00", "done")
    assert_step(photo, "ghost", "wait_review", "2028-01-16T10:00:00-05:00", "timeout")


def test_photographer_leads(photo):
    assert photo.path("lead") == path("""
        start is_booked inquiry_reply inquiry_task wait_booking_1 followup_date_ahead
        inquiry_followup wait_booking_2 last_note_date_ahead inquiry_last_note wait_booking_3
        mark_lost tag_lead_closed exit_lost""")
    assert photo.inbox("lead") == [
        ("inquiry_reply", "2026-10-01T11:00:00-04:00"),
        ("inquiry_followup", "2026-10-05T11:00:00-04:00"),
        ("inquiry_last_note", "2026-10-12T11:00:00-04:00"),
    ]
    assert_step(photo, "lead", "mark_lost", "2026-10-19T11:00:00-04:00", "done")
    # A lead ten days out: one follow-up (6 days to go), never a "keep your date open?" note
    # after the wedding; marked lost the day after it.
    assert photo.path("lead_late") == path("""
        start is_booked inquiry_reply inquiry_task wait_booking_1 followup_date_ahead
        inquiry_followup wait_booking_2 last_note_date_ahead mark_lost tag_lead_closed
        exit_lost""")
    assert photo.inbox("lead_late") == [
        ("inquiry_reply", "2027-09-29T10:00:00-04:00"),
        ("inquiry_followup", "2027-10-03T10:00:00-04:00"),
    ]
    assert_step(photo, "lead_late", "mark_lost", "2027-10-10T10:00:00-04:00", "done")


# =============================================================================================
# Videographer: booked to film (trigger: payment_received, the retainer)
# Window Mon-Sat 09:00-19:00; calendar closed Sundays and US holidays (Saturday is a business
# day here, so "5 business days before a Saturday" is the Monday).
# Fix made while writing these: a couple booked under 14 days out skipped the film questionnaire
# with nothing in its place (and so did one who ignored it until 14 days out); both now get a
# call task (`prefs_call_task`) to go through songs, vows and speeches.
# =============================================================================================

VIDEO = "videographer_booked_to_film"


@pytest.fixture(scope="module")
def video():
    clients = [
        couple("early", "America/Chicago", "2027-10-23",
               dates={"final_payment": "2027-09-25", "film_delivery": "2028-01-14"},
               fields={"film_url": "https://example.com/f/early",
                       "teaser_url": "https://example.com/t/early"}),
        couple("late", "America/Los_Angeles", "2027-07-10", dates={"final_payment": "2027-07-03"}),
        couple("moved", "Europe/London", "2027-06-12",
               dates={"final_payment": "2027-05-15", "film_delivery": "2027-09-04"},
               fields={"film_url": "https://example.com/f/moved"}),
        couple("ghost", "Australia/Sydney", "2027-04-24"),
    ]
    events = [
        paid("2026-10-20T15:00:00Z", "early"),  # retainer, Tuesday 10:00 CDT
        form_back("2027-09-01T14:00:00Z", "early", "film_preferences", vows_audio=True),
        paid("2027-09-22T15:00:00Z", "early"),  # the balance: reentry never, no second run
        approve("2027-11-14T01:30:00Z", "early", "teaser"),  # Saturday 19:30: window shut
        form_back("2028-02-01T16:00:00Z", "early", "review", rating=5),
        paid("2027-06-30T16:00:00Z", "late"),  # Wednesday 09:00 PDT, ten days before
        paid("2026-09-01T13:00:00Z", "moved"),
        update("2027-02-01T12:00:00Z", "moved", wedding_date="2027-09-25",
               dates={"final_payment": "2027-08-28", "film_delivery": "2027-12-18"}),
        form_back("2027-08-03T08:00:00Z", "moved", "film_preferences"),
        approve("2027-10-16T17:30:00Z", "moved", "teaser"),
        paid("2026-09-01T12:00:00Z", "ghost"),  # 22:00 in Sydney
    ]
    return Journey(VIDEO, clients, events, start=START, until="2028-11-01T00:00:00Z")


def test_videographer_early_booking(video):
    assert video.path("early") == path("""
        start mark_booked has_wedding_date welcome prefs_delay film_preferences wait_prefs
        prefs_thanks has_final_payment final_payment_delay final_payment_reminder audio_delay
        audio_check wedding_week_delay wedding_week thank_you_delay thank_you teaser_delay
        teaser film_date_set film_delay film_link_set film_delivery review_delay
        review_request wait_review review_positive review_share anniversary_delay anniversary
        mark_past_client done""")
    assert video.inbox("early") == [
        ("welcome", "2026-10-20T10:00:00-05:00"),
        ("film_preferences", "2027-08-28T10:00:00-05:00"),  # 8 weeks out
        ("prefs_thanks", "2027-09-01T09:00:00-05:00"),
        ("final_payment_reminder", "2027-09-20T10:00:00-05:00"),  # Sat 25 Sep - 5 bd = Mon
        ("audio_check", "2027-10-02T10:00:00-05:00"),
        ("wedding_week", "2027-10-18T10:00:00-05:00"),
        ("thank_you", "2027-10-25T10:00:00-05:00"),
        # teaser approved Saturday 19:30 CST (clocks went back on 7 Nov): Sunday is closed
        ("teaser", "2027-11-15T09:00:00-06:00"),
        # film date Fri 14 Jan; unapproved, it goes after 3 days - MLK Day, so Tuesday
        ("film_delivery", "2028-01-18T09:00:00-06:00"),
        ("review_request", "2028-01-28T09:00:00-06:00"),
        ("review_share", "2028-02-01T10:00:00-06:00"),
        # 358 days on is Sunday 15 Oct 2028, 18:00: held to Monday's opening
        ("anniversary", "2028-10-16T09:00:00-05:00"),
    ]


def test_videographer_late_booking(video):
    assert video.path("late") == path("""
        start mark_booked has_wedding_date welcome prefs_delay prefs_late_check prefs_call_task
        has_final_payment final_payment_delay final_payment_still_ahead
        final_payment_reminder audio_delay audio_late_check audio_catchup audio_check
        wedding_week_delay wedding_week thank_you_delay thank_you teaser_delay teaser
        film_date_set film_default_delay film_link_set film_manual_task review_delay
        review_request wait_review anniversary_delay anniversary mark_past_client done""")
    assert_step(video, "late", "prefs_call_task", "2027-06-30T09:00:00-07:00", "done")
    assert video.inbox("late") == [
        ("welcome", "2027-06-30T09:00:00-07:00"),
        ("final_payment_reminder", "2027-06-30T09:00:00-07:00"),  # due Saturday: still ahead
        ("audio_check", "2027-07-01T09:00:00-07:00"),  # catch-up: 1 business day later
        # 5 days out is Monday 5 July, Independence Day observed: held to Tuesday
        ("wedding_week", "2027-07-06T09:00:00-07:00"),
        ("thank_you", "2027-07-12T10:00:00-07:00"),
        ("review_request", "2027-10-12T10:00:00-07:00"),
        ("anniversary", "2028-07-03T09:00:00-07:00"),  # Sunday 2 July -> Monday
    ]
    assert_step(video, "late", "teaser", "2027-08-05T18:00:00-07:00", "skipped")
    assert_step(video, "late", "film_manual_task", "2027-10-02T10:00:00-07:00", "done")


def test_videographer_rescheduled_wedding(video):
    assert video.path("moved") == path("""
        start mark_booked has_wedding_date welcome prefs_delay film_preferences wait_prefs
        prefs_thanks has_final_payment final_payment_delay final_payment_reminder audio_delay
        audio_check wedding_week_delay wedding_week thank_you_delay thank_you teaser_delay
        teaser film_date_set film_delay film_link_set film_delivery review_delay
        review_request wait_review anniversary_delay anniversary mark_past_client done""")
    assert video.inbox("moved") == [
        ("welcome", "2026-09-01T14:00:00+01:00"),
        # wedding moved from 12 June to 25 September 2027 before anything else was due
        ("film_preferences", "2027-07-31T10:00:00+01:00"),
        ("prefs_thanks", "2027-08-03T09:00:00+01:00"),
        ("final_payment_reminder", "2027-08-23T10:00:00+01:00"),
        ("audio_check", "2027-09-04T10:00:00+01:00"),
        ("wedding_week", "2027-09-20T10:00:00+01:00"),
        ("thank_you", "2027-09-27T10:00:00+01:00"),
        ("teaser", "2027-10-16T18:30:00+01:00"),
        ("film_delivery", "2027-12-21T10:00:00+00:00"),  # the moved film date + 3 days
        # 10 days on is Fri 31 Dec (New Year observed), then Sat 1 Jan, then Sunday: Monday
        ("review_request", "2028-01-03T09:00:00+00:00"),
        ("anniversary", "2028-09-18T09:00:00+01:00"),
    ]
    assert_step(video, "moved", "prefs_delay", "2027-07-31T10:00:00+01:00", "done")


def test_videographer_couple_who_never_returns_the_questionnaire(video):
    assert video.path("ghost") == path("""
        start mark_booked has_wedding_date welcome prefs_delay film_preferences wait_prefs
        prefs_nudge_check prefs_nudge has_final_payment audio_delay audio_check
        wedding_week_delay wedding_week thank_you_delay thank_you teaser_delay teaser
        film_date_set film_default_delay film_link_set film_manual_task review_delay
        review_request wait_review anniversary_delay anniversary mark_past_client done""")
    assert video.inbox("ghost") == [
        ("welcome", "2026-09-02T09:00:00+10:00"),  # paid 22:00: held to 09:00
        ("film_preferences", "2027-02-27T10:00:00+11:00"),
        ("prefs_nudge", "2027-03-09T10:00:00+11:00"),
        ("audio_check", "2027-04-03T10:00:00+11:00"),  # the last day of daylight saving
        ("wedding_week", "2027-04-19T10:00:00+10:00"),
        ("thank_you", "2027-04-26T10:00:00+10:00"),
        ("review_request", "2027-07-27T10:00:00+10:00"),
        ("anniversary", "2028-04-17T09:00:00+10:00"),
    ]
    assert_step(video, "ghost", "wait_review", "2027-08-10T10:00:00+10:00", "timeout")


# =============================================================================================
# Planner: full-service planning (trigger: manual)
# Window Mon-Fri 09:00-18:00; business days Mon-Fri without US holidays; past_due_grace 4 hours.
# Fix made while writing these: a catch-up final-details form now waits one business day
# (`details_catchup`), as the library's conventions say, instead of going with the welcome.
# =============================================================================================

FULL = "planner_full_service"


@pytest.fixture(scope="module")
def full():
    clients = [
        couple("early", "America/New_York", "2027-10-16", status="lead",
               dates={"final_payment": "2027-09-16", "rsvp_deadline": "2027-09-10",
                      "final_walkthrough": "2027-10-06", "rehearsal": "2027-10-15"}),
        couple("late", "Europe/London", "2027-05-29", status="lead",
               dates={"final_payment": "2027-05-21", "rehearsal": "2027-05-28"}),
        # No date at first (a date-finding loop), then a date, then a reschedule.
        couple("moved", "America/Chicago", None, status="lead",
               fields={"venue_name": "The Glasshouse"}),
        couple("ghost", "America/New_York", "2027-12-11", status="lead"),
    ]
    events = [
        event("2026-10-13T14:00:00Z", "early", "manual"),  # Tuesday 10:00 EDT, 368 days out
        form_back("2026-10-15T18:00:00Z", "early", "planning_kickoff", destination=True,
                  guest_count=180),
        event("2026-11-10T15:00:00Z", "early", "custom:venue_booked"),
        form_back("2027-03-25T14:00:00Z", "early", "design_vision", mood="Romantic"),
        form_back("2027-09-15T19:00:00Z", "early", "final_details", final_guest_count=172),
        approve("2027-10-04T13:30:00Z", "early", "timeline_draft"),
        form_back("2027-11-05T15:00:00Z", "early", "review", rating=5),
        event("2027-05-19T08:00:00Z", "late", "manual"),  # Wednesday 09:00 BST, 10 days out
        form_back("2027-05-21T10:00:00Z", "late", "final_details", final_guest_count=60),
        approve("2027-05-21T12:00:00Z", "late", "timeline_draft"),
        event("2026-09-01T14:00:00Z", "moved", "manual"),
        form_back("2026-09-10T15:00:00Z", "moved", "planning_kickoff", destination=False,
                  guest_count=80),
        update("2026-10-01T15:00:00Z", "moved", wedding_date="2027-06-19"),
        update("2027-01-05T15:00:00Z", "moved", wedding_date="2027-09-18",
               dates={"final_payment": "2027-08-20", "rsvp_deadline": "2027-08-13",
                      "final_walkthrough": "2027-09-08"}),
        form_back("2027-08-18T14:00:00Z", "moved", "final_details", final_guest_count=95),
        form_back("2027-10-06T15:00:00Z", "moved", "review", rating=2),
        event("2027-05-04T13:00:00Z", "ghost", "manual"),  # 221 days out: compressed track
    ]
    return Journey(FULL, clients, events, start=START, until="2029-01-01T00:00:00Z")


def test_full_service_early_booking(full):
    check_path(full, "early", """
        start mark_planning short_notice welcome kickoff_form wait_kickoff wants_destination
        tag_destination is_large large_wedding_task roadmap has_date has_venue venue_time_left
        venue_search venue_task wait_venue venue_booked long_runway dest_standard
        dest_std_delay dest_save_the_dates vendor_team_delay vendor_team_update
        dest_standard_2 design_delay design_form wait_design design_thanks design_meeting_task
        pulse_delay pulse_split pulse_email|pulse_call invitations_delay invitations
        has_final_payment final_payment_delay final_payment_reminder has_rsvp_deadline
        rsvp_delay rsvp_wrapup details_delay details_late_check details_catchup final_details
        wait_details dest_final dest_logistics_delay dest_logistics dest_logistics_task
        vendor_confirm_delay vendor_confirm_task timeline_delay timeline_draft has_walkthrough
        walkthrough_delay walkthrough_reminder wedding_week_delay wedding_week has_rehearsal
        rehearsal_delay rehearsal_plan thank_you_delay thank_you mark_married review_delay
        review_split review_short|review_story wait_review review_positive review_share
        referral_delay referral anniversary_delay anniversary mark_past_client done""")
    check_inbox(full, "early", [
        ("welcome", "2026-10-13T10:00:00-04:00"),
        ("kickoff_form", "2026-10-13T10:00:00-04:00"),
        ("roadmap", "2026-10-15T14:00:00-04:00"),  # no nudge: the kickoff came back
        ("venue_search", "2026-10-15T14:00:00-04:00"),
        ("venue_booked", "2026-11-10T10:00:00-05:00"),
        # destination: save-the-dates 300 days out is Sunday 20 Dec: Monday's opening
        ("dest_save_the_dates", "2026-12-21T09:00:00-05:00"),
        ("vendor_team_update", "2027-01-19T10:00:00-05:00"),
        # no ordinary save-the-dates for a destination wedding; design 210 days out is a
        # Saturday (after the clocks went forward)
        ("design_form", "2027-03-22T09:00:00-04:00"),
        ("design_thanks", "2027-03-25T10:00:00-04:00"),
        ("pulse_email|pulse_call", "2027-05-19T10:00:00-04:00"),
        ("invitations", "2027-08-02T09:00:00-04:00"),  # 77 days out is Saturday 31 July
        ("final_payment_reminder", "2027-09-09T10:00:00-04:00"),
        ("rsvp_wrapup", "2027-09-13T09:00:00-04:00"),  # Saturday 11th -> Monday
        # 35 days out (Sat 11th) passed while the wrap-up waited: catch-up, next business day
        ("final_details", "2027-09-14T09:00:00-04:00"),
        ("dest_logistics", "2027-09-20T09:00:00-04:00"),
        ("timeline_draft", "2027-10-04T09:30:00-04:00"),  # approved Monday 09:30
        ("walkthrough_reminder", "2027-10-04T10:00:00-04:00"),
        # 6 days out is Sunday, then Columbus Day: Tuesday, still 4 days before
        ("wedding_week", "2027-10-12T09:00:00-04:00"),
        ("rehearsal_plan", "2027-10-12T10:00:00-04:00"),
        ("thank_you", "2027-10-19T10:00:00-04:00"),  # 2 business days after Saturday
        ("review_short|review_story", "2027-11-02T10:00:00-04:00"),
        ("review_share", "2027-11-05T11:00:00-04:00"),
        ("referral", "2027-12-17T11:00:00-05:00"),
        # 358 days on is Sunday 8 Oct 2028, then Columbus Day: Tuesday
        ("anniversary", "2028-10-10T09:00:00-04:00"),
    ])
    # 15 business days before Saturday 16 Oct, skipping Columbus Day, is Friday 24 Sep.
    assert_step(full, "early", "vendor_confirm_task", "2027-09-24T10:00:00-04:00", "done")
    assert_step(full, "early", "large_wedding_task", "2026-10-15T14:00:00-04:00", "done")


def test_full_service_late_booking(full):
    check_path(full, "late", """
        start mark_planning short_notice short_notice_welcome short_notice_task
        details_late_check details_catchup final_details wait_details dest_final
        vendor_confirm_delay vendor_confirm_task timeline_delay timeline_draft has_walkthrough
        wedding_week_delay wedding_week has_rehearsal rehearsal_delay rehearsal_plan
        thank_you_delay thank_you mark_married review_delay review_split
        review_short|review_story wait_review referral_delay referral anniversary_delay
        anniversary mark_past_client done""")
    check_inbox(full, "late", [
        ("short_notice_welcome", "2027-05-19T09:00:00+01:00"),
        ("final_details", "2027-05-20T09:00:00+01:00"),  # the next business day
        ("timeline_draft", "2027-05-21T13:00:00+01:00"),
        ("wedding_week", "2027-05-24T09:00:00+01:00"),  # Sunday 23rd -> Monday
        ("rehearsal_plan", "2027-05-25T10:00:00+01:00"),
        # 2 business days after Saturday 29 May, skipping (US) Memorial Day 31 May
        ("thank_you", "2027-06-02T10:00:00+01:00"),
        ("review_short|review_story", "2027-06-16T10:00:00+01:00"),
        ("referral", "2027-08-11T10:00:00+01:00"),
        ("anniversary", "2028-05-22T09:00:00+01:00"),
    ])
    assert_step(full, "late", "vendor_confirm_delay", "2027-05-21T11:00:00+01:00", "past_due")
    assert full.most_in_a_day("late") == 1


def test_full_service_date_found_then_rescheduled(full):
    check_path(full, "moved", """
        start mark_planning short_notice welcome kickoff_form wait_kickoff kickoff_nudge
        wait_kickoff_2 wants_destination is_large roadmap has_date date_help date_task
        date_wait date_recheck date_wait date_recheck has_venue long_runway dest_standard
        vendor_team_delay dest_standard_2 save_date_delay save_the_dates design_delay
        design_form wait_design design_nudge design_meeting_task pulse_delay pulse_split
        pulse_email|pulse_call invitations_delay invitations has_final_payment
        final_payment_delay final_payment_reminder has_rsvp_deadline rsvp_delay rsvp_wrapup
        details_delay details_late_check details_catchup final_details wait_details dest_final
        vendor_confirm_delay vendor_confirm_task timeline_delay timeline_draft has_walkthrough
        walkthrough_delay walkthrough_reminder wedding_week_delay wedding_week has_rehearsal
        thank_you_delay thank_you mark_married review_delay review_split
        review_short|review_story wait_review review_positive review_followup_task
        referral_delay referral anniversary_delay anniversary mark_past_client done""")
    check_inbox(full, "moved", [
        ("welcome", "2026-09-01T09:00:00-05:00"),
        ("kickoff_form", "2026-09-01T09:00:00-05:00"),
        ("kickoff_nudge", "2026-09-08T09:00:00-05:00"),
        ("roadmap", "2026-09-10T10:00:00-05:00"),
        ("date_help", "2026-09-10T10:00:00-05:00"),
        # the date (19 Jun 2027) was set on 1 Oct; the loop saw it at its next check, 8 Oct,
        # 254 days out: vendor-team update (270 days) already past, save-the-dates at 240
        ("save_the_dates", "2026-10-22T10:00:00-05:00"),
        ("design_form", "2026-11-23T09:00:00-06:00"),  # 210 days out is a Saturday
        ("design_nudge", "2026-12-03T09:00:00-06:00"),
        # moved on 5 Jan to 18 Sep 2027 while waiting for the mid-planning check-in
        ("pulse_email|pulse_call", "2027-04-21T10:00:00-05:00"),
        # 77 days out is Saturday 3 July; Monday 5 July is Independence Day observed
        ("invitations", "2027-07-06T09:00:00-05:00"),
        ("final_payment_reminder", "2027-08-13T10:00:00-05:00"),
        ("rsvp_wrapup", "2027-08-16T09:00:00-05:00"),
        ("final_details", "2027-08-17T09:00:00-05:00"),
        # walkthrough 8 Sep: 2 days before is Labor Day, so Tuesday
        ("walkthrough_reminder", "2027-09-07T09:00:00-05:00"),
        ("wedding_week", "2027-09-13T09:00:00-05:00"),
        ("thank_you", "2027-09-21T10:00:00-05:00"),
        ("review_short|review_story", "2027-10-05T10:00:00-05:00"),
        ("referral", "2027-11-17T10:00:00-06:00"),
        ("anniversary", "2028-09-11T09:00:00-05:00"),
    ])
    assert_step(full, "moved", "date_recheck", "2026-09-24T10:00:00-05:00", "done")
    assert_step(full, "moved", "date_recheck", "2026-10-08T10:00:00-05:00", "done", nth=2)
    # 15 business days before Saturday 18 Sep, skipping Labor Day, is Friday 27 Aug.
    assert_step(full, "moved", "vendor_confirm_task", "2027-08-27T10:00:00-05:00", "done")
    assert_step(full, "moved", "timeline_draft", "2027-09-06T10:00:00-05:00", "skipped")


def test_full_service_couple_who_never_returns_a_form(full):
    check_path(full, "ghost", """
        start mark_planning short_notice welcome kickoff_form wait_kickoff kickoff_nudge
        wait_kickoff_2 kickoff_call_task roadmap has_date has_venue venue_time_left
        venue_search venue_task wait_venue venue_stuck_task long_runway compressed_plan
        compressed_task design_form wait_design design_nudge design_meeting_task pulse_delay
        pulse_split pulse_email|pulse_call invitations_delay invitations has_final_payment
        has_rsvp_deadline details_delay final_details wait_details details_nudge_check
        details_nudge wait_details_2 details_call_task dest_final vendor_confirm_delay
        vendor_confirm_task timeline_delay timeline_draft has_walkthrough wedding_week_delay
        wedding_week has_rehearsal thank_you_delay thank_you mark_married review_delay
        review_split review_short|review_story wait_review referral_delay referral
        anniversary_delay anniversary mark_past_client done""")
    check_inbox(full, "ghost", [
        ("welcome", "2027-05-04T09:00:00-04:00"),
        ("kickoff_form", "2027-05-04T09:00:00-04:00"),
        ("kickoff_nudge", "2027-05-11T09:00:00-04:00"),
        ("roadmap", "2027-05-17T09:00:00-04:00"),  # after the call task on Sunday 16th
        ("venue_search", "2027-05-17T09:00:00-04:00"),
        ("compressed_plan", "2027-06-28T09:00:00-04:00"),  # venue wait over, 166 days left
        ("design_form", "2027-06-28T09:00:00-04:00"),
        ("design_nudge", "2027-07-08T09:00:00-04:00"),
        ("pulse_email|pulse_call", "2027-07-14T10:00:00-04:00"),
        ("invitations", "2027-09-27T09:00:00-04:00"),
        ("final_details", "2027-11-08T09:00:00-05:00"),  # Saturday 6 Nov -> Monday (EST)
        ("details_nudge", "2027-11-15T09:00:00-05:00"),
        ("wedding_week", "2027-12-06T09:00:00-05:00"),
        ("thank_you", "2027-12-14T10:00:00-05:00"),
        ("review_short|review_story", "2027-12-28T10:00:00-05:00"),
        ("referral", "2028-02-22T10:00:00-05:00"),
        ("anniversary", "2028-12-04T09:00:00-05:00"),
    ])
    assert_step(full, "ghost", "kickoff_call_task", "2027-05-16T09:00:00-04:00", "done")
    assert_step(full, "ghost", "venue_stuck_task", "2027-06-28T09:00:00-04:00", "done")
    assert_step(full, "ghost", "details_call_task", "2027-11-20T09:00:00-05:00", "done")
    assert_step(full, "ghost", "timeline_draft", "2027-11-29T10:00:00-05:00", "skipped")
    assert_step(full, "ghost", "wait_review", "2028-01-11T10:00:00-05:00", "timeout")


# =============================================================================================
# Planner: wedding-month coordination (trigger: manual)
# Window Mon-Fri 09:00-18:00; business days Mon-Fri without US holidays; grace 4 hours.
# Fix made while writing these: a couple booked 21-30 days out was welcomed, sent the vendor
# form, and then - the 8-week kickoff being past with under 21 days left - got the short-notice
# "Welcome - I'm so glad you're here!" email a second time. They now get `kickoff_soon`
# ("Let's meet this week"); `kickoff_condensed` is only for couples who start within 3 weeks.
# =============================================================================================

COORD = "planner_wedding_coordination"


@pytest.fixture(scope="module")
def coord():
    clients = [
        couple("early", "America/Los_Angeles", "2027-06-05",
               dates={"final_payment": "2027-05-07", "final_walkthrough": "2027-05-27",
                      "rehearsal": "2027-06-04"}),
        couple("late", "America/New_York", "2027-10-23",
               dates={"final_payment": "2027-10-15", "rehearsal": "2027-10-22"}),
        couple("moved", "Australia/Sydney", "2027-03-06",
               dates={"final_walkthrough": "2027-02-24"}),
        couple("ghost", "Europe/London", "2027-07-24"),  # booked 25 days out
    ]
    events = [
        event("2026-09-01T16:00:00Z", "early", "manual"),
        form_back("2026-09-04T17:00:00Z", "early", "vendor_contacts", vendors_booked="All"),
        form_back("2027-05-05T16:00:00Z", "early", "final_details", final_guest_count=110),
        form_back("2027-06-24T17:00:00Z", "early", "review", rating=5),
        event("2027-10-13T13:00:00Z", "late", "manual"),  # Wednesday, 10 days out
        form_back("2027-10-15T18:00:00Z", "late", "final_details", final_guest_count=40),
        approve("2027-10-15T19:00:00Z", "late", "timeline_draft"),
        event("2026-09-01T23:00:00Z", "moved", "manual"),  # Wednesday 09:00 in Sydney
        update("2026-12-01T00:00:00Z", "moved", wedding_date="2027-04-17",
               dates={"final_walkthrough": "2027-04-07", "rehearsal": "2027-04-16"}),
        form_back("2027-03-17T23:00:00Z", "moved", "final_details", final_guest_count=75),
        approve("2027-04-04T23:30:00Z", "moved", "timeline_draft"),
        form_back("2027-05-05T00:00:00Z", "moved", "review", rating=4),
        event("2027-06-29T08:00:00Z", "ghost", "manual"),
    ]
    return Journey(COORD, clients, events, start=START, until="2028-01-01T00:00:00Z")


def test_coordination_early_booking(coord):
    check_path(coord, "early", """
        start mark_booked has_wedding_date short_notice welcome contacts_pause
        vendor_contacts wait_contacts kickoff_delay kickoff kickoff_task has_final_payment
        final_payment_delay final_payment_reminder details_delay final_details wait_details
        vendor_confirm_delay vendor_confirm_task vendor_confirm_note timeline_delay
        timeline_draft has_walkthrough walkthrough_delay walkthrough_reminder
        wedding_week_delay wedding_week has_rehearsal rehearsal_delay rehearsal_plan
        thank_you_delay thank_you review_delay review_request wait_review review_positive
        review_share mark_past_client done""")
    check_inbox(coord, "early", [
        ("welcome", "2026-09-01T09:00:00-07:00"),
        ("vendor_contacts", "2026-09-03T09:00:00-07:00"),  # 2 business days later
        ("kickoff", "2027-04-12T09:00:00-07:00"),  # 8 weeks out is Saturday 10 April
        ("final_payment_reminder", "2027-04-30T10:00:00-07:00"),  # Fri 7 May - 5 bd
        ("final_details", "2027-05-03T09:00:00-07:00"),  # 5 weeks out is Saturday 1 May
        # 15 business days before Saturday 5 June, skipping Memorial Day: Friday 14 May
        ("vendor_confirm_note", "2027-05-14T10:00:00-07:00"),
        ("walkthrough_reminder", "2027-05-25T10:00:00-07:00"),
        # 6 days out is Sunday 30 May, then Memorial Day: Tuesday, 4 days before
        ("wedding_week", "2027-06-01T09:00:00-07:00"),
        ("rehearsal_plan", "2027-06-01T10:00:00-07:00"),
        ("thank_you", "2027-06-08T10:00:00-07:00"),
        ("review_request", "2027-06-22T10:00:00-07:00"),
        ("review_share", "2027-06-24T10:00:00-07:00"),
    ])
    assert_step(coord, "early", "timeline_draft", "2027-05-24T10:00:00-07:00", "skipped")


def test_coordination_late_booking(coord):
    check_path(coord, "late", """
        start mark_booked has_wedding_date short_notice kickoff_condensed kickoff_task
        has_final_payment final_payment_delay final_payment_still_ahead final_payment_reminder
        details_delay details_late_check details_catchup final_details wait_details
        vendor_confirm_delay vendor_confirm_task vendor_confirm_note timeline_delay
        timeline_draft has_walkthrough wedding_week_delay wedding_week has_rehearsal
        rehearsal_delay rehearsal_plan thank_you_delay thank_you review_delay review_request
        wait_review mark_past_client done""")
    check_inbox(coord, "late", [
        ("kickoff_condensed", "2027-10-13T09:00:00-04:00"),
        ("final_payment_reminder", "2027-10-13T09:00:00-04:00"),  # balance due Friday
        ("final_details", "2027-10-14T09:00:00-04:00"),  # catch-up: next business day
        ("vendor_confirm_note", "2027-10-15T14:00:00-04:00"),
        ("timeline_draft", "2027-10-15T15:00:00-04:00"),
        ("wedding_week", "2027-10-18T09:00:00-04:00"),  # Sunday 17th -> Monday
        ("rehearsal_plan", "2027-10-19T10:00:00-04:00"),
        ("thank_you", "2027-10-26T10:00:00-04:00"),
        ("review_request", "2027-11-09T10:00:00-05:00"),
    ])
    assert coord.most_in_a_day("late") == 2


def test_coordination_rescheduled_wedding(coord):
    check_path(coord, "moved", """
        start mark_booked has_wedding_date short_notice welcome contacts_pause
        vendor_contacts wait_contacts contacts_nudge kickoff_delay kickoff kickoff_task
        has_final_payment details_delay final_details wait_details vendor_confirm_delay
        vendor_confirm_task vendor_confirm_note timeline_delay timeline_draft has_walkthrough
        walkthrough_delay walkthrough_reminder wedding_week_delay wedding_week has_rehearsal
        rehearsal_delay rehearsal_plan thank_you_delay thank_you review_delay review_request
        wait_review review_positive review_share mark_past_client done""")
    check_inbox(coord, "moved", [
        ("welcome", "2026-09-02T09:00:00+10:00"),
        ("vendor_contacts", "2026-09-04T09:00:00+10:00"),
        ("contacts_nudge", "2026-09-11T09:00:00+10:00"),
        # moved from 6 March to 17 April 2027 (and the walkthrough with it)
        ("kickoff", "2027-02-22T09:00:00+11:00"),
        ("final_details", "2027-03-15T09:00:00+11:00"),
        ("vendor_confirm_note", "2027-03-29T10:00:00+11:00"),
        # the draft was due Saturday 3 April (AEDT); approved Monday 09:30, after DST ended
        ("timeline_draft", "2027-04-05T09:30:00+10:00"),
        ("walkthrough_reminder", "2027-04-05T10:00:00+10:00"),
        ("wedding_week", "2027-04-12T09:00:00+10:00"),
        ("rehearsal_plan", "2027-04-13T10:00:00+10:00"),
        ("thank_you", "2027-04-20T10:00:00+10:00"),
        ("review_request", "2027-05-04T10:00:00+10:00"),
        ("review_share", "2027-05-05T10:00:00+10:00"),
    ])
    assert_step(coord, "moved", "kickoff_delay", "2027-02-20T10:00:00+11:00", "done")


def test_coordination_couple_who_never_returns_a_form(coord):
    check_path(coord, "ghost", """
        start mark_booked has_wedding_date short_notice welcome contacts_pause
        vendor_contacts wait_contacts contacts_nudge kickoff_delay kickoff_late_check
        kickoff_soon kickoff_task has_final_payment details_delay details_late_check
        details_catchup final_details wait_details details_nudge_check details_nudge
        wait_details_2 details_call_task vendor_confirm_delay vendor_confirm_task
        vendor_confirm_note timeline_delay timeline_draft has_walkthrough wedding_week_delay
        wedding_week_late_check has_rehearsal thank_you_delay thank_you review_delay
        review_request wait_review mark_past_client done""")
    check_inbox(coord, "ghost", [
        ("welcome", "2027-06-29T09:00:00+01:00"),
        ("vendor_contacts", "2027-07-01T09:00:00+01:00"),
        ("contacts_nudge", "2027-07-08T09:00:00+01:00"),
        ("kickoff_soon", "2027-07-08T09:00:00+01:00"),  # not a second "welcome"
        ("final_details", "2027-07-09T09:00:00+01:00"),
        ("details_nudge", "2027-07-16T09:00:00+01:00"),  # 8 days to go
        ("vendor_confirm_note", "2027-07-21T09:00:00+01:00"),
        ("thank_you", "2027-07-27T10:00:00+01:00"),
        ("review_request", "2027-08-10T10:00:00+01:00"),
    ])
    assert_step(coord, "ghost", "details_call_task", "2027-07-21T09:00:00+01:00", "done")
    assert_step(coord, "ghost", "timeline_draft", "2027-07-23T09:00:00+01:00", "skipped")
    assert "kickoff_condensed" not in coord.path("ghost")


# =============================================================================================
# Venue: booking to first anniversary (trigger: custom:booking_confirmed)
# Window Mon-Sat 09:00-18:00; calendar closed Sundays and US holidays (Saturday is open).
# Fix made while writing these: the "vendors who know our venue" email (3 business days after
# booking) went to a couple booked 10 days out, a few days before the wedding, and its pause
# pushed the walk past their balance date. `vendors_time_left` now sends it only with 30+ days
# to go; a late booking goes straight on (and still gets its balance reminder).
# =============================================================================================

VENUE = "venue_booked_to_anniversary"


@pytest.fixture(scope="module")
def venue():
    clients = [
        couple("early", "America/New_York", "2027-09-18",
               dates={"tasting": "2027-04-14", "final_payment": "2027-08-18",
                      "final_walkthrough": "2027-09-09", "rehearsal": "2027-09-17"},
               fields={"guest_count": 120, "coordinator_name": "Dana"}),
        couple("late", "America/Chicago", "2027-11-20",
               dates={"final_payment": "2027-11-13", "rehearsal": "2027-11-19"}),
        couple("moved", "Europe/London", "2027-05-15",
               dates={"tasting": "2027-02-10", "final_walkthrough": "2027-05-06"}),
        couple("ghost", "Australia/Sydney", "2027-03-13", fields={"guest_count": 90}),
    ]
    booked = "custom:booking_confirmed"
    events = [
        event("2026-09-15T14:00:00Z", "early", booked),
        form_back("2027-07-22T14:00:00Z", "early", "menu_selection", service_style="Plated"),
        form_back("2027-09-01T20:00:00Z", "early", "final_details", final_guest_count=118),
        event("2027-11-10T15:00:00Z", "late", booked),  # Wednesday 09:00 CST, 10 days out
        event("2026-09-01T12:00:00Z", "moved", booked),
        update("2026-12-01T12:00:00Z", "moved", wedding_date="2027-10-02",
               dates={"tasting": "2027-06-09", "final_walkthrough": "2027-09-23",
                      "rehearsal": "2027-10-01"}),
        form_back("2027-08-16T09:00:00Z", "moved", "menu_selection", service_style="Buffet"),
        form_back("2027-09-20T12:00:00Z", "moved", "final_details", final_guest_count=84),
        form_back("2027-10-16T09:00:00Z", "moved", "review", rating=5),
        event("2026-09-01T23:30:00Z", "ghost", booked),
    ]
    return Journey(VENUE, clients, events, start=START, until="2028-12-01T00:00:00Z")


def test_venue_early_booking(venue):
    check_path(venue, "early", """
        start mark_booked tag_venue has_wedding_date confirmation vendors_time_left
        vendors_pause preferred_vendors has_tasting tasting_delay tasting_reminder menu_delay
        menu_selection wait_menu menu_thanks has_final_payment final_payment_delay
        final_payment_reminder coi_delay coi_reminder headcount_delay final_headcount
        wait_headcount headcount_confirmed headcount_thanks has_walkthrough walkthrough_delay
        walkthrough_reminder wedding_week_delay wedding_week has_rehearsal rehearsal_delay
        rehearsal_reminder thank_you_delay thank_you review_delay review_request wait_review
        anniversary_delay anniversary mark_past_client done""")
    check_inbox(venue, "early", [
        ("confirmation", "2026-09-15T10:00:00-04:00"),
        ("preferred_vendors", "2026-09-18T10:00:00-04:00"),
        # tasting Wed 14 Apr; 3 business days back (Saturday is open) is Saturday 10 April
        ("tasting_reminder", "2027-04-10T10:00:00-04:00"),
        ("menu_selection", "2027-07-20T10:00:00-04:00"),  # 60 days out
        ("menu_thanks", "2027-07-22T10:00:00-04:00"),
        ("final_payment_reminder", "2027-08-11T10:00:00-04:00"),
        ("coi_reminder", "2027-08-19T10:00:00-04:00"),  # 30 days out
        # 20 business days before Saturday 18 Sep, Saturdays open and Labor Day closed
        ("final_headcount", "2027-08-25T10:00:00-04:00"),
        ("headcount_thanks", "2027-09-01T16:00:00-04:00"),  # no reminder once it is back
        # 3 days before the walkthrough is Labor Day: Tuesday's opening
        ("walkthrough_reminder", "2027-09-07T09:00:00-04:00"),
        ("wedding_week", "2027-09-13T10:00:00-04:00"),
        ("rehearsal_reminder", "2027-09-15T10:00:00-04:00"),
        ("thank_you", "2027-09-21T10:00:00-04:00"),
        ("review_request", "2027-10-01T10:00:00-04:00"),
        # three weeks before: 344 days on is Sunday 27 Aug 2028 -> Monday
        ("anniversary", "2028-08-28T09:00:00-04:00"),
    ])


def test_venue_late_booking(venue):
    check_path(venue, "late", """
        start mark_booked tag_venue has_wedding_date confirmation vendors_time_left
        has_tasting tasting_time_left menu_delay menu_late_check menu_call_task
        has_final_payment final_payment_delay final_payment_still_ahead final_payment_reminder
        coi_delay headcount_delay headcount_late_check headcount_task has_walkthrough
        wedding_week_delay wedding_week has_rehearsal rehearsal_delay rehearsal_reminder
        thank_you_delay thank_you review_delay review_request wait_review anniversary_delay
        anniversary mark_past_client done""")
    check_inbox(venue, "late", [
        ("confirmation", "2027-11-10T09:00:00-06:00"),
        ("final_payment_reminder", "2027-11-10T09:00:00-06:00"),  # balance due Saturday
        ("wedding_week", "2027-11-15T10:00:00-06:00"),
        ("rehearsal_reminder", "2027-11-17T10:00:00-06:00"),
        ("thank_you", "2027-11-23T10:00:00-06:00"),
        ("review_request", "2027-12-03T10:00:00-06:00"),
        ("anniversary", "2028-10-30T09:00:00-05:00"),  # Sunday 29 Oct -> Monday (CDT)
    ])
    # Menu and final count are too late for forms: the team calls instead, at once.
    assert_step(venue, "late", "menu_call_task", "2027-11-10T09:00:00-06:00", "done")
    assert_step(venue, "late", "headcount_task", "2027-11-10T09:00:00-06:00", "done")
    assert_step(venue, "late", "coi_delay", "2027-11-10T09:00:00-06:00", "past_due")


def test_venue_rescheduled_wedding(venue):
    check_path(venue, "moved", """
        start mark_booked tag_venue has_wedding_date confirmation vendors_time_left
        vendors_pause preferred_vendors has_tasting tasting_delay tasting_reminder menu_delay
        menu_selection wait_menu menu_nudge wait_menu_2 menu_thanks has_final_payment
        coi_delay coi_reminder headcount_delay final_headcount wait_headcount
        headcount_reminder wait_headcount_2 headcount_confirmed headcount_thanks
        has_walkthrough walkthrough_delay walkthrough_ahead walkthrough_reminder
        wedding_week_delay wedding_week has_rehearsal rehearsal_delay rehearsal_reminder
        thank_you_delay thank_you review_delay review_request wait_review review_positive
        review_share anniversary_delay anniversary mark_past_client done""")
    check_inbox(venue, "moved", [
        ("confirmation", "2026-09-01T13:00:00+01:00"),
        ("preferred_vendors", "2026-09-04T13:00:00+01:00"),
        # moved on 1 Dec: wedding 15 May -> 2 Oct 2027, tasting 10 Feb -> 9 June
        ("tasting_reminder", "2027-06-05T10:00:00+01:00"),
        ("menu_selection", "2027-08-03T10:00:00+01:00"),
        ("menu_nudge", "2027-08-13T10:00:00+01:00"),
        ("menu_thanks", "2027-08-16T10:00:00+01:00"),
        ("coi_reminder", "2027-09-02T10:00:00+01:00"),
        ("final_headcount", "2027-09-09T10:00:00+01:00"),  # 20 business days before
        ("headcount_reminder", "2027-09-17T10:00:00+01:00"),  # 13 business days before
        ("headcount_thanks", "2027-09-20T13:00:00+01:00"),
        # the walkthrough reminder was due at 10:00 that day; still ahead, so sent late
        ("walkthrough_reminder", "2027-09-20T13:00:00+01:00"),
        ("wedding_week", "2027-09-27T10:00:00+01:00"),
        ("rehearsal_reminder", "2027-09-29T10:00:00+01:00"),
        ("thank_you", "2027-10-05T10:00:00+01:00"),
        ("review_request", "2027-10-15T10:00:00+01:00"),
        ("review_share", "2027-10-16T10:00:00+01:00"),
        ("anniversary", "2028-09-11T09:00:00+01:00"),
    ])
    assert_step(venue, "moved", "walkthrough_delay", "2027-09-20T13:00:00+01:00", "past_due")


def test_venue_couple_who_never_returns_a_form(venue):
    check_path(venue, "ghost", """
        start mark_booked tag_venue has_wedding_date confirmation vendors_time_left
        vendors_pause preferred_vendors has_tasting tasting_time_left tasting_invite
        tasting_task menu_delay menu_selection wait_menu menu_nudge wait_menu_2
        menu_call_task has_final_payment coi_delay coi_reminder headcount_delay
        final_headcount wait_headcount headcount_reminder wait_headcount_2 headcount_missed
        headcount_task has_walkthrough wedding_week_delay wedding_week has_rehearsal
        thank_you_delay thank_you review_delay review_request wait_review anniversary_delay
        anniversary mark_past_client done""")
    check_inbox(venue, "ghost", [
        ("confirmation", "2026-09-02T09:30:00+10:00"),
        ("preferred_vendors", "2026-09-05T09:30:00+10:00"),  # Saturday is a business day
        ("tasting_invite", "2026-09-05T09:30:00+10:00"),
        ("menu_selection", "2027-01-12T10:00:00+11:00"),
        ("menu_nudge", "2027-01-22T10:00:00+11:00"),
        ("coi_reminder", "2027-02-11T10:00:00+11:00"),
        ("final_headcount", "2027-02-18T10:00:00+11:00"),
        ("headcount_reminder", "2027-02-26T10:00:00+11:00"),
        ("headcount_missed", "2027-03-02T17:00:00+11:00"),  # the deadline, 10 bd before
        ("wedding_week", "2027-03-08T10:00:00+11:00"),
        ("thank_you", "2027-03-16T10:00:00+11:00"),
        ("review_request", "2027-03-26T10:00:00+11:00"),
        # 344 days on is Sunday 20 Feb 2028, then (US) Presidents' Day: Tuesday
        ("anniversary", "2028-02-22T09:00:00+11:00"),
    ])
    assert_step(venue, "ghost", "menu_call_task", "2027-01-29T10:00:00+11:00", "done")
    assert_step(venue, "ghost", "headcount_task", "2027-03-02T17:00:00+11:00", "done")


# =============================================================================================
# Florist: consultation to delivery (trigger: form_submitted, form `inquiry`)
# Window Mon-Fri 09:00-17:00; business days Mon-Fri without US holidays.
# Fixes made while writing these:
# - the lead follow-ups (questionnaire nudge, proposal follow-up, "holding your date one more
#   week") never checked the date: a couple who inquired 12 days out got the proposal
#   follow-up after their wedding. Each now checks the wedding is 5+ days away (or has no
#   date), else the lead is closed as lost;
# - the catch-up final order form now waits a business day (`final_order_catchup`);
# - "delivery day details" was skipped outright once its day had passed; a couple booked 6
#   days out now still gets it (`delivery_late_check`: 4+ days to go).
# =============================================================================================

FLORIST = "florist_consultation_to_delivery"


@pytest.fixture(scope="module")
def florist():
    clients = [
        couple("early", "America/New_York", "2027-10-09", status="lead",
               tags=["bouquet_preservation"], dates={"final_payment": "2027-09-17"},
               fields={"venue_name": "Hudson Valley Barn"}),
        couple("late", "Europe/London", "2027-06-26", status="lead",
               dates={"final_payment": "2027-06-21"}),
        couple("moved", "Australia/Sydney", "2027-02-27", status="lead"),
        couple("ghost", "America/Chicago", "2027-09-25", status="lead"),
        couple("lead_late", "America/New_York", "2027-05-15", status="lead"),
        couple("rush", "America/Los_Angeles", "2027-08-14", status="lead"),
    ]
    inquiry = {"form": "inquiry", "answers": {"budget": "$2,000-$4,000"}}
    events = [
        event("2026-10-05T14:00:00Z", "early", "form_submitted", inquiry),
        form_back("2026-10-07T19:00:00Z", "early", "floral_preferences", style="Romantic and lush"),
        paid("2026-10-14T18:00:00Z", "early"),
        form_back("2027-09-01T13:30:00Z", "early", "floral_final_order", centrepieces=12),
        form_back("2027-10-27T14:00:00Z", "early", "review", rating=5),
        event("2027-06-14T08:00:00Z", "late", "form_submitted", inquiry),
        form_back("2027-06-14T12:00:00Z", "late", "floral_preferences", style="Modern and minimal"),
        paid("2027-06-16T08:00:00Z", "late"),  # Wednesday, 10 days before
        form_back("2027-06-18T10:00:00Z", "late", "floral_final_order", centrepieces=6),
        event("2026-09-01T23:00:00Z", "moved", "form_submitted", inquiry),
        form_back("2026-09-03T00:00:00Z", "moved", "floral_preferences", style="Bold"),
        paid("2026-09-20T23:00:00Z", "moved"),
        update("2026-10-15T00:00:00Z", "moved", wedding_date="2027-04-10",
               dates={"final_payment": "2027-03-19"}, tags=["bouquet_preservation"]),
        form_back("2027-04-26T00:00:00Z", "moved", "review", rating=2),
        event("2026-11-02T15:00:00Z", "ghost", "form_submitted", inquiry),
        event("2027-05-03T13:00:00Z", "lead_late", "form_submitted", inquiry),
        form_back("2027-05-03T15:00:00Z", "lead_late", "floral_preferences", style="Classic"),
        event("2027-08-06T16:00:00Z", "rush", "form_submitted", inquiry),
        form_back("2027-08-06T17:00:00Z", "rush", "floral_preferences", style="Wild"),
        paid("2027-08-09T16:00:00Z", "rush"),  # Monday, 5 days before
    ]
    return Journey(FLORIST, clients, events, start=START, until="2028-01-01T00:00:00Z")


def test_florist_early_booking(florist):
    check_path(florist, "early", """
        start mark_lead floral_preferences wait_preferences consultation_invite proposal_task
        wait_retainer mark_booked booked_welcome has_wedding_date design_delay design_checkin
        final_order_delay final_order wait_final_order has_final_payment final_payment_delay
        final_payment_reminder delivery_delay delivery_details wants_preservation
        preservation_delay preservation_reminder thank_you_delay thank_you review_delay
        review_request wait_review review_positive review_share mark_past_client done""")
    check_inbox(florist, "early", [
        ("floral_preferences", "2026-10-05T10:00:00-04:00"),
        ("consultation_invite", "2026-10-07T15:00:00-04:00"),  # no nudge: it came back
        ("booked_welcome", "2026-10-14T14:00:00-04:00"),
        ("design_checkin", "2027-07-12T09:00:00-04:00"),  # 90 days out is a Sunday
        ("final_order", "2027-08-30T09:00:00-04:00"),  # 6 weeks out is a Saturday
        ("final_payment_reminder", "2027-09-10T10:00:00-04:00"),  # Fri 17 Sep - 5 bd
        ("delivery_details", "2027-10-04T09:00:00-04:00"),  # Saturday 2 Oct -> Monday
        ("preservation_reminder", "2027-10-07T10:00:00-04:00"),
        # 2 business days after Saturday 9 Oct, skipping Columbus Day
        ("thank_you", "2027-10-13T10:00:00-04:00"),
        ("review_request", "2027-10-25T09:00:00-04:00"),
        ("review_share", "2027-10-27T10:00:00-04:00"),
    ])
    assert florist.status("early") == "completed"


def test_florist_late_booking(florist):
    check_path(florist, "late", """
        start mark_lead floral_preferences wait_preferences consultation_invite proposal_task
        wait_retainer mark_booked booked_welcome has_wedding_date design_delay
        final_order_delay final_order_late_check final_order_catchup final_order
        wait_final_order has_final_payment final_payment_delay final_payment_still_ahead
        final_payment_reminder delivery_delay delivery_late_check delivery_details
        wants_preservation thank_you_delay thank_you review_delay review_request wait_review
        mark_past_client done""")
    check_inbox(florist, "late", [
        ("floral_preferences", "2027-06-14T09:00:00+01:00"),
        ("consultation_invite", "2027-06-14T13:00:00+01:00"),
        ("booked_welcome", "2027-06-16T09:00:00+01:00"),
        ("final_order", "2027-06-17T09:00:00+01:00"),  # catch-up: next business day
        # the order came back on Friday 18th - Juneteenth observed on the template's US
        # calendar, so the window is shut until Monday 21st, the balance's due date; by then
        # the delivery email (due Saturday 19th) is past, but 5 days remain: sent too
        ("final_payment_reminder", "2027-06-21T09:00:00+01:00"),
        ("delivery_details", "2027-06-21T09:00:00+01:00"),
        ("thank_you", "2027-06-29T10:00:00+01:00"),
        ("review_request", "2027-07-09T10:00:00+01:00"),
    ])
    assert florist.most_in_a_day("late") == 2


def test_florist_booked_five_days_out_still_gets_delivery_details(florist):
    check_path(florist, "rush", """
        start mark_lead floral_preferences wait_preferences consultation_invite proposal_task
        wait_retainer mark_booked booked_welcome has_wedding_date design_delay
        final_order_delay final_order_late_check final_order_task has_final_payment
        delivery_delay delivery_late_check delivery_details wants_preservation
        thank_you_delay thank_you review_delay review_request wait_review mark_past_client
        done""")
    check_inbox(florist, "rush", [
        ("floral_preferences", "2027-08-06T09:00:00-07:00"),
        ("consultation_invite", "2027-08-06T10:00:00-07:00"),
        ("booked_welcome", "2027-08-09T09:00:00-07:00"),
        ("delivery_details", "2027-08-09T09:00:00-07:00"),
        ("thank_you", "2027-08-17T10:00:00-07:00"),
        ("review_request", "2027-08-27T10:00:00-07:00"),
    ])
    assert_step(florist, "rush", "final_order_task", "2027-08-09T09:00:00-07:00", "done")


def test_florist_rescheduled_wedding(florist):
    check_path(florist, "moved", """
        start mark_lead floral_preferences wait_preferences consultation_invite proposal_task
        wait_retainer followup_date_ahead proposal_followup wait_retainer_2 mark_booked
        booked_welcome has_wedding_date design_delay design_checkin final_order_delay
        final_order wait_final_order final_order_task has_final_payment final_payment_delay
        final_payment_reminder delivery_delay delivery_details wants_preservation
        preservation_delay preservation_reminder thank_you_delay thank_you review_delay
        review_request wait_review review_positive review_followup_task mark_past_client
        done""")
    check_inbox(florist, "moved", [
        ("floral_preferences", "2026-09-02T09:00:00+10:00"),
        ("consultation_invite", "2026-09-03T10:00:00+10:00"),
        ("proposal_followup", "2026-09-17T10:00:00+10:00"),
        ("booked_welcome", "2026-09-21T09:00:00+10:00"),
        # moved 27 Feb -> 10 Apr 2027 (balance 19 Mar, and bouquet preservation added)
        ("design_checkin", "2027-01-11T09:00:00+11:00"),
        ("final_order", "2027-03-01T09:00:00+11:00"),
        ("final_payment_reminder", "2027-03-12T10:00:00+11:00"),
        # 7 days out is Saturday 3 April (AEDT); Monday 5 April is after DST ended
        ("delivery_details", "2027-04-05T09:00:00+10:00"),
        ("preservation_reminder", "2027-04-08T10:00:00+10:00"),
        ("thank_you", "2027-04-13T10:00:00+10:00"),
        ("review_request", "2027-04-23T10:00:00+10:00"),
    ])
    assert_step(florist, "moved", "final_order_task", "2027-03-08T09:00:00+11:00", "done")
    assert_step(florist, "moved", "review_followup_task", "2027-04-26T10:00:00+10:00", "done")


def test_florist_leads_who_go_quiet(florist):
    # Never returns the floral questionnaire: one nudge (Saturday -> Monday), then lost.
    check_path(florist, "ghost", """
        start mark_lead floral_preferences wait_preferences nudge_date_ahead
        preferences_nudge wait_preferences_2 mark_lost exit_lost""")
    check_inbox(florist, "ghost", [
        ("floral_preferences", "2026-11-02T09:00:00-06:00"),
        ("preferences_nudge", "2026-11-09T09:00:00-06:00"),
    ])
    assert_step(florist, "ghost", "mark_lost", "2026-11-16T09:00:00-06:00", "done")
    # Inquired 12 days out and never paid: no proposal follow-up after the wedding.
    check_path(florist, "lead_late", """
        start mark_lead floral_preferences wait_preferences consultation_invite proposal_task
        wait_retainer followup_date_ahead mark_lost exit_lost""")
    check_inbox(florist, "lead_late", [
        ("floral_preferences", "2027-05-03T09:00:00-04:00"),
        ("consultation_invite", "2027-05-03T11:00:00-04:00"),
    ])
    assert_step(florist, "lead_late", "mark_lost", "2027-05-17T11:00:00-04:00", "done")


# =============================================================================================
# DJ / band: booked to last dance (trigger: manual)
# Window every day 10:00-20:00; no calendar needed (no business-day steps).
# Fixes made while writing these: a couple booked ten days out got the welcome ("about eight
# weeks out, I'll send a questionnaire"), the balance reminder and "last call for song
# requests!" all on the booking day. The welcome no longer promises an 8-week timetable, and
# a catch-up playlist lock now waits a day (`lock_catchup`, with 4+ days to go).
# =============================================================================================

DJ = "dj_booked_to_last_dance"


@pytest.fixture(scope="module")
def dj():
    clients = [
        couple("early", "America/Los_Angeles", "2027-08-21",
               dates={"final_payment": "2027-07-31", "planning_meeting": "2027-08-07"},
               fields={"first_dance_song": "At Last"}),
        couple("late", "Europe/London", "2027-10-30", dates={"final_payment": "2027-10-23"}),
        couple("moved", "Australia/Sydney", "2027-03-20",
               dates={"final_payment": "2027-02-20", "planning_meeting": "2027-03-06"}),
        couple("ghost", "America/New_York", "2027-05-08"),
    ]
    events = [
        event("2026-09-01T17:00:00Z", "early", "manual"),
        form_back("2027-06-28T03:00:00Z", "early", "music_preferences", ceremony_music=True),
        form_back("2027-08-30T20:00:00Z", "early", "review", rating=4),
        event("2027-10-20T13:00:00Z", "late", "manual"),  # Wednesday 14:00 BST, 10 days out
        event("2026-09-02T00:00:00Z", "moved", "manual"),
        update("2027-01-10T00:00:00Z", "moved", wedding_date="2027-11-06",
               dates={"final_payment": "2027-10-09", "planning_meeting": "2027-10-23"}),
        form_back("2027-09-20T01:00:00Z", "moved", "music_preferences", ceremony_music=False),
        event("2026-09-01T23:30:00Z", "ghost", "manual"),
    ]
    return Journey(DJ, clients, events, start=START, until="2028-12-01T00:00:00Z")


def test_dj_early_booking(dj):
    check_path(dj, "early", """
        start mark_booked has_wedding_date welcome music_delay music_preferences wait_music
        needs_ceremony_sound ceremony_sound_task music_thanks meeting_scheduled
        has_final_payment final_payment_delay final_payment_reminder meeting_scheduled_2
        meeting_delay meeting_reminder lock_delay playlist_lock thank_you_delay thank_you
        review_delay review_request wait_review review_positive review_share
        anniversary_delay anniversary mark_past_client done""")
    check_inbox(dj, "early", [
        ("welcome", "2026-09-01T10:00:00-07:00"),
        ("music_preferences", "2027-06-26T10:00:00-07:00"),  # 8 weeks out
        # back on Sunday at 20:00, the window's end: the thanks waits for 10:00
        ("music_thanks", "2027-06-28T10:00:00-07:00"),
        ("final_payment_reminder", "2027-07-24T10:00:00-07:00"),
        ("meeting_reminder", "2027-08-06T12:00:00-07:00"),  # the day before, at noon
        ("playlist_lock", "2027-08-11T10:00:00-07:00"),  # 10 days out
        ("thank_you", "2027-08-22T13:00:00-07:00"),  # the day after, 13:00
        ("review_request", "2027-08-29T13:00:00-07:00"),
        ("review_share", "2027-08-30T13:00:00-07:00"),
        ("anniversary", "2028-08-13T18:00:00-07:00"),
    ])
    assert_step(dj, "early", "ceremony_sound_task", "2027-06-27T20:00:00-07:00", "done")


def test_dj_late_booking(dj):
    check_path(dj, "late", """
        start mark_booked has_wedding_date welcome music_delay music_late_check
        music_call_task meeting_scheduled meeting_time_left has_final_payment
        final_payment_delay final_payment_still_ahead final_payment_reminder
        meeting_scheduled_2 lock_delay lock_late_check lock_catchup playlist_lock
        thank_you_delay thank_you review_delay review_request wait_review anniversary_delay
        anniversary mark_past_client done""")
    check_inbox(dj, "late", [
        ("welcome", "2027-10-20T14:00:00+01:00"),
        ("final_payment_reminder", "2027-10-20T14:00:00+01:00"),  # due Saturday
        ("playlist_lock", "2027-10-21T14:00:00+01:00"),  # catch-up: a day later
        ("thank_you", "2027-10-31T13:00:00+00:00"),  # the clocks went back that morning
        ("review_request", "2027-11-07T13:00:00+00:00"),
        ("anniversary", "2028-10-22T18:00:00+01:00"),
    ])
    assert_step(dj, "late", "music_call_task", "2027-10-20T14:00:00+01:00", "done")
    assert dj.most_in_a_day("late") == 2


def test_dj_rescheduled_wedding(dj):
    check_path(dj, "moved", """
        start mark_booked has_wedding_date welcome music_delay music_preferences wait_music
        music_nudge_check music_nudge wait_music_2 needs_ceremony_sound music_thanks
        meeting_scheduled has_final_payment final_payment_delay final_payment_reminder
        meeting_scheduled_2 meeting_delay meeting_reminder lock_delay playlist_lock
        thank_you_delay thank_you review_delay review_request wait_review anniversary_delay
        anniversary mark_past_client done""")
    check_inbox(dj, "moved", [
        ("welcome", "2026-09-02T10:00:00+10:00"),
        # moved from 20 March to 6 November 2027, with the balance and the meeting
        ("music_preferences", "2027-09-11T10:00:00+10:00"),
        ("music_nudge", "2027-09-18T10:00:00+10:00"),
        ("music_thanks", "2027-09-20T11:00:00+10:00"),
        ("final_payment_reminder", "2027-10-02T10:00:00+10:00"),  # the day before DST
        ("meeting_reminder", "2027-10-22T12:00:00+11:00"),
        ("playlist_lock", "2027-10-27T10:00:00+11:00"),
        ("thank_you", "2027-11-07T13:00:00+11:00"),
        ("review_request", "2027-11-14T13:00:00+11:00"),
        ("anniversary", "2028-10-29T18:00:00+11:00"),
    ])
    assert "ceremony_sound_task" not in dj.path("moved")


def test_dj_couple_who_never_returns_the_questionnaire(dj):
    check_path(dj, "ghost", """
        start mark_booked has_wedding_date welcome music_delay music_preferences wait_music
        music_nudge_check music_nudge wait_music_2 music_call_task meeting_scheduled
        meeting_time_left meeting_invite meeting_task has_final_payment meeting_scheduled_2
        lock_delay playlist_lock thank_you_delay thank_you review_delay review_request
        wait_review anniversary_delay anniversary mark_past_client done""")
    check_inbox(dj, "ghost", [
        ("welcome", "2026-09-01T19:30:00-04:00"),
        ("music_preferences", "2027-03-13T10:00:00-05:00"),  # the day before DST starts
        ("music_nudge", "2027-03-20T10:00:00-04:00"),  # 7 calendar days: same wall clock
        ("meeting_invite", "2027-03-25T10:00:00-04:00"),
        ("playlist_lock", "2027-04-28T10:00:00-04:00"),
        ("thank_you", "2027-05-09T13:00:00-04:00"),
        ("review_request", "2027-05-16T13:00:00-04:00"),
        ("anniversary", "2028-04-30T18:00:00-04:00"),
    ])
    assert_step(dj, "ghost", "music_call_task", "2027-03-25T10:00:00-04:00", "done")


# =============================================================================================
# Caterer: tasting to final headcount (trigger: custom:booking_confirmed)
# Window Mon-Fri 09:00-17:00; business days Mon-Fri without US holidays; grace 4 hours.
# Fixes made while writing these:
# - with the balance due 12 days before the wedding (a usual caterer term), the balance
#   reminder (5 business days before it) came after the final count's date, and the catch-up
#   check (21+ days to go) then skipped the final count form altogether and opened a "count
#   missed" task for a couple who was never asked. Now a count reached with 15+ days to go
#   sends `final_count_soon` and waits straight for the deadline (no reminder on top of it);
# - a couple booked within 75 days with no tasting got the menu form with the welcome; the
#   catch-up now waits a business day (`menu_catchup`).
# =============================================================================================

CATERER = "caterer_tasting_to_final_count"


@pytest.fixture(scope="module")
def caterer():
    clients = [
        couple("early", "America/Chicago", "2027-10-02",
               dates={"tasting": "2027-05-12", "final_payment": "2027-09-20"},
               fields={"guest_count": 140, "venue_name": "Lakeside Pavilion"}),
        couple("late", "America/New_York", "2027-06-26",
               dates={"tasting": "2027-05-26", "final_payment": "2027-06-21"}),
        couple("moved", "Europe/London", "2027-04-17"),
        couple("ghost", "Australia/Sydney", "2027-05-22"),  # booked 51 days out, no tasting
    ]
    booked = "custom:booking_confirmed"
    events = [
        event("2026-09-14T14:00:00Z", "early", booked),
        form_back("2027-05-17T15:00:00Z", "early", "menu_selection", service_style="Family style"),
        form_back("2027-09-15T20:00:00Z", "early", "final_details", final_guest_count=136),
        form_back("2027-10-13T14:00:00Z", "early", "review", rating=5),
        event("2027-06-16T13:00:00Z", "late", booked),  # Wednesday, 10 days out
        event("2026-09-01T12:00:00Z", "moved", booked),
        update("2026-11-20T12:00:00Z", "moved", wedding_date="2027-07-31",
               dates={"tasting": "2027-05-05", "final_payment": "2027-07-16"}),
        form_back("2027-06-01T09:00:00Z", "moved", "menu_selection", service_style="Plated"),
        event("2027-03-31T22:00:00Z", "ghost", booked),
    ]
    return Journey(CATERER, clients, events, start=START, until="2028-01-01T00:00:00Z")


def test_caterer_early_booking(caterer):
    check_path(caterer, "early", """
        start mark_booked has_wedding_date welcome has_tasting tasting_delay tasting_reminder
        after_tasting_delay menu_time_left menu_selection wait_menu is_family_style
        serveware_task menu_thanks dietary_delay dietary has_final_payment final_payment_delay
        final_payment_reminder count_delay count_late_check count_deadline_check
        final_count_soon wait_count_2 count_confirmed count_thanks thank_you_delay thank_you
        review_delay review_request wait_review review_positive review_share
        mark_past_client done""")
    check_inbox(caterer, "early", [
        ("welcome", "2026-09-14T09:00:00-05:00"),
        ("tasting_reminder", "2027-05-10T10:00:00-05:00"),  # 2 business days before Wed 12
        ("menu_selection", "2027-05-13T10:00:00-05:00"),  # 1 business day after it
        ("menu_thanks", "2027-05-17T10:00:00-05:00"),
        # 25 business days before Saturday 2 Oct, skipping Labor Day: Friday 27 Aug
        ("dietary", "2027-08-27T10:00:00-05:00"),
        # balance Monday 20 Sep - 5 business days = Monday 13 Sep; the count (17 business
        # days before = Thursday 9 Sep) is past by then, its deadline (Monday 20 Sep) is not
        ("final_payment_reminder", "2027-09-13T10:00:00-05:00"),
        ("final_count_soon", "2027-09-13T10:00:00-05:00"),
        ("count_thanks", "2027-09-15T15:00:00-05:00"),
        ("thank_you", "2027-10-04T10:00:00-05:00"),  # the next business day
        ("review_request", "2027-10-12T09:00:00-05:00"),  # a week on is Columbus Day
        ("review_share", "2027-10-13T09:00:00-05:00"),
    ])
    assert_step(caterer, "early", "serveware_task", "2027-05-17T10:00:00-05:00", "done")
    assert_step(caterer, "early", "count_delay", "2027-09-13T10:00:00-05:00", "past_due")
    assert "count_reminder" not in caterer.path("early")
    assert "count_task" not in caterer.path("early")


def test_caterer_late_booking(caterer):
    check_path(caterer, "late", """
        start mark_booked has_wedding_date welcome has_tasting tasting_delay tasting_ahead
        menu_time_left menu_call_task dietary_delay dietary_late_check dietary_catchup dietary
        has_final_payment final_payment_delay final_payment_still_ahead final_payment_reminder
        count_delay count_late_check count_deadline_check count_task thank_you_delay
        thank_you review_delay review_request wait_review mark_past_client done""")
    check_inbox(caterer, "late", [
        ("welcome", "2027-06-16T09:00:00-04:00"),
        ("dietary", "2027-06-17T09:00:00-04:00"),  # catch-up: next business day
        ("final_payment_reminder", "2027-06-17T09:00:00-04:00"),  # balance due Monday 21st
        ("thank_you", "2027-06-28T10:00:00-04:00"),
        # a week after the thank-you is 5 July, Independence Day observed
        ("review_request", "2027-07-06T09:00:00-04:00"),
    ])
    # too late for menu and count forms: the chef calls instead
    assert_step(caterer, "late", "menu_call_task", "2027-06-16T09:00:00-04:00", "done")
    assert_step(caterer, "late", "count_task", "2027-06-17T09:00:00-04:00", "done")


def test_caterer_rescheduled_wedding(caterer):
    check_path(caterer, "moved", """
        start mark_booked has_wedding_date welcome has_tasting tasting_time_left
        tasting_invite tasting_task menu_default_delay menu_time_left menu_selection wait_menu
        menu_nudge wait_menu_2 is_family_style menu_thanks dietary_delay dietary
        has_final_payment final_payment_delay final_payment_reminder count_delay
        count_late_check final_count wait_count count_reminder wait_count_2 count_missed
        count_task thank_you_delay thank_you review_delay review_request wait_review
        mark_past_client done""")
    check_inbox(caterer, "moved", [
        ("welcome", "2026-09-01T13:00:00+01:00"),
        ("tasting_invite", "2026-09-01T13:00:00+01:00"),
        # moved 17 Apr -> 31 Jul 2027: menu 75 days before the new date
        ("menu_selection", "2027-05-17T10:00:00+01:00"),
        ("menu_nudge", "2027-05-27T10:00:00+01:00"),
        ("menu_thanks", "2027-06-01T10:00:00+01:00"),
        # 25 business days before 31 Jul, skipping Independence Day observed (5 Jul)
        ("dietary", "2027-06-25T10:00:00+01:00"),
        ("final_payment_reminder", "2027-07-09T10:00:00+01:00"),
        ("final_count", "2027-07-09T10:00:00+01:00"),  # 22 days to go: the full sequence
        ("count_reminder", "2027-07-14T10:00:00+01:00"),  # 13 business days before
        ("count_missed", "2027-07-19T12:00:00+01:00"),  # the deadline, 10 business days
        ("thank_you", "2027-08-02T10:00:00+01:00"),
        ("review_request", "2027-08-09T10:00:00+01:00"),
    ])
    assert_step(caterer, "moved", "menu_default_delay", "2027-05-17T10:00:00+01:00", "done")


def test_caterer_couple_who_never_returns_a_form(caterer):
    check_path(caterer, "ghost", """
        start mark_booked has_wedding_date welcome has_tasting tasting_time_left
        menu_default_delay menu_catchup menu_time_left menu_selection wait_menu menu_nudge
        wait_menu_2 menu_call_task dietary_delay dietary has_final_payment count_delay
        final_count wait_count count_reminder wait_count_2 count_missed count_task
        thank_you_delay thank_you review_delay review_request wait_review mark_past_client
        done""")
    check_inbox(caterer, "ghost", [
        ("welcome", "2027-04-01T09:00:00+11:00"),
        ("menu_selection", "2027-04-02T09:00:00+11:00"),  # catch-up: next business day
        ("menu_nudge", "2027-04-12T09:00:00+10:00"),  # DST ended on 4 April
        ("dietary", "2027-04-19T10:00:00+10:00"),
        ("final_count", "2027-04-29T10:00:00+10:00"),
        ("count_reminder", "2027-05-05T10:00:00+10:00"),
        ("count_missed", "2027-05-10T12:00:00+10:00"),
        ("thank_you", "2027-05-24T10:00:00+10:00"),
        ("review_request", "2027-06-01T09:00:00+10:00"),  # (US) Memorial Day -> Tuesday
    ])
    assert_step(caterer, "ghost", "menu_call_task", "2027-04-19T09:00:00+10:00", "done")
    assert_step(caterer, "ghost", "count_task", "2027-05-10T12:00:00+10:00", "done")


# =============================================================================================
# Hair & makeup: trial to wedding morning (trigger: payment_received, the retainer)
# Window Tue-Sat 09:00-19:00; calendar closed Sundays, Mondays and US holidays.
# Fixes made while writing these:
# - a couple booked ten days out waited 7 days for the beauty party form (to the day before
#   the wedding) before anything else ran, and then got no wedding-morning schedule and not
#   even a task to build one. Under 3 weeks to go the form now waits 2 days
#   (`wait_party_short`), and a schedule too late for its approval email becomes a phone task
#   (`schedule_call_task`);
# - catch-up prep tips needed only 1 day to go, so a window shut on Sunday-Monday (or a
#   holiday) could deliver "wash your hair the night before" on the wedding morning; the
#   catch-up now needs 3+ days, like every wedding-week email.
# =============================================================================================

BEAUTY = "hair_makeup_trial_to_wedding_morning"


@pytest.fixture(scope="module")
def beauty():
    clients = [
        couple("early", "America/New_York", "2027-09-11",
               dates={"trial": "2027-07-16", "final_payment": "2027-08-28"}),
        couple("late", "Europe/London", "2027-07-31"),
        couple("moved", "America/Los_Angeles", "2027-05-15",
               dates={"trial": "2027-03-13", "final_payment": "2027-05-01"}),
        couple("ghost", "Australia/Sydney", "2027-04-10"),
    ]
    events = [
        paid("2026-09-08T14:00:00Z", "early"),  # Tuesday after Labor Day, 10:00
        form_back("2026-09-12T15:00:00Z", "early", "beauty_party", party_size=5),
        approve("2027-08-23T14:00:00Z", "early", "morning_schedule"),  # a Monday: shut
        form_back("2027-09-22T14:00:00Z", "early", "review", rating=5),
        paid("2027-07-21T09:00:00Z", "late"),  # Wednesday 10:00 BST, 10 days out
        paid("2026-10-02T16:00:00Z", "moved"),
        form_back("2026-10-07T16:00:00Z", "moved", "beauty_party", party_size=3),
        update("2027-02-01T17:00:00Z", "moved", wedding_date="2027-06-26",
               dates={"trial": "2027-05-08", "final_payment": "2027-06-12"}),
        approve("2027-06-05T18:00:00Z", "moved", "morning_schedule"),
        paid("2026-09-01T12:00:00Z", "ghost"),  # Tuesday 22:00 in Sydney
    ]
    return Journey(BEAUTY, clients, events, start=START, until="2028-01-01T00:00:00Z")


def test_beauty_early_booking(beauty):
    check_path(beauty, "early", """
        start mark_booked has_wedding_date welcome party_pause beauty_party party_time_left
        wait_party has_trial trial_prep_delay trial_prep trial_followup_delay trial_followup
        has_final_payment final_payment_delay final_payment_reminder schedule_delay
        schedule_task morning_schedule prep_delay prep_tips thank_you_delay thank_you
        review_delay review_request wait_review review_positive review_share
        mark_past_client done""")
    check_inbox(beauty, "early", [
        ("welcome", "2026-09-08T10:00:00-04:00"),
        ("beauty_party", "2026-09-10T10:00:00-04:00"),  # 2 business days (Wed, Thu)
        ("trial_prep", "2027-07-14T17:00:00-04:00"),
        ("trial_followup", "2027-07-17T12:00:00-04:00"),
        # balance Saturday 28 Aug; 5 business days back, Sundays and Mondays closed: Sat 21st
        ("final_payment_reminder", "2027-08-21T10:00:00-04:00"),
        ("morning_schedule", "2027-08-24T09:00:00-04:00"),  # approved Monday: Tuesday 09:00
        ("prep_tips", "2027-09-08T17:00:00-04:00"),
        ("thank_you", "2027-09-14T09:00:00-04:00"),  # 2 days after is a Monday: Tuesday
        ("review_request", "2027-09-21T09:00:00-04:00"),
        ("review_share", "2027-09-22T10:00:00-04:00"),
    ])
    assert_step(beauty, "early", "schedule_task", "2027-08-21T10:00:00-04:00", "done")


def test_beauty_late_booking(beauty):
    check_path(beauty, "late", """
        start mark_booked has_wedding_date welcome party_pause beauty_party party_time_left
        wait_party_short party_nudge_check party_call_task has_trial trial_time_left
        has_final_payment schedule_delay schedule_late_check schedule_task morning_schedule
        prep_delay prep_tips thank_you_delay thank_you review_delay review_request
        wait_review mark_past_client done""")
    check_inbox(beauty, "late", [
        ("welcome", "2027-07-21T10:00:00+01:00"),
        ("beauty_party", "2027-07-23T10:00:00+01:00"),
        ("prep_tips", "2027-07-28T17:00:00+01:00"),  # 3 days out, as planned
        ("thank_you", "2027-08-03T09:00:00+01:00"),  # Monday is closed
        ("review_request", "2027-08-10T09:00:00+01:00"),
    ])
    # 2 days without the form, 6 days to go: a phone task, and the schedule is still built
    assert_step(beauty, "late", "party_call_task", "2027-07-25T10:00:00+01:00", "done")
    assert_step(beauty, "late", "schedule_task", "2027-07-25T10:00:00+01:00", "done")
    assert_step(beauty, "late", "morning_schedule", "2027-07-28T10:00:00+01:00", "skipped")


def test_beauty_rescheduled_wedding(beauty):
    check_path(beauty, "moved", """
        start mark_booked has_wedding_date welcome party_pause beauty_party party_time_left
        wait_party has_trial trial_prep_delay trial_prep trial_followup_delay trial_followup
        has_final_payment final_payment_delay final_payment_reminder schedule_delay
        schedule_task morning_schedule prep_delay prep_tips thank_you_delay thank_you
        review_delay review_request wait_review mark_past_client done""")
    check_inbox(beauty, "moved", [
        ("welcome", "2026-10-02T09:00:00-07:00"),
        ("beauty_party", "2026-10-06T09:00:00-07:00"),  # Sat, then Tuesday: 2 business days
        # moved on 1 Feb: trial 13 Mar -> 8 May, wedding 15 May -> 26 Jun, balance -> 12 Jun
        ("trial_prep", "2027-05-06T17:00:00-07:00"),
        ("trial_followup", "2027-05-11T09:00:00-07:00"),  # due Sunday noon: Tuesday
        ("final_payment_reminder", "2027-06-05T10:00:00-07:00"),
        ("morning_schedule", "2027-06-05T11:00:00-07:00"),
        ("prep_tips", "2027-06-23T17:00:00-07:00"),
        ("thank_you", "2027-06-29T09:00:00-07:00"),
        ("review_request", "2027-07-06T09:00:00-07:00"),
    ])
    assert_step(beauty, "moved", "trial_prep_delay", "2027-05-06T17:00:00-07:00", "done")


def test_beauty_couple_who_never_returns_the_form(beauty):
    check_path(beauty, "ghost", """
        start mark_booked has_wedding_date welcome party_pause beauty_party party_time_left
        wait_party party_nudge_check party_nudge has_trial trial_time_left trial_invite
        trial_task has_final_payment schedule_delay schedule_task morning_schedule prep_delay
        prep_tips thank_you_delay thank_you review_delay review_request wait_review
        mark_past_client done""")
    check_inbox(beauty, "ghost", [
        ("welcome", "2026-09-02T09:00:00+10:00"),  # paid 22:00: next opening
        ("beauty_party", "2026-09-04T09:00:00+10:00"),
        ("party_nudge", "2026-09-11T09:00:00+10:00"),
        ("trial_invite", "2026-09-11T09:00:00+10:00"),
        ("prep_tips", "2027-04-07T17:00:00+10:00"),  # after DST ended on 4 April
        ("thank_you", "2027-04-13T09:00:00+10:00"),
        ("review_request", "2027-04-20T09:00:00+10:00"),
    ])
    assert_step(beauty, "ghost", "schedule_task", "2027-03-20T10:00:00+11:00", "done")
    assert_step(beauty, "ghost", "morning_schedule", "2027-03-23T10:00:00+11:00", "skipped")


# =============================================================================================
# Inquiry nurture (trigger: form_submitted, form `inquiry`; reentry after_exit)
# Window Mon-Sat 08:00-20:00; calendar closed Sundays and US holidays. No date-anchored
# steps: the wedding date only decides the last-minute route (45 days or fewer).
# The "rescheduled" couple here postpones after going cold and inquires again with the new
# date: a second run, as `reentry: after_exit` allows.
# =============================================================================================

NURTURE = "inquiry_nurture"


@pytest.fixture(scope="module")
def nurture():
    clients = [
        couple("early", "America/Chicago", "2027-09-18", status="lead"),
        couple("late", "America/New_York", "2027-06-19", status="lead"),
        couple("late_quiet", "Australia/Sydney", "2027-03-06", status="lead"),
        couple("moved", "America/Los_Angeles", "2027-05-22", status="lead"),
        couple("ghost", "Europe/London", "2028-06-10", status="lead"),
    ]
    inquiry = {"form": "inquiry", "answers": {"heard_from": "Instagram"}}
    call = "custom:consultation_booked"
    events = [
        event("2026-09-14T15:00:00Z", "early", "form_submitted", inquiry),
        event("2026-09-16T17:00:00Z", "early", call),
        paid("2026-09-25T20:00:00Z", "early"),
        event("2027-06-09T22:00:00Z", "late", "form_submitted", inquiry),  # 10 days out
        paid("2027-06-11T14:30:00Z", "late"),
        event("2027-02-24T21:00:00Z", "late_quiet", "form_submitted", inquiry),
        event("2026-09-01T16:00:00Z", "moved", "form_submitted", inquiry),
        event("2026-09-03T18:00:00Z", "moved", call),
        update("2027-01-10T18:00:00Z", "moved", wedding_date="2028-05-20"),  # postponed
        event("2027-01-11T18:00:00Z", "moved", "form_submitted", inquiry),
        event("2027-01-12T19:00:00Z", "moved", call),
        paid("2027-01-15T20:00:00Z", "moved"),
        event("2027-10-22T18:30:00Z", "ghost", "form_submitted", inquiry),  # Friday 19:30 BST
    ]
    return Journey(NURTURE, clients, events, start=START, until="2028-01-01T00:00:00Z")


def test_nurture_early_inquiry_books(nurture):
    check_path(nurture, "early", """
        start mark_lead tag_inquiry is_last_minute inquiry_reply reply_task wait_call_1
        call_confirmed proposal_task wait_booking_1 proposal_followup wait_booking_2
        mark_booked tag_booked booked_thanks exit_booked""")
    check_inbox(nurture, "early", [
        ("inquiry_reply", "2026-09-14T10:00:00-05:00"),
        ("call_confirmed", "2026-09-16T12:00:00-05:00"),
        ("proposal_followup", "2026-09-23T12:00:00-05:00"),  # 7 days without a payment
        ("booked_thanks", "2026-09-25T15:00:00-05:00"),
    ])


def test_nurture_last_minute_inquiries(nurture):
    # Ten days out: a personal reply and an urgent task, no sequence; books two days later.
    check_path(nurture, "late", """
        start mark_lead tag_inquiry is_last_minute rush_task rush_reply rush_wait_booking
        mark_booked tag_booked booked_thanks exit_booked""")
    check_inbox(nurture, "late", [
        ("rush_reply", "2027-06-09T18:00:00-04:00"),
        ("booked_thanks", "2027-06-11T10:30:00-04:00"),
    ])
    assert_step(nurture, "late", "rush_task", "2027-06-09T18:00:00-04:00", "done")
    # Nine days out and never books: closed quietly a week later, no email after the reply.
    check_path(nurture, "late_quiet", """
        start mark_lead tag_inquiry is_last_minute rush_task rush_reply rush_wait_booking
        mark_lost tag_cold exit_cold""")
    check_inbox(nurture, "late_quiet", [("rush_reply", "2027-02-25T08:00:00+11:00")])
    assert_step(nurture, "late_quiet", "mark_lost", "2027-03-04T08:00:00+11:00", "done")


def test_nurture_postponed_wedding_inquires_again(nurture):
    first, second = nurture.runs("moved")
    assert first["status"] == second["status"] == "completed"
    assert first["path"] == path("""
        start mark_lead tag_inquiry is_last_minute inquiry_reply reply_task wait_call_1
        call_confirmed proposal_task wait_booking_1 proposal_followup wait_booking_2
        date_hold_note wait_booking_3 date_released mark_lost tag_cold exit_cold""")
    assert second["path"] == path("""
        start mark_lead tag_inquiry is_last_minute inquiry_reply reply_task wait_call_1
        call_confirmed proposal_task wait_booking_1 mark_booked tag_booked booked_thanks
        exit_booked""")
    check_inbox(nurture, "moved", [
        ("inquiry_reply", "2026-09-01T09:00:00-07:00"),
        ("call_confirmed", "2026-09-03T11:00:00-07:00"),
        ("proposal_followup", "2026-09-10T11:00:00-07:00"),
        ("date_hold_note", "2026-09-15T11:00:00-07:00"),
        ("date_released", "2026-09-19T11:00:00-07:00"),  # a Saturday: open
        # postponed to 20 May 2028, and a new inquiry in January (PST)
        ("inquiry_reply", "2027-01-11T10:00:00-08:00"),
        ("call_confirmed", "2027-01-12T11:00:00-08:00"),
        ("booked_thanks", "2027-01-15T12:00:00-08:00"),
    ])


def test_nurture_lead_who_never_books_a_call(nurture):
    check_path(nurture, "ghost", """
        start mark_lead tag_inquiry is_last_minute inquiry_reply reply_task wait_call_1
        followup_split followup_personal|followup_story wait_call_2 followup_last
        wait_call_3 closing_note mark_lost tag_cold exit_cold""")
    check_inbox(nurture, "ghost", [
        ("inquiry_reply", "2027-10-22T19:30:00+01:00"),
        ("followup_personal|followup_story", "2027-10-25T19:30:00+01:00"),
        ("followup_last", "2027-10-29T19:30:00+01:00"),
        ("closing_note", "2027-11-05T19:30:00+00:00"),  # 7 days on, after the clocks changed
    ])


# =============================================================================================
# Payment reminders with escalation (trigger: date, 8 business days before final_payment)
# Window Mon-Fri 09:00-17:30; business days Mon-Fri without US holidays.
# Fixes made while writing these (the run only hears a payment while it sits at a wait_for):
# - it started 10 calendar days before the due date at 09:00, so on a weekend the heads-up
#   waited for Monday, and a payment made meanwhile went unheard (the couple was then chased
#   as overdue). It now starts 8 business days before, always inside the window;
# - "due today" waited for the due date at 09:00 even on a weekend or holiday, so it went out
#   on Monday saying "due today"; it now waits for the due date's business day, and a closed
#   due date goes straight to the overdue stages;
# - the firmer reminder waited 2 days for an approval (and then went anyway), deaf to a
#   payment in those days. The vendor now gets a task and the run keeps listening for two
#   business days before sending it;
# - the final stage had no "wedding within 7 days" check: it now turns into the urgent phone
#   task like the other stages.
# =============================================================================================

PAYMENTS = "payment_reminders"


@pytest.fixture(scope="module")
def payments():
    clients = [
        couple("early", "America/New_York", "2027-10-16", dates={"final_payment": "2027-09-15"}),
        couple("late", "America/New_York", "2027-06-19", dates={"final_payment": "2027-06-12"},
               added_at="2027-06-09T14:00:00Z"),
        couple("slow", "America/Chicago", "2027-11-20", dates={"final_payment": "2027-10-29"}),
        couple("never", "America/New_York", "2027-06-12", dates={"final_payment": "2027-03-01"}),
        couple("moved", "Australia/Sydney", "2027-05-01", dates={"final_payment": "2027-04-02"}),
        couple("corrected", "Europe/London", "2027-08-28",
               dates={"final_payment": "2027-08-06"}),
        couple("weekend", "America/Los_Angeles", "2027-07-10",
               dates={"final_payment": "2027-06-19"}),
    ]
    events = [
        paid("2027-09-10T18:00:00Z", "early"),
        # a new balance date after paying in full (reentry after_exit): enrolled again on its
        # moment, and the paid_in_full tag ends that run at once
        update("2027-09-13T12:00:00Z", "early", dates={"final_payment": "2027-10-06"}),
        approve("2027-03-18T13:30:00Z", "never", "final_notice"),
        update("2027-02-01T00:00:00Z", "moved", wedding_date="2027-10-30",
               dates={"final_payment": "2027-10-01"}),
        paid("2027-09-30T23:00:00Z", "moved"),  # exactly at the due-date deadline
        # the vendor corrects the due date to two weeks earlier while the run waits
        update("2027-08-02T08:00:00Z", "corrected", dates={"final_payment": "2027-07-23"}),
        paid("2027-08-04T09:00:00Z", "corrected"),  # during the firm-reminder check
    ]
    return Journey(PAYMENTS, clients, events, start=START, until="2027-12-31T00:00:00Z")


def test_payments_early_couple_pays_before_the_due_date(payments):
    first, second = payments.runs("early")
    assert first["path"] == path("""
        start already_paid due_date_ahead heads_up wait_due_day paid_thanks tag_paid
        exit_paid""")
    # 8 business days before Wednesday 15 Sep, skipping Labor Day: Thursday 2 Sep
    assert payments.inbox("early") == [
        ("heads_up", "2027-09-02T09:00:00-04:00"),
        ("paid_thanks", "2027-09-10T14:00:00-04:00"),
    ]
    # The new due date (6 Oct) enrolled the couple again on Friday 24 Sep; already paid.
    assert second["path"] == path("start already_paid exit_already_paid")
    assert_step(payments, "early", "already_paid", "2027-09-24T09:00:00-04:00", "done", nth=2)


def test_payments_late_booking_is_not_enrolled(payments):
    # Added three days before the balance, after the enrolment moment (2 June): the spec says
    # a client added after a date trigger's moment is not enrolled by it.
    assert payments.runs("late") == []


def test_payments_escalation_turns_into_a_call_when_the_wedding_is_close(payments):
    check_path(payments, "slow", """
        start already_paid due_date_ahead heads_up wait_due_day due_today_fresh due_today
        wait_overdue_1 wedding_imminent overdue_1_fresh overdue_gentle wait_overdue_2
        wedding_imminent_2 overdue_2_fresh firm_check_task wait_firm overdue_firm
        wait_overdue_3 wedding_imminent_3 urgent_call_task exit_urgent""")
    check_inbox(payments, "slow", [
        ("heads_up", "2027-10-19T09:00:00-05:00"),
        ("due_today", "2027-10-29T09:00:00-05:00"),
        ("overdue_gentle", "2027-11-03T10:00:00-05:00"),  # 3 business days after
        # 9 business days after, skipping Veterans Day, after the clocks went back
        ("overdue_firm", "2027-11-12T10:00:00-06:00"),
    ])
    assert_step(payments, "slow", "firm_check_task", "2027-11-09T10:00:00-06:00", "done")
    # 12 business days after is Wednesday 17 Nov, 3 days before the wedding: a phone call
    assert_step(payments, "slow", "urgent_call_task", "2027-11-17T10:00:00-06:00", "done")


def test_payments_couple_who_never_pays(payments):
    check_path(payments, "never", """
        start already_paid due_date_ahead heads_up wait_due_day due_today_fresh due_today
        wait_overdue_1 wedding_imminent overdue_1_fresh overdue_gentle wait_overdue_2
        wedding_imminent_2 overdue_2_fresh firm_check_task wait_firm overdue_firm
        wait_overdue_3 wedding_imminent_3 final_notice collections_task exit_unpaid""")
    check_inbox(payments, "never", [
        ("heads_up", "2027-02-17T09:00:00-05:00"),
        ("due_today", "2027-03-01T09:00:00-05:00"),
        ("overdue_gentle", "2027-03-04T10:00:00-05:00"),
        ("overdue_firm", "2027-03-12T10:00:00-05:00"),
        ("final_notice", "2027-03-18T09:30:00-04:00"),  # approved, after DST started
    ])
    assert_step(payments, "never", "wait_overdue_3", "2027-03-17T10:00:00-04:00", "timeout")
    assert_step(payments, "never", "collections_task", "2027-03-18T09:30:00-04:00", "done")


def test_payments_rescheduled_due_date(payments):
    # Moved from 2 Apr to 1 Oct 2027 before the first enrolment moment: enrolled on the new
    # moment only, and a payment exactly at the due-date deadline still counts.
    check_path(payments, "moved", """
        start already_paid due_date_ahead heads_up wait_due_day paid_thanks tag_paid
        exit_paid""")
    check_inbox(payments, "moved", [
        ("heads_up", "2027-09-21T09:00:00+10:00"),
        ("paid_thanks", "2027-10-01T09:00:00+10:00"),
    ])
    # Corrected to two weeks earlier while waiting: the due-date and gentle stages are stale
    # and skipped at once; the run waits for the firm stage, and the payment made during
    # its check period ends it with a thank-you (no firm reminder).
    check_path(payments, "corrected", """
        start already_paid due_date_ahead heads_up wait_due_day due_today_fresh
        wait_overdue_1 wedding_imminent overdue_1_fresh wait_overdue_2 wedding_imminent_2
        overdue_2_fresh firm_check_task wait_firm paid_thanks tag_paid exit_paid""")
    check_inbox(payments, "corrected", [
        ("heads_up", "2027-07-27T09:00:00+01:00"),
        ("paid_thanks", "2027-08-04T10:00:00+01:00"),
    ])
    assert_step(payments, "corrected", "wait_due_day", "2027-08-02T09:00:00+01:00", "timeout")
    assert_step(payments, "corrected", "firm_check_task", "2027-08-03T10:00:00+01:00", "done")


def test_payments_due_on_a_weekend_has_no_due_today_note(payments):
    # Due Saturday 19 June 2027 (Juneteenth, observed on Friday 18th): the heads-up goes 8
    # business days before (Tue 8 June); the due-date wait ends on the next business day,
    # Monday 21st, when "due today" would be wrong: the overdue stages follow instead.
    check_path(payments, "weekend", """
        start already_paid due_date_ahead heads_up wait_due_day due_today_fresh
        wait_overdue_1 wedding_imminent overdue_1_fresh overdue_gentle wait_overdue_2
        wedding_imminent_2 overdue_2_fresh firm_check_task wait_firm overdue_firm
        wait_overdue_3 wedding_imminent_3 urgent_call_task exit_urgent""")
    check_inbox(payments, "weekend", [
        ("heads_up", "2027-06-08T09:00:00-07:00"),
        ("overdue_gentle", "2027-06-23T10:00:00-07:00"),  # Mon, Tue, Wed
        ("overdue_firm", "2027-07-01T10:00:00-07:00"),  # 9 business days after
    ])
    assert_step(payments, "weekend", "wait_due_day", "2027-06-21T09:00:00-07:00", "timeout")
    # 12 business days after, skipping Independence Day observed (5 July): Wednesday 7 July,
    # 3 days before the wedding
    assert_step(payments, "weekend", "urgent_call_task", "2027-07-07T10:00:00-07:00", "done")
