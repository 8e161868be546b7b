"""Sign up and log in. The REST API's auth routes set the HttpOnly session cookie; a full page
load afterwards makes the websocket carry it (see journey_app/session.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import reflex as rx

from journey_app import routes
from journey_app.choices import COMMON_TIMEZONES
from journey_app.session import SessionState, api_post_script, go_to_script

LOGIN_ROUTE = routes.LOGIN
SIGNUP_ROUTE = routes.SIGNUP


class AuthState(SessionState):
    error: str = ""
    busy: bool = False
    timezone: str = "UTC"
    _next: str = routes.JOURNEYS

    @rx.event
    def open_page(self):
        """on_load: signed in already? Go on to the app."""
        self.error, self.busy = "", False
        target = unquote(self.router.url.query_parameters.get("next", "") or "")
        self._next = target if target.startswith("/") and not target.startswith("//") \
            else routes.JOURNEYS
        if self._authenticate():
            return rx.redirect(self._next)
        return rx.call_script("Intl.DateTimeFormat().resolvedOptions().timeZone",
                              callback=AuthState.guessed_timezone)

    @rx.event
    def guessed_timezone(self, zone: Any):
        if isinstance(zone, str) and zone:
            self.timezone = zone

    @rx.event
    def set_timezone(self, zone: str):
        self.timezone = zone

    @rx.event
    def log_in(self, form: dict[str, Any]):
        email = str(form.get("email") or "").strip()
        password = str(form.get("password") or "")
        if not email or not password:
            self.error = "Enter your email and password."
            return
        self.error, self.busy = "", True
        return rx.call_script(api_post_script("/auth/login", {"email": email,
                                                              "password": password}),
                              callback=AuthState.finished)

    @rx.event
    def sign_up(self, form: dict[str, Any]):
        body = {
            "vendor_name": str(form.get("vendor_name") or "").strip(),
            "name": str(form.get("name") or "").strip() or None,
            "email": str(form.get("email") or "").strip(),
            "password": str(form.get("password") or ""),
            "timezone": self.timezone or "UTC",
        }
        if not body["vendor_name"] or not body["email"]:
            self.error = "Enter your business name and your email."
            return
        if len(body["password"]) < 10:
            self.error = "Choose a password of at least 10 characters."
            return
        self.error, self.busy = "", True
        return rx.call_script(api_post_script("/auth/signup", body), callback=AuthState.finished)

    @rx.event
    def finished(self, result: dict[str, Any]):
        self.busy = False
        if isinstance(result, dict) and result.get("ok"):
            return rx.call_script(go_to_script(self._next))
        message = (result or {}).get("message") if isinstance(result, dict) else ""
        status = (result or {}).get("status") if isinstance(result, dict) else 0
        if status == 429:
            message = "Too many attempts. Wait a minute and try again."
        self.error = _friendly(str(message or "That did not work. Try again."))


def _friendly(message: str) -> str:
    replacements = {
        "body.password": "Password",
        "body.email": "Email",
        "body.vendor_name": "Business name",
        "invalid sign-up: ": "",
    }
    for old, new in replacements.items():
        message = message.replace(old, new)
    return message[:1].upper() + message[1:]


def _frame(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.center(rx.icon("heart", size=18, color="white"), width="34px", height="34px",
                          border_radius="var(--radius-2)", background="var(--accent-9)"),
                rx.text("Journeys", size="6", weight="bold"),
                align="center",
                spacing="2",
            ),
            rx.card(rx.vstack(*children, spacing="4", width="100%"), width="400px",
                    size="3"),
            align="center",
            spacing="5",
        ),
        width="100vw",
        min_height="100vh",
        background="var(--gray-2)",
        role="main",
    )


def _field(label: str, name: str, type_: str = "text", placeholder: str = "",
           autocomplete: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(id=name, name=name, type=type_, placeholder=placeholder, required=True,
                 size="3", width="100%", auto_complete=autocomplete or None),
        spacing="1",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.cond(
        AuthState.error != "",
        rx.callout(AuthState.error, icon="triangle_alert", color_scheme="red", role="alert",
                   width="100%"),
    )


def login_page() -> rx.Component:
    return _frame(
        rx.heading("Log in", size="5", as_="h1"),
        rx.form(
            rx.vstack(
                _field("Email", "email", "email", "you@studio.com", "email"),
                _field("Password", "password", "password", "", "current-password"),
                _error(),
                rx.button("Log in", type="submit", size="3", width="100%",
                          loading=AuthState.busy),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthState.log_in,
            width="100%",
        ),
        rx.text("New here? ", rx.link("Create an account", href=SIGNUP_ROUTE), size="2",
                color_scheme="gray"),
    )


def signup_page() -> rx.Component:
    return _frame(
        rx.vstack(
            rx.heading("Create your account", size="5", as_="h1"),
            rx.text("Set up your studio in a minute. You can change everything later.",
                    size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.form(
            rx.vstack(
                _field("Business name", "vendor_name", placeholder="Golden Hour Photography",
                       autocomplete="organization"),
                _field("Your name", "name", placeholder="Ana", autocomplete="name"),
                _field("Email", "email", "email", "you@studio.com", "email"),
                _field("Password", "password", "password", "At least 10 characters",
                       "new-password"),
                rx.vstack(
                    rx.el.label(rx.text("Time zone", size="2", weight="medium"),
                                html_for="timezone"),
                    rx.el.input(id="timezone", name="timezone", value=AuthState.timezone,
                                list="timezones", on_change=AuthState.set_timezone,
                                class_name="jr-native-input"),
                    rx.el.datalist(*[rx.el.option(value=z) for z in COMMON_TIMEZONES],
                                   id="timezones"),
                    rx.text("Emails are scheduled in your couples' local time; this is the "
                            "default.", size="1", color_scheme="gray"),
                    spacing="1",
                    width="100%",
                ),
                _error(),
                rx.button("Create account", type="submit", size="3", width="100%",
                          loading=AuthState.busy),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthState.sign_up,
            width="100%",
        ),
        rx.text("Already have an account? ", rx.link("Log in", href=LOGIN_ROUTE), size="2",
                color_scheme="gray"),
    )
