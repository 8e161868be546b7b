"""Hosted forms, public side: the page a couple opens from the form email, and its JSON twin.

    GET  /f/{token}                        the form (HTML, server-rendered, no login)
    POST /f/{token}                        form-encoded answers: the form again with every
                                           problem named (422), or a thank-you page (200)
    GET  /api/v1/public/forms/{token}      the form as JSON
    POST /api/v1/public/forms/{token}      {"answers": {question: answer}} -> the stored answers

No session or API key: the unguessable token in the link is the credential (it is never logged
and pages send `Referrer-Policy: no-referrer`). An unknown link answers 404, a used one 409, an
expired one (or a form the vendor removed) 410, each with its own friendly page or error code
(FORM_LINK_UNKNOWN, FORM_LINK_USED, FORM_LINK_EXPIRED, FORM_UNAVAILABLE). The work is
engine.forms.FormService; the engine comes from `app.state.engine`.

Wiring (create_api): `api.include_router(public_forms.router)`: no prefix (the paths above are
absolute), no dependencies. Bodies are capped here (MAX_BODY_BYTES), pages or not.
"""
from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import JourneyError, StorageUnavailable
from engine.forms import FormLinkError, FormService, InvalidAnswers, PublicForm
from journey_app.api import form_pages as pages
from journey_app.api.capped_body import BodyTooLarge, media_type, read_capped
from journey_app.api.errors import ErrorResponse, error_response
from journey_app.routes import API_PREFIX

log = logging.getLogger("journeys.api.forms")

PAGE_PATH = "/f/{token}"
JSON_PATH = f"{API_PREFIX}/public/forms/{{token}}"
MAX_BODY_BYTES = 256 * 1024
FORM_ENCODED = "application/x-www-form-urlencoded"


class QuestionOut(BaseModel):
    key: str
    label: str
    type: str = Field(description="short_text, long_text, number, date, single_choice, "
                                  "multiple_choice or yes_no")
    required: bool
    options: list[str] | None = Field(None, description="choice questions only")
    help: str | None = None


class FormOut(BaseModel):
    key: str
    title: str
    description: str
    questions: list[QuestionOut]


class Named(BaseModel):
    name: str
    contact: str | None = None


class FirstName(BaseModel):
    first_name: str


class PublicFormOut(BaseModel):
    token: str
    status: str = Field(description="always 'open': links that cannot be used answer an error")
    form: FormOut
    vendor: Named
    client: FirstName
    expires_at: str | None = None


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = Field(description="question key -> answer: text, a number, "
                                    "'YYYY-MM-DD', true/false, an option or a list of options")


class SubmissionOut(BaseModel):
    submitted: bool
    form: str
    submitted_at: str
    answers: dict[str, Any]


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text} for status, text in (
        (404, "FORM_LINK_UNKNOWN: no such link"),
        (409, "FORM_LINK_USED: the answers were already sent"),
        (410, "FORM_LINK_EXPIRED, or FORM_UNAVAILABLE: the vendor removed the form"),
        (413, "body too large"), (415, "not JSON"),
        (422, "INVALID_ANSWERS (details.fields names every bad answer) or a malformed body"),
        (503, "the engine is not available"))}
_PUBLIC = {"x-public": True}

router = APIRouter(tags=["public forms"])


class _NoEngine(Exception):
    pass


def _service(request: Request) -> FormService:
    state = request.app.state
    engine = getattr(state, "engine", None)
    if engine is None:
        raise _NoEngine()
    service = getattr(state, "form_service", None)
    if not isinstance(service, FormService) or service.engine is not engine:
        service = FormService(engine)
        state.form_service = service
    return service


# -- the page ---------------------------------------------------------------------------------

def _html(status: int, body: str) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=pages.SECURITY_HEADERS)


def _trouble(error: Exception) -> HTMLResponse:
    if isinstance(error, FormLinkError):
        return _html(*pages.problem_page(error.code, error.details))
    if isinstance(error, _NoEngine | StorageUnavailable):
        return _html(*pages.simple_page(503, "We couldn’t open the form just now",
                                        "Please try again in a minute."))
    raise error


@router.get(PAGE_PATH, include_in_schema=False)
def form_page(token: str, request: Request) -> Response:
    try:
        form = _service(request).get_public_form(token)
    except (FormLinkError, StorageUnavailable, _NoEngine) as error:
        return _trouble(error)
    return _html(200, pages.form_page(form))


@router.post(PAGE_PATH, include_in_schema=False)
async def submit_page(token: str, request: Request) -> Response:
    try:
        service = _service(request)
        if media_type(request) != FORM_ENCODED:
            return _html(*pages.simple_page(415, "Please send the form from its page",
                                            "Open the link from your email and press "
                                            "“Send my answers”."))
        try:
            fields = parse_qs((await read_capped(request, MAX_BODY_BYTES)).decode("utf-8"),
                              keep_blank_values=True, max_num_fields=2000)
        except BodyTooLarge:
            return _html(*pages.simple_page(413, "That’s a lot of text!",
                                            "Please shorten your answers and send again."))
        except (UnicodeDecodeError, ValueError):
            return _html(*pages.simple_page(400, "We couldn’t read your answers",
                                            "Please go back and send the form again."))
        form: PublicForm = await run_in_threadpool(service.get_public_form, token)
        answers = _from_fields(form, fields)
        try:
            done = await run_in_threadpool(service.submit, token, answers)
        except InvalidAnswers as error:
            return _html(422, pages.form_page(form, values=answers, problems=error.fields))
    except (FormLinkError, StorageUnavailable, _NoEngine) as error:
        return _trouble(error)
    log.info("form %s answered for client %s", done.form_key, done.client_id)
    return _html(200, pages.thanks_page(vendor=done.vendor_name,
                                        first_name=done.client_first_name,
                                        title=done.form_title))


def _from_fields(form: PublicForm, fields: dict[str, list[str]]) -> dict[str, Any]:
    """The form's answers from an HTML post: one value per question (checkboxes: a list).
    Other fields (a button name, a stray parameter) are ignored."""
    answers: dict[str, Any] = {}
    for q in form.form.questions:
        values = fields.get(q.key)
        if values is None:
            continue
        answers[q.key] = values if q.type == "multiple_choice" else values[-1]
    return answers


# -- JSON -------------------------------------------------------------------------------------

def _error(error: JourneyError) -> JSONResponse:
    return error_response(error.http_status, error.code, error.message, error.details)


def _no_engine() -> JSONResponse:
    return error_response(503, "ENGINE_UNAVAILABLE", "the engine is not configured")


@router.get(JSON_PATH, openapi_extra=_PUBLIC, responses={200: {"model": PublicFormOut},
                                                        **_ERRORS})
def public_form(token: str, request: Request) -> JSONResponse:
    """The form behind a link: its questions, whose it is and who it is for. No login."""
    try:
        return JSONResponse(_service(request).get_public_form(token).to_dict(),
                            headers={"Cache-Control": "no-store"})
    except _NoEngine:
        return _no_engine()
    except JourneyError as error:
        return _error(error)


@router.post(JSON_PATH, openapi_extra={**_PUBLIC, "requestBody": {
    "required": True, "content": {"application/json": {
        "schema": SubmissionIn.model_json_schema()}}}},
    responses={200: {"model": SubmissionOut}, **_ERRORS})
async def submit_form(token: str, request: Request) -> JSONResponse:
    """Answer a form: every answer is checked against its question (each bad one is named),
    stored, and emitted as `form_submitted` for the client. A link is answered once."""
    try:
        service = _service(request)
    except _NoEngine:
        return _no_engine()
    if media_type(request) != "application/json":
        return error_response(415, "UNSUPPORTED_MEDIA_TYPE", "send the answers as JSON")
    try:
        body = SubmissionIn.model_validate(json.loads(await read_capped(request,
                                                                         MAX_BODY_BYTES)))
    except BodyTooLarge as error:
        return error_response(413, "PAYLOAD_TOO_LARGE", str(error),
                              {"max_bytes": error.limit})
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error_response(422, "VALIDATION_ERROR", "invalid request: body", {"fields": [
            {"field": "body", "location": "body", "message": "not a JSON document",
             "type": "json_invalid"}]})
    except ValidationError as error:
        fields = [{"field": ".".join(["body", *map(str, e["loc"])]), "location": "body",
                   "message": e["msg"], "type": e["type"]} for e in error.errors()]
        return error_response(422, "VALIDATION_ERROR", "invalid request: "
                              + ", ".join(f["field"] for f in fields), {"fields": fields})
    try:
        done = await run_in_threadpool(service.submit, token, body.answers)
    except JourneyError as error:
        return _error(error)
    log.info("form %s answered for client %s", done.form_key, done.client_id)
    return JSONResponse(done.to_dict(), headers={"Cache-Control": "no-store"})


__all__ = ["JSON_PATH", "MAX_BODY_BYTES", "PAGE_PATH", "router"]
