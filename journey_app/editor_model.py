"""Pure helpers behind the journey editor: documents, config paths, summaries, diffs, layout.

No Reflex and no database here, so all of it is unit-tested in milliseconds
(tests/e2e/test_editor_model.py). The engine stays the authority: validation is
``engine.graph.validate.validate`` and auto-layout is ``JourneyGraph.layered_layout``.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from journey_app.choices import OPS, UNARY_OPS, labels

FORMAT = "journeys/v1"
HISTORY_LIMIT = 100
_OPS = labels(OPS)

# --------------------------------------------------------------------------- documents


def blank_document(name: str) -> dict[str, Any]:
    """A new journey: just its trigger, ready for the first step."""
    return {
        "format": FORMAT,
        "name": name.strip() or "Untitled journey",
        "nodes": [{"id": "start", "type": "trigger", "title": "Client added",
                   "config": {"event": "client_added"}, "position": {"x": 0, "y": 0}}],
        "edges": [],
    }


def canonical(doc: Any) -> str:
    """A stable text form, for 'has it changed?' checks and the undo history."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def find_node(nodes: list[dict[str, Any]], node_id: str) -> dict[str, Any] | None:
    return next((n for n in nodes if n.get("id") == node_id), None)


def node_label(nodes: list[dict[str, Any]], node_id: str | None) -> str:
    node = find_node(nodes, node_id) if node_id else None
    if node is None:
        return node_id or ""
    return str(node.get("title") or node_id)


def unique_labels(nodes: list[dict[str, Any]], node_ids: list[str]) -> list[str]:
    """Step titles for chart axes, made unique ("Reminder", "Reminder (2)"): charts merge
    categories with the same name."""
    seen: dict[str, int] = {}
    out = []
    for node_id in node_ids:
        title = node_label(nodes, node_id)
        seen[title] = seen.get(title, 0) + 1
        out.append(title if seen[title] == 1 else f"{title} ({seen[title]})")
    return out


# --------------------------------------------------------------------------- config paths


def split_path(path: str | list[str]) -> list[str]:
    return [p for p in (path.split(".") if isinstance(path, str) else path) if p != ""]


def get_in(data: Any, path: str | list[str], default: Any = None) -> Any:
    current = data
    for key in split_path(path):
        if isinstance(current, dict) and key in current:
            current = current[key]
        elif isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        else:
            return default
    return current


def set_in(data: dict[str, Any], path: str | list[str], value: Any) -> dict[str, Any]:
    """Set (or with value None, remove) the value at a dotted path; creates parents."""
    keys = split_path(path)
    if not keys:
        return data
    current: Any = data
    for key in keys[:-1]:
        if isinstance(current, list) and key.isdigit():
            current = current[int(key)]
            continue
        nxt = current.get(key)
        if not isinstance(nxt, (dict, list)):
            nxt = {}
            current[key] = nxt
        current = nxt
    last = keys[-1]
    if isinstance(current, list) and last.isdigit():
        if value is None:
            current.pop(int(last))
        else:
            current[int(last)] = value
    elif value is None:
        current.pop(last, None)
    else:
        current[last] = value
    return data


def to_int(text: Any) -> int | None:
    """A whole number from a form field; None when empty or not a number."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    try:
        return int(float(str(text).strip()))
    except (TypeError, ValueError):
        return None


def to_number(text: Any) -> int | float | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return text
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else value


# --------------------------------------------------------------------------- history


def pack(snapshot: str) -> bytes:
    """A history entry: the canonical document, compressed (big journeys are repetitive)."""
    import zlib

    return zlib.compress(snapshot.encode("utf-8"), 6)


def unpack(entry: bytes) -> dict[str, Any]:
    import zlib

    return json.loads(zlib.decompress(entry).decode("utf-8"))


def push_history(stack: list[Any], snapshot: Any) -> list[Any]:
    """Add a snapshot, skipping exact repeats and keeping the newest HISTORY_LIMIT."""
    if stack and stack[-1] == snapshot:
        return stack
    return (stack + [snapshot])[-HISTORY_LIMIT:]


# --------------------------------------------------------------------------- events


def event_choice(value: Any) -> tuple[str, str]:
    """('custom', name) for custom:<name>, else (value, '')."""
    if isinstance(value, str) and value.startswith("custom:"):
        return "custom", value[len("custom:"):]
    return (value if isinstance(value, str) else ""), ""


def event_text(value: Any) -> str:
    choice, name = event_choice(value)
    if choice == "custom":
        return f"“{name or '…'}”"
    return str(choice).replace("_", " ")


# --------------------------------------------------------------------------- times


def duration_text(duration: Any) -> str:
    if not isinstance(duration, dict) or not duration:
        return "no time"
    parts = []
    for unit in ("weeks", "days", "hours", "minutes"):
        n = duration.get(unit)
        if isinstance(n, (int, float)) and not isinstance(n, bool) and n:
            name = unit if n != 1 else unit[:-1]
            parts.append(f"{n:g} {name}")
    return " ".join(parts) or "no time"


def anchor_text(anchor: Any) -> str:
    if anchor in (None, "", "wedding_date"):
        return "the wedding"
    name = str(anchor)
    name = name[len("dates."):] if name.startswith("dates.") else name
    return name.replace("_", " ")


def time_text(spec: Any) -> str:
    """'30 days before the wedding at 10:00', 'on 15 Jan 2027 at 09:00'."""
    if not isinstance(spec, dict):
        return "—"
    at = spec.get("at") or "09:00"
    if "date" in spec and "anchor" not in spec:
        return f"on {spec.get('date')} at {at}"
    offset = spec.get("offset") or {}
    unit, n = "days", 0
    if isinstance(offset, dict):
        if "business_days" in offset:
            unit, n = "business days", offset.get("business_days") or 0
        else:
            n = offset.get("days") or 0
    anchor = anchor_text(spec.get("anchor"))
    if not isinstance(n, (int, float)) or n == 0:
        return f"on {anchor} at {at}" if anchor != "the wedding" else f"on the wedding day at {at}"
    direction = "before" if n < 0 else "after"
    count = abs(n)
    unit_name = unit if count != 1 else unit[:-1]
    return f"{count:g} {unit_name} {direction} {anchor} at {at}"


def is_time_spec(value: Any) -> bool:
    return isinstance(value, dict) and ("anchor" in value or "date" in value)


def timeout_text(value: Any) -> str:
    return f"until {time_text(value)}" if is_time_spec(value) else f"up to {duration_text(value)}"


# --------------------------------------------------------------------------- conditions


def value_to_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value_to_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text_to_value(text: str, op: str) -> Any:
    """What a vendor typed, as the JSON value for `op` (numbers, true/false, lists)."""
    if op in UNARY_OPS:
        return None
    if op in ("in", "not_in"):
        return [_scalar(part.strip()) for part in str(text).split(",") if part.strip()]
    if op in ("days_until_lte", "days_until_gte"):
        number = to_int(text)
        return number if number is not None else 0
    return _scalar(str(text).strip())


def _scalar(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def group_kind(group: Any) -> str:
    return "any" if isinstance(group, dict) and "any" in group and "all" not in group else "all"


def condition_rows(group: Any) -> list[dict[str, Any]]:
    """The predicates of a condition group as form rows (strings only).

    Nested groups are kept as they are and shown as one read-only row (``nested`` True)."""
    kind = group_kind(group)
    members = group.get(kind) if isinstance(group, dict) else None
    rows: list[dict[str, Any]] = []
    for i, member in enumerate(members if isinstance(members, list) else []):
        if isinstance(member, dict) and ("all" in member or "any" in member):
            rows.append({"index": i, "field": "", "op": "", "value": "", "nested": True,
                         "unary": False, "text": condition_text(member)})
            continue
        member = member if isinstance(member, dict) else {}
        op = str(member.get("op") or "eq")
        rows.append({"index": i, "field": str(member.get("field") or ""), "op": op,
                     "value": value_to_text(member.get("value")), "nested": False,
                     "unary": op in UNARY_OPS, "text": ""})
    return rows


def predicate_text(p: Any) -> str:
    if not isinstance(p, dict):
        return "?"
    if "all" in p or "any" in p:
        return "(" + condition_text(p) + ")"
    field = str(p.get("field") or "?")
    field = field.replace("client.fields.", "").replace("client.dates.", "").replace("client.", "")
    op = _OPS.get(str(p.get("op")), str(p.get("op")))
    if p.get("op") in UNARY_OPS:
        return f"{field} {op}"
    return f"{field} {op} {value_to_text(p.get('value'))}"


def condition_text(group: Any) -> str:
    kind = group_kind(group)
    members = group.get(kind) if isinstance(group, dict) else None
    if not isinstance(members, list) or not members:
        return "no rules yet"
    joiner = " and " if kind == "all" else " or "
    texts = [predicate_text(m) for m in members[:2]]
    more = f" (+{len(members) - 2} more)" if len(members) > 2 else ""
    return joiner.join(texts) + more


# --------------------------------------------------------------------------- summaries


def node_summary(node: dict[str, Any]) -> str:
    """One line a vendor can read on the canvas: what this step does."""
    c = node.get("config") if isinstance(node.get("config"), dict) else {}
    kind = node.get("type")
    try:
        if kind == "trigger":
            if c.get("event") == "date":
                return "Starts " + time_text(c)
            return "Starts when " + {
                "client_added": "a client is added",
                "form_submitted": "a form is submitted",
                "payment_received": "a payment arrives",
                "manual": "you start it",
            }.get(str(c.get("event")), f"{event_text(c.get('event'))} happens")
        if kind == "email":
            text = f"“{c.get('subject') or 'no subject'}”"
            return text + (" · needs approval" if c.get("requires_approval") else "")
        if kind == "form":
            return f"Form {c.get('form') or '?'} · “{c.get('subject') or ''}”"
        if kind == "delay":
            if "until" in c:
                return "Until " + time_text(c.get("until"))
            if "business_days" in c:
                n = c.get("business_days")
                return f"Wait {n} business day{'s' if n != 1 else ''}"
            return "Wait " + duration_text(c.get("duration"))
        if kind == "wait_for":
            return f"For {event_text(c.get('event'))}, {timeout_text(c.get('timeout'))}"
        if kind == "condition":
            return "If " + condition_text(c)
        if kind == "split":
            branches = c.get("branches") if isinstance(c.get("branches"), list) else []
            total = sum(b.get("weight") or 0 for b in branches if isinstance(b, dict)
                        and isinstance(b.get("weight"), (int, float))) or 1
            return " · ".join(f"{b.get('label')} {round(100 * (b.get('weight') or 0) / total)}%"
                              for b in branches if isinstance(b, dict))
        if kind == "action":
            action = c.get("action")
            if action in ("add_tag", "remove_tag"):
                return f"{'Add' if action == 'add_tag' else 'Remove'} tag “{c.get('tag', '')}”"
            if action == "update_status":
                return f"Status → {c.get('status', '')}"
            if action == "set_field":
                return f"Set {c.get('field', '')} = {value_to_text(c.get('value'))}"
            if action == "create_task":
                return f"Task: {c.get('title', '')}"
            if action == "webhook":
                return f"{c.get('method', 'POST')} {c.get('url', '')}"
            return "Choose an action"
        if kind == "exit":
            return "The journey ends here"
    except Exception:  # a half-edited config must never break the canvas
        return ""
    return ""


# --------------------------------------------------------------------------- problems


def problem_rows(problems: list[Any], nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation problems for the problems panel: plain strings, the node named by its title."""
    rows = []
    for i, p in enumerate(problems):
        d = p.to_dict() if hasattr(p, "to_dict") else dict(p)
        message = str(d.get("message") or "")
        where, _, rest = message.partition(": ")
        if rest and d.get("node") and where.startswith("node "):
            message = f"{node_label(nodes, d['node'])}: {rest}"
        elif rest and where.startswith("edge ") and d.get("edge"):
            a, b = d["edge"]
            message = f"{node_label(nodes, a)} → {node_label(nodes, b)}: {rest}"
        elif rest and where == "document":
            message = rest[:1].upper() + rest[1:]
        message = message.replace("config.", "")
        edge = d.get("edge") or []
        rows.append({
            "key": str(i),
            "code": str(d.get("code") or ""),
            "severity": str(d.get("severity") or "error"),
            "node": str(d.get("node") or ""),
            "edge": f"{edge[0]}->{edge[1]}" if len(edge) == 2 else "",
            "message": message,
        })
    return rows


# --------------------------------------------------------------------------- diffs


def _nodes_by_id(doc: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    nodes = (doc or {}).get("nodes") or []
    return {n["id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}


def _edge_keys(doc: dict[str, Any] | None) -> dict[tuple, dict[str, Any]]:
    edges = (doc or {}).get("edges") or []
    return {(e.get("from"), e.get("to"), e.get("when")): e for e in edges if isinstance(e, dict)}


def document_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed from `old` (the live version) to `new` (the draft), in plain English.
    Positions on the canvas do not count."""
    if old is None:
        return ["First version: everything is new."]
    lines: list[str] = []
    if old.get("name") != new.get("name"):
        lines.append(f"Renamed to “{new.get('name')}”")
    if (old.get("settings") or {}) != (new.get("settings") or {}):
        keys = sorted(set(old.get("settings") or {}) | set(new.get("settings") or {}))
        changed = [k for k in keys if (old.get("settings") or {}).get(k)
                   != (new.get("settings") or {}).get(k)]
        lines.append("Journey settings changed: " + ", ".join(k.replace("_", " ")
                                                               for k in changed))
    before, after = _nodes_by_id(old), _nodes_by_id(new)
    new_nodes = list(after.values())
    old_nodes = list(before.values())
    for node_id, node in after.items():
        if node_id not in before:
            lines.append(f"Added step “{node_label(new_nodes, node_id)}” ({node.get('type')})")
    for node_id in before:
        if node_id not in after:
            lines.append(f"Removed step “{node_label(old_nodes, node_id)}”")
    for node_id, node in after.items():
        if node_id in before:
            was = before[node_id]
            what = []
            if was.get("type") != node.get("type"):
                what.append("type")
            if (was.get("title") or "") != (node.get("title") or ""):
                what.append("title")
            old_cfg, new_cfg = was.get("config") or {}, node.get("config") or {}
            for key in sorted(set(old_cfg) | set(new_cfg)):
                if old_cfg.get(key) != new_cfg.get(key):
                    what.append(key.replace("_", " "))
            if what:
                lines.append(f"Changed “{node_label(new_nodes, node_id)}”: {', '.join(what)}")
    old_edges, new_edges = _edge_keys(old), _edge_keys(new)
    for key in new_edges:
        if key not in old_edges:
            label = f" ({key[2]})" if key[2] else ""
            lines.append(f"Connected “{node_label(new_nodes, key[0])}” → "
                         f"“{node_label(new_nodes, key[1])}”{label}")
    for key in old_edges:
        if key not in new_edges:
            label = f" ({key[2]})" if key[2] else ""
            lines.append(f"Disconnected “{node_label(old_nodes, key[0])}” → "
                         f"“{node_label(old_nodes, key[1])}”{label}")
    return lines


def same_graph(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    return old is not None and not document_changes(old, new)


# --------------------------------------------------------------------------- layout


def auto_layout(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes with the engine's layered (left-to-right) positions."""
    from engine.graph.document import document_from_dict
    from engine.graph.graph import JourneyGraph

    positions = JourneyGraph(document_from_dict(doc)).layered_layout()
    nodes = copy.deepcopy(doc.get("nodes") or [])
    for node in nodes:
        if node.get("id") in positions:
            pos = positions[node["id"]]
            node["position"] = {"x": int(pos["x"]), "y": int(pos["y"])}
    return nodes


# --------------------------------------------------------------------------- edits


def rename_branch_edges(edges: list[dict[str, Any]], node_id: str, old: str,
                        new: str) -> list[dict[str, Any]]:
    """Keep a split's edges attached when a branch label is renamed."""
    out = []
    for edge in edges:
        if edge.get("from") == node_id and edge.get("when") == old:
            edge = {**edge, "when": new}
        out.append(edge)
    return out


def remove_node(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
                node_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return ([n for n in nodes if n.get("id") != node_id],
            [e for e in edges if node_id not in (e.get("from"), e.get("to"))])
