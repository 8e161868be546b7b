"""One client: their dates and fields, the journeys they are in, and each run's timeline
(past steps with outcomes, local and UTC times; what comes next), with run controls, sending an
event, and changing dates with the reschedule preview."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from journey_app import engine_access, queries, routes
from journey_app import editor_model as em
from journey_app.choices import COMMON_TIMEZONES, SENDABLE_EVENTS
from journey_app.components import date_rows
from journey_app.components.dialogs import confirm_dialog, dialog, dialog_actions
from journey_app.components.forms import label
from journey_app.components.shell import app_shell, empty_state, loading_block
from journey_app.components.tables import data_table
from journey_app.pages.loading import LoadsOnOpen
from journey_app.session import SessionState

ROUTE = routes.CLIENT_DETAIL
TITLE = "Client"

OUTCOME_COLORS = {
    "sent": "green", "done": "blue", "skipped": "gray", "past_due": "amber",
    "timeout": "amber", "event": "green", "failed": "red", "paused": "amber",
    "resumed": "blue", "cancelled": "red", "rescheduled": "blue", "migrated": "purple",
    "exited": "gray", "waiting": "amber", "approved": "green", "rejected": "red",
    "predicted": "gray",
}
STATUS_COLORS = {"waiting": "amber", "active": "blue", "needs_date": "orange", "paused": "gray",
                 "failed": "red", "completed": "green", "exited": "gray", "cancelled": "red"}
WAIT_TEXT = {"delay": "waiting for a delay", "window": "waiting for the send window",
             "wait_for": "waiting for an event", "approval": "waiting for your approval",
             "needs_date": "waiting for a date the client does not have yet"}


def _detail_text(detail: dict[str, Any]) -> str:
    parts = []
    for key in ("subject", "to", "event", "label", "branch", "reason", "error", "tag", "status",
                "from_version", "to_version", "to"):
        if key in detail and detail[key] not in (None, "", {}):
            value = detail[key]
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return " · ".join(dict.fromkeys(parts))[:200]


class ClientState(LoadsOnOpen, SessionState):
    client_key: str = ""
    load_error: str = ""
    client: dict[str, str] = {}
    dates: list[dict[str, str]] = []
    fields: list[dict[str, str]] = []
    runs: list[dict[str, Any]] = []
    tz_name: str = "UTC"
    # edit dialog
    edit_open: bool = False
    edit: dict[str, str] = {}
    edit_dates: list[dict[str, str]] = []
    edit_error: str = ""
    preview_lines: list[dict[str, str]] = []
    previewed: bool = False
    # send-event dialog
    event_open: bool = False
    event_type: str = "payment_received"
    event_custom: str = ""
    event_form: str = ""
    event_amount: str = ""
    form_keys: list[str] = []
    # reschedule dialog
    resched_run: str = ""
    resched_at: str = ""
    delete_open: bool = False

    # ------------------------------------------------------------------ loading
    def _before_refresh(self) -> None:
        self.load_error = ""
        self.client_key = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    def _refresh(self) -> None:
        from engine.calendar import client_zone
        from engine.errors import NotFound

        vendor_id = self.vendor_id
        eng = engine_access.engine()
        try:
            c = eng.clients.get(vendor_id, self.client_key)
        except NotFound:
            self.load_error = "This client does not exist (or was deleted)."
            return
        vendor = eng.get_vendor(vendor_id)
        self.tz_name = str(client_zone(c.timezone, None, vendor.timezone))
        self.client = {
            "id": c.id, "name": c.name, "email": c.email, "status": c.status or "",
            "timezone": c.timezone or "", "zone": self.tz_name,
            "wedding": c.wedding_date.strftime("%A %d %B %Y") if c.wedding_date else "not set",
            "wedding_iso": c.wedding_date.isoformat() if c.wedding_date else "",
            "tags": ", ".join(c.tags), "external_id": c.external_id or "",
            "added": c.created_at.strftime("%d %b %Y") if c.created_at else "",
        }
        self.dates = [{"name": k.replace("_", " "), "key": k, "date": v.strftime("%a %d %b %Y")}
                      for k, v in sorted(c.dates.items()) if v]
        self.fields = [{"key": k.replace("_", " "), "value": em.value_to_text(v)}
                       for k, v in sorted(c.fields.items())]
        journeys = {j.id: j for j in eng.journeys.list(vendor_id)}
        now = eng.clock.now()
        runs = []
        for run in sorted(eng.runs.list(vendor_id, client_id=c.id, limit=500),
                          key=lambda r: r.started_at or now, reverse=True):
            journey = journeys.get(run.journey_id)
            try:
                doc = eng.journeys.version(vendor_id, run.journey_id, run.version).document
            except NotFound:
                doc = {"nodes": []}
            nodes = doc.get("nodes") or []
            steps = []
            records = eng.runs.timeline(vendor_id, run.id)
            for s in records:
                local, utc = queries.local_and_utc(s.at, self.tz_name)
                steps.append({
                    "local": local, "utc": utc,
                    "node": em.node_label(nodes, s.node) if s.node else "—",
                    "type": s.type, "outcome": s.outcome,
                    "color": OUTCOME_COLORS.get(s.outcome, "gray"),
                    "detail": _detail_text(s.detail or {}),
                    "actor": "" if s.actor in ("engine", None) else f"by {s.actor}",
                })
            wait = run.wait or {}
            next_local, next_utc = queries.local_and_utc(run.due_at, self.tz_name)
            runs.append({
                "id": run.id,
                "journey": journey.name if journey else run.journey_id,
                "journey_href": routes.journey_editor(run.journey_id),
                "version": f"v{run.version}",
                "status": run.status,
                "status_color": STATUS_COLORS.get(run.status, "gray"),
                "node": em.node_label(nodes, run.node) if run.node else "—",
                "waiting": WAIT_TEXT.get(wait.get("kind", ""), "") if run.is_open else "",
                "next_local": next_local, "next_utc": next_utc,
                "error": run.error or "",
                "can_pause": run.status in ("waiting", "needs_date", "failed"),
                "can_resume": run.status == "paused",
                "can_cancel": run.is_open,
                "can_skip": run.status in ("waiting", "needs_date", "failed"),
                "can_retry": run.status == "failed",
                "can_reschedule": run.status == "waiting" and wait.get("kind") in (
                    "delay", "wait_for", "window", "approval"),
                "steps": steps,
                "predicted": self._predict(doc, c, run, now, vendor.timezone, records)
                if run.is_open else [],
            })
        self.runs = runs
        self.pending_approvals = len(eng.runs.approvals(vendor_id))
        from engine import library

        self.form_keys = [f["key"] for f in library.list_forms()]

    def _predict(self, doc: dict[str, Any], client: Any, run: Any, now: datetime,
                 vendor_tz: str, records: list[Any]) -> list[dict[str, str]]:
        """What comes next if nothing else happens, from the run's current state (the engine's
        own prediction: a copy of the run on a virtual clock; the real client is never
        touched). A wait for an event is shown timing out."""
        from engine.simulation.predict import what_happens_next

        try:
            prediction = what_happens_next(engine_access.engine(), self.vendor_id, run.id,
                                           now=now, limit=12)
        except Exception:  # a prediction must never break the client page
            return []
        nodes = doc.get("nodes") or []
        shown = []
        for step in prediction.steps:
            local, utc = queries.local_and_utc(step.at, self.tz_name)
            shown.append({"local": local, "utc": utc, "node": em.node_label(nodes, step.node),
                          "type": step.type, "outcome": step.outcome})
        return shown

    # ------------------------------------------------------------------ run controls
    @rx.event
    def control(self, run_id: str, action: str):
        eng = engine_access.engine()
        method = {"pause": eng.runs.pause, "resume": eng.runs.resume,
                  "cancel": eng.runs.cancel, "skip": eng.runs.skip,
                  "retry": eng.runs.retry}[action]
        method(self.vendor_id, run_id, actor=self.actor)
        self._refresh()
        return rx.toast.success({"pause": "Paused.", "resume": "Resumed.",
                                 "cancel": "Cancelled: no more steps for this journey.",
                                 "skip": "Skipped to the next step.",
                                 "retry": "Retrying the failed step."}[action])

    @rx.event
    def open_reschedule(self, run_id: str):
        self.resched_run, self.resched_at = run_id, ""

    @rx.event
    def close_reschedule(self, _open: bool = False):
        self.resched_run = ""

    @rx.event
    def set_resched_at(self, value: str):
        self.resched_at = value

    @rx.event
    def apply_reschedule(self):
        if not self.resched_at:
            return rx.toast.error("Pick a date and time.")
        local = datetime.fromisoformat(self.resched_at).replace(tzinfo=ZoneInfo(self.tz_name))
        engine_access.engine().runs.reschedule(self.vendor_id, self.resched_run,
                                               at=local.astimezone(timezone.utc),
                                               actor=self.actor)
        self.resched_run = ""
        self._refresh()
        return rx.toast.success("Rescheduled. This step no longer follows its date.")

    # ------------------------------------------------------------------ editing with preview
    @rx.event
    def open_edit(self):
        eng = engine_access.engine()
        c = eng.clients.get(self.vendor_id, self.client_key)
        self.edit = {"name": c.name, "email": c.email, "status": c.status or "",
                     "timezone": c.timezone or "", "tags": ", ".join(c.tags),
                     "wedding_date": queries.iso(c.wedding_date)}
        self.edit_dates = [{"name": k, "date": queries.iso(v)} for k, v in sorted(c.dates.items())]
        self.edit_error, self.preview_lines, self.previewed = "", [], False
        self.edit_open = True

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)

    @rx.event
    def set_edit(self, key: str, value: str):
        self.edit = {**self.edit, key: value}
        self.previewed = False

    @rx.event
    def add_edit_date(self):
        self.edit_dates = date_rows.added(self.edit_dates)
        self.previewed = False

    @rx.event
    def set_edit_date(self, index: int, key: str, value: str):
        self.edit_dates = date_rows.updated(self.edit_dates, index, key, value)
        self.previewed = False

    @rx.event
    def remove_edit_date(self, index: int):
        self.edit_dates = date_rows.removed(self.edit_dates, index)
        self.previewed = False

    def _edit_data(self) -> dict[str, Any]:
        e = self.edit
        return {
            "name": e.get("name", "").strip(), "email": e.get("email", "").strip(),
            "status": e.get("status", "").strip() or None,
            "timezone": e.get("timezone", "").strip() or None,
            "wedding_date": e.get("wedding_date") or None,
            "tags": [t.strip() for t in e.get("tags", "").split(",") if t.strip()],
            "dates": date_rows.as_dates(self.edit_dates),
        }

    @rx.event
    def preview_edit(self):
        from engine.errors import InvalidInput

        try:
            _, report = engine_access.engine().clients.update(
                self.vendor_id, self.client_key, self._edit_data(), actor=self.actor,
                preview=True)
        except InvalidInput as error:
            self.edit_error = error.message
            return
        self.edit_error = ""
        self.preview_lines = self._report_lines(report)
        self.previewed = True

    def _report_lines(self, report: Any) -> list[dict[str, str]]:
        report = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        eng = engine_access.engine()
        names = {j.id: j.name for j in eng.journeys.list(self.vendor_id)}
        lines = []
        for r in report.get("runs", []):
            when_from = queries.local_and_utc(_parse(r.get("from")), self.tz_name)[0] or "—"
            when_to = queries.local_and_utc(_parse(r.get("to")), self.tz_name)[0] or "—"
            outcome = str(r.get("outcome"))
            text = {
                "moved": f"moves from {when_from} to {when_to}",
                "unchanged": "stays as it is",
                "past_due": "is now in the past: it follows the past-due rule at once",
                "scheduled": f"is now scheduled for {when_to}",
                "needs_date": "waits until the client has this date",
            }.get(outcome, f"{outcome.replace('_', ' ')} ({when_to})")
            lines.append({"journey": names.get(r.get("journey_id"), r.get("journey_id", "")),
                          "node": self._step_title(r.get("run_id"), r.get("node")),
                          "text": text, "outcome": outcome})
        for t in report.get("date_triggers", []):
            lines.append({"journey": names.get(t.get("journey_id"), t.get("journey_id", "")),
                          "node": "date trigger",
                          "text": f"starts {queries.local_and_utc(_parse(t.get('due_at') or t.get('to')), self.tz_name)[0] or 'when the date comes'}",
                          "outcome": "scheduled"})
        return lines

    def _step_title(self, run_id: Any, node_id: Any) -> str:
        eng = engine_access.engine()
        try:
            run = eng.runs.get(self.vendor_id, str(run_id))
            doc = eng.journeys.version(self.vendor_id, run.journey_id, run.version).document
            return em.node_label(doc.get("nodes") or [], str(node_id))
        except Exception:
            return str(node_id)

    @rx.event
    def save_edit(self):
        from engine.errors import InvalidInput

        try:
            _, report = engine_access.engine().clients.update(
                self.vendor_id, self.client_key, self._edit_data(), actor=self.actor,
                preview=False)
        except InvalidInput as error:
            self.edit_error = error.message
            return
        self.edit_open = False
        self._refresh()
        report = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        moved = len(report.get("runs", []))
        return rx.toast.success("Saved." + (f" {moved} scheduled step(s) re-timed." if moved
                                            else ""))

    # ------------------------------------------------------------------ events
    @rx.event
    def open_event(self):
        self.event_open = True
        self.event_type, self.event_custom, self.event_amount = "payment_received", "", ""
        self.event_form = self.form_keys[0] if self.form_keys else ""

    @rx.event
    def set_event_open(self, value: bool):
        self.event_open = bool(value)

    @rx.event
    def set_event_type(self, value: str):
        self.event_type = value

    @rx.event
    def set_event_custom(self, value: str):
        self.event_custom = value

    @rx.event
    def set_event_form(self, value: str):
        self.event_form = value

    @rx.event
    def set_event_amount(self, value: str):
        self.event_amount = value

    @rx.event
    def send_event(self):
        event_type = self.event_type
        data: dict[str, Any] = {}
        if event_type == "custom":
            name = "".join(ch if ch.isalnum() or ch in "_.-" else "_"
                           for ch in self.event_custom.strip())
            if not name:
                return rx.toast.error("Name the custom event.")
            event_type = f"custom:{name}"
        elif event_type == "form_submitted" and self.event_form:
            data = {"form": self.event_form, "answers": {}}
        elif event_type == "payment_received" and self.event_amount.strip():
            number = em.to_number(self.event_amount)
            if number is not None:
                data = {"amount": number}
        result = engine_access.engine().events.ingest(
            self.vendor_id, client=self.client_key, type=event_type, data=data,
            actor=self.actor)
        self.event_open = False
        self._refresh()
        parts = []
        for key, text in (("resumed", "moved on"), ("started", "started"),
                          ("exited", "ended"), ("goals", "reached its goal")):
            n = len(result.get(key) or [])
            if n:
                parts.append(f"{n} journey{'s' if n != 1 else ''} {text}")
        return rx.toast.success("Event recorded. " + ("; ".join(parts) + "."
                                                       if parts else "No journey was waiting "
                                                       "for it."))

    # ------------------------------------------------------------------ delete
    @rx.event
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)

    @rx.event
    def delete_client(self):
        engine_access.engine().clients.delete(self.vendor_id, self.client_key, actor=self.actor)
        self.delete_open = False
        return [rx.redirect(routes.CLIENTS), rx.toast.success("Client deleted.")]


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


S = ClientState


# --------------------------------------------------------------------------- components


def _kv(name, value) -> rx.Component:
    return rx.hstack(
        rx.text(name, size="2", color_scheme="gray", min_width="120px"),
        rx.text(value, size="2"),
        spacing="3",
        width="100%",
    )


def _details_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Details", size="3", as_="h2"),
            _kv("Wedding", S.client["wedding"]),
            rx.foreach(S.dates, lambda d: _kv(d["name"], d["date"])),
            _kv("Email", S.client["email"]),
            _kv("Status", rx.cond(S.client["status"] != "", S.client["status"], "—")),
            _kv("Tags", rx.cond(S.client["tags"] != "", S.client["tags"], "—")),
            _kv("Time zone", S.client["zone"]),
            rx.foreach(S.fields, lambda f: _kv(f["key"], f["value"])),
            _kv("Added", S.client["added"]),
            spacing="2",
            width="100%",
        ),
        width="320px",
        min_width="320px",
    )


def _step_row(step) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(step["local"], size="2", white_space="nowrap"),
                                rx.text(step["utc"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.vstack(rx.text(step["node"], size="2", weight="medium"),
                                rx.text(step["type"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.badge(step["outcome"], color_scheme=step["color"].to(str),
                               variant="soft")),
        rx.table.cell(rx.text(step["detail"], " ", step["actor"], size="1",
                              color_scheme="gray")),
    )


def _predicted_row(step) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(step["local"], size="2", white_space="nowrap",
                                        color_scheme="gray"),
                                rx.text(step["utc"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.vstack(rx.text(step["node"], size="2", color_scheme="gray"),
                                rx.text(step["type"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.badge("predicted", variant="outline", color_scheme="gray")),
        rx.table.cell(rx.text("if nothing else happens", size="1", color_scheme="gray")),
        opacity="0.8",
    )


def _control(text: str, icon: str, run, action: str, flag: str, color: str = "gray"
             ) -> rx.Component:
    return rx.cond(
        run[flag],
        rx.button(rx.icon(icon, size=13), text, size="1", variant="soft", color_scheme=color,
                  on_click=S.control(run["id"], action)),
    )


def _run_card(run) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.link(run["journey"], href=run["journey_href"], weight="bold",
                                size="3"),
                        rx.badge(run["version"], variant="outline", color_scheme="gray"),
                        rx.badge(run["status"], color_scheme=run["status_color"].to(str),
                                 variant="soft"),
                        spacing="2",
                        align="center",
                    ),
                    rx.text("At ", rx.text.strong(run["node"]),
                            rx.cond(run["waiting"] != "", rx.text(", ", run["waiting"],
                                                                  as_="span")),
                            size="2", color_scheme="gray"),
                    rx.cond(run["next_local"] != "",
                            rx.text("Next wake-up: ", run["next_local"], " (",
                                    run["next_utc"], ")", size="2")),
                    rx.cond(run["error"] != "",
                            rx.callout(run["error"], icon="triangle_alert", color_scheme="red",
                                       size="1")),
                    spacing="1",
                    align="start",
                ),
                rx.spacer(),
                rx.hstack(
                    _control("Pause", "pause", run, "pause", "can_pause"),
                    _control("Resume", "play", run, "resume", "can_resume", "green"),
                    _control("Skip step", "skip_forward", run, "skip", "can_skip"),
                    _control("Retry", "rotate_cw", run, "retry", "can_retry", "blue"),
                    rx.cond(run["can_reschedule"],
                            rx.button(rx.icon("calendar_clock", size=13), "Reschedule",
                                      size="1", variant="soft",
                                      on_click=S.open_reschedule(run["id"]))),
                    _control("Cancel", "circle_x", run, "cancel", "can_cancel", "red"),
                    spacing="1",
                    wrap="wrap",
                    justify="end",
                ),
                width="100%",
                align="start",
            ),
            data_table(
                ("When (client's time / UTC)", "Step", "Outcome", "Details"),
                rx.foreach(run["steps"].to(list[dict[str, str]]), _step_row),
                rx.foreach(run["predicted"].to(list[dict[str, str]]), _predicted_row),
                size="1",
                region="Timeline of " + run["journey"].to(str),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _runs() -> rx.Component:
    return rx.vstack(
        rx.heading("Journeys", size="3", as_="h2"),
        rx.cond(
            S.runs.length() == 0,
            rx.card(empty_state("waypoints", "Not in any journey yet",
                                "Publish a journey that starts when a client is added, or send "
                                "an event this client's journeys start on.",
                                rx.button("Send an event", variant="soft", on_click=S.open_event)),
                    width="100%"),
            rx.foreach(S.runs, _run_card),
        ),
        spacing="3",
        flex="1",
        min_width="0",
    )


def _edit_input(text: str, key: str, type_: str = "text", datalist: str = "") -> rx.Component:
    attrs = {"list": datalist} if datalist else {}
    return rx.vstack(
        label(text, f"edit-{key}"),
        rx.input(id=f"edit-{key}", value=S.edit[key], type=type_, width="100%",
                 custom_attrs=attrs, on_change=lambda v: S.set_edit(key, v)),
        spacing="1",
        width="100%",
    )


def _edit_date_row(row, index) -> rx.Component:
    return date_rows.date_row(row, index, S.set_edit_date, S.remove_edit_date)


def edit_dialog() -> rx.Component:
    return dialog(
        "Edit client",
        "Changing a date re-times the steps that depend on it. Preview first to see which "
        "steps move.",
        rx.vstack(
            rx.hstack(_edit_input("Names", "name"), _edit_input("Email", "email", "email"),
                      spacing="3", width="100%"),
            rx.hstack(_edit_input("Wedding date", "wedding_date", "date"),
                      _edit_input("Status", "status"), spacing="3", width="100%"),
            rx.hstack(_edit_input("Tags", "tags"),
                      _edit_input("Time zone", "timezone", datalist="edit-zones"),
                      spacing="3", width="100%"),
            rx.el.datalist(*[rx.el.option(value=z) for z in COMMON_TIMEZONES],
                           id="edit-zones"),
            label("Other dates"),
            rx.foreach(S.edit_dates, _edit_date_row),
            rx.button(rx.icon("plus", size=12), "Add a date", size="1", variant="soft",
                      on_click=S.add_edit_date),
            rx.cond(S.edit_error != "", rx.callout(S.edit_error, icon="triangle_alert",
                                                   color_scheme="red", size="1")),
            rx.cond(
                S.previewed,
                rx.box(
                    rx.cond(
                        S.preview_lines.length() == 0,
                        rx.text("No scheduled step moves.", size="2"),
                        rx.vstack(
                            rx.text("What this change does:", weight="bold", size="2"),
                            rx.foreach(S.preview_lines, lambda l: rx.text(
                                rx.text.strong(l["journey"]), " · ", l["node"], ": ",
                                l["text"], size="2")),
                            spacing="1",
                        ),
                    ),
                    padding="10px",
                    border_radius="var(--radius-2)",
                    background="var(--accent-2)",
                    width="100%",
                    custom_attrs={"data-testid": "reschedule-preview"},
                ),
            ),
            spacing="3",
            margin_y="12px",
        ),
        footer=dialog_actions(
            rx.button("Preview changes", variant="soft", on_click=S.preview_edit),
            rx.button("Save", on_click=S.save_edit),
        ),
        open=S.edit_open,
        on_open_change=S.set_edit_open,
        max_width="600px",
    )


def event_dialog() -> rx.Component:
    return dialog(
        "Send an event",
        "Record something that happened, as your website or payment provider would: "
        "journeys waiting for it move on.",
        rx.vstack(
            rx.vstack(
                label("Event", "event-type"),
                rx.select.root(
                    rx.select.trigger(aria_label="Event", id="event-type", width="100%"),
                    rx.select.content(*[rx.select.item(lbl, value=v)
                                        for v, lbl in SENDABLE_EVENTS]),
                    value=S.event_type,
                    on_change=S.set_event_type,
                ),
                spacing="1",
                width="100%",
            ),
            rx.match(
                S.event_type,
                ("custom", rx.vstack(label("Custom event name", "event-custom"),
                                     rx.input(id="event-custom", value=S.event_custom,
                                              on_change=S.set_event_custom,
                                              placeholder="tour_booked", width="100%"),
                                     spacing="1", width="100%")),
                ("form_submitted", rx.vstack(
                    label("Form", "event-form"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Form", id="event-form",
                                          width="100%"),
                        rx.select.content(rx.foreach(
                            S.form_keys, lambda k: rx.select.item(k, value=k))),
                        value=S.event_form,
                        on_change=S.set_event_form,
                    ),
                    spacing="1", width="100%")),
                ("payment_received", rx.vstack(
                    label("Amount (optional)", "event-amount"),
                    rx.input(id="event-amount", value=S.event_amount, type="number",
                             on_change=S.set_event_amount, width="160px"),
                    spacing="1", width="100%")),
                rx.fragment(),
            ),
            spacing="3",
            margin_y="12px",
        ),
        footer=dialog_actions(rx.button("Send event", on_click=S.send_event)),
        open=S.event_open,
        on_open_change=S.set_event_open,
        max_width="440px",
    )


def reschedule_dialog() -> rx.Component:
    return dialog(
        "Reschedule this step",
        "Pick when the waiting step should happen, in the client's time zone (" + S.tz_name
        + "). A time in the past runs it now.",
        rx.input(type="datetime-local", value=S.resched_at, on_change=S.set_resched_at,
                 aria_label="New date and time", margin_y="14px"),
        footer=dialog_actions(rx.button("Reschedule", on_click=S.apply_reschedule)),
        open=S.resched_run != "",
        on_open_change=S.close_reschedule,
        max_width="420px",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete " + S.client["name"] + "?",
        "Their journeys stop now. Their history stays in analytics.",
        "Delete client", S.delete_client,
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.load_error != "",
            empty_state("user_x", "Client not found", S.load_error,
                        rx.link(rx.button("Back to clients"), href=routes.CLIENTS)),
            rx.cond(
                S.loading & (S.client.length() == 0),
                loading_block("Loading the client…"),
                rx.hstack(_details_card(), _runs(), spacing="4", align="start",
                          width="100%"),
            ),
        ),
        edit_dialog(),
        event_dialog(),
        reschedule_dialog(),
        delete_dialog(),
        title=rx.cond(S.client["name"], S.client["name"], TITLE),
        active=routes.CLIENTS,
        actions=(
            rx.button(rx.icon("zap", size=14), "Send event", size="2", variant="soft",
                      on_click=S.open_event),
            rx.button(rx.icon("pencil", size=14), "Edit", size="2", variant="soft",
                      on_click=S.open_edit),
            rx.icon_button(rx.icon("trash_2", size=14), size="2", variant="soft",
                           color_scheme="red", aria_label="Delete client",
                           on_click=S.set_delete_open(True)),
        ),
    )
