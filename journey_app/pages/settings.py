"""Vendor settings: business details (the sender name and reply-to of every email), time zone,
blackout dates, email delivery (SMTP), API keys and the signed-webhook secret."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import reflex as rx

from journey_app import engine_access, routes
from journey_app.choices import COMMON_TIMEZONES
from journey_app.components.forms import label
from journey_app.components.shell import app_shell, loading_block
from journey_app.components.tables import data_table
from journey_app.pages.loading import LoadsOnOpen
from journey_app.session import SessionState

ROUTE = routes.SETTINGS
TITLE = "Settings"


class SettingsState(LoadsOnOpen, SessionState):
    profile: dict[str, str] = {}
    blackout: list[str] = []
    new_blackout: str = ""
    smtp: dict[str, str] = {}
    keys: list[dict[str, str]] = []
    new_key_name: str = ""
    new_secret: str = ""
    hook_secret: str = ""
    hook_path: str = ""
    users: list[dict[str, str]] = []

    def _before_refresh(self) -> None:
        self.new_secret = self.hook_secret = ""

    def _refresh(self) -> None:
        vendor_id = self.vendor_id
        eng = engine_access.engine()
        v = eng.get_vendor(vendor_id)
        self.profile = {"name": v.name, "timezone": v.timezone, "email": v.email or "",
                        "reply_to": v.reply_to or "", "phone": v.phone or ""}
        self.blackout = [d.isoformat() for d in sorted(v.blackout_dates)]
        s = engine_access.live().settings
        self.smtp = {"host": s.smtp_host or "", "port": str(s.smtp_port),
                     "security": s.smtp_security, "from": s.smtp_from,
                     "user": s.smtp_username or ""}
        accounts = engine_access.accounts()
        self.keys = [{"id": k.id, "name": k.name, "prefix": f"jrn_{k.prefix}…",
                      "created": k.created_at.strftime("%d %b %Y") if k.created_at else "",
                      "used": k.last_used_at.strftime("%d %b %Y") if k.last_used_at else "never",
                      "active": "yes" if k.active else "no"}
                     for k in accounts.list_api_keys(vendor_id)]
        self.users = [{"name": u.name, "email": u.email, "role": u.role}
                      for u in accounts.list_users(vendor_id)]
        self.hook_path = f"{routes.API_PREFIX}/hooks/{vendor_id}/events"

    @rx.event
    def save_profile(self, form: dict[str, Any]):
        from engine.errors import InvalidInput

        changes = {
            "name": str(form.get("name") or "").strip(),
            "timezone": str(form.get("timezone") or "").strip() or "UTC",
            "email": str(form.get("email") or "").strip() or None,
            "reply_to": str(form.get("reply_to") or "").strip() or None,
            "phone": str(form.get("phone") or "").strip() or None,
        }
        if not changes["name"]:
            return rx.toast.error("Your business name is needed: it is the sender of emails.")
        try:
            engine_access.engine().update_vendor(self.vendor_id, **changes)
        except InvalidInput as error:
            return rx.toast.error(error.message)
        self._refresh()
        self.vendor_name, self.vendor_timezone = changes["name"], changes["timezone"]
        return rx.toast.success("Saved.")

    @rx.event
    def set_new_blackout(self, value: str):
        self.new_blackout = value

    def _save_blackout(self, dates: list[str]) -> None:
        engine_access.engine().update_vendor(self.vendor_id, blackout_dates=sorted(set(dates)))
        self._refresh()

    @rx.event
    def add_blackout(self):
        try:
            date.fromisoformat(self.new_blackout)
        except ValueError:
            return rx.toast.error("Pick a date first.")
        self._save_blackout(self.blackout + [self.new_blackout])
        self.new_blackout = ""
        return rx.toast.success("Blackout date added: no business-day step lands on it.")

    @rx.event
    def remove_blackout(self, day: str):
        self._save_blackout([d for d in self.blackout if d != day])

    @rx.event
    def set_new_key_name(self, value: str):
        self.new_key_name = value

    @rx.event
    def create_key(self):
        name = self.new_key_name.strip() or "API key"
        _, secret = engine_access.accounts().create_api_key(self.vendor_id, name=name,
                                                            actor=self.actor)
        self.new_secret, self.new_key_name = secret, ""
        self._refresh()

    @rx.event
    def revoke_key(self, key_id: str):
        engine_access.accounts().revoke_api_key(self.vendor_id, key_id, actor=self.actor)
        self._refresh()
        return rx.toast.success("Revoked: that key stops working now.")

    @rx.event
    def rotate_hook_secret(self):
        eng = engine_access.engine()
        vendor = eng.get_vendor(self.vendor_id)
        settings = dict(vendor.settings or {})
        previous = settings.get("webhook_secret")
        settings["webhook_secret"] = secrets.token_urlsafe(32)
        if previous:
            settings["webhook_secret_previous"] = previous
        eng.update_vendor(self.vendor_id, settings=settings)
        self.hook_secret = settings["webhook_secret"]


S = SettingsState


def _field(text: str, name: str, value, type_: str = "text", hint: str = "",
           datalist: str = "") -> rx.Component:
    attrs = {"list": datalist} if datalist else {}
    return rx.vstack(
        label(text, f"vendor-{name}"),
        rx.input(id=f"vendor-{name}", name=name, default_value=value, type=type_,
                 width="100%", custom_attrs=attrs),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _section(title: str, description: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(rx.heading(title, size="3", as_="h2"),
                      rx.text(description, size="2", color_scheme="gray"),
                      spacing="1", width="260px", min_width="260px"),
            rx.vstack(*children, spacing="3", flex="1", min_width="0"),
            spacing="6",
            align="start",
            width="100%",
        ),
        width="100%",
    )


def _profile() -> rx.Component:
    return _section(
        "Business", "Every email goes out from your business name; replies go to your "
        "reply-to address.",
        rx.form(
            rx.vstack(
                rx.hstack(_field("Business name (sender name)", "name", S.profile["name"]),
                          _field("Time zone", "timezone", S.profile["timezone"],
                                 datalist="vendor-zones",
                                 hint="Default for couples without their own."),
                          spacing="3", width="100%"),
                rx.el.datalist(*[rx.el.option(value=z) for z in COMMON_TIMEZONES],
                               id="vendor-zones"),
                rx.hstack(_field("Email", "email", S.profile["email"], "email"),
                          _field("Reply-to", "reply_to", S.profile["reply_to"], "email",
                                 hint="Empty: replies go to your email."),
                          _field("Phone", "phone", S.profile["phone"], "tel"),
                          spacing="3", width="100%"),
                rx.button("Save", type="submit", width="fit-content"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_profile,
            key=S.profile["name"] + S.profile["timezone"],
        ),
    )


def _blackouts() -> rx.Component:
    return _section(
        "Blackout dates", "Days you are closed (holidays, your own wedding…): business-day "
        "steps skip them. Public holidays are set per journey.",
        rx.hstack(
            rx.input(type="date", value=S.new_blackout, on_change=S.set_new_blackout,
                     aria_label="Blackout date"),
            rx.button(rx.icon("plus", size=14), "Add", variant="soft", on_click=S.add_blackout),
            spacing="2",
        ),
        rx.cond(S.blackout.length() == 0,
                rx.text("No blackout dates.", size="2", color_scheme="gray"),
                rx.hstack(rx.foreach(S.blackout, lambda d: rx.badge(
                    d, rx.icon("x", size=12, cursor="pointer", aria_label="Remove " + d,
                               on_click=S.remove_blackout(d)),
                    variant="soft", size="2")), wrap="wrap", spacing="2")),
    )


def _smtp() -> rx.Component:
    return _section(
        "Email delivery", "The mail server is set when Journeys is installed (environment "
        "variables or journeys.toml), not here.",
        rx.cond(
            S.smtp["host"] != "",
            rx.vstack(
                rx.text("Sending through ", rx.code(S.smtp["host"] + ":" + S.smtp["port"]),
                        " (", S.smtp["security"], ") as ", rx.code(S.smtp["from"]), size="2"),
                spacing="1",
            ),
            rx.callout(
                rx.text("No mail server configured: emails are captured in the Outbox instead of "
                        "being sent. To send them, set ", rx.code("JOURNEYS_SMTP_HOST"), ", ",
                        rx.code("JOURNEYS_SMTP_PORT"), ", ", rx.code("JOURNEYS_SMTP_USERNAME"),
                        ", ", rx.code("JOURNEYS_SMTP_PASSWORD"), " and ",
                        rx.code("JOURNEYS_SMTP_FROM"), ", then restart."),
                icon="mail_warning", color_scheme="amber", size="1"),
        ),
    )


def _keys() -> rx.Component:
    return _section(
        "API keys", "For your website, CRM or payment provider to add clients and send events "
        "(Authorization: Bearer …).",
        rx.hstack(
            rx.input(value=S.new_key_name, on_change=S.set_new_key_name,
                     placeholder="e.g. Website contact form", aria_label="New key name",
                     width="280px"),
            rx.button(rx.icon("key_round", size=14), "Create key", variant="soft",
                      on_click=S.create_key),
            spacing="2",
        ),
        rx.cond(S.new_secret != "", rx.callout(
            rx.vstack(
                rx.text("Copy this key now: it is shown only once.", weight="bold", size="2"),
                rx.hstack(rx.code(S.new_secret, custom_attrs={"data-testid": "new-api-key"}),
                          rx.icon_button(rx.icon("copy", size=12), size="1", variant="ghost",
                                         aria_label="Copy key",
                                         on_click=rx.set_clipboard(S.new_secret)),
                          align="center"),
                spacing="1"),
            icon="key_round", color_scheme="green", size="1")),
        rx.cond(S.keys.length() > 0, data_table(
            ("Name", "Key", "Created", "Last used", ""),
            rx.foreach(S.keys, lambda k: rx.table.row(
                rx.table.cell(k["name"]), rx.table.cell(rx.code(k["prefix"])),
                rx.table.cell(k["created"]), rx.table.cell(k["used"]),
                rx.table.cell(rx.cond(k["active"] == "yes",
                                      rx.button("Revoke", size="1", variant="soft",
                                                color_scheme="red",
                                                on_click=S.revoke_key(k["id"])),
                                      rx.badge("revoked", color_scheme="gray"))))),
            size="1")),
    )


def _hooks() -> rx.Component:
    return _section(
        "Signed webhooks", "Other apps can POST events to this address, signed with your "
        "secret; outbound webhook steps are signed with it too.",
        rx.text("Address: ", rx.code(S.hook_path), size="2"),
        rx.button(rx.icon("refresh_cw", size=14), "Create a new secret", variant="soft",
                  width="fit-content", on_click=S.rotate_hook_secret),
        rx.cond(S.hook_secret != "", rx.callout(
            rx.vstack(rx.text("Copy this secret now: it is shown only once. The previous one "
                              "keeps working until the next change.", size="2"),
                      rx.code(S.hook_secret), spacing="1"),
            icon="shield_check", color_scheme="green", size="1")),
    )


def _team() -> rx.Component:
    return _section(
        "Team", "People who can sign in to this studio.",
        rx.foreach(S.users, lambda u: rx.hstack(
            rx.text(u["name"], weight="medium", size="2"),
            rx.text(u["email"], size="2", color_scheme="gray"),
            rx.badge(u["role"], variant="soft"), spacing="3", align="center")),
    )


def page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.loading,
            loading_block("Loading settings…"),
            rx.vstack(_profile(), _blackouts(), _smtp(), _keys(), _hooks(), _team(),
                      spacing="4", width="100%", max_width="1100px"),
        ),
        title=TITLE,
        active=ROUTE,
    )
