"""The shipped library of journey templates (the same for every vendor, so these routes are
marked `x-shared`: they hold no vendor's data). Forms are per vendor: see routers/forms.py."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from engine import library
from journey_app.api.auth import Caller
from journey_app.api.errors import COMMON_RESPONSES
from journey_app.api.pagination import Page, Paging, page_of

SHARED = {"x-shared": True}


class TemplateOut(BaseModel):
    key: str
    name: str
    description: str
    trade: str
    node_count: int


class TemplateDocument(TemplateOut):
    document: dict[str, Any]


def router() -> APIRouter:
    r = APIRouter(tags=["library"], responses=COMMON_RESPONSES)

    @r.get("/templates", response_model=Page[TemplateOut], openapi_extra=SHARED)
    def list_templates(caller: Caller, paging: Paging):
        """Ready-made wedding journeys, in catalogue order."""
        return page_of(library.list_templates(), paging,
                       lambda t: TemplateOut(**t.__dict__))

    @r.get("/templates/{template_key}", response_model=TemplateDocument, openapi_extra=SHARED)
    def get_template(template_key: str, caller: Caller):
        """A template's journeys/v1 document: POST it to /journeys to start from it."""
        document = library.load_template(template_key)
        info = next(t for t in library.list_templates() if t.key == template_key)
        return TemplateDocument(**info.__dict__, document=document)

    return r
