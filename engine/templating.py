"""Templates in journeys: Jinja2 in a sandbox (spec: Templates).

One shared :class:`~jinja2.sandbox.SandboxedEnvironment` renders every template:

- :func:`render_text` for subjects, plain-text bodies, ``to`` and webhook bodies (no escaping);
- :func:`render_html` for HTML email bodies (autoescape on, through an overlay of the same
  environment, so filters, globals and settings are shared).

Missing data renders empty: the environment uses :class:`~jinja2.ChainableUndefined`, so
``{{ client.fields.shoe_size }}`` or even ``{{ client.fields.a.b.c }}`` is ``""`` for a client that
lacks the field. Unknown *top-level* names (a typo like ``{{ clinet.name }}``) are not a runtime
concern: :func:`template_problems` reports them and the validator refuses the document.

Compiled templates are cached per source text (an LRU of :data:`CACHE_SIZE` entries per mode), so
the hot loop compiles each template once.
"""
from __future__ import annotations

from engine.describe import json_type_name as _type_name

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, Undefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from engine.errors import InvalidInput

__all__ = [
    "ENV",
    "HTML_ENV",
    "CACHE_SIZE",
    "TemplateRenderError",
    "render_text",
    "render_html",
    "compile_text",
    "compile_html",
    "template_problems",
    "referenced_variables",
    "longdate",
    "shortdate",
]

CACHE_SIZE = 2048

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class TemplateRenderError(InvalidInput):
    """A template failed to compile or render (bad syntax, sandbox violation, filter error)."""

    code = "TEMPLATE_ERROR"


def _as_date(value: Any) -> date | None:
    """A date from a date, a datetime or an ISO 8601 string; None when there is nothing to show."""
    if value is None or isinstance(value, Undefined):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def longdate(value: Any) -> str:
    """``Saturday, 12 June 2027``. Accepts a date, datetime or ISO string; empty for missing data.

    An aware datetime is shown on its own calendar day (convert it to local time first if needed).
    A string that is not a date is returned unchanged rather than failing the whole email.
    """
    d = _as_date(value)
    if d is None:
        return "" if value is None or isinstance(value, Undefined) else str(value)
    return f"{_WEEKDAYS[d.weekday()]}, {d.day} {_MONTHS[d.month - 1]} {d.year}"


def shortdate(value: Any) -> str:
    """``12 Jun 2027``. Same inputs as :func:`longdate`."""
    d = _as_date(value)
    if d is None:
        return "" if value is None or isinstance(value, Undefined) else str(value)
    return f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"


ENV = SandboxedEnvironment(
    autoescape=False,
    undefined=ChainableUndefined,
    keep_trailing_newline=True,
    auto_reload=False,
)
ENV.filters["longdate"] = longdate
ENV.filters["shortdate"] = shortdate
HTML_ENV = ENV.overlay(autoescape=True)


@lru_cache(maxsize=CACHE_SIZE)
def compile_text(source: str):
    """The compiled text template for `source` (cached). Raises TemplateRenderError."""
    try:
        return ENV.from_string(source)
    except TemplateError as exc:
        raise TemplateRenderError(f"template does not compile: {_describe(exc)}") from exc


@lru_cache(maxsize=CACHE_SIZE)
def compile_html(source: str):
    """The compiled autoescaping template for `source` (cached). Raises TemplateRenderError."""
    try:
        return HTML_ENV.from_string(source)
    except TemplateError as exc:
        raise TemplateRenderError(f"template does not compile: {_describe(exc)}") from exc


def _render(template, context: Mapping[str, Any] | None) -> str:
    # What Template.render() does, minus its per-call copy of the globals ChainMap into a dict
    # and a set (two thirds of a render in the simulator's profile): the flat copy is taken once
    # per compiled template (cached above); the environment's globals never change after import.
    flat = template.__dict__.get("_flat_globals")
    if flat is None:
        flat = template._flat_globals = dict(template.globals)
    env = template.environment
    try:
        ctx = env.context_class(env, {**flat, **(context or {})}, template.name,
                                template.blocks, globals=flat)
        return env.concat(template.root_render_func(ctx))
    except TemplateError as exc:
        raise TemplateRenderError(f"template failed to render: {_describe(exc)}") from exc
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise TemplateRenderError(f"template failed to render: {type(exc).__name__}: {exc}") from exc


def render_text(source: str, context: Mapping[str, Any] | None = None) -> str:
    """Render a text template (subject, plain body, `to`, webhook body); no HTML escaping."""
    return _render(compile_text(source), context)


def render_html(source: str, context: Mapping[str, Any] | None = None) -> str:
    """Render an HTML template (email/form body as HTML): values are HTML-escaped."""
    return _render(compile_html(source), context)


def _describe(exc: TemplateError) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    lineno = getattr(exc, "lineno", None)
    return f"{message} (line {lineno})" if lineno else message


@lru_cache(maxsize=CACHE_SIZE)
def _analyse(source: str) -> tuple[str | None, frozenset[str], tuple[str | None, ...]]:
    """(syntax error or None, undeclared top-level names, referenced templates)."""
    try:
        ast = ENV.parse(source)
        # Runs the code generator over the tree, so it also fails on what only compiling finds
        # (an unknown filter or test).
        names = frozenset(meta.find_undeclared_variables(ast))
        refs = tuple(meta.find_referenced_templates(ast))
        # An unknown test inside {% if %} compiles but fails on every render: report it now.
        for test in ast.find_all(nodes.Test):
            if test.name not in ENV.tests:
                return f"no test named {test.name!r} (line {test.lineno})", frozenset(), ()
    except TemplateError as exc:
        return _describe(exc), frozenset(), ()
    except (RecursionError, MemoryError):
        return "template is nested too deeply", frozenset(), ()
    except Exception as exc:  # pragma: no cover - Jinja internals on pathological input
        return f"{type(exc).__name__}: {exc}", frozenset(), ()
    if not refs and any(True for _ in ast.find_all((nodes.Extends, nodes.Include, nodes.Import,
                                                    nodes.FromImport))):
        refs = (None,)
    return None, names, refs


def referenced_variables(source: str) -> frozenset[str]:
    """Top-level names a template reads (empty when it does not compile)."""
    if not isinstance(source, str):
        return frozenset()
    return _analyse(source)[1]


def template_problems(source: Any, allowed_vars: Iterable[str]) -> list[str]:
    """What is wrong with a template, as short English phrases (empty list: fine).

    Checks that `source` is a string, compiles in the sandbox, names only `allowed_vars` at the
    top level (Jinja's own globals such as ``range`` are always allowed), and does not include,
    import or extend other templates (there are none to load).
    """
    if not isinstance(source, str):
        return [f"must be a string, got {_type_name(source)}"]
    error, names, refs = _analyse(source)
    if error is not None:
        return [f"does not compile: {error}"]
    problems: list[str] = []
    allowed = set(allowed_vars)
    unknown = sorted(n for n in names if n not in allowed and n not in ENV.globals)
    for name in unknown:
        problems.append(
            f"uses unknown variable {name!r} (allowed: {', '.join(sorted(allowed))})")
    if refs:
        problems.append("may not include, import or extend other templates")
    return problems


