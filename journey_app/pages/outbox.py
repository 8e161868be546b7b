"""Outbox and dead letters: what was sent or captured, what waits, what failed and why;
replay or discard a dead letter."""

from __future__ import annotations

from typing import Any

import reflex as rx

from journey_app import engine_access, queries, routes
from journey_app.components.shell import app_shell, empty_state, list_or_empty
from journey_app.components.tables import data_table
from journey_app.pages.loading import LoadsOnOpen
from journey_app.session import SessionState

ROUTE = routes.OUTBOX
TITLE = "Outbox"
TABS = [("all", "All"), ("sent", "Sent"), ("captured", "Captured"), ("pending", "Waiting"),
        ("dead", "Failed")]
STATUS_COLORS = {"sent": "green", "captured": "blue", "pending": "amber", "sending": "amber",
                 "dead": "red", "discarded": "gray"}
KIND_ICONS = {"email": "mail", "form": "clipboard_list", "webhook": "webhook", "task": "list_todo"}


class OutboxState(LoadsOnOpen, SessionState):
    rows: list[dict[str, str]] = []
    tab: str = "all"
    counts: dict[str, int] = {}
    shown_id: str = ""
    smtp_note: str = ""

    def _refresh(self) -> None:
        vendor_id = self.vendor_id
        eng = engine_access.engine()
        vendor = eng.get_vendor(vendor_id)
        effects = queries.list_effects(eng, vendor_id, limit=1000)
        clients: dict[str, str] = {}
        rows = []
        counts: dict[str, int] = {"all": len(effects)}
        for e in reversed(effects):  # newest first
            counts[e.status] = counts.get(e.status, 0) + 1
            if e.client_id and e.client_id not in clients:
                try:
                    clients[e.client_id] = eng.clients.get(vendor_id, e.client_id).name
                except Exception:
                    clients[e.client_id] = "(deleted client)"
            p: dict[str, Any] = e.payload or {}
            when = e.sent_at or e.next_attempt_at or e.created_at
            local, utc = queries.local_and_utc(when, vendor.timezone)
            rows.append({
                "id": e.id,
                "kind": e.kind,
                "icon": KIND_ICONS.get(e.kind, "circle"),
                "status": e.status,
                "color": STATUS_COLORS.get(e.status, "gray"),
                "to": str(p.get("to") or p.get("url") or e.destination or ""),
                "subject": str(p.get("subject") or p.get("title") or p.get("url") or ""),
                "text": str(p.get("text") or p.get("body") or ""),
                "client": clients.get(e.client_id or "", ""),
                "client_href": routes.client_detail(e.client_id) if e.client_id else "",
                "when": local,
                "when_utc": utc,
                "attempts": str(e.attempts),
                "error": e.last_error or "",
            })
        self.rows = rows
        self.counts = counts
        self.smtp_note = ("" if engine_access.live().settings.smtp_host else
                          "No mail server is configured, so emails are captured here instead of "
                          "sent. Set JOURNEYS_SMTP_HOST (see Settings) to send them.")

    @rx.event
    def set_tab(self, value: str):
        self.tab = value

    @rx.event
    def show(self, effect_id: str):
        self.shown_id = effect_id

    @rx.event
    def hide(self, _open: bool = False):
        self.shown_id = ""

    @rx.event
    def replay(self, effect_id: str):
        from engine.effects import DeadLetters

        eng = engine_access.engine()
        DeadLetters(eng.store, eng.clock).replay(effect_id, vendor_id=self.vendor_id,
                                                 actor=self.actor)
        self._refresh()
        return rx.toast.success("Queued again: it will be tried in a moment.")

    @rx.event
    def discard(self, effect_id: str):
        from engine.effects import DeadLetters

        eng = engine_access.engine()
        DeadLetters(eng.store, eng.clock).discard(effect_id, vendor_id=self.vendor_id,
                                                  actor=self.actor)
        self._refresh()
        return rx.toast.success("Discarded: it will not be sent.")

    @rx.var
    def shown_rows(self) -> list[dict[str, str]]:
        if self.tab == "all":
            return self.rows
        if self.tab == "pending":
            return [r for r in self.rows if r["status"] in ("pending", "sending")]
        return [r for r in self.rows if r["status"] == self.tab]

    @rx.var
    def shown(self) -> dict[str, str]:
        return next((r for r in self.rows if r["id"] == self.shown_id), {})


S = OutboxState


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(rx.icon(row["icon"].to(str), size=14), rx.text(row["kind"]),
                                spacing="2", align="center")),
        rx.table.cell(rx.vstack(
            rx.link(rx.text(row["subject"], weight="medium"), on_click=S.show(row["id"]),
                    cursor="pointer"),
            rx.text(row["to"], size="1", color_scheme="gray"),
            spacing="0")),
        rx.table.cell(rx.cond(row["client_href"] != "",
                              rx.link(row["client"], href=row["client_href"]), "—")),
        rx.table.cell(rx.badge(row["status"], color_scheme=row["color"].to(str),
                               variant="soft")),
        rx.table.cell(rx.vstack(rx.text(row["when"], size="2", white_space="nowrap"),
                                rx.text(row["when_utc"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.vstack(
            rx.cond(row["error"] != "", rx.text(row["error"], size="1", color="var(--red-11)")),
            rx.cond(row["status"] == "dead", rx.hstack(
                rx.button("Replay", size="1", variant="soft", on_click=S.replay(row["id"])),
                rx.button("Discard", size="1", variant="soft", color_scheme="gray",
                          on_click=S.discard(row["id"])),
                spacing="1")),
            rx.cond(row["status"] == "pending", rx.button(
                "Discard", size="1", variant="soft", color_scheme="gray",
                on_click=S.discard(row["id"]))),
            spacing="1")),
    )


def _detail() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.shown["subject"]),
            rx.dialog.description(rx.text("To ", S.shown["to"], " · ", S.shown["status"], " · ",
                                          S.shown["when"], size="2")),
            rx.box(rx.text(S.shown["text"], white_space="pre-wrap", size="2"),
                   padding="12px", margin_y="12px", border="1px solid var(--gray-5)",
                   border_radius="var(--radius-3)", max_height="60vh", overflow_y="auto"),
            rx.cond(S.shown["error"] != "",
                    rx.callout(S.shown["error"], icon="triangle_alert", color_scheme="red",
                               size="1")),
            rx.hstack(rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                      justify="end", margin_top="8px"),
            max_width="640px",
        ),
        open=S.shown_id != "",
        on_open_change=S.hide,
    )


def page() -> rx.Component:
    return app_shell(
        rx.vstack(
            rx.cond(S.smtp_note != "", rx.callout(S.smtp_note, icon="info", size="1",
                                                   width="100%")),
            rx.tabs.root(
                rx.tabs.list(*[rx.tabs.trigger(
                    rx.hstack(rx.text(text), rx.badge(S.counts.get(value, 0), radius="full",
                                                      variant="soft", color_scheme="gray"),
                              spacing="1", align="center"),
                    value=value) for value, text in TABS]),
                value=S.tab,
                on_change=S.set_tab,
                width="100%",
            ),
            list_or_empty(
                data_table(("Kind", "Message", "Client", "Status", "When", ""),
                           rx.foreach(S.shown_rows, _row), variant="surface", region="Outbox"),
                loading=S.loading,
                loading_text="Loading the outbox…",
                empty=S.shown_rows.length() == 0,
                empty_view=empty_state("send", "Nothing here yet",
                                       "Emails, form requests, webhooks and tasks your journeys "
                                       "create are listed here as they go out, with failures "
                                       "and why."),
            ),
            spacing="3",
            width="100%",
        ),
        _detail(),
        title=TITLE,
        active=ROUTE,
        actions=(rx.button(rx.icon("refresh_cw", size=14), "Refresh", size="2", variant="soft",
                           on_click=S.load),),
    )
