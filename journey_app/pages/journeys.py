"""Journeys list: name, live or draft, version, active clients, completion, last edited.
Create a journey (blank, from a template or from a file), duplicate or delete one."""

from __future__ import annotations

import json

import reflex as rx

from journey_app import editor_model as em
from journey_app import engine_access, queries, routes
from journey_app.components.dialogs import confirm_dialog, dialog
from journey_app.components.shell import app_shell, empty_state, list_or_empty
from journey_app.components.tables import data_table
from journey_app.session import SessionState

ROUTE = routes.JOURNEYS
TITLE = "Journeys"
IMPORT_ID = "new-journey-file"


class JourneysState(SessionState):
    """Rows of the journeys table and the new-journey dialog."""

    journeys: list[dict[str, str]] = []
    loading: bool = True
    new_open: bool = False
    new_name: str = ""
    new_source: str = "blank"
    templates: list[dict[str, str]] = []
    delete_id: str = ""
    delete_name: str = ""

    @rx.event
    def load(self):
        self.loading = True
        try:
            vendor_id = self.vendor_id
        except Exception:
            return
        eng = engine_access.engine()
        counts = queries.journey_run_counts(eng, vendor_id)
        now = eng.clock.now()
        rows = []
        for j in sorted(eng.journeys.list(vendor_id), key=lambda j: j.updated_at or now,
                        reverse=True):
            if j.archived:
                continue
            c = counts.get(j.id)
            live = j.live_version or 0
            rows.append({
                "id": j.id,
                "name": j.name,
                "status": "live" if live else "draft",
                "version": f"v{live}" if live else "—",
                "active": str(queries.active_count(c) if c else 0),
                "completion": queries.completion_rate(c) if c else "—",
                "edited": queries.ago(j.updated_at, now),
                "steps": str(len(j.draft.get("nodes") or [])),
                "href": routes.journey_editor(j.id),
            })
        self.journeys = rows
        self.loading = False
        if not self.templates:
            from engine import library

            self.templates = [{"key": t.key, "name": t.name, "trade": t.trade.replace("_", " "),
                               "description": t.description, "steps": str(t.node_count)}
                              for t in library.list_templates()]

    @rx.event
    def open_new(self, source: str = "blank"):
        self.new_open, self.new_name, self.new_source = True, "", source or "blank"

    @rx.event
    def set_new_open(self, value: bool):
        self.new_open = bool(value)

    @rx.event
    def set_new_name(self, value: str):
        self.new_name = value

    @rx.event
    def set_new_source(self, value: str):
        self.new_source = value

    @rx.event
    def create(self):
        from engine import library

        if self.new_source == "blank":
            doc = em.blank_document(self.new_name or "Untitled journey")
        else:
            doc = library.load_template(self.new_source)
            if self.new_name.strip():
                doc["name"] = self.new_name.strip()
        journey = engine_access.engine().journeys.create(self.vendor_id, doc, actor=self.actor)
        self.new_open = False
        return rx.redirect(routes.journey_editor(journey.id))

    @rx.event
    async def import_file(self, files: list[rx.UploadFile]):
        if not files:
            return
        try:
            doc = json.loads((await files[0].read()).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return rx.toast.error(f"That file is not JSON: {error}")
        if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
            return rx.toast.error("That file is not a journeys/v1 document (no nodes).")
        journey = engine_access.engine().journeys.create(self.vendor_id, doc, actor=self.actor)
        self.new_open = False
        return rx.redirect(routes.journey_editor(journey.id))

    @rx.event
    def duplicate(self, journey_id: str):
        eng = engine_access.engine()
        source = eng.journeys.get(self.vendor_id, journey_id)
        doc = dict(source.draft)
        doc["name"] = f"{source.name} (copy)"
        eng.journeys.create(self.vendor_id, doc, actor=self.actor)
        yield JourneysState.load
        yield rx.toast.success(f"Copied “{source.name}”.")

    @rx.event
    def ask_delete(self, journey_id: str, name: str):
        self.delete_id, self.delete_name = journey_id, name

    @rx.event
    def cancel_delete(self, _open: bool = False):
        self.delete_id = ""

    @rx.event
    def confirm_delete(self):
        engine_access.engine().journeys.delete(self.vendor_id, self.delete_id)
        name, self.delete_id = self.delete_name, ""
        yield JourneysState.load
        yield rx.toast.success(f"Deleted “{name}”.")


S = JourneysState


def _status_badge(row) -> rx.Component:
    return rx.cond(
        row["status"] == "live",
        rx.badge(rx.icon("radio", size=12), "Live", color_scheme="green", variant="soft"),
        rx.badge(rx.icon("pencil", size=12), "Draft", color_scheme="gray", variant="soft"),
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(row["name"], href=row["href"], weight="medium"),
                rx.text(row["steps"], " steps", size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(_status_badge(row)),
        rx.table.cell(row["version"]),
        rx.table.cell(row["active"]),
        rx.table.cell(row["completion"]),
        rx.table.cell(rx.text(row["edited"], size="2", color_scheme="gray")),
        rx.table.cell(
            rx.hstack(
                rx.link(rx.button("Open", size="1", variant="soft"), href=row["href"]),
                rx.menu.root(
                    rx.menu.trigger(rx.icon_button(rx.icon("ellipsis", size=14), size="1",
                                                   variant="ghost", color_scheme="gray",
                                                   aria_label="More for " + row["name"])),
                    rx.menu.content(
                        rx.menu.item(rx.icon("copy", size=14), "Duplicate",
                                     on_click=S.duplicate(row["id"])),
                        rx.menu.item(rx.icon("trash_2", size=14), "Delete", color="red",
                                     on_click=S.ask_delete(row["id"], row["name"])),
                    ),
                ),
                spacing="2",
                justify="end",
            )
        ),
    )


def _table() -> rx.Component:
    return data_table(("Name", "Status", "Version", "Active clients", "Completed", "Last edited",
                       ""), rx.foreach(S.journeys, _row), variant="surface", region="Journeys")


def _source_card(value: str, title: str, text: rx.Var | str, badge: rx.Var | str = "") -> rx.Component:
    return rx.radio_cards.item(
        rx.vstack(
            rx.hstack(rx.text(title, weight="bold", size="2"), rx.spacer(),
                      rx.cond(badge != "", rx.badge(badge, variant="soft", size="1")),
                      width="100%"),
            rx.text(text, size="1", color_scheme="gray", text_align="left"),
            spacing="1",
            align="start",
            width="100%",
        ),
        value=value,
        aria_label=title,
    )


def new_dialog() -> rx.Component:
    return dialog(
        "New journey",
        "Start blank, or from a journey built for your trade.",
        rx.vstack(
            rx.vstack(
                rx.el.label(rx.text("Name", size="2", weight="medium"),
                            html_for="new-journey-name"),
                rx.input(id="new-journey-name", value=S.new_name,
                         on_change=S.set_new_name, placeholder="e.g. Booked to gallery",
                         width="100%"),
                spacing="1",
                width="100%",
            ),
            rx.text("Start from", size="2", weight="medium"),
            rx.box(
                rx.radio_cards.root(
                    _source_card("blank", "Blank journey", "Just a trigger; add the steps "
                                 "yourself."),
                    rx.foreach(S.templates, lambda t: _source_card(
                        t["key"], t["name"], t["description"], t["trade"])),
                    value=S.new_source,
                    on_value_change=S.set_new_source,
                    columns="2",
                    size="1",
                    width="100%",
                ),
                max_height="46vh",
                overflow_y="auto",
                width="100%",
                padding="2px",
            ),
            spacing="3",
            margin_y="14px",
            width="100%",
        ),
        footer=rx.hstack(
            rx.upload.root(
                rx.button(rx.icon("file_up", size=14), "Import a JSON file…",
                          variant="ghost", size="2"),
                id=IMPORT_ID,
                accept={"application/json": [".json"]},
                multiple=False,
                no_drag=True,
                on_drop=S.import_file(rx.upload_files(upload_id=IMPORT_ID)),
                border="none",
                padding="0",
            ),
            rx.spacer(),
            rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
            rx.button("Create journey", on_click=S.create),
            spacing="2",
            width="100%",
            align="center",
        ),
        open=S.new_open,
        on_open_change=S.set_new_open,
        max_width="760px",
    )


def delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete “" + S.delete_name + "”?",
        "A journey that clients went through is archived: its history stays in analytics and "
        "timelines. Clients in it now carry on.",
        "Delete", S.confirm_delete,
        open=S.delete_id != "",
        on_open_change=S.cancel_delete,
    )


def page() -> rx.Component:
    return app_shell(
        list_or_empty(
            _table(),
            loading=S.loading,
            loading_text="Loading journeys…",
            empty=S.journeys.length() == 0,
            empty_view=empty_state(
                "waypoints", "No journeys yet",
                "A journey is the sequence of emails, forms, waits and reminders each couple "
                "goes through. Start from one made for your trade, or a blank canvas.",
                rx.button(rx.icon("layout_template", size=14), "Start from a template",
                          on_click=S.open_new("photographer_inquiry_to_anniversary")),
                rx.button(rx.icon("plus", size=14), "Blank journey", variant="soft",
                          on_click=S.open_new("blank")),
            ),
        ),
        new_dialog(),
        delete_dialog(),
        title=TITLE,
        active=ROUTE,
        actions=(
            rx.button(rx.icon("plus", size=14), "New journey", size="2",
                      on_click=S.open_new("blank")),
        ),
    )
