"""One error shape everywhere: {"error": {"code", "message", "details"}} with the right status.

Engine errors carry their own code and status (engine.errors); request validation names every
bad field; unknown paths and methods under the API answer in the same shape; anything
unexpected is logged with its traceback and answered 500 without one.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import AuthError, JourneyError, RateLimited

log = logging.getLogger("journeys.api")

HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
              405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 409: "CONFLICT",
              413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_ERROR",
              429: "RATE_LIMITED", 500: "INTERNAL_ERROR", 503: "UNAVAILABLE"}


class ErrorBody(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. NOT_FOUND, INVALID_INPUT")
    message: str = Field(description="what went wrong, for people")
    details: Any = Field(None, description="structured data: bad fields, problems, ids")


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(StarletteHTTPException):
    """An HTTP error raised by the API layer itself, with a code and details."""

    def __init__(self, status_code: int, message: str, *, code: str | None = None,
                 details: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code or HTTP_CODES.get(status_code, "ERROR")
        self.details = details


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _journey_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JourneyError)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, int(round(exc.retry_after))))
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = 'Bearer realm="journeys"'
    status = exc.http_status if 400 <= exc.http_status <= 599 else 400
    return error_response(status, exc.code, exc.message, _jsonable(exc.details), headers)


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = []
    for item in exc.errors():
        loc = [str(p) for p in item.get("loc", ())]
        fields.append({"field": ".".join(loc), "location": loc[0] if loc else "",
                       "message": item.get("msg", "invalid"), "type": item.get("type", "")})
    names = ", ".join(dict.fromkeys(f["field"] for f in fields)) or "request"
    return error_response(422, "VALIDATION_ERROR", f"invalid request: {names}",
                          {"fields": fields})


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code, "ERROR")
    message = exc.detail if isinstance(exc.detail, str) else HTTP_CODES.get(exc.status_code,
                                                                             "error")
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's answer to a body it cannot even decode (not UTF-8): a validation error
        # like any other malformed JSON.
        return error_response(422, "VALIDATION_ERROR", "invalid request: body",
                              {"fields": [{"field": "body", "location": "body",
                                           "message": "not a JSON document (UTF-8)",
                                           "type": "json_invalid"}]})
    if exc.status_code == 413:
        code = "PAYLOAD_TOO_LARGE"
        message = message if isinstance(exc, ApiError) else "request body too large"
    return error_response(exc.status_code, code, message, getattr(exc, "details", None),
                          dict(exc.headers or {}))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JourneyError, _journey_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    return str(value)


# Documented on every operation (schemathesis checks responses against these).
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": desc} for status, desc in (
        (401, "Not authenticated, or the key or session is invalid"),
        (403, "Authenticated but not allowed"),
        (404, "Not found for this vendor"),
        (409, "The operation does not fit the current state"),
        (413, "Request body too large"),
        (422, "Invalid input: every bad field is named"),
        (429, "Rate limited; see Retry-After"),
        (500, "Unexpected error (logged; no details)"),
        (503, "The engine is not configured"),
    )
}
PUBLIC_RESPONSES = {k: v for k, v in COMMON_RESPONSES.items() if k not in (401, 403)}
