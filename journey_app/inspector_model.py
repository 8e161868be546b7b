"""The inspector's forms as data: a node's config <-> flat string fields, and the edits.

``form_values(node)`` gives every field the inspector shows as a string (so the page binds
plain inputs to ``EditorState.form[key]``); ``apply_field(node, key, value, today)`` writes one
field back into a copy of the node in journeys/v1 shape. Condition rows (``condition`` nodes and
``match`` filters) and split branches have their own small functions. Nobody types JSON.

TIME editors (a moment relative to a client date, or a fixed date) and DURATION editors (weeks,
days, hours, minutes) appear in several node types; each has a key prefix and a config path.
"""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from typing import Any

from journey_app.choices import ACTION_DEFAULTS, UNARY_OPS
from journey_app.editor_model import (condition_rows, get_in, group_kind, is_time_spec, set_in,
                                      text_to_value, to_int, to_number, value_to_text, _scalar)

DURATION_UNITS = ("weeks", "days", "hours", "minutes")
# prefix -> config path ("" is the config itself: a date trigger keeps anchor/offset/at there)
TIME_EDITORS = {"trig_": "", "until_": "until", "to_": "timeout", "due_": "due"}
DURATION_EDITORS = {"dur_": "duration", "appr_": "approval.timeout", "to_": "timeout",
                    "due_": "due"}
TIME_PARTS = ("mode", "anchor_choice", "anchor_name", "amount", "unit", "direction", "at",
              "date")
PLAIN_TEXT = {"subject", "body", "form", "status", "tag", "field", "url", "method"}
_CUSTOM_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _time_fields(prefix: str, spec: Any, out: dict[str, str]) -> None:
    spec = spec if isinstance(spec, dict) else {}
    absolute = "date" in spec and "anchor" not in spec
    anchor = spec.get("anchor") or "wedding_date"
    anchor = anchor[len("dates."):] if isinstance(anchor, str) and anchor.startswith("dates.") \
        else anchor
    offset = spec.get("offset") if isinstance(spec.get("offset"), dict) else {}
    unit = "business_days" if "business_days" in offset else "days"
    n = offset.get(unit) or 0
    n = n if isinstance(n, (int, float)) and not isinstance(n, bool) else 0
    out[f"{prefix}mode"] = "absolute" if absolute else "relative"
    out[f"{prefix}anchor_choice"] = "wedding_date" if anchor == "wedding_date" else "other"
    out[f"{prefix}anchor_name"] = "" if anchor == "wedding_date" else _s(anchor)
    out[f"{prefix}amount"] = _s(abs(n))
    out[f"{prefix}unit"] = unit
    out[f"{prefix}direction"] = "before" if n < 0 else "after" if n > 0 else "on"
    out[f"{prefix}at"] = _s(spec.get("at") or "09:00")
    out[f"{prefix}date"] = _s(spec.get("date") or "")


def _duration_fields(prefix: str, value: Any, out: dict[str, str]) -> None:
    value = value if isinstance(value, dict) and not is_time_spec(value) else {}
    for unit in DURATION_UNITS:
        out[f"{prefix}{unit}"] = _s(value.get(unit)) if unit in value else ""


def form_values(node: dict[str, Any] | None) -> dict[str, str]:
    """Every inspector field of `node` as a string ("" when unset)."""
    if not node:
        return {}
    c = node.get("config") if isinstance(node.get("config"), dict) else {}
    kind = node.get("type")
    out: dict[str, str] = {"title": _s(node.get("title")), "id": _s(node.get("id")),
                           "type": _s(kind)}
    for key in PLAIN_TEXT:
        out[key] = _s(c.get(key))
    out["to"] = _s(c.get("to"))
    out["method"] = _s(c.get("method") or "POST")
    out["task_title"] = _s(c.get("title"))
    out["webhook_body"] = _s(c.get("body")) if kind == "action" else ""
    out["value"] = value_to_text(c.get("value"))
    out["action"] = _s(c.get("action"))
    out["business_days"] = _s(c.get("business_days"))
    event = c.get("event")
    is_custom = isinstance(event, str) and event.startswith("custom:")
    out["event_choice"] = "custom" if is_custom else _s(event)
    out["custom_event"] = event[len("custom:"):] if is_custom else ""
    out["requires_approval"] = _s(bool(c.get("requires_approval")))
    approval = c.get("approval") if isinstance(c.get("approval"), dict) else None
    out["appr_enabled"] = _s(approval is not None)
    out["on_timeout"] = _s((approval or {}).get("on_timeout") or "send")
    # delay
    if "until" in c:
        until = c.get("until")
        out["delay_mode"] = "until_date" if isinstance(until, dict) and "date" in until \
            and "anchor" not in until else "until_relative"
    elif "business_days" in c:
        out["delay_mode"] = "business_days"
    else:
        out["delay_mode"] = "duration"
    # TIME and DURATION editors
    for prefix, path in TIME_EDITORS.items():
        _time_fields(prefix, c if path == "" else get_in(c, path), out)
    for prefix, path in DURATION_EDITORS.items():
        _duration_fields(prefix, get_in(c, path), out)
    timeout = c.get("timeout")
    out["to_mode"] = ("duration" if not is_time_spec(timeout) else
                      "absolute" if "date" in timeout and "anchor" not in timeout
                      else "relative")
    due = c.get("due")
    out["due_mode"] = ("none" if due is None else "duration" if not is_time_spec(due)
                       else "absolute" if "date" in due and "anchor" not in due
                       else "relative")
    out["group_kind"] = group_kind(c)
    out["match_kind"] = group_kind(c.get("match")) if isinstance(c.get("match"), dict) else "all"
    return out


# --------------------------------------------------------------------------- writing back


def _default_time(today: date, absolute: bool, *, before: int = 30,
                  at: str = "09:00") -> dict[str, Any]:
    if absolute:
        return {"date": (today + timedelta(days=30)).isoformat(), "at": at}
    return {"anchor": "wedding_date", "offset": {"days": -before}, "at": at}


def _write_time(config: dict[str, Any], path: str, values: dict[str, str]) -> None:
    """Rebuild a TIME at `path` from the editor's (already updated) string fields."""
    p = {k: values.get(k, "") for k in TIME_PARTS}
    at = p["at"] or "09:00"
    if p["mode"] == "absolute":
        spec: dict[str, Any] = {"date": p["date"] or "", "at": at}
    else:
        if p["anchor_choice"] == "other":
            anchor = _CUSTOM_NAME.sub("_", p["anchor_name"].strip()) or "engagement_shoot"
        else:
            anchor = "wedding_date"
        amount = abs(to_int(p["amount"]) or 0)
        sign = -1 if p["direction"] == "before" else (0 if p["direction"] == "on" else 1)
        unit = "business_days" if p["unit"] == "business_days" else "days"
        spec = {"anchor": anchor, "offset": {unit: sign * amount}, "at": at}
    if path == "":
        for key in ("anchor", "offset", "at", "date"):
            config.pop(key, None)
        config.update(spec)
    else:
        set_in(config, path, spec)


def _write_duration(config: dict[str, Any], path: str, unit: str, value: str) -> None:
    current = get_in(config, path)
    duration = dict(current) if isinstance(current, dict) and not is_time_spec(current) else {}
    number = to_int(value)
    if number is None or number < 0:
        duration.pop(unit, None)
    else:
        duration[unit] = number
    set_in(config, path, duration)


def _set_event(kind: str, config: dict[str, Any], choice: str, custom: str,
               today: date) -> dict[str, Any]:
    if choice == "custom":
        name = _CUSTOM_NAME.sub("_", custom.strip()) or "my_event"
        event = f"custom:{name}"
    else:
        event = choice
    new = {k: v for k, v in config.items() if k not in ("anchor", "offset", "at")}
    new["event"] = event
    if kind == "trigger" and event == "date":
        new.update(_default_time(today, False))
    return new


def apply_field(node: dict[str, Any], key: str, value: Any, today: date) -> dict[str, Any]:
    """A copy of `node` with one inspector field changed."""
    node = copy.deepcopy(node)
    kind = node.get("type")
    c: dict[str, Any] = node.get("config") if isinstance(node.get("config"), dict) else {}
    node["config"] = c
    text = "" if value is None else str(value)
    values = form_values(node)

    if key == "title":
        if text.strip():
            node["title"] = text
        else:
            node.pop("title", None)
        return node
    if key in ("subject", "body", "form", "status", "tag", "field", "url") or \
            (key == "method" and kind == "action"):
        c[key] = text
        return node
    if key == "to":
        if text.strip():
            c["to"] = text
        else:
            c.pop("to", None)
        return node
    if key == "task_title":
        c["title"] = text
        return node
    if key == "webhook_body":
        if text:
            c["body"] = text
        else:
            c.pop("body", None)
        return node
    if key == "value":
        c["value"] = _scalar(text.strip())
        return node
    if key == "business_days":
        c["business_days"] = max(0, to_int(text) or 0)
        return node
    if key == "action":
        node["config"] = {"action": text, **copy.deepcopy(ACTION_DEFAULTS.get(text, {}))}
        return node
    if key in ("event_choice", "custom_event"):
        choice = text if key == "event_choice" else values.get("event_choice", "")
        custom = text if key == "custom_event" else values.get("custom_event", "")
        node["config"] = _set_event(str(kind), c, choice, custom, today)
        return node
    if key == "requires_approval":
        if text == "true":
            c["requires_approval"] = True
        else:
            c.pop("requires_approval", None)
            c.pop("approval", None)
        return node
    if key == "appr_enabled":
        if text == "true":
            c["requires_approval"] = True
            c.setdefault("approval", {"timeout": {"days": 2}, "on_timeout": "send"})
        else:
            c.pop("approval", None)
        return node
    if key == "on_timeout":
        approval = c.setdefault("approval", {"timeout": {"days": 2}})
        approval["on_timeout"] = "skip" if text == "skip" else "send"
        return node
    if key == "delay_mode":
        node["config"] = {
            "duration": {"duration": {"days": 1}},
            "business_days": {"business_days": 2},
            "until_relative": {"until": _default_time(today, False, at="10:00")},
            "until_date": {"until": _default_time(today, True)},
        }.get(text, {"duration": {"days": 1}})
        return node
    if key == "to_mode":
        c["timeout"] = {"days": 7} if text == "duration" else \
            _default_time(today, text == "absolute", before=7)
        return node
    if key == "due_mode":
        if text == "none":
            c.pop("due", None)
        else:
            c["due"] = {"days": 1} if text == "duration" else \
                _default_time(today, text == "absolute", before=14)
        return node
    for prefix, path in DURATION_EDITORS.items():
        if key.startswith(prefix) and key[len(prefix):] in DURATION_UNITS:
            _write_duration(c, path, key[len(prefix):], text)
            return node
    for prefix, path in TIME_EDITORS.items():
        part = key[len(prefix):] if key.startswith(prefix) else ""
        if part in TIME_PARTS:
            fields = {p: values.get(f"{prefix}{p}", "") for p in TIME_PARTS}
            fields[part] = text
            if part == "mode" and text == "absolute" and not fields["date"]:
                fields["date"] = (today + timedelta(days=30)).isoformat()
            if part == "anchor_choice" and text == "other" and not fields["anchor_name"]:
                fields["anchor_name"] = "engagement_shoot"
            if part == "direction" and text != "on" and not to_int(fields["amount"]):
                fields["amount"] = "1"
            _write_time(c, path, fields)
            return node
    return node  # unknown field: unchanged


# --------------------------------------------------------------------------- conditions


def _group(config: dict[str, Any], path: str, create: bool) -> dict[str, Any] | None:
    if path == "":
        return config
    group = config.get(path)
    if not isinstance(group, dict) or not ("all" in group or "any" in group):
        if not create:
            return None
        group = {"all": []}
        config[path] = group
    return group


def _members(group: dict[str, Any]) -> list[Any]:
    kind = group_kind(group)
    members = group.get(kind)
    if not isinstance(members, list):
        members = []
        group[kind] = members
    return members


def rows_for(node: dict[str, Any] | None, path: str) -> list[dict[str, Any]]:
    if not node:
        return []
    c = node.get("config") if isinstance(node.get("config"), dict) else {}
    group = _group(c, path, create=False)
    return condition_rows(group) if group is not None else []


def default_predicate(path: str) -> dict[str, Any]:
    if path == "match":
        return {"field": "event.form", "op": "eq", "value": "questionnaire"}
    return {"field": "client.status", "op": "eq", "value": "booked"}


def add_row(node: dict[str, Any], path: str) -> dict[str, Any]:
    node = copy.deepcopy(node)
    c = node.setdefault("config", {})
    _members(_group(c, path, create=True)).append(default_predicate(path))
    return node


def remove_row(node: dict[str, Any], path: str, index: int) -> dict[str, Any]:
    node = copy.deepcopy(node)
    c = node.setdefault("config", {})
    group = _group(c, path, create=False)
    if group is None:
        return node
    members = _members(group)
    if 0 <= index < len(members):
        members.pop(index)
    if path and not members:
        c.pop(path, None)
    return node


def set_row(node: dict[str, Any], path: str, index: int, key: str, value: str) -> dict[str, Any]:
    node = copy.deepcopy(node)
    c = node.setdefault("config", {})
    group = _group(c, path, create=False)
    if group is None:
        return node
    members = _members(group)
    if not (0 <= index < len(members)) or not isinstance(members[index], dict):
        return node
    row = dict(members[index])
    text_value = value_to_text(row.get("value"))
    if key == "field":
        row["field"] = value.strip()
    elif key == "op":
        row["op"] = value
    elif key == "value":
        text_value = value
    op = str(row.get("op") or "eq")
    if op in UNARY_OPS:
        row.pop("value", None)
    else:
        row["value"] = text_to_value(text_value, op)
    members[index] = row
    return node


def set_group_kind(node: dict[str, Any], path: str, kind: str) -> dict[str, Any]:
    node = copy.deepcopy(node)
    c = node.setdefault("config", {})
    group = _group(c, path, create=True)
    members = _members(group)
    for k in ("all", "any"):
        group.pop(k, None)
    group["any" if kind == "any" else "all"] = members
    return node


# --------------------------------------------------------------------------- split branches


def branches_for(node: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not node:
        return []
    branches = get_in(node, "config.branches") or []
    return [{"index": i, "label": _s(b.get("label")), "weight": _s(b.get("weight"))}
            for i, b in enumerate(branches) if isinstance(b, dict)]


def add_branch(node: dict[str, Any]) -> dict[str, Any]:
    node = copy.deepcopy(node)
    branches = node.setdefault("config", {}).setdefault("branches", [])
    taken = {b.get("label") for b in branches if isinstance(b, dict)}
    label = next(ch for ch in "abcdefghijklmnopqrstuvwxyz" if ch not in taken)
    branches.append({"label": label, "weight": 50})
    return node


def remove_branch(node: dict[str, Any], index: int) -> tuple[dict[str, Any], str]:
    """The node without branch `index`, and the removed label (to drop its edge)."""
    node = copy.deepcopy(node)
    branches = node.setdefault("config", {}).setdefault("branches", [])
    label = ""
    if 0 <= index < len(branches):
        label = _s(branches.pop(index).get("label"))
    return node, label


def set_branch(node: dict[str, Any], index: int, key: str,
               value: str) -> tuple[dict[str, Any], str, str]:
    """The node with one branch field changed, plus (old label, new label) for renames."""
    node = copy.deepcopy(node)
    branches = node.setdefault("config", {}).setdefault("branches", [])
    if not (0 <= index < len(branches)) or not isinstance(branches[index], dict):
        return node, "", ""
    old = _s(branches[index].get("label"))
    if key == "label":
        new = _CUSTOM_NAME.sub("_", value.strip())[:64]
        branches[index]["label"] = new
        return node, old, new
    number = to_number(value)
    branches[index]["weight"] = number if number is not None else 0
    return node, old, old
