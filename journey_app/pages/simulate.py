"""Simulation: run a journey's draft on synthetic couples (or copies of chosen real clients)
on a virtual clock, before publishing: per-step counts and a timeline chart. Nothing is sent and
nothing real is touched (engine.simulate runs the live runtime on memory storage)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from journey_app import engine_access, queries, routes
from journey_app import editor_model as em
from journey_app.analytics_source import path_order
from journey_app.components.forms import label
from journey_app.components.charts import chart
from journey_app.components.shell import app_shell, empty_state, loading_block
from journey_app.components.tables import data_table
from journey_app.session import SessionState

ROUTE = routes.JOURNEY_SIMULATE
TITLE = "Simulation"
MAX_COUPLES = 2000
MAX_POINTS = 4000
OUTCOME_COLORS = {"sent": "#16a34a", "done": "#4f46e5", "skipped": "#94a3b8",
                  "past_due": "#d97706", "timeout": "#f59e0b", "event": "#0891b2"}
FONT = dict(family="Inter, system-ui, sans-serif", size=12, color="#1e293b")


def _sim_client(client: Any) -> dict[str, Any]:
    return {"id": client.id, "name": client.name, "email": client.email,
            "timezone": client.timezone, "status": client.status,
            "wedding_date": queries.iso(client.wedding_date),
            "dates": {k: queries.iso(v) for k, v in client.dates.items() if v},
            "fields": client.fields, "tags": client.tags}


def run_simulation(doc: dict[str, Any], *, mode: str, count: int, seed: int,
                   clients: list[dict[str, Any]], start: datetime, vendor_tz: str
                   ) -> dict[str, Any]:
    """Plain data in, plain data out (runs in a worker thread)."""
    from engine.simulate import simulate
    from engine.simulation.couples import generate_couples

    if mode == "synthetic":
        couples = generate_couples(count, start=start, seed=seed)
        return simulate(doc, couples.clients, couples.events, start=start, until=couples.until,
                        seed=seed, vendor_timezone=vendor_tz)
    return simulate(doc, clients, [], start=start, seed=seed, vendor_timezone=vendor_tz)


def counts_figure(doc: dict[str, Any], result: dict[str, Any]) -> go.Figure:
    reached: dict[str, set[str]] = {}
    for step in result["steps"]:
        reached.setdefault(step["node"], set()).add(step["client"])
    trigger = next((n["id"] for n in doc.get("nodes") or [] if n.get("type") == "trigger"), "")
    reached[trigger] = {r["client"] for r in result["runs"]}  # every run starts there
    nodes = path_order(doc)
    titles = em.unique_labels(doc.get("nodes") or [], nodes)
    fig = go.Figure(go.Bar(y=titles, x=[len(reached.get(n, ())) for n in nodes],
                           orientation="h", marker_color="#4f46e5",
                           hovertemplate="%{y}: %{x} couples<extra></extra>"))
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10), height=max(260, 26 * len(nodes) + 40),
                      font=FONT, yaxis=dict(autorange="reversed"),
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return fig


def timeline_figure(doc: dict[str, Any], result: dict[str, Any]) -> go.Figure:
    nodes = doc.get("nodes") or []
    order_ids = path_order(doc)
    label = dict(zip(order_ids, em.unique_labels(nodes, order_ids)))
    steps = result["steps"][:MAX_POINTS]
    fig = go.Figure()
    for outcome in sorted({s["outcome"] for s in steps}):
        chosen = [s for s in steps if s["outcome"] == outcome]
        fig.add_scatter(x=[s["at"] for s in chosen],
                        y=[label.get(s["node"], s["node"]) for s in chosen], mode="markers",
                        name=outcome, marker=dict(size=6, opacity=0.6,
                                                  color=OUTCOME_COLORS.get(outcome, "#64748b")),
                        text=[s["client"] for s in chosen],
                        hovertemplate="%{text} · %{y}<br>%{x}<extra></extra>")
    order = [label[n] for n in order_ids]
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10), height=max(300, 22 * len(order) + 80),
                      font=FONT, legend=dict(orientation="h", y=-0.12),
                      yaxis=dict(categoryorder="array", categoryarray=list(reversed(order))),
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return fig


def _path_text(nodes: list[dict[str, Any]], path: list[str], limit: int = 10) -> str:
    names = [em.node_label(nodes, n) for n in path]
    if len(names) <= limit:
        return " → ".join(names)
    return " → ".join(names[:limit]) + f" → … {len(names) - limit} more steps"


class SimulationState(SessionState):
    journey_key: str = ""
    name: str = ""
    load_error: str = ""
    problems: int = 0
    mode: str = "synthetic"
    count: str = "100"
    seed: str = "1"
    client_options: list[dict[str, str]] = []
    chosen: list[str] = []
    running: bool = False
    ran: bool = False
    error: str = ""
    summary: dict[str, int] = {}
    counts: go.Figure = go.Figure()
    timeline: go.Figure = go.Figure()
    paths: list[dict[str, str]] = []
    _doc: dict[str, Any] = {}

    @rx.event
    def load(self):
        if not self.signed_in:
            return  # require_login (run first) is sending them to the login page
        from engine.errors import NotFound
        from engine.graph.validate import validate

        self.journey_key = self.router.url.path.rstrip("/").split("/")[-2]
        self.ran, self.error, self.load_error = False, "", ""
        eng = engine_access.engine()
        try:
            journey = eng.journeys.get(self.vendor_id, self.journey_key)
        except NotFound:
            self.load_error = "This journey does not exist."
            return
        self.name = journey.name
        self._doc = journey.draft
        self.problems = sum(1 for p in validate(journey.draft) if p.severity == "error")
        self.client_options = [{"id": c.id, "label": f"{c.name} · "
                                + (c.wedding_date.strftime("%d %b %Y") if c.wedding_date
                                   else "no date")}
                               for c in eng.clients.list(self.vendor_id, limit=200)]

    @rx.event
    def set_mode(self, value: str):
        self.mode = value

    @rx.event
    def set_count(self, value: str):
        self.count = value

    @rx.event
    def set_seed(self, value: str):
        self.seed = value

    @rx.event
    def toggle_client(self, client_id: str, on: bool):
        rest = [c for c in self.chosen if c != client_id]
        self.chosen = rest + [client_id] if on else rest

    @rx.event(background=True)
    async def run(self):
        async with self:
            if self.running:
                return
            count = max(1, min(MAX_COUPLES, em.to_int(self.count) or 100))
            seed = em.to_int(self.seed) or 0
            if self.mode == "clients" and not self.chosen:
                self.error = "Choose at least one client."
                return
            self.running, self.error = True, ""
            doc = dict(self._doc)
            mode = self.mode
            eng = engine_access.engine()
            vendor = eng.get_vendor(self.vendor_id)
            clients = [_sim_client(eng.clients.get(self.vendor_id, c)) for c in self.chosen] \
                if mode == "clients" else []
            start = eng.clock.now()
        try:
            result = await asyncio.to_thread(run_simulation, doc, mode=mode, count=count,
                                             seed=seed, clients=clients, start=start,
                                             vendor_tz=vendor.timezone)
        except Exception as error:  # InvalidDocument, bad client data...
            message = getattr(error, "message", None) or str(error)
            async with self:
                self.running, self.error = False, message
            return
        async with self:
            runs = result["runs"]
            statuses = Counter(r["status"] for r in runs)
            sent = sum(1 for s in result["steps"] if s["outcome"] == "sent")
            self.summary = {"couples": len(runs), "completed": statuses.get("completed", 0),
                            "waiting": sum(n for s, n in statuses.items()
                                           if s not in ("completed", "exited", "cancelled")),
                            "exited": statuses.get("exited", 0), "emails": sent,
                            "steps": len(result["steps"])}
            self.counts = counts_figure(doc, result)
            self.timeline = timeline_figure(doc, result)
            nodes = doc.get("nodes") or []
            self.paths = [{"client": r["client"], "status": r["status"],
                           "path": _path_text(nodes, r["path"])} for r in runs[:25]]
            self.running, self.ran = False, True


S = SimulationState


def _kpi(text: str, key: str) -> rx.Component:
    return rx.card(rx.vstack(rx.text(text, size="1", color_scheme="gray"),
                             rx.text(S.summary.get(key, 0), size="5", weight="bold"),
                             spacing="1"), flex="1")


def _setup() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Who goes through", size="3", as_="h2"),
            rx.radio_group.root(
                rx.vstack(
                    rx.radio_group.item("Synthetic couples", value="synthetic"),
                    rx.radio_group.item("Copies of my clients", value="clients"),
                    spacing="2",
                ),
                value=S.mode,
                on_change=S.set_mode,
                aria_label="Who goes through",
            ),
            rx.cond(
                S.mode == "synthetic",
                rx.vstack(
                    rx.text("Weddings spread over the coming season; couples enquire, fill in "
                            "forms and pay at realistic rates and delays.", size="1",
                            color_scheme="gray"),
                    rx.hstack(
                        rx.vstack(label("Couples", "sim-count"),
                                  rx.input(id="sim-count", type="number", value=S.count,
                                           on_change=S.set_count, width="100px"), spacing="1"),
                        rx.vstack(label("Seed", "sim-seed"),
                                  rx.input(id="sim-seed", type="number", value=S.seed,
                                           on_change=S.set_seed, width="90px"), spacing="1"),
                        spacing="3",
                    ),
                    spacing="2",
                ),
                rx.vstack(
                    rx.text("Each chosen client is copied into the simulation; the real one is "
                            "never touched.", size="1", color_scheme="gray"),
                    rx.cond(S.client_options.length() == 0,
                            rx.text("You have no clients yet.", size="2")),
                    rx.box(rx.foreach(S.client_options, lambda c: rx.el.label(
                        rx.checkbox(checked=S.chosen.contains(c["id"]),
                                    on_change=lambda v: S.toggle_client(c["id"], v)),
                        rx.text(c["label"], size="2"), class_name="jr-day",
                        display="flex", padding_y="3px")),
                        max_height="220px", overflow_y="auto", width="100%"),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.cond(S.error != "", rx.callout(S.error, icon="triangle_alert", color_scheme="red",
                                              size="1")),
            rx.button(rx.icon("play", size=14), "Run simulation", on_click=S.run,
                      loading=S.running, disabled=S.problems > 0, width="100%"),
            rx.cond(S.problems > 0, rx.text("The draft has problems; fix them in the editor "
                                             "first.", size="1", color="var(--red-11)")),
            spacing="3",
            width="100%",
        ),
        width="300px",
        min_width="300px",
    )


def _results() -> rx.Component:
    return rx.cond(
        S.running,
        rx.card(loading_block("Simulating a year of weddings…"), width="100%"),
        rx.cond(
            S.ran,
            rx.vstack(
                rx.hstack(_kpi("Couples", "couples"), _kpi("Completed", "completed"),
                          _kpi("Still in the journey", "waiting"), _kpi("Left early", "exited"),
                          _kpi("Emails that would be sent", "emails"), spacing="3",
                          width="100%", wrap="wrap"),
                rx.grid(
                    rx.card(rx.vstack(rx.heading("Couples reaching each step", size="3",
                                                 as_="h2"),
                                      chart(S.counts),
                                      width="100%"), width="100%"),
                    rx.card(rx.vstack(rx.heading("When steps happen", size="3", as_="h2"),
                                      chart(S.timeline),
                                      width="100%"), width="100%"),
                    columns="2", spacing="4", width="100%"),
                rx.card(rx.vstack(
                    rx.heading("Paths (first 25)", size="3", as_="h2"),
                    data_table(("Couple", "Ends", "Path"),
                               rx.foreach(S.paths, lambda p: rx.table.row(
                                   rx.table.cell(p["client"]), rx.table.cell(p["status"]),
                                   rx.table.cell(rx.text(p["path"], size="1")))),
                               size="1"),
                    width="100%"), width="100%"),
                spacing="4",
                width="100%",
            ),
            rx.card(empty_state("flask_conical", "Try the journey before it goes live",
                                "Pick who goes through on the left and run the simulation: a "
                                "year passes in seconds and you see where couples go, what "
                                "they receive and when."), width="100%"),
        ),
    )


def page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.load_error != "",
            empty_state("file_question", "Journey not found", S.load_error),
            rx.hstack(_setup(), rx.box(_results(), flex="1", min_width="0"), spacing="4",
                      align="start", width="100%"),
        ),
        title="Simulate: " + S.name,
        active=routes.JOURNEYS,
        actions=(rx.link(rx.button(rx.icon("arrow_left", size=14), "Back to the editor",
                                   variant="soft", size="2"),
                         href="/journeys/" + S.journey_key),),
    )
