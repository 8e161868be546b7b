"""The library of ready-made wedding journeys and the standard forms they use.

Templates are plain `journeys/v1` documents shipped as package data in ``templates/<key>.json``;
the standard form definitions are in ``forms.json``. Both are read with :mod:`importlib.resources`
(so they work from a source tree, a wheel or a zip) and parsed once; every ``load_*`` call returns
a fresh deep copy, so callers may edit what they get without touching the cache.

A template document carries only what the format allows (name, description, settings, nodes,
edges). What the catalogue adds - the trade a template is for - lives in :data:`TRADES` below,
in display order.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from engine.errors import NotFound

__all__ = ["TemplateInfo", "TRADES", "list_templates", "load_template", "list_forms",
           "load_form", "template_keys"]

# key -> trade, in the order the catalogue shows them.
TRADES: dict[str, str] = {
    "photographer_inquiry_to_anniversary": "photographer",
    "videographer_booked_to_film": "videographer",
    "planner_full_service": "planner",
    "planner_wedding_coordination": "planner",
    "venue_booked_to_anniversary": "venue",
    "florist_consultation_to_delivery": "florist",
    "dj_booked_to_last_dance": "dj_band",
    "caterer_tasting_to_final_count": "caterer",
    "hair_makeup_trial_to_wedding_morning": "hair_makeup",
    "inquiry_nurture": "any",
    "payment_reminders": "any",
}


@dataclass(frozen=True)
class TemplateInfo:
    key: str
    name: str
    description: str
    trade: str
    node_count: int


def _package():
    return resources.files(__name__)


@lru_cache(maxsize=None)
def _template_files() -> dict[str, Any]:
    folder = _package().joinpath("templates")
    return {entry.name[: -len(".json")]: entry for entry in folder.iterdir()
            if entry.name.endswith(".json") and entry.is_file()}


def template_keys() -> list[str]:
    """Every shipped template key: catalogued ones in catalogue order, then any others."""
    files = _template_files()
    ordered = [key for key in TRADES if key in files]
    return ordered + sorted(key for key in files if key not in TRADES)


@lru_cache(maxsize=None)
def _template(key: str) -> dict[str, Any]:
    entry = _template_files().get(key)
    if entry is None:
        raise NotFound("template", key)
    return json.loads(entry.read_text(encoding="utf-8"))


def list_templates() -> list[TemplateInfo]:
    """A summary of every template, in catalogue order."""
    infos = []
    for key in template_keys():
        doc = _template(key)
        infos.append(TemplateInfo(key=key, name=doc["name"],
                                  description=doc.get("description", ""),
                                  trade=TRADES.get(key, "any"),
                                  node_count=len(doc["nodes"])))
    return infos


def load_template(key: str) -> dict[str, Any]:
    """The template's `journeys/v1` document (a fresh copy). Raises NotFound for unknown keys."""
    if not isinstance(key, str) or key not in _template_files():
        raise NotFound("template", key)
    return copy.deepcopy(_template(key))


@lru_cache(maxsize=None)
def _forms() -> dict[str, dict[str, Any]]:
    text = _package().joinpath("forms.json").read_text(encoding="utf-8")
    return {form["key"]: form for form in json.loads(text)}


def list_forms() -> list[dict[str, Any]]:
    """Every standard form definition (fresh copies), in file order."""
    return copy.deepcopy(list(_forms().values()))


def load_form(key: str) -> dict[str, Any]:
    """One standard form definition (a fresh copy). Raises NotFound for unknown keys."""
    form = _forms().get(key) if isinstance(key, str) else None
    if form is None:
        raise NotFound("form", key)
    return copy.deepcopy(form)
