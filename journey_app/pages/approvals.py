"""Approvals inbox: held emails with the rendered message, the client and the step; approve,
edit then approve, reject; several at once."""

from __future__ import annotations

import reflex as rx

from journey_app import engine_access, queries, routes
from journey_app import editor_model as em
from journey_app.components.dialogs import dialog, dialog_actions
from journey_app.components.forms import label
from journey_app.components.shell import app_shell, empty_state, list_or_empty
from journey_app.pages.loading import LoadsOnOpen
from journey_app.session import SessionState

ROUTE = routes.APPROVALS
TITLE = "Approvals"


class ApprovalsState(LoadsOnOpen, SessionState):
    items: list[dict[str, str]] = []
    chosen: list[str] = []
    edit_id: str = ""
    edit_subject: str = ""
    edit_text: str = ""

    def _refresh(self) -> None:
        from engine.errors import NotFound

        vendor_id = self.vendor_id
        eng = engine_access.engine()
        vendor = eng.get_vendor(vendor_id)
        journeys = {j.id: j for j in eng.journeys.list(vendor_id)}
        now = eng.clock.now()
        items = []
        docs: dict[tuple[str, int], list] = {}
        for a in sorted(eng.runs.approvals(vendor_id), key=lambda a: a.created_at):
            try:
                client = eng.clients.get(vendor_id, a.client_id)
                client_name, tz = client.name, client.timezone or vendor.timezone
            except NotFound:
                client_name, tz = "(deleted client)", vendor.timezone
            run = eng.runs.get(vendor_id, a.run_id)
            key = (a.journey_id, run.version)
            if key not in docs:
                try:
                    docs[key] = eng.journeys.version(vendor_id, a.journey_id,
                                                     run.version).document.get("nodes", [])
                except NotFound:
                    docs[key] = []
            deadline_local = queries.local_and_utc(a.deadline, tz)[0] if a.deadline else ""
            journey = journeys.get(a.journey_id)
            items.append({
                "id": a.id,
                "client": client_name,
                "client_href": routes.client_detail(a.client_id),
                "journey": journey.name if journey else a.journey_id,
                "step": em.node_label(docs[key], a.node),
                "waiting": queries.ago(a.created_at, now),
                "deadline": deadline_local,
                "on_timeout": "sent anyway" if a.on_timeout == "send" else "skipped",
                "to": str(a.email.get("to") or ""),
                "subject": str(a.email.get("subject") or ""),
                "text": str(a.email.get("text") or ""),
            })
        self.items = items
        self.pending_approvals = len(items)
        self.chosen = [c for c in self.chosen if any(i["id"] == c for i in items)]

    def _decide(self, ids: list[str], decision: str, edits: dict | None = None) -> int:
        from engine.errors import Conflict

        eng = engine_access.engine()
        done = 0
        for approval_id in ids:
            try:
                eng.runs.decide(self.vendor_id, approval_id, decision=decision,
                                actor=self.actor, edits=edits)
                done += 1
            except Conflict:
                continue  # decided elsewhere meanwhile, or the run moved on
        return done

    @rx.event
    def approve(self, approval_id: str):
        done = self._decide([approval_id], "approved")
        self._refresh()
        return rx.toast.success("Approved: the email is on its way." if done else
                                "That email was already handled.")

    @rx.event
    def reject(self, approval_id: str):
        done = self._decide([approval_id], "rejected")
        self._refresh()
        return rx.toast.success("Rejected: the email will not be sent." if done else
                                "That email was already handled.")

    @rx.event
    def toggle(self, approval_id: str, on: bool):
        chosen = [c for c in self.chosen if c != approval_id]
        self.chosen = chosen + [approval_id] if on else chosen

    @rx.event
    def toggle_all(self, on: bool):
        self.chosen = [i["id"] for i in self.items] if on else []

    @rx.event
    def approve_chosen(self):
        done = self._decide(list(self.chosen), "approved")
        self.chosen = []
        self._refresh()
        return rx.toast.success(f"Approved {done} email{'s' if done != 1 else ''}.")

    @rx.event
    def reject_chosen(self):
        done = self._decide(list(self.chosen), "rejected")
        self.chosen = []
        self._refresh()
        return rx.toast.success(f"Rejected {done} email{'s' if done != 1 else ''}.")

    @rx.event
    def open_edit(self, approval_id: str):
        item = next((i for i in self.items if i["id"] == approval_id), None)
        if item is None:
            return
        self.edit_id, self.edit_subject, self.edit_text = (approval_id, item["subject"],
                                                           item["text"])

    @rx.event
    def close_edit(self, _open: bool = False):
        self.edit_id = ""

    @rx.event
    def set_edit_subject(self, value: str):
        self.edit_subject = value

    @rx.event
    def set_edit_text(self, value: str):
        self.edit_text = value

    @rx.event
    def approve_edited(self):
        done = self._decide([self.edit_id], "approved",
                            edits={"subject": self.edit_subject, "text": self.edit_text})
        self.edit_id = ""
        self._refresh()
        return rx.toast.success("Approved with your changes." if done else
                                "That email was already handled.")

    @rx.var
    def all_chosen(self) -> bool:
        return bool(self.items) and len(self.chosen) == len(self.items)


S = ApprovalsState


def _card(item) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.checkbox(checked=S.chosen.contains(item["id"]),
                        on_change=lambda v: S.toggle(item["id"], v),
                        aria_label="Select email to " + item["client"], margin_top="4px"),
            rx.vstack(
                rx.hstack(
                    rx.link(item["client"], href=item["client_href"], weight="bold"),
                    rx.text("·", color_scheme="gray"),
                    rx.text(item["journey"], " → ", item["step"], size="2",
                            color_scheme="gray"),
                    rx.spacer(),
                    rx.text("waiting ", item["waiting"], size="1", color_scheme="gray"),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(item["deadline"] != "",
                        rx.badge(rx.icon("alarm_clock", size=12), "Decide by ",
                                 item["deadline"], "; then it is ", item["on_timeout"],
                                 color_scheme="amber", variant="soft")),
                rx.box(
                    rx.text(rx.text.strong("To: "), item["to"], size="1", color_scheme="gray"),
                    rx.text(item["subject"], weight="bold", size="3", margin_y="4px"),
                    rx.text(item["text"], size="2", white_space="pre-wrap"),
                    padding="12px 14px",
                    border="1px solid var(--gray-5)",
                    border_radius="var(--radius-3)",
                    background="var(--gray-1)",
                    width="100%",
                    role="article",
                    aria_label="Email to " + item["client"],
                ),
                rx.hstack(
                    rx.button(rx.icon("check", size=14), "Approve", size="2",
                              color_scheme="green", on_click=S.approve(item["id"]),
                              aria_label="Approve email to " + item["client"]),
                    rx.button(rx.icon("pencil", size=14), "Edit", size="2", variant="soft",
                              on_click=S.open_edit(item["id"])),
                    rx.button(rx.icon("x", size=14), "Reject", size="2", variant="soft",
                              color_scheme="red", on_click=S.reject(item["id"])),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
    )


def edit_dialog() -> rx.Component:
    return dialog(
        "Edit, then approve",
        "Your changes go to this couple only; the journey keeps its text.",
        rx.vstack(
            label("Subject", "approval-subject"),
            rx.input(id="approval-subject", value=S.edit_subject,
                     on_change=S.set_edit_subject, width="100%"),
            label("Message", "approval-text"),
            rx.text_area(id="approval-text", value=S.edit_text, on_change=S.set_edit_text,
                         rows="10", width="100%"),
            spacing="2",
            margin_y="12px",
        ),
        footer=dialog_actions(rx.button("Approve with changes", color_scheme="green",
                                        on_click=S.approve_edited)),
        open=S.edit_id != "",
        on_open_change=S.close_edit,
        max_width="620px",
    )


def page() -> rx.Component:
    return app_shell(
        list_or_empty(
            rx.vstack(
                rx.hstack(
                    rx.checkbox("Select all", checked=S.all_chosen, on_change=S.toggle_all),
                    rx.spacer(),
                    rx.button("Approve selected", size="2", color_scheme="green",
                              variant="soft", disabled=S.chosen.length() == 0,
                              on_click=S.approve_chosen),
                    rx.button("Reject selected", size="2", color_scheme="red",
                              variant="soft", disabled=S.chosen.length() == 0,
                              on_click=S.reject_chosen),
                    width="100%",
                    align="center",
                    spacing="2",
                ),
                rx.foreach(S.items, _card),
                spacing="3",
                width="100%",
                max_width="900px",
            ),
            loading=S.loading,
            loading_text="Loading approvals…",
            empty=S.items.length() == 0,
            empty_view=empty_state(
                "inbox", "Nothing waiting for you",
                "Emails from steps marked “Hold for my approval” wait here with the "
                "message as the couple will see it. Approve, edit or reject them.",
                rx.link(rx.button("Open journeys", variant="soft"), href=routes.JOURNEYS),
            ),
        ),
        edit_dialog(),
        title=TITLE,
        active=ROUTE,
    )
