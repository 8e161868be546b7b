"""Validation of `journeys/v1` documents (spec: Validation).

`validate(source)` returns every problem at once, as a list of Problem (see problems.py); an
empty list, or one with warnings only, means the document may be published. It never raises,
whatever it is given: malformed JSON, a JSON list, nodes that are not objects, wrong types
anywhere.

Every message starts with where the problem is: "document: ...", "settings.<key>...: ...",
"node '<id>': config.<path> ...", "nodes[<i>]: ..." (a node without a usable id),
"edge '<from>' -> '<to>': ..." or "edges[<i>]: ...". Problems name their node id (`node`) and,
for edge problems, the edge (`edge` = (from, to)); an edge problem also names its source node
when that node exists.
"""
from __future__ import annotations

from engine.describe import json_type_name as _type_name

import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from engine.calendar.validation import (
    MAX_OFFSET_BUSINESS_DAYS,
    check_calendar,
    check_duration,
    check_duration_or_time,
    check_send_window,
    check_time_spec,
    check_timezone,
)
from engine.templating import referenced_variables, template_problems

from . import schema as S
from .problems import Problem

__all__ = ["validate", "validate_document", "parse_source", "CODES"]

# Every code validate() can report, with its severity.
CODES: dict[str, str] = {
    "INVALID_JSON": "error",
    "INVALID_FORMAT": "error",
    "UNKNOWN_KEY": "error",
    "INVALID_DOCUMENT": "error",
    "INVALID_ID": "error",
    "DUPLICATE_ID": "error",
    "UNKNOWN_NODE_TYPE": "error",
    "NO_TRIGGER": "error",
    "MULTIPLE_TRIGGERS": "error",
    "UNKNOWN_EDGE_NODE": "error",
    "EDGE_INTO_TRIGGER": "error",
    "INVALID_EDGE_LABEL": "error",
    "MISSING_EDGE_LABEL": "error",
    "DUPLICATE_EDGE_LABEL": "error",
    "UNREACHABLE_NODE": "error",
    "CYCLE_WITHOUT_WAIT": "error",
    "INVALID_CONFIG": "error",
    "INVALID_SPLIT_WEIGHT": "error",
    "INVALID_CONDITION": "error",
    "INVALID_TEMPLATE": "error",
    "INVALID_SETTINGS": "error",
    "UNKNOWN_TIMEZONE": "error",
    "INVALID_DURATION": "error",
    "INVALID_TIME": "error",
    "INVALID_CALENDAR": "error",
    "UNKNOWN_HOLIDAY_CODE": "error",
    "INVALID_SEND_WINDOW": "error",
    "DEAD_END": "warning",
}

_MISSING = object()
_EVENT_HINT = "client_added, form_submitted, payment_received, manual, or custom:<name>"




def _show(value: Any, limit: int = 60) -> str:
    """A short repr of a value for a message."""
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - exotic objects passed as dicts
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _key_list(keys) -> str:
    return ", ".join(keys)


def parse_source(source: Any) -> tuple[Any, list[Problem]]:
    """(parsed JSON value or None, problems). Bytes are UTF-8 (a BOM is allowed)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        try:
            source = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [Problem("INVALID_JSON", "error",
                                  f"document: is not UTF-8 text (bad byte at offset {exc.start})")]
    if isinstance(source, str):
        if source.startswith("\ufeff"):
            source = source[1:]

        def reject_constant(name: str) -> Any:
            raise ValueError(f"{name} is not valid JSON")

        try:
            return json.loads(source, parse_constant=reject_constant), []
        except json.JSONDecodeError as exc:
            return None, [Problem("INVALID_JSON", "error",
                                  f"document: malformed JSON at line {exc.lineno} column "
                                  f"{exc.colno}: {exc.msg}")]
        except RecursionError:
            return None, [Problem("INVALID_JSON", "error", "document: JSON is nested too deeply")]
        except ValueError as exc:
            return None, [Problem("INVALID_JSON", "error", f"document: malformed JSON: {exc}")]
    return source, []


def validate(source: str | bytes | dict) -> list[Problem]:
    """Every problem in a journey document (JSON text, UTF-8 bytes, or the parsed object).

    Never raises: an unexpected failure inside the validator itself is reported as an
    INVALID_DOCUMENT problem rather than an exception.
    """
    try:
        return _validate(source)
    except RecursionError:
        return [Problem("INVALID_DOCUMENT", "error", "document: is nested too deeply to check")]
    except Exception as exc:  # a bug must not turn into a 500 or a traceback
        return [Problem("INVALID_DOCUMENT", "error",
                        f"document: could not be checked ({type(exc).__name__}: {exc})")]


def validate_document(doc: Any) -> list[Problem]:
    """validate() for a JourneyDocument (converted back to its JSON shape first)."""
    from .document import JourneyDocument, document_to_dict

    if isinstance(doc, JourneyDocument):
        doc = document_to_dict(doc)
    return validate(doc)


def _validate(source: Any) -> list[Problem]:
    data, problems = parse_source(source)
    if problems:
        return problems
    v = _Validator()
    v.document(data)
    return v.problems


def _guarded(check, code: str):
    """A calendar checker that cannot raise: a crash on odd input becomes one problem."""

    def run(value: Any, where: str) -> list[tuple[str, str]]:
        try:
            return check(value, where)
        except Exception:
            return [(code, f"{where}: is not valid ({_show(value)})")]

    return run


check_calendar = _guarded(check_calendar, "INVALID_CALENDAR")
check_duration = _guarded(check_duration, "INVALID_DURATION")
check_duration_or_time = _guarded(check_duration_or_time, "INVALID_DURATION")
check_send_window = _guarded(check_send_window, "INVALID_SEND_WINDOW")
check_time_spec = _guarded(check_time_spec, "INVALID_TIME")
check_timezone = _guarded(check_timezone, "UNKNOWN_TIMEZONE")


class _Validator:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # First node of each usable (string) id: id -> (type, config, index)
        self.nodes: dict[str, tuple[Any, dict, int]] = {}
        self.triggers: list[tuple[str | None, str]] = []  # (id or None, how to name it)

    def add(self, code: str, message: str, node: str | None = None,
            edge: tuple[str, str] | None = None, severity: str | None = None) -> None:
        self.problems.append(Problem(code, severity or CODES.get(code, "error"), message,
                                     node, edge))

    def add_all(self, found: list[tuple[str, str]], node: str | None = None,
                remap: dict[str, str] | None = None) -> None:
        for code, message in found:
            if remap:
                code = remap.get(code, code)
            self.add(code, message, node)

    # -- document ----------------------------------------------------------------------------

    def document(self, d: Any) -> None:
        if not isinstance(d, Mapping):
            self.add("INVALID_FORMAT",
                     f"document: must be a JSON object with format 'journeys/v1', "
                     f"got {_type_name(d)}")
            return
        for key in d:
            if key not in S.DOCUMENT_KEYS:
                self.add("UNKNOWN_KEY", f"document: unknown key {_show(key)} "
                                        f"(allowed: {_key_list(S.DOCUMENT_KEYS)})")
        fmt = d.get("format", _MISSING)
        if fmt is _MISSING:
            self.add("INVALID_FORMAT", f"document: format is missing; expected {S.FORMAT!r}")
        elif fmt != S.FORMAT:
            self.add("INVALID_FORMAT", f"document: format must be {S.FORMAT!r}, got {_show(fmt)}")

        name = d.get("name", _MISSING)
        if name is _MISSING:
            self.add("INVALID_DOCUMENT", "document: name is required")
        elif not _nonempty_str(name):
            self.add("INVALID_DOCUMENT",
                     f"document: name must be a non-empty string, got {_show(name)}")
        desc = d.get("description")
        if desc is not None and not isinstance(desc, str):
            self.add("INVALID_DOCUMENT",
                     f"document: description must be a string, got {_type_name(desc)}")

        if "settings" in d and d["settings"] is not None:
            self.settings(d["settings"])

        nodes = d.get("nodes", _MISSING)
        if nodes is _MISSING:
            self.add("INVALID_DOCUMENT", "document: nodes is required (a list of nodes)")
            nodes = []
        elif not isinstance(nodes, list):
            self.add("INVALID_DOCUMENT",
                     f"document: nodes must be a list, got {_type_name(nodes)}")
            nodes = []
        for i, raw in enumerate(nodes):
            self.node(i, raw)

        if not self.triggers:
            self.add("NO_TRIGGER", "document: has no trigger node; a journey needs exactly one")
        if len(self.triggers) > 1:
            first = self.triggers[0][1]
            for ref, label in self.triggers[1:]:
                self.add("MULTIPLE_TRIGGERS",
                         f"{label}: is a second trigger; a journey has exactly one trigger "
                         f"(the first is {first})", ref)

        edges = d.get("edges", _MISSING)
        if edges is _MISSING:
            self.add("INVALID_DOCUMENT", "document: edges is required (a list, may be empty)")
            edges = []
        elif not isinstance(edges, list):
            self.add("INVALID_DOCUMENT",
                     f"document: edges must be a list, got {_type_name(edges)}")
            edges = []
        out: dict[str, list[tuple[Any, str, tuple[str, str]]]] = {n: [] for n in self.nodes}
        graph_edges: list[tuple[str, str]] = []
        for i, raw in enumerate(edges):
            self.edge(i, raw, out, graph_edges)

        self.labels(out)
        self.graph(graph_edges)

    # -- settings ----------------------------------------------------------------------------

    def settings(self, s: Any) -> None:
        if not isinstance(s, Mapping):
            self.add("INVALID_SETTINGS", f"settings: must be an object, got {_type_name(s)}")
            return
        for key in s:
            if key not in S.SETTINGS_KEYS:
                self.add("UNKNOWN_KEY", f"settings: unknown key {_show(key)} "
                                        f"(allowed: {_key_list(S.SETTINGS_KEYS)})")
        remap = {"INVALID_CONFIG": "INVALID_SETTINGS"}

        def present(key: str) -> bool:
            return key in s and s[key] is not None  # null means "use the default"

        if present("timezone"):
            self.add_all(check_timezone(s["timezone"], "settings.timezone"), remap=remap)
        if present("send_window"):
            self.add_all(check_send_window(s["send_window"], "settings.send_window"), remap=remap)
        if present("calendar"):
            self.add_all(check_calendar(s["calendar"], "settings.calendar"), remap=remap)
        if present("reentry") and s["reentry"] not in S.REENTRY_VALUES:
            self.add("INVALID_SETTINGS", f"settings.reentry: must be 'never' or 'after_exit', "
                                         f"got {_show(s['reentry'])}")
        if present("exit_on"):
            events = s["exit_on"]
            if not isinstance(events, list):
                self.add("INVALID_SETTINGS",
                         f"settings.exit_on: must be a list of events, got {_type_name(events)}")
            else:
                for i, ev in enumerate(events):
                    self.event(ev, f"settings.exit_on[{i}]", None, "INVALID_SETTINGS",
                               allow_date=False)
        if present("goal"):
            goal = s["goal"]
            if not isinstance(goal, Mapping):
                self.add("INVALID_SETTINGS", f"settings.goal: must be an object "
                                             f"{{\"event\": ..., \"match\": ...}}, "
                                             f"got {_type_name(goal)}")
            else:
                for key in goal:
                    if key not in ("event", "match"):
                        self.add("INVALID_SETTINGS", f"settings.goal: unknown key {_show(key)} "
                                                     f"(allowed: event, match)")
                if "event" not in goal:
                    self.add("INVALID_SETTINGS", "settings.goal.event: is required")
                else:
                    self.event(goal["event"], "settings.goal.event", None, "INVALID_SETTINGS",
                               allow_date=False)
                if "match" in goal:
                    self.match(goal["match"], "settings.goal.match", None)
        if present("past_due_grace"):
            self.add_all(check_duration(s["past_due_grace"], "settings.past_due_grace"),
                         remap=remap)

    # -- nodes -------------------------------------------------------------------------------

    def node(self, i: int, raw: Any) -> None:
        if not isinstance(raw, Mapping):
            self.add("INVALID_DOCUMENT", f"nodes[{i}]: must be an object, got {_type_name(raw)}")
            return
        node_id = raw.get("id", _MISSING)
        ref: str | None = node_id if isinstance(node_id, str) else None
        if node_id is _MISSING:
            self.add("INVALID_ID", f"nodes[{i}]: id is required")
        elif not isinstance(node_id, str):
            self.add("INVALID_ID", f"nodes[{i}]: id must be a string, got {_type_name(node_id)}")
        elif not S.ID_RE.fullmatch(node_id):
            self.add("INVALID_ID", f"nodes[{i}]: id {_show(node_id)} must be 1-64 characters "
                                   f"of A-Z a-z 0-9 _ -", ref)
        where = f"node {node_id!r}" if ref is not None and S.ID_RE.fullmatch(ref) else f"nodes[{i}]"

        for key in raw:
            if key not in S.NODE_KEYS:
                self.add("UNKNOWN_KEY", f"{where}: unknown key {_show(key)} "
                                        f"(allowed: {_key_list(S.NODE_KEYS)})", ref)

        node_type = raw.get("type", _MISSING)
        known_type = isinstance(node_type, str) and node_type in S.NODE_TYPES
        if node_type is _MISSING:
            self.add("UNKNOWN_NODE_TYPE", f"{where}: type is required "
                                          f"(one of {_key_list(S.NODE_TYPES)})", ref)
        elif not known_type:
            self.add("UNKNOWN_NODE_TYPE", f"{where}: unknown node type {_show(node_type)} "
                                          f"(one of {_key_list(S.NODE_TYPES)})", ref)

        title = raw.get("title")
        if title is not None and not isinstance(title, str):
            self.add("INVALID_DOCUMENT",
                     f"{where}: title must be a string, got {_type_name(title)}", ref)
        position = raw.get("position")
        if position is not None and not isinstance(position, Mapping):
            self.add("INVALID_DOCUMENT",
                     f"{where}: position must be an object like {{\"x\": 0, \"y\": 0}}, "
                     f"got {_type_name(position)}", ref)

        config = raw.get("config")
        if config is None:
            config = {}
        elif not isinstance(config, Mapping):
            self.add("INVALID_CONFIG",
                     f"{where}: config must be an object, got {_type_name(config)}", ref)
            config = None

        if ref is not None:
            if ref in self.nodes:
                first = self.nodes[ref][2]
                self.add("DUPLICATE_ID", f"node {ref!r}: id is used by more than one node "
                                         f"(nodes[{first}] and nodes[{i}])", ref)
            else:
                self.nodes[ref] = (node_type if known_type else None,
                                   config if config is not None else {}, i)
        if node_type == "trigger":
            self.triggers.append((ref, f"node {ref!r}" if ref is not None else f"nodes[{i}]"))

        if known_type and config is not None:
            getattr(self, f"config_{node_type}")(config, where, ref)

    # -- config helpers ----------------------------------------------------------------------

    def keys(self, config: Mapping, allowed: tuple[str, ...], required: tuple[str, ...],
             where: str, ref: str | None, what: str,
             shown: tuple[str, ...] | None = None) -> None:
        shown = allowed if shown is None else shown
        for key in config:
            if key not in allowed:
                hint = (f"allowed: {_key_list(shown)}" if shown
                        else "it takes no config")
                self.add("INVALID_CONFIG",
                         f"{where}: unknown key {_show(key)} in config ({what}; {hint})", ref)
        for key in required:
            if key not in config:
                self.add("INVALID_CONFIG", f"{where}: config.{key} is required ({what})", ref)

    def string(self, config: Mapping, key: str, where: str, ref: str | None,
               *, path: str | None = None) -> bool:
        """A required non-empty string at config[key] (if present). True when fine."""
        if key not in config:
            return False
        value = config[key]
        path = path or f"config.{key}"
        if not isinstance(value, str):
            self.add("INVALID_CONFIG",
                     f"{where}: {path} must be a string, got {_type_name(value)}", ref)
            return False
        if not value.strip():
            self.add("INVALID_CONFIG", f"{where}: {path} must not be empty", ref)
            return False
        return True

    def template(self, config: Mapping, key: str, where: str, ref: str | None,
                 allowed_vars: frozenset[str], *, allow_empty: bool = False,
                 one_line: bool = False) -> bool:
        if key not in config:
            return False
        value = config[key]
        if not isinstance(value, str):
            self.add("INVALID_CONFIG", f"{where}: config.{key} must be a string (a template), "
                                       f"got {_type_name(value)}", ref)
            return False
        if not allow_empty and not value.strip():
            self.add("INVALID_CONFIG", f"{where}: config.{key} must not be empty", ref)
            return False
        if one_line and ("\n" in value or "\r" in value):
            self.add("INVALID_CONFIG", f"{where}: config.{key} must be a single line", ref)
        found = template_problems(value, allowed_vars)
        for message in found:
            self.add("INVALID_TEMPLATE", f"{where}: config.{key} {message}", ref)
        return not found

    def event(self, value: Any, where: str, ref: str | None, code: str, *,
              allow_date: bool) -> bool:
        if S.is_event_name(value, allow_date=allow_date):
            return True
        if value == S.DATE_EVENT:
            self.add(code, f"{where}: 'date' is only for triggers; use {_EVENT_HINT}", ref)
        elif isinstance(value, str) and value.startswith(S.CUSTOM_EVENT_PREFIX):
            self.add(code, f"{where}: custom event {_show(value)} needs a name of 1-64 "
                           f"characters of A-Z a-z 0-9 _ . - after 'custom:'", ref)
        else:
            hint = _EVENT_HINT.replace("manual,", "manual, date,") if allow_date else _EVENT_HINT
            self.add(code, f"{where}: {_show(value)} is not an event; use {hint}", ref)
        return False

    # -- node types --------------------------------------------------------------------------

    def config_trigger(self, c: Mapping, where: str, ref: str | None) -> None:
        time_keys = ("anchor", "offset", "at")
        is_date = c.get("event") == S.DATE_EVENT
        allowed = ("event", "match") + time_keys  # time keys on other triggers: see below
        for key in c:
            if key in time_keys and not is_date:
                self.add("INVALID_CONFIG", f"{where}: config.{key} is only for date triggers "
                                           f"(event 'date')", ref)
        self.keys(c, allowed, ("event",), where, ref,
                  "date trigger" if is_date else "trigger",
                  shown=("event", "match") + (time_keys if is_date else ()))
        if "event" in c:
            self.event(c["event"], f"{where}: config.event", ref, "INVALID_CONFIG",
                       allow_date=True)
        if "match" in c:
            self.match(c["match"], f"{where}: config.match", ref)
        if is_date:
            if "anchor" not in c:
                self.add("INVALID_CONFIG", f"{where}: config.anchor is required for a date "
                                           f"trigger ('wedding_date' or a client date name)", ref)
            else:
                spec = {k: c[k] for k in time_keys if k in c}
                self.add_all(check_time_spec(spec, f"{where}: config"), ref)

    def config_email(self, c: Mapping, where: str, ref: str | None) -> None:
        self.keys(c, ("subject", "body", "to", "requires_approval", "approval"),
                  ("subject", "body"), where, ref, "email")
        self.template(c, "subject", where, ref, S.TEMPLATE_VARS, one_line=True)
        self.template(c, "body", where, ref, S.TEMPLATE_VARS)
        self.template(c, "to", where, ref, S.TEMPLATE_VARS, one_line=True)
        if "requires_approval" in c and not isinstance(c["requires_approval"], bool):
            self.add("INVALID_CONFIG", f"{where}: config.requires_approval must be true or false, "
                                       f"got {_show(c['requires_approval'])}", ref)
        if "approval" in c:
            approval = c["approval"]
            path = f"{where}: config.approval"
            if not isinstance(approval, Mapping):
                self.add("INVALID_CONFIG", f"{path} must be an object {{\"timeout\": DURATION, "
                                           f"\"on_timeout\": \"send\" | \"skip\"}}, "
                                           f"got {_type_name(approval)}", ref)
                return
            for key in approval:
                if key not in ("timeout", "on_timeout"):
                    self.add("INVALID_CONFIG", f"{path} has unknown key {_show(key)} "
                                               f"(allowed: timeout, on_timeout)", ref)
            if "timeout" not in approval:
                self.add("INVALID_CONFIG", f"{path}.timeout is required (a DURATION)", ref)
            else:
                self.add_all(check_duration(approval["timeout"], f"{path}.timeout"), ref)
            if "on_timeout" in approval and approval["on_timeout"] not in ("send", "skip"):
                self.add("INVALID_CONFIG", f"{path}.on_timeout must be 'send' or 'skip', "
                                           f"got {_show(approval['on_timeout'])}", ref)

    def config_form(self, c: Mapping, where: str, ref: str | None) -> None:
        self.keys(c, ("form", "subject", "body"), ("form", "subject", "body"), where, ref, "form")
        if self.string(c, "form", where, ref) and not S.ID_RE.fullmatch(c["form"]):
            self.add("INVALID_CONFIG", f"{where}: config.form {_show(c['form'])} must be a form "
                                       f"key of 1-64 characters of A-Z a-z 0-9 _ -", ref)
        self.template(c, "subject", where, ref, S.FORM_TEMPLATE_VARS, one_line=True)
        if self.template(c, "body", where, ref, S.FORM_TEMPLATE_VARS):
            if "form_url" not in referenced_variables(c["body"]):
                self.add("INVALID_CONFIG", f"{where}: config.body must show the form link "
                                           f"{{{{ form_url }}}}", ref)

    def config_delay(self, c: Mapping, where: str, ref: str | None) -> None:
        options = ("duration", "business_days", "until")
        self.keys(c, options, (), where, ref, "delay")
        given = [k for k in options if k in c]
        if not given:
            self.add("INVALID_CONFIG", f"{where}: config needs exactly one of duration, "
                                       f"business_days or until", ref)
        elif len(given) > 1:
            self.add("INVALID_CONFIG", f"{where}: config has {' and '.join(given)}; "
                                       f"a delay takes exactly one of them", ref)
        if "duration" in c:
            self.add_all(check_duration(c["duration"], f"{where}: config.duration"), ref)
        if "business_days" in c:
            n = c["business_days"]
            if not _is_int(n) or n < 0:
                self.add("INVALID_CONFIG", f"{where}: config.business_days must be a "
                                           f"non-negative whole number, got {_show(n)}", ref)
            elif n > MAX_OFFSET_BUSINESS_DAYS:
                self.add("INVALID_CONFIG", f"{where}: config.business_days {n} is too large "
                                           f"(at most {MAX_OFFSET_BUSINESS_DAYS})", ref)
        if "until" in c:
            self.add_all(check_time_spec(c["until"], f"{where}: config.until"), ref)

    def config_wait_for(self, c: Mapping, where: str, ref: str | None) -> None:
        self.keys(c, ("event", "match", "timeout"), ("event", "timeout"), where, ref, "wait_for")
        if "event" in c:
            self.event(c["event"], f"{where}: config.event", ref, "INVALID_CONFIG",
                       allow_date=False)
        if "match" in c:
            self.match(c["match"], f"{where}: config.match", ref)
        if "timeout" in c:
            self.add_all(check_duration_or_time(c["timeout"], f"{where}: config.timeout"), ref)

    def config_condition(self, c: Mapping, where: str, ref: str | None) -> None:
        if not c:
            self.add("INVALID_CONDITION", f"{where}: config must be a condition group "
                                          f"{{\"all\": [...]}} or {{\"any\": [...]}}", ref)
            return
        self.condition(c, f"{where}: config", ref, depth=0, event_only=False)

    def config_split(self, c: Mapping, where: str, ref: str | None) -> None:
        self.keys(c, ("branches",), ("branches",), where, ref, "split")
        if "branches" not in c:
            return
        branches = c["branches"]
        if not isinstance(branches, list):
            self.add("INVALID_CONFIG", f"{where}: config.branches must be a list of "
                                       f"{{\"label\", \"weight\"}}, got {_type_name(branches)}",
                     ref)
            return
        if not S.SPLIT_MIN_BRANCHES <= len(branches) <= S.SPLIT_MAX_BRANCHES:
            self.add("INVALID_CONFIG", f"{where}: config.branches must have "
                                       f"{S.SPLIT_MIN_BRANCHES} to {S.SPLIT_MAX_BRANCHES} "
                                       f"branches, got {len(branches)}", ref)
        labels: set[str] = set()
        for i, b in enumerate(branches):
            path = f"{where}: config.branches[{i}]"
            if not isinstance(b, Mapping):
                self.add("INVALID_CONFIG", f"{path} must be an object {{\"label\", \"weight\"}}, "
                                           f"got {_type_name(b)}", ref)
                continue
            for key in b:
                if key not in ("label", "weight"):
                    self.add("INVALID_CONFIG", f"{path} has unknown key {_show(key)} "
                                               f"(allowed: label, weight)", ref)
            label = b.get("label", _MISSING)
            if label is _MISSING:
                self.add("INVALID_CONFIG", f"{path}.label is required", ref)
            elif not isinstance(label, str) or not label.strip() or len(label) > 64:
                self.add("INVALID_CONFIG", f"{path}.label must be a non-empty string of at most "
                                           f"64 characters, got {_show(label)}", ref)
            elif label in labels:
                self.add("INVALID_CONFIG", f"{path}.label {label!r} is used by two branches", ref)
            else:
                labels.add(label)
            weight = b.get("weight", _MISSING)
            if weight is _MISSING:
                self.add("INVALID_SPLIT_WEIGHT", f"{path}.weight is required "
                                                 f"(a positive number)", ref)
            elif not _is_number(weight) or not math.isfinite(weight) or weight <= 0:
                self.add("INVALID_SPLIT_WEIGHT", f"{path}.weight must be a positive number, "
                                                 f"got {_show(weight)}", ref)

    def config_action(self, c: Mapping, where: str, ref: str | None) -> None:
        kind = c.get("action", _MISSING)
        kinds = _key_list(S.ACTION_KINDS)
        if kind is _MISSING:
            self.add("INVALID_CONFIG", f"{where}: config.action is required (one of {kinds})", ref)
            self.keys(c, ("action",), (), where, ref, "action")
            return
        if not isinstance(kind, str) or kind not in S.ACTION_KINDS:
            self.add("INVALID_CONFIG", f"{where}: config.action {_show(kind)} is not an action "
                                       f"(one of {kinds})", ref)
            return
        required, optional = S.ACTION_KINDS[kind]
        self.keys(c, ("action",) + required + optional, required, where, ref,
                  f"action {kind}")
        if kind == "update_status":
            self.string(c, "status", where, ref)
        elif kind == "set_field":
            self.string(c, "field", where, ref)
        elif kind in ("add_tag", "remove_tag"):
            self.string(c, "tag", where, ref)
        elif kind == "create_task":
            self.string(c, "title", where, ref)
            if "due" in c:
                self.add_all(check_duration_or_time(c["due"], f"{where}: config.due"), ref)
        elif kind == "webhook":
            self.webhook(c, where, ref)

    def webhook(self, c: Mapping, where: str, ref: str | None) -> None:
        if self.string(c, "url", where, ref):
            url = c["url"].strip()
            try:
                parts = urlsplit(url)
                ok = parts.scheme in ("http", "https") and bool(parts.netloc)
            except ValueError:
                ok = False
            if not ok or any(ch.isspace() for ch in url):
                self.add("INVALID_CONFIG", f"{where}: config.url must be an http:// or https:// "
                                           f"URL, got {_show(c['url'])}", ref)
        if "method" in c:
            m = c["method"]
            if not isinstance(m, str) or m.upper() not in S.WEBHOOK_METHODS:
                self.add("INVALID_CONFIG", f"{where}: config.method must be one of "
                                           f"{_key_list(S.WEBHOOK_METHODS)}, got {_show(m)}", ref)
        if "headers" in c:
            headers = c["headers"]
            if not isinstance(headers, Mapping):
                self.add("INVALID_CONFIG", f"{where}: config.headers must be an object of "
                                           f"header name to string value, "
                                           f"got {_type_name(headers)}", ref)
            else:
                for name, value in headers.items():
                    if (not isinstance(name, str) or not name
                            or any(ch.isspace() or ch in ':()<>@,;\\"/[]?={}' or ord(ch) < 33
                                   or ord(ch) > 126 for ch in name)):
                        self.add("INVALID_CONFIG", f"{where}: config.headers has an invalid "
                                                   f"header name {_show(name)}", ref)
                    elif not isinstance(value, str):
                        self.add("INVALID_CONFIG", f"{where}: config.headers.{name} must be a "
                                                   f"string, got {_type_name(value)}", ref)
                    elif "\r" in value or "\n" in value:
                        self.add("INVALID_CONFIG", f"{where}: config.headers.{name} must be a "
                                                   f"single line", ref)
        self.template(c, "body", where, ref, S.TEMPLATE_VARS, allow_empty=True)

    def config_exit(self, c: Mapping, where: str, ref: str | None) -> None:
        self.keys(c, (), (), where, ref, "exit")

    # -- conditions --------------------------------------------------------------------------

    def match(self, value: Any, where: str, ref: str | None) -> None:
        """A `match` filter: a condition (group or predicate) over event.* fields, or a plain
        {"<event path>": value} mapping meaning "each path equals its value"."""
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.add("INVALID_CONDITION", f"{where} must be a condition over event fields "
                                          f"({{\"all\": [...]}}) or an object of event fields "
                                          f"to values, got {_type_name(value)}", ref)
            return
        if any(k in value for k in ("all", "any", "field", "op")):
            self.condition(value, where, ref, depth=0, event_only=True)
            return
        for key in value:
            path = key[len("event."):] if isinstance(key, str) and key.startswith("event.") else key
            if not isinstance(path, str) or not path or any(not s for s in path.split(".")):
                self.add("INVALID_CONDITION", f"{where} has an invalid event field {_show(key)}",
                         ref)

    def condition(self, value: Any, where: str, ref: str | None, *, depth: int,
                  event_only: bool) -> None:
        if depth > S.MAX_CONDITION_DEPTH:
            self.add("INVALID_CONDITION", f"{where} is nested more than "
                                          f"{S.MAX_CONDITION_DEPTH} groups deep", ref)
            return
        if not isinstance(value, Mapping):
            self.add("INVALID_CONDITION", f"{where} must be a group {{\"all\": [...]}} / "
                                          f"{{\"any\": [...]}} or a predicate "
                                          f"{{\"field\", \"op\", \"value\"}}, "
                                          f"got {_type_name(value)}", ref)
            return
        if "all" in value or "any" in value:
            if "all" in value and "any" in value:
                self.add("INVALID_CONDITION", f"{where} has both 'all' and 'any'; nest one "
                                              f"group inside the other", ref)
            for key in value:
                if key not in ("all", "any"):
                    self.add("INVALID_CONDITION", f"{where} has unknown key {_show(key)} "
                                                  f"(a group has only 'all' or 'any')", ref)
            for key in ("all", "any"):
                if key not in value:
                    continue
                members = value[key]
                if not isinstance(members, list):
                    self.add("INVALID_CONDITION", f"{where}.{key} must be a list, "
                                                  f"got {_type_name(members)}", ref)
                    continue
                for i, member in enumerate(members):
                    self.condition(member, f"{where}.{key}[{i}]", ref, depth=depth + 1,
                                   event_only=event_only)
            return
        if "field" in value or "op" in value:
            self.predicate(value, where, ref, event_only)
            return
        self.add("INVALID_CONDITION", f"{where} must be a group {{\"all\": [...]}} / "
                                      f"{{\"any\": [...]}} or a predicate "
                                      f"{{\"field\", \"op\", \"value\"}}", ref)

    def predicate(self, p: Mapping, where: str, ref: str | None, event_only: bool) -> None:
        for key in p:
            if key not in S.PREDICATE_KEYS:
                self.add("INVALID_CONDITION", f"{where} has unknown key {_show(key)} "
                                              f"(a predicate has field, op, value)", ref)
        field = p.get("field", _MISSING)
        field_ok = False
        if field is _MISSING:
            self.add("INVALID_CONDITION", f"{where}.field is required", ref)
        elif not isinstance(field, str):
            self.add("INVALID_CONDITION", f"{where}.field must be a string, "
                                          f"got {_type_name(field)}", ref)
        else:
            problem = _field_problem(field, event_only)
            if problem:
                self.add("INVALID_CONDITION", f"{where}.field {_show(field)} {problem}", ref)
            else:
                field_ok = True
        op = p.get("op", _MISSING)
        if op is _MISSING:
            self.add("INVALID_CONDITION", f"{where}.op is required "
                                          f"(one of {_key_list(S.OPS)})", ref)
            return
        if not isinstance(op, str) or op not in S.OPS:
            self.add("INVALID_CONDITION", f"{where}.op {_show(op)} is not an operator "
                                          f"(one of {_key_list(S.OPS)})", ref)
            return
        has_value = "value" in p
        value = p.get("value")
        if op in S.UNARY_OPS:
            if value is not None:
                self.add("INVALID_CONDITION", f"{where}.value is not used with op {op!r}; "
                                              f"leave it out", ref)
            return
        if not has_value:
            self.add("INVALID_CONDITION", f"{where}.value is required with op {op!r}", ref)
            return
        if op in S.LIST_OPS and not isinstance(value, list):
            self.add("INVALID_CONDITION", f"{where}.value must be a list with op {op!r}, "
                                          f"got {_type_name(value)}", ref)
        elif op in S.ORDER_OPS and not (_is_number(value) or isinstance(value, str)):
            self.add("INVALID_CONDITION", f"{where}.value must be a number or a string (such as "
                                          f"a date) with op {op!r}, got {_type_name(value)}", ref)
        elif op == "contains" and not (isinstance(value, (str, bool)) or _is_number(value)):
            self.add("INVALID_CONDITION", f"{where}.value must be a string, number or boolean "
                                          f"with op 'contains', got {_type_name(value)}", ref)
        elif op in S.DAYS_OPS:
            if not _is_int(value):
                self.add("INVALID_CONDITION", f"{where}.value must be a whole number of days "
                                              f"with op {op!r}, got {_show(value)}", ref)
            if field_ok and field.startswith("client.") and field.count(".") == 1 \
                    and field[len("client."):] not in S.CLIENT_DATE_ATTRIBUTES:
                self.add("INVALID_CONDITION", f"{where}.field {field!r} is not a date; op {op!r} "
                                              f"needs client.wedding_date, client.dates.<name> "
                                              f"or another date field", ref)
        if isinstance(value, float) and not math.isfinite(value):
            self.add("INVALID_CONDITION", f"{where}.value must be a finite number", ref)

    # -- edges -------------------------------------------------------------------------------

    def edge(self, i: int, raw: Any, out: dict, graph_edges: list) -> None:
        if not isinstance(raw, Mapping):
            self.add("INVALID_DOCUMENT", f"edges[{i}]: must be an object "
                                         f"{{\"from\", \"to\", \"when\"}}, got {_type_name(raw)}")
            return
        src, dst = raw.get("from", _MISSING), raw.get("to", _MISSING)
        both = isinstance(src, str) and isinstance(dst, str)
        edge = (src, dst) if both else None
        where = f"edge {src!r} -> {dst!r}" if both else f"edges[{i}]"
        ref = src if isinstance(src, str) and src in self.nodes else None
        for key in raw:
            if key not in S.EDGE_KEYS:
                self.add("UNKNOWN_KEY", f"{where}: unknown key {_show(key)} "
                                        f"(allowed: {_key_list(S.EDGE_KEYS)})", ref, edge)
        for key, end in (("from", src), ("to", dst)):
            if end is _MISSING:
                self.add("INVALID_DOCUMENT", f"{where}: {key} is required (a node id)", ref, edge)
            elif not isinstance(end, str):
                self.add("INVALID_DOCUMENT", f"{where}: {key} must be a node id string, "
                                             f"got {_type_name(end)}", ref, edge)
        label_ok = True
        when = raw.get("when")
        if when is not None and not isinstance(when, str):
            self.add("INVALID_EDGE_LABEL", f"{where}: when must be a label string (or left out "
                                           f"for the unlabelled edge), got {_type_name(when)}",
                     ref, edge)
            label_ok = False
        elif isinstance(when, str) and not when.strip():
            self.add("INVALID_EDGE_LABEL", f"{where}: when is an empty label; leave it out for "
                                           f"the unlabelled edge", ref, edge)
            label_ok = False
        if not both:
            return
        unknown = [end for end in (src, dst) if end not in self.nodes]
        if unknown:
            names = " and ".join(repr(u) for u in dict.fromkeys(unknown))
            self.add("UNKNOWN_EDGE_NODE", f"{where}: {names} "
                                          f"{'is not a node' if len(set(unknown)) == 1 else 'are not nodes'}",
                     ref, edge)
        if dst in self.nodes and self.nodes[dst][0] == "trigger":
            self.add("EDGE_INTO_TRIGGER", f"{where}: no edge may lead into the trigger; "
                                          f"use a delay or wait_for loop on a later node instead",
                     ref, edge)
        if src in self.nodes:
            out[src].append((when if label_ok else _MISSING, dst, edge))
        if src in self.nodes and dst in self.nodes:
            graph_edges.append(edge)

    def labels(self, out: dict[str, list[tuple[Any, str, tuple[str, str]]]]) -> None:
        for node_id, edges in out.items():
            node_type, config, _ = self.nodes[node_id]
            if node_type is None:
                continue
            where = f"node {node_id!r}"
            allowed = S.allowed_labels(node_type, config) or frozenset()
            required = S.required_labels(node_type, config)
            seen: dict[Any, str] = {}
            for label, dst, edge in edges:
                if label is _MISSING:
                    continue
                if node_type == "exit":
                    self.add("INVALID_EDGE_LABEL", f"{where}: an exit node has no outgoing "
                                                   f"edges (edge to {dst!r})", node_id, edge)
                    continue
                if label not in allowed:
                    self.add("INVALID_EDGE_LABEL",
                             f"{where}: {_label_problem(node_type, label, allowed)} "
                             f"(edge to {dst!r})", node_id, edge)
                    continue
                if label in seen:
                    what = "unlabelled edges" if label is None else f"edges labelled {label!r}"
                    self.add("DUPLICATE_EDGE_LABEL", f"{where}: has two {what} "
                                                     f"(to {seen[label]!r} and {dst!r})",
                             node_id, edge)
                    continue
                seen[label] = dst
            for label in required:
                if label not in seen:
                    self.add("MISSING_EDGE_LABEL", f"{where}: a {node_type} node needs an "
                                                   f"outgoing edge labelled {label!r}", node_id)
            if node_type == "exit" or required:
                continue
            if not edges:
                self.add("DEAD_END", f"{where}: has no outgoing edge, so the run ends here as "
                                     f"completed; connect it or end with an exit node", node_id)
            elif node_type == "delay" and None not in seen and S.PAST_DUE in seen:
                self.add("DEAD_END", f"{where}: has only a past_due edge, so the run ends here "
                                     f"when the delay is over; add an unlabelled edge", node_id)

    # -- graph -------------------------------------------------------------------------------

    def graph(self, graph_edges: list[tuple[str, str]]) -> None:
        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(graph_edges)
        starts = [t for t, _ in self.triggers if t is not None and t in self.nodes]
        if starts:
            reached: set[str] = set()
            for t in starts:
                reached.add(t)
                reached |= nx.descendants(g, t)
            for node_id in self.nodes:
                if node_id not in reached:
                    self.add("UNREACHABLE_NODE", f"node {node_id!r}: is not reachable from the "
                                                 f"trigger", node_id)
        # A cycle is fine only if it passes a delay or wait_for: the rest must be acyclic.
        no_wait = g.subgraph(n for n, (t, _, _) in self.nodes.items() if t not in S.WAIT_TYPES)
        index = {n: i for n, (_, _, i) in self.nodes.items()}
        cyclic = []
        for scc in nx.strongly_connected_components(no_wait):
            if len(scc) > 1 or any(no_wait.has_edge(n, n) for n in scc):
                cyclic.append(sorted(scc, key=index.__getitem__))
        for members in sorted(cyclic, key=lambda m: index[m[0]]):
            first = members[0]
            cycle = nx.find_cycle(no_wait.subgraph(members), source=first)
            path = " -> ".join([repr(u) for u, _ in cycle] + [repr(cycle[0][0])])
            extra = ""
            if len(members) > len(cycle):
                extra = f" (nodes {', '.join(repr(m) for m in members)} loop among themselves)"
            self.add("CYCLE_WITHOUT_WAIT", f"node {first!r}: the cycle {path} has no delay or "
                                           f"wait_for node, so a run could loop forever{extra}",
                     first)


def _label_problem(node_type: str, label: Any, allowed: frozenset) -> str:
    if label == S.PAST_DUE:
        return "the past_due label is only allowed on delay nodes"
    shown = ", ".join(sorted(repr(a) for a in allowed if a is not None))
    if None in allowed:
        shown = "none" + (f" or {shown}" if shown else "")
    if label is None:
        return f"a {node_type} node needs a label on every outgoing edge (one of {shown})"
    if node_type in ("trigger", "email", "form", "action"):
        return (f"label {label!r} is not allowed: a {node_type} node has one unlabelled "
                f"outgoing edge")
    return f"label {label!r} is not allowed on a {node_type} node (allowed: {shown})"


def _field_problem(field: str, event_only: bool) -> str | None:
    """Why a condition field path is not valid, or None."""
    parts = field.split(".")
    if any(not p.strip() for p in parts):
        return "has an empty part"
    head = parts[0]
    if event_only and head != "event":
        return "is not an event field; a match filter tests the event's data: 'event.<path>'"
    if head == "client":
        if len(parts) == 2 and parts[1] in S.CLIENT_ATTRIBUTES:
            return None
        if len(parts) >= 3 and parts[1] == "fields":
            return None
        if len(parts) == 3 and parts[1] == "dates":
            return None
        return ("is not a client field; use client.<name> (" + ", ".join(S.CLIENT_ATTRIBUTES)
                + "), client.fields.<name> or client.dates.<name>")
    if head == "event":
        return None if len(parts) >= 2 else "needs a path: 'event.<path>'"
    if head == "form":
        return None if len(parts) >= 3 else "needs a form key and a question: " \
                                            "'form.<form key>.<question>'"
    return ("must start with client., event. or form. (client.<name>, client.fields.<name>, "
            "client.dates.<name>, event.<path>, form.<form key>.<question>)")
