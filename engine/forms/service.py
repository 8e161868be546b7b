"""Hosted forms: a vendor's library of forms, the public link a couple answers, and its answers.

    forms = FormService(engine)
    forms.save_form(vendor_id, {"key": "menu", "title": "Menu", "questions": [...]}, actor=...)
    page = forms.get_public_form(token)          # what the public page shows
    done = forms.submit(token, {"first_look": "yes", ...})

A vendor's forms are their own (vendor_form table) plus the standard forms of engine.library,
which they can override by saving a form with the same key (deleting it brings the standard
one back). A `form` node's link names a form by key; the form is looked up when the link is
opened, so an edit reaches links already sent.

`submit` does everything in ONE transaction: it checks every answer against the questions,
marks the link answered (once: a second submit is refused and writes nothing), keeps the answers
on the form request, and hands `form_submitted` {"form", "answers", "request"} to the event
service, which stores them on the client (`form.<key>.<question>` in conditions), resumes runs
waiting for it and starts journeys triggered by it.

A link expires at its request's `expires_at`, else `link_ttl` after it was sent (default 90
days; a vendor setting `form_link_days` overrides it). No clock is read here but the engine's.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.clock import format_utc
from engine.domain import Client, FormRequest, Vendor
from engine.errors import NotFound
from engine.forms.errors import FormLinkExpired, FormLinkUnknown, FormLinkUsed, FormUnavailable
from engine.forms.model import FormDefinition, Question, check_answers, parse_form
from engine.forms.repository import form_records
from engine.library import list_forms as standard_forms
from engine.storage.base import Tx

DEFAULT_LINK_TTL = timedelta(days=90)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
EVENT = "form_submitted"


@dataclass(frozen=True)
class PublicForm:
    """What the couple sees: the form, whose it is, and who it is for (first name only)."""
    token: str
    form: FormDefinition
    vendor_name: str
    vendor_contact: str | None
    client_first_name: str
    expires_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        form = self.form.to_dict()
        form.pop("source", None)
        return {"token": self.token, "status": "open", "form": form,
                "vendor": {"name": self.vendor_name, "contact": self.vendor_contact},
                "client": {"first_name": self.client_first_name},
                "expires_at": format_utc(self.expires_at) if self.expires_at else None}


@dataclass(frozen=True)
class FormSubmission:
    token: str
    form_key: str
    vendor_id: str
    client_id: str
    submitted_at: datetime
    answers: dict[str, Any]
    event: dict[str, Any]  # the event service's answer: started, resumed, exited, goals
    vendor_name: str = ""
    client_first_name: str = ""
    form_title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"submitted": True, "form": self.form_key,
                "submitted_at": format_utc(self.submitted_at),
                "answers": copy.deepcopy(self.answers)}


@dataclass(frozen=True)
class AnsweredQuestion:
    key: str
    label: str
    type: str
    value: Any
    display: str  # the answer as text, for the client's page


@dataclass(frozen=True)
class ClientForm:
    """One form on a client's page: a link that was sent (waiting, answered or expired) or
    answers that arrived without a link (an API event)."""
    form_key: str
    title: str
    status: str  # waiting | answered | expired
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    submitted_at: datetime | None = None
    token: str | None = None
    run_id: str | None = None
    node: str | None = None
    answers: list[AnsweredQuestion] = field(default_factory=list)


class FormService:
    def __init__(self, engine: Any, *, link_ttl: timedelta | None = DEFAULT_LINK_TTL):
        self.engine = engine
        self.store = engine.store
        self.clock = engine.clock
        self.link_ttl = link_ttl

    # -- the vendor's library ------------------------------------------------------------------
    def list_forms(self, vendor_id: str) -> list[FormDefinition]:
        """The vendor's forms: standard ones (or the vendor's version of them) in library order,
        then the vendor's own by title."""
        with self.store.transaction() as tx:
            self._vendor(tx, vendor_id)
            own = {f.key: f for f in form_records(tx).list(vendor_id)}
        found = [own.pop(f["key"], None) or _standard(f) for f in standard_forms()]
        return found + sorted(own.values(), key=lambda f: (f.title.lower(), f.key))

    def get_form(self, vendor_id: str, key: str, tx: Tx | None = None) -> FormDefinition:
        if tx is None:
            with self.store.transaction() as tx:
                return self.get_form(vendor_id, key, tx)
        self._vendor(tx, vendor_id)
        found = self._lookup(tx, vendor_id, key)
        if found is None:
            raise NotFound("form", key)
        return found

    def save_form(self, vendor_id: str, data: dict[str, Any], *,
                  actor: str = "api") -> FormDefinition:
        """Create or replace the vendor's form with this key (every problem named at once)."""
        form = parse_form(data, vendor_id=vendor_id)
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._vendor(tx, vendor_id)
            records = form_records(tx)
            old = records.get(vendor_id, form.key)
            form.created_at = old.created_at if old is not None else now
            form.updated_at, form.updated_by = now, actor
            records.put(form)
        return form

    def delete_form(self, vendor_id: str, key: str) -> None:
        """Remove the vendor's own form (a standard form with this key shows again)."""
        with self.store.transaction() as tx:
            self._vendor(tx, vendor_id)
            if not form_records(tx).delete(vendor_id, key):
                raise NotFound("form", key)

    # -- the public link -----------------------------------------------------------------------
    def get_public_form(self, token: str) -> PublicForm:
        """The form behind a link, or FormLinkUnknown / FormLinkUsed / FormLinkExpired /
        FormUnavailable (each its own page)."""
        with self.store.transaction() as tx:
            request, vendor, client, form, expires = self._open(tx, token)
        return PublicForm(token=request.token, form=form, vendor_name=vendor.name,
                          vendor_contact=vendor.reply_to or vendor.email,
                          client_first_name=client.view()["first_name"], expires_at=expires)

    def submit(self, token: str, answers: Any) -> FormSubmission:
        """Check, store and emit the answers, in one transaction (see the module docstring)."""
        with self.store.transaction() as tx:
            request, vendor, client, form, _ = self._open(tx, token)
            clean = check_answers(form, answers)
            now = self.clock.now()
            if not form_records(tx).claim_request(request.token, submitted_at=now,
                                                   answers=clean):
                raise FormLinkUsed(self._used_details(tx, vendor, request.token))
            data = {"form": form.key, "answers": copy.deepcopy(clean), "request": request.token}
            result = self.engine.events.handle(tx, vendor, client, EVENT, data,
                                               key=f"form:{request.token}")
        return FormSubmission(token=request.token, form_key=form.key, vendor_id=vendor.id,
                              client_id=client.id, submitted_at=now, answers=clean,
                              event=result, vendor_name=vendor.name,
                              client_first_name=client.view()["first_name"],
                              form_title=form.title)

    # -- a client's forms ----------------------------------------------------------------------
    def client_forms(self, vendor_id: str, client_id: str) -> list[ClientForm]:
        """Every form sent to the client (waiting, answered, expired) and any answers that came
        without a link, oldest first, each answer with its question's label."""
        with self.store.transaction() as tx:
            vendor = self._vendor(tx, vendor_id)
            client = tx.get_client(client_id)
            if client is None or client.vendor_id != vendor_id:
                raise NotFound("client", client_id)
            now = self.clock.now()
            entries: list[ClientForm] = []
            answered: set[str] = set()
            for request in form_records(tx).requests_for_client(client_id):
                form = self._lookup(tx, vendor_id, request.form_key)
                if request.submitted_at is not None:
                    status = "answered"
                    answered.add(request.form_key)
                else:
                    expires = self._expires(request, vendor)
                    status = "expired" if expires is not None and now >= expires else "waiting"
                entries.append(ClientForm(
                    form_key=request.form_key, title=form.title if form else request.form_key,
                    status=status, sent_at=request.created_at,
                    expires_at=self._expires(request, vendor), submitted_at=request.submitted_at,
                    token=request.token, run_id=request.run_id, node=request.node,
                    answers=_labelled(form, request.answers or {})))
            for key, values in client.form_answers.items():
                if key not in answered:
                    form = self._lookup(tx, vendor_id, key)
                    entries.append(ClientForm(form_key=key, title=form.title if form else key,
                                              status="answered",
                                              answers=_labelled(form, values or {})))
        return sorted(entries, key=lambda e: (e.sent_at or e.submitted_at or now, e.form_key))

    # -- helpers -------------------------------------------------------------------------------
    def _vendor(self, tx: Tx, vendor_id: str) -> Vendor:
        vendor = tx.get_vendor(vendor_id)
        if vendor is None:
            raise NotFound("vendor", vendor_id)
        return vendor

    def _lookup(self, tx: Tx, vendor_id: str, key: str) -> FormDefinition | None:
        own = form_records(tx).get(vendor_id, key)
        if own is not None:
            return own
        return next((_standard(f) for f in standard_forms() if f["key"] == key), None)

    def _expires(self, request: FormRequest, vendor: Vendor) -> datetime | None:
        if request.expires_at is not None:
            return request.expires_at
        days = (vendor.settings or {}).get("form_link_days")
        if isinstance(days, int) and not isinstance(days, bool) and days > 0:
            return request.created_at + timedelta(days=days)
        return request.created_at + self.link_ttl if self.link_ttl is not None else None

    def _open(self, tx: Tx, token: Any
              ) -> tuple[FormRequest, Vendor, Client, FormDefinition, datetime | None]:
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            raise FormLinkUnknown()
        request = tx.get_form_request(token)
        if request is None:
            raise FormLinkUnknown()
        vendor = tx.get_vendor(request.vendor_id)
        client = tx.get_client(request.client_id)
        if vendor is None or client is None or client.vendor_id != vendor.id:
            raise FormLinkUnknown()  # the client (or vendor) is gone: nothing to answer for
        contact = {"vendor": vendor.name, "contact": vendor.reply_to or vendor.email}
        if request.submitted_at is not None:
            raise FormLinkUsed(self._used_details(tx, vendor, token, request))
        expires = self._expires(request, vendor)
        if expires is not None and self.clock.now() >= expires:
            raise FormLinkExpired({**contact, "expired_at": format_utc(expires)})
        form = self._lookup(tx, vendor.id, request.form_key)
        if form is None:
            raise FormUnavailable({**contact, "form": request.form_key})
        return request, vendor, client, form, expires

    @staticmethod
    def _used_details(tx: Tx, vendor: Vendor, token: str,
                      request: FormRequest | None = None) -> dict[str, Any]:
        request = request or tx.get_form_request(token)
        at = request.submitted_at if request is not None else None
        return {"vendor": vendor.name, "contact": vendor.reply_to or vendor.email,
                "submitted_at": format_utc(at) if at else None}


def _standard(data: dict[str, Any]) -> FormDefinition:
    return parse_form(data)


def _display(question: Question | None, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _labelled(form: FormDefinition | None, answers: dict[str, Any]) -> list[AnsweredQuestion]:
    """Answers in the form's question order, labelled; answers to questions the form no longer
    has come last, under their keys."""
    out: list[AnsweredQuestion] = []
    questions = form.questions if form is not None else []
    for q in questions:
        if q.key in answers:
            out.append(AnsweredQuestion(q.key, q.label, q.type, answers[q.key],
                                        _display(q, answers[q.key])))
    known = {q.key for q in questions}
    for key, value in answers.items():
        if key not in known:
            out.append(AnsweredQuestion(key, key, "unknown", value, _display(None, value)))
    return out


__all__ = ["AnsweredQuestion", "ClientForm", "DEFAULT_LINK_TTL", "FormService",
           "FormSubmission", "PublicForm"]
