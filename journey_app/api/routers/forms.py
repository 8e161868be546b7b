"""Hosted forms (engine.forms.FormService), the vendor's side: the form library and the forms
sent to a client (form requests: waiting, answered, expired). The couple's side, the public link,
is journey_app.api.public_forms."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from engine.errors import Conflict, NotFound
from engine.forms import FormService
from journey_app.api.auth import Caller
from journey_app.api.context import Ctx
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_of
from journey_app.api.schemas import In

QuestionType = Literal["short_text", "long_text", "number", "date", "single_choice",
                       "multiple_choice", "yes_no"]


class QuestionOut(BaseModel):
    key: str
    label: str
    type: str
    required: bool = False
    options: list[str] | None = None
    help: str | None = None


class FormOut(BaseModel):
    key: str
    title: str
    description: str = ""
    questions: list[QuestionOut]
    source: Literal["standard", "vendor"] = Field(
        description="standard: from the shipped library; vendor: the vendor's own (or their "
                    "version of a standard form)")


class QuestionIn(In):
    key: str = Field(max_length=64)
    label: str = Field(max_length=500)
    type: QuestionType
    required: bool = False
    options: list[str] | None = Field(None, max_length=50)
    help: str | None = Field(None, max_length=2000)


class FormIn(In):
    title: str = Field(max_length=500)
    description: str = Field("", max_length=5000)
    questions: list[QuestionIn] = Field(max_length=100)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Menu choices", "description": "Tell us what you would like to eat.",
        "questions": [{"key": "starter", "label": "Starter", "type": "single_choice",
                       "required": True, "options": ["Soup", "Salad"]}]}]})


class FormCreateIn(FormIn):
    key: str = Field(max_length=64, description="1-64 of A-Z a-z 0-9 _ -; what `form` nodes "
                                                "name")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "key": "menu", "title": "Menu choices",
        "questions": [{"key": "starter", "label": "Starter", "type": "single_choice",
                       "required": True, "options": ["Soup", "Salad"]}]}]})


class AnswerOut(BaseModel):
    key: str
    label: str
    type: str
    value: Any = None
    display: str


class ClientFormOut(BaseModel):
    form_key: str
    title: str
    status: Literal["waiting", "answered", "expired"]
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    submitted_at: datetime | None = None
    token: str | None = None
    run_id: str | None = None
    node: str | None = None
    answers: list[AnswerOut]


def form_out(form) -> FormOut:
    return FormOut.model_validate(form.to_dict())


def router() -> APIRouter:
    r = APIRouter(tags=["forms"], responses=COMMON_RESPONSES)

    @r.get("/forms", response_model=Page[FormOut])
    def list_forms(caller: Caller, ctx: Ctx, paging: Paging):
        """The vendor's forms: the standard ones (or the vendor's version of them) in library
        order, then the vendor's own by title."""
        return page_of(FormService(ctx.engine).list_forms(caller.vendor_id), paging, form_out)

    @r.get("/forms/{form_key}", response_model=FormOut)
    def get_form(form_key: str, caller: Caller, ctx: Ctx):
        return form_out(FormService(ctx.engine).get_form(caller.vendor_id, form_key))

    @r.post("/forms", status_code=status.HTTP_201_CREATED, response_model=FormOut)
    def create_form(body: FormCreateIn, caller: Caller, ctx: Ctx):
        """Add a form to the vendor's library (a standard form's key makes the vendor's own
        version of it). 409 if the vendor already has its own form with this key: PUT it.
        Every problem is named at once."""
        forms = FormService(ctx.engine)
        try:
            existing = forms.get_form(caller.vendor_id, body.key)
        except NotFound:
            existing = None
        if existing is not None and existing.source == "vendor":
            raise Conflict(f"the form {body.key!r} exists; PUT /forms/{body.key} changes it",
                           details={"key": body.key})
        return form_out(forms.save_form(caller.vendor_id, body.model_dump(exclude_none=True),
                                        actor=caller.actor))

    @r.put("/forms/{form_key}", response_model=FormOut)
    def update_form(form_key: str, body: FormIn, caller: Caller, ctx: Ctx):
        """Replace one of the vendor's forms (or make the vendor's version of a standard one).
        Links already sent show the new version when opened."""
        forms = FormService(ctx.engine)
        forms.get_form(caller.vendor_id, form_key)  # 404 unless the vendor has it
        data = {**body.model_dump(exclude_none=True), "key": form_key}
        return form_out(forms.save_form(caller.vendor_id, data, actor=caller.actor))

    @r.delete("/forms/{form_key}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_form(form_key: str, caller: Caller, ctx: Ctx) -> Response:
        """Remove the vendor's own form (a standard form with this key shows again)."""
        FormService(ctx.engine).delete_form(caller.vendor_id, form_key)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @r.get("/clients/{client_id}/forms", response_model=list[ClientFormOut])
    def client_forms(client_id: str, caller: Caller, ctx: Ctx):
        """The form requests sent to a client (waiting, answered, expired) and answers that
        came without a link, oldest first, each answer with its question's label."""
        client = ctx.engine.clients.get(caller.vendor_id, client_id)
        return [ClientFormOut.model_validate(f, from_attributes=True)
                for f in FormService(ctx.engine).client_forms(caller.vendor_id, client.id)]

    return r

