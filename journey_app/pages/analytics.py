"""Analytics for one journey: a Plotly funnel per step, conversion to the goal, time spent in
each step, stuck clients, trends per day, cohorts by wedding month and A/B split results.

Live: while the page is open a background task watches the engine's live feed (polled every
second) and recomputes when a step completes or an event arrives, so the charts follow within
about two seconds without a reload.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from journey_app import engine_access, routes
from journey_app.analytics_source import journey_report
from journey_app.components.charts import chart
from journey_app.components.shell import app_shell, empty_state, loading_block
from journey_app.components.tables import data_table
from journey_app.session import SessionState

ROUTE = routes.ANALYTICS
TITLE = "Analytics"
POLL_SECONDS = 1.0
WATCH_LIMIT_SECONDS = 3 * 3600
FONT = dict(family="Inter, system-ui, sans-serif", size=12, color="#1e293b")
ACCENT = "#4f46e5"
FUNNEL_ALL_STEPS = 15


def _layout(fig: go.Figure, height: int = 300, **extra: Any) -> go.Figure:
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10), height=height, font=FONT,
                      autosize=True,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      showlegend=extra.pop("showlegend", False), **extra)
    return fig


def funnel_figure(report: dict[str, Any]) -> go.Figure:
    nodes = report.get("nodes", [])
    if len(nodes) > FUNNEL_ALL_STEPS:  # a big journey: the steps couples actually reached
        nodes = [n for n in nodes if n["entered"]] or nodes[:FUNNEL_ALL_STEPS]
    labels = [f"{n['title']}" for n in nodes]
    fig = go.Figure(go.Funnel(
        y=labels, x=[n["entered"] for n in nodes], textinfo="value+percent initial",
        marker=dict(color=ACCENT), connector=dict(line=dict(color="#c7d2fe")),
        hovertemplate="%{y}: %{x} clients<extra></extra>"))
    return _layout(fig, height=max(260, 34 * len(labels) + 40))


def time_figure(report: dict[str, Any]) -> go.Figure:
    nodes = [n for n in report.get("nodes", []) if n["median_hours"] is not None
             and n["type"] in ("delay", "wait_for", "email", "form")]
    fig = go.Figure()
    fig.add_bar(y=[n["title"] for n in nodes], x=[n["median_hours"] for n in nodes],
                orientation="h", name="median", marker_color=ACCENT)
    fig.add_bar(y=[n["title"] for n in nodes], x=[n["p90_hours"] for n in nodes],
                orientation="h", name="90th percentile", marker_color="#a5b4fc")
    return _layout(fig, height=max(200, 30 * len(nodes) + 60), barmode="group",
                   showlegend=True, legend=dict(orientation="h", y=1.02, x=0, yanchor="bottom"),
                   xaxis=dict(title="hours in step", rangemode="tozero"))


def trend_figure(report: dict[str, Any]) -> go.Figure:
    days = [t["day"] for t in report.get("trend", [])]
    fig = go.Figure()
    for key, color in (("started", ACCENT), ("completed", "#16a34a"), ("converted", "#d97706")):
        fig.add_scatter(x=days, y=[t[key] for t in report.get("trend", [])], mode="lines+markers",
                        name=key, line=dict(color=color, width=2), marker=dict(size=4))
    return _layout(fig, height=240, showlegend=True, legend=dict(orientation="h", y=-0.25))


def cohort_figure(report: dict[str, Any]) -> go.Figure:
    rows = report.get("cohorts", [])
    fig = go.Figure()
    fig.add_bar(x=[r["month"] for r in rows], y=[r.get("runs", 0) for r in rows], name="couples",
                marker_color="#a5b4fc")
    fig.add_bar(x=[r["month"] for r in rows], y=[r.get("converted", 0) for r in rows],
                name="converted", marker_color=ACCENT)
    return _layout(fig, height=240, barmode="group", showlegend=True,
                   legend=dict(orientation="h", y=-0.25))


class AnalyticsState(SessionState):
    journeys: list[dict[str, str]] = []
    journey: str = ""
    loading: bool = True
    totals: dict[str, int] = {}
    conversion: str = "—"
    goal: str = ""
    node_rows: list[dict[str, str]] = []
    stuck: list[dict[str, str]] = []
    splits: list[dict[str, str]] = []
    funnel: go.Figure = go.Figure()
    times: go.Figure = go.Figure()
    trend: go.Figure = go.Figure()
    cohorts: go.Figure = go.Figure()
    updated: str = ""
    funnel_text: str = ""
    has_runs: bool = False
    has_times: bool = False
    revision: int = 0
    watching: bool = False
    _seen_version: int = -1

    @rx.event
    def load(self):
        if not self.signed_in:
            return  # require_login (run first) is sending them to the login page
        self.loading = True
        vendor_id = self.vendor_id
        eng = engine_access.engine()
        journeys = [j for j in eng.journeys.list(vendor_id) if not j.archived]
        journeys.sort(key=lambda j: (j.live_version is None, j.name.lower()))
        self.journeys = [{"id": j.id, "name": j.name + ("" if j.live_version else " (draft)")}
                         for j in journeys]
        wanted = self.router.url.query_parameters.get("journey", "")
        ids = [j["id"] for j in self.journeys]
        self.journey = wanted if wanted in ids else (self.journey if self.journey in ids
                                                     else (ids[0] if ids else ""))
        self._compute()
        self.loading = False
        return AnalyticsState.watch

    def _compute(self) -> None:
        if not self.journey:
            return
        eng = engine_access.engine()
        self._seen_version = engine_access.feed().version
        report = journey_report(eng, self.vendor_id, self.journey,
                                sa_engine=engine_access.sql_engine())
        self.totals = report.get("totals", {})
        conv = report.get("conversion")
        self.goal = str(report.get("goal") or "")
        self.conversion = f"{conv:g}%" if isinstance(conv, (int, float)) else "—"
        self.node_rows = [{k: ("—" if v is None else str(v)) for k, v in n.items()}
                          for n in report.get("nodes", [])]
        self.stuck = [{k: str(v) for k, v in s.items()} for s in report.get("stuck", [])]
        self.splits = [{k: str(v) for k, v in s.items()} for s in report.get("splits", [])]
        self.has_runs = bool(self.totals.get("runs"))
        self.has_times = any(n.get("median_hours") is not None for n in report.get("nodes", []))
        self.funnel = funnel_figure(report)
        self.funnel_text = "; ".join(f"{n['title']}={n['entered']}"
                                     for n in report.get("nodes", []))
        self.times = time_figure(report)
        self.trend = trend_figure(report)
        self.cohorts = cohort_figure(report)
        self.updated = eng.clock.now().strftime("%H:%M:%S UTC")
        self.revision += 1

    @rx.event
    def choose(self, journey_id: str):
        self.journey = journey_id
        self._compute()

    @rx.event
    def stop_watching(self):
        self.watching = False

    @rx.event(background=True)
    async def watch(self):
        """Recompute when the engine reports a step or an event (polled every second)."""
        async with self:
            if self.watching:
                return
            self.watching = True
        started = time.monotonic()
        while time.monotonic() - started < WATCH_LIMIT_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            version = engine_access.feed().version
            async with self:
                if not self.watching:
                    return
                if version == self._seen_version:
                    continue
                try:
                    await asyncio.to_thread(self._compute)
                except Exception:  # keep watching; the next change tries again
                    self._seen_version = version
        async with self:
            self.watching = False


S = AnalyticsState


def _kpi(label: str, value, hint: Any = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray", weight="medium"),
            rx.text(value, size="6", weight="bold", custom_attrs={"data-testid": f"kpi-{label}"}),
            rx.text(hint, size="1", color_scheme="gray") if hint is not None else rx.fragment(),
            spacing="1",
        ),
        flex="1",
        min_width="140px",
    )


def _panel(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _node_row(n) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(n["title"]),
        rx.table.cell(n["entered"]),
        rx.table.cell(n["waiting"]),
        rx.table.cell(n["median_hours"]),
        rx.table.cell(n["p90_hours"]),
        rx.table.cell(n["failed"]),
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _kpi("Clients", S.totals.get("runs", 0), "ever started"),
            _kpi("Active", S.totals.get("active", 0), "in the journey now"),
            _kpi("Completed", S.totals.get("completed", 0)),
            _kpi("Converted", S.conversion, rx.cond(S.goal != "", "goal: " + S.goal,
                                                   "no goal set")),
            _kpi("Stuck", S.stuck.length(), "need a look"),
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        rx.grid(
            _panel("Funnel: clients who reached each step",
                   rx.cond(~S.has_runs, rx.callout(
                       "No couple has started this journey yet. Add a client (or send the "
                       "event it starts on) and watch them appear here.", icon="info",
                       size="1", width="100%")),
                   rx.box(chart(S.funnel),
                          width="100%", custom_attrs={"data-testid": "funnel-chart"}),
                   rx.el.span(S.funnel_text, display="none",
                              custom_attrs={"data-testid": "funnel-data"})),
            rx.vstack(
                _panel("Time spent in each step",
                       rx.cond(S.has_times,
                               chart(S.times),
                               rx.text("Appears once couples have finished a wait, an email "
                                       "or a form step.", size="2", color_scheme="gray"))),
                _panel("Started, completed and converted per day",
                       chart(S.trend)),
                spacing="4",
                width="100%",
            ),
            columns="2",
            spacing="4",
            width="100%",
        ),
        rx.grid(
            _panel("Cohorts by wedding month",
                   rx.cond(S.has_runs,
                           chart(S.cohorts),
                           rx.text("Couples grouped by the month of their wedding, once "
                                   "there are some.", size="2", color_scheme="gray"))),
            _panel("A/B splits",
                   rx.cond(S.splits.length() == 0,
                           rx.text("This journey has no split step yet, or no client has "
                                   "reached one.", size="2", color_scheme="gray"),
                           data_table(
                               ("Split", "Branch", "Clients", "Converted", "Rate",
                                "A real difference?"),
                               rx.foreach(S.splits, lambda s: rx.table.row(
                                   rx.table.cell(s["node"]), rx.table.cell(s["branch"]),
                                   rx.table.cell(s["runs"]), rx.table.cell(s["converted"]),
                                   rx.table.cell(s["rate"], "%"),
                                   rx.table.cell(s["verdict"]))),
                               size="1"))),
            columns="2",
            spacing="4",
            width="100%",
        ),
        _panel("Stuck clients",
               rx.cond(S.stuck.length() == 0,
                       rx.text("Nobody is stuck.", size="2", color_scheme="gray"),
                       data_table(
                           ("Client", "At step", "Since", "Why"),
                           rx.foreach(S.stuck, lambda s: rx.table.row(
                               rx.table.cell(rx.link(s["client"], href="/clients/" +
                                                     s["client_id"])),
                               rx.table.cell(s["node"]), rx.table.cell(s["since"]),
                               rx.table.cell(s["why"]))),
                           size="1"))),
        _panel("Per step",
               data_table(("Step", "Reached", "Waiting now", "Median hours", "90th pct hours",
                           "Failed"), rx.foreach(S.node_rows, _node_row), size="1",
                          region="Per step")),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return app_shell(
        rx.box(
            rx.cond(
                S.loading,
                loading_block("Crunching the numbers…"),
                rx.cond(
                    S.journeys.length() == 0,
                    rx.card(empty_state("chart_line", "No journeys to measure yet",
                                        "Publish a journey and add clients; their progress "
                                        "shows up here as it happens.",
                                        rx.link(rx.button("Open journeys"),
                                                href=routes.JOURNEYS)), width="100%"),
                    _content(),
                ),
            ),
            on_unmount=S.stop_watching,
            width="100%",
        ),
        title=TITLE,
        active=ROUTE,
        actions=(
            rx.hstack(
                rx.cond(S.watching, rx.badge(rx.icon("radio", size=12), "Live", color_scheme="green",
                                             variant="soft")),
                rx.text("Updated ", S.updated, size="1", color_scheme="gray",
                        white_space="nowrap"),
                align="center",
                spacing="2",
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Journey", max_width="260px"),
                rx.select.content(rx.foreach(S.journeys, lambda j: rx.select.item(
                    j["name"], value=j["id"]))),
                value=S.journey,
                on_change=S.choose,
            ),
        ),
    )
