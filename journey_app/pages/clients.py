"""Clients: the couples, with search and filters (status, journey, wedding month, tag), and
adding a client (which starts the journeys triggered by `client_added`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import unquote

import reflex as rx

from journey_app import engine_access, routes
from journey_app.choices import CLIENT_STATUSES, COMMON_TIMEZONES
from journey_app.components import date_rows
from journey_app.components.dialogs import dialog
from journey_app.components.forms import label
from journey_app.components.shell import app_shell, empty_state, list_or_empty
from journey_app.components.tables import data_table
from journey_app.queries import RUN_SCAN_LIMIT
from journey_app.pages.loading import LoadsOnOpen
from journey_app.session import SessionState

ROUTE = routes.CLIENTS
TITLE = "Clients"
ALL = "all"
LIST_LIMIT = 1000


def _month_label(month: str) -> str:
    import calendar

    try:
        year, number = month.split("-")
        return f"{calendar.month_name[int(number)]} {year}"
    except (ValueError, IndexError):
        return month


class ClientsState(LoadsOnOpen, SessionState):
    rows: list[dict[str, str]] = []
    query: str = ""
    status: str = ALL
    journey: str = ALL
    month: str = ALL
    tag: str = ALL
    status_options: list[str] = []
    journey_options: list[dict[str, str]] = []
    month_options: list[dict[str, str]] = []
    tag_options: list[str] = []
    # add dialog
    add_open: bool = False
    add_error: str = ""
    extra_dates: list[dict[str, str]] = []
    add_timezone: str = ""

    def _before_refresh(self) -> None:
        query = self.router.url.query_parameters.get("q", "")
        self.query = unquote(query) if isinstance(query, str) else ""

    def _refresh(self) -> None:
        vendor_id = self.vendor_id
        eng = engine_access.engine()
        clients = eng.clients.list(vendor_id, search=self.query.strip() or None,
                                   limit=LIST_LIMIT)
        names = {j.id: j.name for j in eng.journeys.list(vendor_id)}
        journeys_of: dict[str, set[str]] = defaultdict(set)
        for run in eng.runs.list(vendor_id, limit=RUN_SCAN_LIMIT):
            if run.is_open:
                journeys_of[run.client_id].add(run.journey_id)
        rows = []
        statuses, months, tags, in_journeys = set(), set(), set(), set()
        for c in clients:
            month = c.wedding_date.strftime("%Y-%m") if c.wedding_date else ""
            active = sorted(journeys_of.get(c.id, ()))
            statuses.add(c.status or "")
            if month:
                months.add(month)
            tags.update(c.tags)
            in_journeys.update(active)
            rows.append({
                "id": c.id,
                "name": c.name,
                "email": c.email,
                "wedding": c.wedding_date.strftime("%a %d %b %Y") if c.wedding_date else "—",
                "month": month,
                "status": c.status or "",
                "tags": ", ".join(c.tags),
                "tag_list": "|" + "|".join(c.tags) + "|",
                "journey_ids": "|" + "|".join(active) + "|",
                "journeys": ", ".join(names.get(j, j) for j in active) or "—",
                "href": routes.client_detail(c.id),
            })
        rows.sort(key=lambda r: (r["month"] or "9999", r["name"].lower()))
        self.rows = rows
        self.status_options = sorted(s for s in statuses if s)
        self.month_options = [{"value": m, "label": _month_label(m)} for m in sorted(months)]
        self.tag_options = sorted(tags)
        self.journey_options = [{"value": j, "label": names.get(j, j)}
                                for j in sorted(in_journeys, key=lambda j: names.get(j, j))]

    @rx.event
    def search(self, form: dict[str, Any]):
        self.query = str(form.get("query") or "")
        self._refresh()

    @rx.event
    def clear_filters(self):
        self.status = self.journey = self.month = self.tag = ALL
        if self.query:
            self.query = ""
            self._refresh()

    @rx.event
    def set_status(self, value: str):
        self.status = value

    @rx.event
    def set_journey(self, value: str):
        self.journey = value

    @rx.event
    def set_month(self, value: str):
        self.month = value

    @rx.event
    def set_tag(self, value: str):
        self.tag = value

    @rx.var
    def shown(self) -> list[dict[str, str]]:
        out = []
        for r in self.rows:
            if self.status != ALL and r["status"] != self.status:
                continue
            if self.month != ALL and r["month"] != self.month:
                continue
            if self.tag != ALL and f"|{self.tag}|" not in r["tag_list"]:
                continue
            if self.journey != ALL and f"|{self.journey}|" not in r["journey_ids"]:
                continue
            out.append(r)
        return out

    @rx.var
    def filtered(self) -> bool:
        return ALL != self.status or ALL != self.journey or ALL != self.month or \
            ALL != self.tag or bool(self.query)

    # ------------------------------------------------------------------ add a client
    @rx.event
    def open_add(self):
        self.add_open, self.add_error, self.extra_dates = True, "", []
        self.add_timezone = ""

    @rx.event
    def set_add_open(self, value: bool):
        self.add_open = bool(value)

    @rx.event
    def set_add_timezone(self, value: str):
        self.add_timezone = value

    @rx.event
    def add_date_row(self):
        self.extra_dates = date_rows.added(self.extra_dates)

    @rx.event
    def set_date_row(self, index: int, key: str, value: str):
        self.extra_dates = date_rows.updated(self.extra_dates, index, key, value)

    @rx.event
    def remove_date_row(self, index: int):
        self.extra_dates = date_rows.removed(self.extra_dates, index)

    @rx.event
    def add_client(self, form: dict[str, Any]):
        from engine.errors import InvalidInput

        data: dict[str, Any] = {
            "name": str(form.get("name") or "").strip(),
            "email": str(form.get("email") or "").strip(),
        }
        if form.get("wedding_date"):
            data["wedding_date"] = str(form["wedding_date"])
        if str(form.get("status") or "").strip():
            data["status"] = str(form["status"]).strip()
        if self.add_timezone.strip():
            data["timezone"] = self.add_timezone.strip()
        tags = [t.strip() for t in str(form.get("tags") or "").split(",") if t.strip()]
        if tags:
            data["tags"] = tags
        dates = date_rows.as_dates(self.extra_dates)
        if dates:
            data["dates"] = dates
        if not data["name"] or not data["email"]:
            self.add_error = "A name and an email address are needed."
            return
        try:
            client = engine_access.engine().clients.add(self.vendor_id, data, actor=self.actor)
        except InvalidInput as error:
            self.add_error = error.message
            return
        self.add_open = False
        started = len(engine_access.engine().runs.list(self.vendor_id, client_id=client.id))
        self._refresh()
        note = (f"They started {started} journey{'s' if started != 1 else ''}."
                if started else "No live journey starts on “client added” yet.")
        return rx.toast.success(f"Added {client.name}. {note}")


S = ClientsState


def _filter(label_text: str, value, on_change, options) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label_text, placeholder=label_text, min_width="150px"),
        rx.select.content(rx.select.item(f"Any {label_text.lower()}", value=ALL), options),
        value=value,
        on_change=on_change,
        size="2",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.input(rx.input.slot(rx.icon("search", size=14)), name="query",
                     default_value=S.query, placeholder="Name or email",
                     aria_label="Search by name or email", width="240px"),
            on_submit=S.search,
        ),
        _filter("Status", S.status, S.set_status,
                rx.foreach(S.status_options, lambda s: rx.select.item(s, value=s))),
        _filter("Journey", S.journey, S.set_journey,
                rx.foreach(S.journey_options,
                           lambda j: rx.select.item(j["label"], value=j["value"]))),
        _filter("Wedding month", S.month, S.set_month,
                rx.foreach(S.month_options,
                           lambda m: rx.select.item(m["label"], value=m["value"]))),
        _filter("Tag", S.tag, S.set_tag,
                rx.foreach(S.tag_options, lambda t: rx.select.item(t, value=t))),
        rx.cond(S.filtered, rx.button("Clear", variant="ghost", size="2",
                                      on_click=S.clear_filters)),
        spacing="2",
        wrap="wrap",
        align="center",
        width="100%",
        role="search",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(
            rx.link(row["name"], href=row["href"], weight="medium"),
            rx.text(row["email"], size="1", color_scheme="gray"),
            spacing="0")),
        rx.table.cell(row["wedding"]),
        rx.table.cell(rx.cond(row["status"] != "", rx.badge(row["status"], variant="soft"),
                              rx.text("—", color_scheme="gray"))),
        rx.table.cell(rx.text(row["tags"], size="2", color_scheme="gray")),
        rx.table.cell(rx.text(row["journeys"], size="2")),
    )


def _table() -> rx.Component:
    return data_table(("Client", "Wedding", "Status", "Tags", "In journeys"),
                      rx.foreach(S.shown, _row), variant="surface", region="Clients")


def _input(text: str, name: str, type_: str = "text", placeholder: str = "",
           required: bool = False) -> rx.Component:
    return rx.vstack(
        label(text, f"client-{name}"),
        rx.input(id=f"client-{name}", name=name, type=type_, placeholder=placeholder,
                 required=required, width="100%"),
        spacing="1",
        width="100%",
    )


def _date_row(row, index) -> rx.Component:
    return date_rows.date_row(row, index, S.set_date_row, S.remove_date_row,
                              placeholder="engagement_shoot")


def _suggest_input(text: str, name: str, choices: list[str], placeholder: str,
                   **attrs) -> rx.Component:
    """A labelled native input that suggests ``choices`` (a datalist) but takes any text."""
    return rx.vstack(
        label(text, f"client-{name}"),
        rx.el.input(id=f"client-{name}", name=name, list=f"client-{name}-choices",
                    placeholder=placeholder, class_name="jr-native-input", **attrs),
        rx.el.datalist(*[rx.el.option(value=c) for c in choices], id=f"client-{name}-choices"),
        spacing="1",
        width="100%",
    )


def add_dialog() -> rx.Component:
    return dialog(
        "Add a client",
        "Journeys that start when a client is added begin at once.",
        rx.form(
            rx.vstack(
                _input("Names", "name", placeholder="Alex & Sam Rivera", required=True),
                _input("Email", "email", "email", "alex@example.com", required=True),
                rx.hstack(
                    _input("Wedding date", "wedding_date", "date"),
                    _suggest_input("Status", "status", CLIENT_STATUSES, "booked"),
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    _input("Tags", "tags", placeholder="barn, summer (commas)"),
                    _suggest_input("Time zone (if not yours)", "timezone",
                                   COMMON_TIMEZONES, "America/New_York",
                                   value=S.add_timezone, on_change=S.set_add_timezone),
                    spacing="3",
                    width="100%",
                ),
                rx.vstack(
                    label("Other dates (engagement shoot, final payment…)"),
                    rx.foreach(S.extra_dates, _date_row),
                    rx.button(rx.icon("plus", size=12), "Add a date", size="1",
                              variant="soft", type="button", on_click=S.add_date_row),
                    spacing="2",
                    width="100%",
                ),
                rx.cond(S.add_error != "", rx.callout(S.add_error, icon="triangle_alert",
                                                      color_scheme="red", size="1",
                                                      role="alert")),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray",
                                              type="button")),
                    rx.button("Add client", type="submit"),
                    justify="end",
                    spacing="2",
                    width="100%",
                ),
                spacing="3",
                margin_top="12px",
            ),
            on_submit=S.add_client,
        ),
        footer=None,
        open=S.add_open,
        on_open_change=S.set_add_open,
        max_width="560px",
    )


def page() -> rx.Component:
    return app_shell(
        rx.vstack(
            _filters(),
            list_or_empty(
                _table(),
                loading=S.loading,
                loading_text="Loading clients…",
                empty=S.shown.length() == 0,
                empty_view=rx.cond(
                    S.filtered,
                    empty_state("search_x", "No client matches",
                                "Try another search or clear the filters.",
                                rx.button("Clear filters", variant="soft",
                                          on_click=S.clear_filters)),
                    empty_state("users", "No clients yet",
                                "Add your first couple with their wedding date. Journeys "
                                "that start when a client is added begin right away; your "
                                "website or CRM can also add clients through the API.",
                                rx.button(rx.icon("user_plus", size=14), "Add a client",
                                          on_click=S.open_add)),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        add_dialog(),
        title=TITLE,
        active=ROUTE,
        actions=(rx.button(rx.icon("user_plus", size=14), "Add client", size="2",
                           on_click=S.open_add),),
    )
