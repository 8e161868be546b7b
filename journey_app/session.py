"""Who is signed in: the base state of every signed-in page.

Signing in and out goes through the REST API's auth routes (``/api/v1/auth/...``), which set and
clear the HttpOnly session cookie; the browser sends that cookie on the websocket handshake, so
the backend reads it from the connection's headers and asks the AccountService who it is.
JavaScript never sees the token.

Page states subclass :class:`SessionState` and call ``self.vendor_id`` (raises when signed out).
Every protected page runs ``SessionState.require_login`` first in its ``on_load``.
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote

import reflex as rx

from journey_app import engine_access, routes

COOKIE_NAME = "journeys_session"  # the REST API's cookie (journey_app.api.auth.COOKIE_NAME)


def session_token(cookie_header: str) -> str:
    """The session token in a Cookie header, or ""."""
    if not cookie_header:
        return ""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return ""
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel is not None else ""


class NotSignedIn(Exception):
    """Raised by ``vendor_id`` when the session is missing or has expired."""


class SessionState(rx.State):
    """The signed-in user and vendor, checked against the session cookie."""

    _vendor: str = ""
    vendor_name: str = ""
    vendor_timezone: str = "UTC"
    user_name: str = ""
    user_email: str = ""
    # Emails waiting in Approvals (the sidebar shows the count); refreshed on every page load.
    pending_approvals: int = 0

    def _authenticate(self) -> bool:
        from engine.errors import JourneyError

        token = session_token(self.router.headers.cookie)
        if not token:
            self._forget()
            return False
        try:
            principal = engine_access.accounts().authenticate_session(token)
            user = engine_access.accounts().get_user(principal.vendor_id, principal.user_id)
            vendor = engine_access.engine().get_vendor(principal.vendor_id)
        except JourneyError:
            self._forget()
            return False
        self._vendor = vendor.id
        self.vendor_name = vendor.name
        self.vendor_timezone = vendor.timezone
        self.user_name = user.name
        self.user_email = user.email
        return True

    def _forget(self) -> None:
        self._vendor = ""
        self.vendor_name = self.user_name = self.user_email = ""

    @property
    def signed_in(self) -> bool:
        """Set by require_login, which every signed-in page runs first in its on_load."""
        return bool(self._vendor)

    @property
    def vendor_id(self) -> str:
        if not self._vendor and not self._authenticate():
            raise NotSignedIn("You are signed out. Sign in again to continue.")
        return self._vendor

    @property
    def actor(self) -> str:
        return self.user_email or "ui"

    @rx.event
    def require_login(self):
        """on_load of every signed-in page: back to the login page when signed out."""
        if not self._authenticate():
            target = self.router.url.path or routes.JOURNEYS
            return rx.redirect(f"{routes.LOGIN}?next={quote(target)}")
        self.pending_approvals = len(engine_access.engine().runs.approvals(self._vendor))

    @rx.event
    def log_out(self):
        self._forget()
        return rx.call_script(logout_script())

    @rx.event
    def search(self, form: dict[str, Any]):
        query = str(form.get("q") or "").strip()
        return rx.redirect(f"{routes.CLIENTS}?q={quote(query)}" if query else routes.CLIENTS)

    @rx.var
    def initials(self) -> str:
        source = self.user_name or self.user_email or "?"
        parts = [p for p in source.replace("@", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


def api_post_script(path: str, body: dict[str, Any]) -> str:
    """JavaScript that POSTs JSON to the same-origin REST API and resolves to
    ``{ok, status, error}`` (error: the API's message, or a plain one)."""
    return (
        "fetch(" + json.dumps(routes.API_PREFIX + path) + ", {method: 'POST', credentials: "
        "'same-origin', headers: {'content-type': 'application/json'}, body: "
        + json.dumps(json.dumps(body)) + "}).then(async (r) => { let b = {}; "
        "try { b = await r.json(); } catch (e) {} "
        "const err = (b && b.error) || {}; "
        "const fields = (err.details && err.details.fields) || []; "
        "const first = Array.isArray(fields) && fields.length ? fields[0] : null; "
        "return {ok: r.ok, status: r.status, code: err.code || '', "
        "message: err.message || (first && (first.field + ': ' + first.message)) || ''}; })"
        ".catch(() => ({ok: false, status: 0, code: 'NETWORK', "
        "message: 'The server could not be reached. Check your connection and try again.'}))"
    )


def logout_script() -> str:
    return (
        "fetch(" + json.dumps(routes.API_PREFIX + "/auth/logout") + ", {method: 'POST', "
        "credentials: 'same-origin'}).finally(() => window.location.assign("
        + json.dumps(routes.LOGIN) + "))"
    )


def go_to_script(path: str) -> str:
    """A full page load (the websocket reconnects and carries the new cookie)."""
    return f"window.location.assign({json.dumps(path)})"
