"""The inspector panel: a form per node type, the problems list and the journey settings."""

from __future__ import annotations

import reflex as rx

from journey_app.choices import (ACTIONS, CONDITION_FIELDS, HOLIDAY_CALENDARS, OPS,
                                 TRIGGER_EVENTS, WAIT_EVENTS, WEBHOOK_METHODS, WEEKDAYS,
                                 COMMON_TIMEZONES)
from journey_app.components.forms import (label, number_field, section, select_field,
                                          switch_field, text_area, text_field)
from journey_app.components.node_catalog import NODE_CATALOG
from journey_app.pages.editor.state import EditorState

S = EditorState
PANEL_WIDTH = "360px"


def _f(key: str):
    return S.form[key]


def _set(key: str):
    return lambda value: S.set_field(key, value)


def _text(text: str, key: str, **kw) -> rx.Component:
    return text_field(text, key, _f(key), _set(key), **kw)


def _select(text: str, key: str, options: list[tuple[str, str]], **kw) -> rx.Component:
    return select_field(text, key, _f(key), options, _set(key), **kw)


def _switch(text: str, key: str, hint: str | None = None) -> rx.Component:
    return switch_field(text, key, _f(key) == "true",
                        lambda v: S.set_field(key, rx.cond(v, "true", "false")), hint)


# --------------------------------------------------------------------------- time editors


def duration_editor(prefix: str, title: str, units=("weeks", "days", "hours", "minutes")
                    ) -> rx.Component:
    return rx.vstack(
        label(title),
        rx.hstack(
            *[number_field(unit.capitalize(), f"{prefix}{unit}", _f(f"{prefix}{unit}"),
                           _set(f"{prefix}{unit}"), width="74px") for unit in units],
            spacing="2",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
    )


def time_editor(prefix: str, title: str, *, allow_absolute: bool = True) -> rx.Component:
    relative = rx.vstack(
        rx.hstack(
            number_field("Amount", f"{prefix}amount", _f(f"{prefix}amount"),
                         _set(f"{prefix}amount"), width="76px"),
            _select("Unit", f"{prefix}unit", [("days", "days"),
                                               ("business_days", "business days")],
                    width="130px"),
            _select("When", f"{prefix}direction", [("before", "before"), ("after", "after"),
                                                    ("on", "on the day of")], width="120px"),
            spacing="2",
            align="end",
            wrap="wrap",
        ),
        rx.hstack(
            _select("Client date", f"{prefix}anchor_choice",
                    [("wedding_date", "the wedding date"), ("other", "another date…")],
                    width="170px"),
            rx.cond(
                _f(f"{prefix}anchor_choice") == "other",
                _text("Date name", f"{prefix}anchor_name", placeholder="engagement_shoot",
                      width="150px"),
            ),
            spacing="2",
            align="end",
        ),
        spacing="2",
        width="100%",
    )
    absolute = _text("Date", f"{prefix}date", type_="date", width="170px")
    body = relative
    if allow_absolute:
        body = rx.cond(_f(f"{prefix}mode") == "absolute", absolute, relative)
    return rx.vstack(
        label(title),
        body,
        _text("At (client's local time)", f"{prefix}at", type_="time", width="150px"),
        spacing="2",
        width="100%",
        padding="10px",
        border="1px solid var(--gray-5)",
        border_radius="var(--radius-3)",
        background="var(--gray-2)",
    )


# --------------------------------------------------------------------------- conditions


def _condition_row(path: str, row) -> rx.Component:
    index = row["index"]
    return rx.cond(
        row["nested"],
        rx.hstack(
            rx.text("Nested group: ", row["text"].to(str), size="1", color_scheme="gray"),
            rx.spacer(),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label="Remove rule", on_click=S.remove_row(path, index)),
            width="100%",
        ),
        rx.vstack(
            rx.hstack(
                rx.input(value=row["field"].to(str), aria_label="Field", size="1",
                         custom_attrs={"list": "condition-fields"}, flex="1",
                         on_change=lambda v: S.set_row(path, index, "field", v)),
                rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost",
                               color_scheme="gray", aria_label="Remove rule",
                               on_click=S.remove_row(path, index)),
                width="100%",
                align="center",
                spacing="1",
            ),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(aria_label="Operator", width="100%"),
                    rx.select.content(*[rx.select.item(lbl, value=v) for v, lbl in OPS]),
                    value=row["op"].to(str),
                    on_change=lambda v: S.set_row(path, index, "op", v),
                    size="1",
                ),
                rx.cond(
                    row["unary"],
                    rx.fragment(),
                    rx.input(value=row["value"].to(str), aria_label="Value", size="1",
                             placeholder="value", flex="1",
                             on_change=lambda v: S.set_row(path, index, "value", v)),
                ),
                width="100%",
                spacing="1",
            ),
            spacing="1",
            width="100%",
            padding="8px",
            border="1px solid var(--gray-5)",
            border_radius="var(--radius-2)",
            background="var(--color-panel-solid)",
        ),
    )


def condition_editor(path: str, rows, kind_key: str, empty_text: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Match", size="2"),
            rx.segmented_control.root(
                rx.segmented_control.item("all", value="all"),
                rx.segmented_control.item("any", value="any"),
                value=_f(kind_key),
                on_change=lambda v: S.set_group_kind(path, v),
                size="1",
                aria_label="Match all or any rule",
            ),
            rx.text("of these rules", size="2"),
            align="center",
            spacing="2",
        ),
        rx.cond(rows.length() == 0,
                rx.text(empty_text, size="1", color_scheme="gray")),
        rx.foreach(rows, lambda row: _condition_row(path, row)),
        rx.button(rx.icon("plus", size=12), "Add rule", size="1", variant="soft",
                  on_click=S.add_row(path)),
        rx.el.datalist(*[rx.el.option(value=f) for f in CONDITION_FIELDS],
                       id="condition-fields"),
        rx.text("Fields: client.status, client.tags, client.fields.<name>, client.dates.<name>, "
                "event.<data key>, form.<form>.<question>. Lists: separate with commas.",
                size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )


# --------------------------------------------------------------------------- per type


def _event_picker(options: list[tuple[str, str]]) -> rx.Component:
    return rx.vstack(
        _select("Starts when" if options is TRIGGER_EVENTS else "Wait for", "event_choice",
                options),
        rx.cond(_f("event_choice") == "custom",
                _text("Custom event name", "custom_event", placeholder="tour_booked",
                      hint="Sent by your website or another app as custom:<name>.")),
        spacing="2",
        width="100%",
    )


def trigger_form() -> rx.Component:
    return rx.vstack(
        _event_picker(TRIGGER_EVENTS),
        rx.cond(_f("event_choice") == "date",
                time_editor("trig_", "Start each client's journey on", allow_absolute=False)),
        rx.cond(
            _f("event_choice") != "date",
            section("Only for events where (optional)",
                    condition_editor("match", S.match_rows, "match_kind",
                                     "Every matching event starts the journey."))),
        spacing="3",
        width="100%",
    )


def _preview_card() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Preview for", size="1", weight="bold", color="var(--gray-11)"),
            rx.select.root(
                rx.select.trigger(aria_label="Preview client", width="100%"),
                rx.select.content(rx.foreach(
                    S.preview_clients,
                    lambda c: rx.select.item(c["label"], value=c["id"]))),
                value=S.preview_client,
                on_change=S.set_preview_client,
                size="1",
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(
            S.preview["error"] != "",
            rx.callout(S.preview["error"], icon="triangle_alert", color_scheme="red", size="1"),
            rx.vstack(
                rx.text(rx.text.strong("To: "), S.preview["to"], size="1"),
                rx.text(rx.text.strong("Subject: "), S.preview["subject"], size="2"),
                rx.separator(size="4"),
                rx.text(S.preview["body"], size="2", white_space="pre-wrap",
                        custom_attrs={"data-testid": "email-preview-body"}),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        padding="12px",
        border="1px solid var(--gray-5)",
        border_radius="var(--radius-3)",
        background="var(--gray-2)",
        aria_label="Email preview",
        role="region",
    )


def _template_hint() -> str:
    return ("Insert details with {{ client.first_name }}, {{ client.wedding_date | longdate }}, "
            "{{ vendor.name }}.")


def email_form() -> rx.Component:
    return rx.vstack(
        _text("Subject", "subject", placeholder="Welcome, {{ client.first_name }}!"),
        text_area("Message", "body", _f("body"), _set("body"), rows=7, hint=_template_hint()),
        _text("Send to (optional)", "to", placeholder="the client's email",
              hint="Leave empty to send to the client."),
        _switch("Hold for my approval", "requires_approval",
                "The email waits in Approvals until you approve, edit or reject it."),
        rx.cond(
            _f("requires_approval") == "true",
            rx.vstack(
                _switch("Decide automatically after a deadline", "appr_enabled"),
                rx.cond(
                    _f("appr_enabled") == "true",
                    rx.vstack(
                        duration_editor("appr_", "Deadline", units=("days", "hours")),
                        _select("Then", "on_timeout", [("send", "send it anyway"),
                                                       ("skip", "skip it")]),
                        spacing="2",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
                padding_left="8px",
                border_left="2px solid var(--accent-6)",
            ),
        ),
        _preview_card(),
        spacing="3",
        width="100%",
    )


def form_form() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            label("Form", "f-form"),
            rx.select.root(
                rx.select.trigger(aria_label="Form", id="f-form", width="100%"),
                rx.select.content(rx.foreach(S.form_keys,
                                             lambda k: rx.select.item(k, value=k))),
                value=_f("form"),
                on_change=_set("form"),
                size="2",
            ),
            spacing="1",
            width="100%",
        ),
        _text("Email subject", "subject"),
        text_area("Email message", "body", _f("body"), _set("body"), rows=5,
                  hint="Must include {{ form_url }}: the link to the form."),
        _preview_card(),
        spacing="3",
        width="100%",
    )


def delay_form() -> rx.Component:
    return rx.vstack(
        _select("Wait", "delay_mode", [
            ("duration", "for a length of time"),
            ("business_days", "for a number of business days"),
            ("until_relative", "until a moment around a client date"),
            ("until_date", "until a fixed date"),
        ]),
        rx.match(
            _f("delay_mode"),
            ("duration", duration_editor("dur_", "How long")),
            ("business_days", number_field("Business days", "business_days",
                                           _f("business_days"), _set("business_days"),
                                           width="120px")),
            ("until_relative", time_editor("until_", "Until", allow_absolute=False)),
            ("until_date", time_editor("until_", "Until")),
            rx.fragment(),
        ),
        rx.callout("If this moment has already passed when a client gets here, they continue "
                   "at once, or along the past_due connection if you draw one.", icon="info",
                   size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def wait_for_form() -> rx.Component:
    return rx.vstack(
        _event_picker(WAIT_EVENTS),
        section("Only events where (optional)",
                condition_editor("match", S.match_rows, "match_kind",
                                 "Any such event for this client counts.")),
        _select("Give up", "to_mode", [("duration", "after a length of time"),
                                       ("relative", "at a moment around a client date"),
                                       ("absolute", "on a fixed date")]),
        rx.cond(_f("to_mode") == "duration",
                duration_editor("to_", "Time out after"),
                time_editor("to_", "Time out at")),
        rx.text("Connect the event output to what happens when it arrives, and timeout to "
                "what happens if it does not.", size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def condition_form() -> rx.Component:
    return rx.vstack(
        condition_editor("", S.cond_rows, "group_kind", "Add at least one rule."),
        rx.text("Clients who match follow the true output; the others follow false.",
                size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def _branch_row(row) -> rx.Component:
    index = row["index"]
    return rx.hstack(
        rx.input(value=row["label"].to(str), aria_label="Branch label", size="1", width="110px",
                 on_change=lambda v: S.set_branch(index, "label", v)),
        rx.input(value=row["weight"].to(str), aria_label="Branch weight", type="number", size="1",
                 width="80px", on_change=lambda v: S.set_branch(index, "weight", v)),
        rx.text("weight", size="1", color_scheme="gray"),
        rx.spacer(),
        rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                       aria_label="Remove branch", on_click=S.remove_branch(index),
                       disabled=S.branches.length() <= 2),
        align="center",
        spacing="2",
        width="100%",
    )


def split_form() -> rx.Component:
    return rx.vstack(
        label("Branches (clients are split at random by weight)"),
        rx.foreach(S.branches, _branch_row),
        rx.button(rx.icon("plus", size=12), "Add branch", size="1", variant="soft",
                  on_click=S.add_branch, disabled=S.branches.length() >= 10),
        rx.text("Each branch gets its own output on the canvas. Analytics compares them.",
                size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )


def action_form() -> rx.Component:
    return rx.vstack(
        _select("Action", "action", ACTIONS),
        rx.match(
            _f("action"),
            ("add_tag", _text("Tag", "tag")),
            ("remove_tag", _text("Tag", "tag")),
            ("update_status", _text("New status", "status", placeholder="booked")),
            ("set_field", rx.vstack(_text("Field name", "field", placeholder="package"),
                                    _text("Value", "value"), spacing="2", width="100%")),
            ("create_task", rx.vstack(
                _text("Task", "task_title", placeholder="Call {{ client.name }}"),
                _select("Due", "due_mode", [("none", "no due date"),
                                            ("duration", "after a length of time"),
                                            ("relative", "around a client date"),
                                            ("absolute", "on a fixed date")]),
                rx.match(_f("due_mode"),
                         ("duration", duration_editor("due_", "Due after")),
                         ("relative", time_editor("due_", "Due")),
                         ("absolute", time_editor("due_", "Due")),
                         rx.fragment()),
                spacing="2", width="100%")),
            ("webhook", rx.vstack(
                _text("URL", "url", placeholder="https://"),
                _select("Method", "method", [(m, m) for m in WEBHOOK_METHODS]),
                text_area("Body (optional)", "webhook_body", _f("webhook_body"),
                          _set("webhook_body"), rows=4),
                spacing="2", width="100%")),
            rx.fragment(),
        ),
        spacing="3",
        width="100%",
    )


def exit_form() -> rx.Component:
    return rx.text("Clients who reach this step finish the journey (completed).", size="2",
                   color_scheme="gray")


def _type_badge() -> rx.Component:
    return rx.match(
        S.sel_type,
        *[(t, rx.badge(spec["label"], color_scheme="gray", variant="surface"))
          for t, spec in NODE_CATALOG.items()],
        rx.badge(S.sel_type),
    )


def step_panel() -> rx.Component:
    return rx.cond(
        S.selected != "",
        rx.vstack(
            rx.hstack(
                _type_badge(),
                rx.text(S.selected, size="1", color_scheme="gray",
                        font_family="var(--code-font-family)"),
                rx.spacer(),
                rx.icon_button(rx.icon("trash_2", size=14), size="1", variant="soft",
                               color_scheme="red", aria_label="Delete step",
                               on_click=S.delete_selected),
                align="center",
                width="100%",
            ),
            _text("Step name", "title"),
            rx.text(S.sel_summary, size="1", color_scheme="gray"),
            rx.foreach(S.sel_problems, lambda p: rx.callout(
                p["message"], icon="triangle_alert", size="1",
                color_scheme=rx.cond(p["severity"] == "error", "red", "amber"))),
            rx.separator(size="4"),
            rx.match(
                S.sel_type,
                ("trigger", trigger_form()),
                ("email", email_form()),
                ("form", form_form()),
                ("delay", delay_form()),
                ("wait_for", wait_for_form()),
                ("condition", condition_form()),
                ("split", split_form()),
                ("action", action_form()),
                ("exit", exit_form()),
                rx.text("This step type is not known to the builder.", size="2"),
            ),
            spacing="3",
            width="100%",
            aria_label="Step settings",
            role="form",
        ),
        rx.vstack(
            rx.icon("mouse_pointer_click", size=22, color="var(--gray-9)"),
            rx.text("Select a step to edit it", weight="medium", size="2"),
            rx.text("Drag steps from the palette on the left, then connect them by dragging "
                    "from a step's right edge to the next step.", size="1",
                    color_scheme="gray", text_align="center"),
            align="center",
            spacing="2",
            padding="32px 12px",
            width="100%",
        ),
    )


# --------------------------------------------------------------------------- problems


def _problem(p) -> rx.Component:
    return rx.el.button(
        rx.hstack(
            rx.icon(rx.cond(p["severity"] == "error", "circle_x", "triangle_alert"), size=14,
                    color=rx.cond(p["severity"] == "error", "var(--red-9)",
                                  "var(--amber-9)"), flex_shrink="0", margin_top="2px"),
            rx.text(p["message"], size="1", text_align="left"),
            align="start",
            spacing="2",
        ),
        on_click=S.select_problem(p["node"]),
        class_name="jr-problem",
        title=rx.cond(p["node"] != "", "Show this step", ""),
        custom_attrs={"data-severity": p["severity"]},
    )


def problems_panel() -> rx.Component:
    return rx.cond(
        S.problems.length() == 0,
        rx.vstack(
            rx.icon("circle_check", size=22, color="var(--green-9)"),
            rx.text("No problems: ready to publish.", size="2", weight="medium"),
            align="center",
            spacing="2",
            padding="32px 12px",
            width="100%",
        ),
        rx.vstack(
            rx.text("Errors block publishing; warnings do not. Click one to show its step.",
                    size="1", color_scheme="gray"),
            rx.foreach(S.problems, _problem),
            spacing="1",
            width="100%",
            role="list",
            aria_label="Problems",
        ),
    )


# --------------------------------------------------------------------------- journey settings


def _sf(key: str):
    return S.settings_form[key]


def _set_setting(key: str):
    return lambda value: S.set_setting(key, value)


def _checked_setter(key: str):
    return lambda v: S.set_setting(key, rx.cond(v, "true", "false"))


def _day_toggles(prefix: str, title: str) -> rx.Component:
    return rx.vstack(
        label(title),
        rx.hstack(
            *[rx.el.label(
                rx.checkbox(checked=_sf(f"{prefix}{d}") == "true",
                            on_change=_checked_setter(f"{prefix}{d}"),
                            aria_label=f"{title} {name}"),
                rx.text(name, size="1"),
                class_name="jr-day") for d, name in WEEKDAYS],
            spacing="2",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
    )


def journey_panel() -> rx.Component:
    return rx.vstack(
        text_field("Journey name", "doc-name", S.name, S.set_name),
        text_area("Description", "doc-description", S.description, S.set_description, rows=2),
        rx.separator(size="4"),
        section(
            "Time",
            text_field("Time zone", "timezone", _sf("timezone"), _set_setting("timezone"),
                       placeholder="Your studio's time zone", datalist="journey-timezones",
                       hint="For clients without their own time zone."),
            rx.el.datalist(*[rx.el.option(value=z) for z in COMMON_TIMEZONES],
                           id="journey-timezones"),
            switch_field("Only send emails in a time window", "window_enabled",
                         _sf("window_enabled") == "true",
                         lambda v: S.set_setting("window_enabled", rx.cond(v, "true", "false"))),
            rx.cond(
                _sf("window_enabled") == "true",
                rx.vstack(
                    _day_toggles("window_day_", "On"),
                    rx.hstack(
                        text_field("From", "window_start", _sf("window_start"),
                                   _set_setting("window_start"), type_="time", width="130px"),
                        text_field("To", "window_end", _sf("window_end"),
                                   _set_setting("window_end"), type_="time", width="130px"),
                        spacing="2",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
        ),
        section(
            "Business days",
            select_field("Public holidays", "holidays", _sf("holidays"), HOLIDAY_CALENDARS,
                         _set_setting("holidays")),
            _day_toggles("closed_", "Closed on"),
            text_field("Closed dates", "closed_dates", _sf("closed_dates"),
                       _set_setting("closed_dates"), placeholder="2027-12-24, 2027-12-31"),
            description="Used by business-day delays and the send window.",
        ),
        section(
            "Who goes through",
            select_field("Re-entry", "reentry", _sf("reentry"),
                         [("never", "Each client only once"),
                          ("after_exit", "Again after they finish")], _set_setting("reentry")),
            text_field("Leave the journey when", "exit_on", _sf("exit_on"),
                       _set_setting("exit_on"), placeholder="custom:booking_cancelled",
                       hint="Events that end a client's run early, separated by commas."),
        ),
        section(
            "Goal and lateness",
            select_field("Goal (counts as converted)", "goal_event", _sf("goal_event"),
                         [("none", "No goal"), ("payment_received", "A payment is received"),
                          ("form_submitted", "A form is submitted"),
                          ("custom", "A custom event")], _set_setting("goal_event")),
            rx.cond(_sf("goal_event") == "custom",
                    text_field("Goal event name", "goal_custom", _sf("goal_custom"),
                               _set_setting("goal_custom"))),
            text_field("Past-due grace (hours)", "grace_hours", _sf("grace_hours"),
                       _set_setting("grace_hours"), type_="number", placeholder="1",
                       hint="A date step later than this counts as past due."),
        ),
        spacing="4",
        width="100%",
    )


# --------------------------------------------------------------------------- the panel


def inspector() -> rx.Component:
    return rx.box(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Step", value="step"),
                rx.tabs.trigger(
                    rx.hstack(
                        rx.text("Problems"),
                        rx.cond(S.error_count > 0,
                                rx.badge(S.error_count, color_scheme="red", radius="full"),
                                rx.cond(S.warning_count > 0,
                                        rx.badge(S.warning_count, color_scheme="amber",
                                                 radius="full"))),
                        spacing="1", align="center"),
                    value="problems"),
                rx.tabs.trigger("Journey", value="journey"),
                size="2",
            ),
            rx.box(
                rx.tabs.content(step_panel(), value="step"),
                rx.tabs.content(problems_panel(), value="problems"),
                rx.tabs.content(journey_panel(), value="journey"),
                padding="14px",
                overflow_y="auto",
                flex="1",
                min_height="0",
            ),
            value=S.tab,
            on_change=S.set_tab,
            display="flex",
            flex_direction="column",
            height="100%",
        ),
        width=PANEL_WIDTH,
        min_width=PANEL_WIDTH,
        height="100%",
        border_left="1px solid var(--gray-5)",
        background="var(--color-panel-solid)",
        aria_label="Inspector",
        role="complementary",
    )
