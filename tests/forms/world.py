"""A small world for the forms, hooks and audit tests: an Engine on a given store with a
ManualClock, an app built from the public routers only (no create_api), a TestClient for real
HTTP, and a dispatcher that captures emails so a test can read the link a couple would click."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from engine.clock import ManualClock
from engine.effects import CaptureSender, Dispatcher, RetryPolicies, TaskSender
from engine.service import Engine
import journey_app.api.hooks as hooks
import journey_app.api.public_forms as public_forms
from journey_app.routes import API_PREFIX

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
BASE_URL = "https://journeys.example"
LINK = re.compile(re.escape(BASE_URL) + r"/f/([A-Za-z0-9_-]+)")
SECRET = "whsec_forms_and_hooks_0123456789"

FIRST_LOOK_JOURNEY = {
    "format": "journeys/v1", "name": "Timeline questionnaire",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "ask", "type": "form",
         "config": {"form": "timeline_questionnaire", "subject": "A few questions",
                    "body": "Hi {{ client.first_name }}, tell us about your day: {{ form_url }}"}},
        {"id": "wait", "type": "wait_for",
         "config": {"event": "form_submitted", "timeout": {"days": 14}}},
        {"id": "look", "type": "condition",
         "config": {"all": [{"field": "form.timeline_questionnaire.first_look", "op": "eq",
                             "value": True}]}},
        {"id": "first_look", "type": "email",
         "config": {"subject": "Planning your first look", "body": "Lovely!"}},
        {"id": "no_first_look", "type": "email",
         "config": {"subject": "Your ceremony reveal", "body": "Noted."}},
        {"id": "nudge", "type": "exit"},
    ],
    "edges": [{"from": "start", "to": "ask"}, {"from": "ask", "to": "wait"},
              {"from": "wait", "to": "look", "when": "event"},
              {"from": "wait", "to": "nudge", "when": "timeout"},
              {"from": "look", "to": "first_look", "when": "true"},
              {"from": "look", "to": "no_first_look", "when": "false"}],
}


@dataclass
class World:
    engine: Engine
    clock: ManualClock
    http: TestClient
    app: FastAPI
    mail: CaptureSender
    dispatcher: Dispatcher
    vendor_id: str = ""
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self):
        return self.engine.store

    def deliver(self) -> None:
        """Send every due effect (emails are captured, as with no SMTP configured)."""
        self.dispatcher.run_until_idle()

    def form_links(self, to: str) -> list[str]:
        """The tokens of the form links in the emails `to` received, oldest first."""
        self.deliver()
        found = []
        for msg in self.mail.messages:
            if msg["To"] == to:
                found.extend(LINK.findall(msg.get_body(("plain",)).get_content()))
        return found

    def form_link(self, to: str) -> str:
        links = self.form_links(to)
        assert links, f"no form link was emailed to {to}"
        return links[-1]

    def run_of(self, client_id: str):
        with self.store.transaction() as tx:
            [run] = tx.runs_for_client(client_id)
            return run

    def events(self, type_: str | None = None):
        with self.store.transaction() as tx:
            return [e for e in tx.list_events(self.vendor_id, limit=10_000)
                    if type_ is None or e.type == type_]


def make_world(store, *, vendor_name: str = "Lumen Photography",
               secret: str | None = SECRET) -> World:
    clock = ManualClock(T0)
    engine = Engine(store, clock, base_url=BASE_URL)
    app = FastAPI()
    app.state.engine = engine
    app.include_router(public_forms.router)
    app.include_router(hooks.router, prefix=API_PREFIX)
    mail = CaptureSender(clock)
    dispatcher = Dispatcher(store, clock, {"email": mail, "form": mail, "task": TaskSender()},
                            RetryPolicies.seeded(1))
    world = World(engine=engine, clock=clock, http=TestClient(app), app=app, mail=mail,
                  dispatcher=dispatcher)
    vendor = engine.create_vendor(vendor_name, email="studio@lumen.example",
                                  timezone="Europe/London")
    if secret:
        engine.update_vendor(vendor.id, settings={"webhook_secret": secret})
    world.vendor_id = vendor.id
    return world


def publish(world: World, document: dict[str, Any], actor: str = "ana@lumen") -> str:
    journey = world.engine.journeys.create(world.vendor_id, document, actor=actor)
    world.engine.journeys.publish(world.vendor_id, journey.id, actor=actor)
    return journey.id


def add_client(world: World, name: str, email: str, **extra: Any):
    return world.engine.clients.add(world.vendor_id, {"name": name, "email": email, **extra})
