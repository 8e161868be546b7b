"""The vocabulary of `journeys/v1`: node types, events, labels, condition fields and ops.

One place so the validator, the runtime and the builder agree on every name.
"""
from __future__ import annotations

import re

FORMAT = "journeys/v1"

DOCUMENT_KEYS = ("format", "name", "description", "settings", "nodes", "edges")
NODE_KEYS = ("id", "type", "title", "config", "position")
EDGE_KEYS = ("from", "to", "when")
SETTINGS_KEYS = ("timezone", "send_window", "calendar", "reentry", "exit_on", "goal",
                 "past_due_grace")

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")

NODE_TYPES = ("trigger", "email", "form", "delay", "wait_for", "condition", "split", "action",
              "exit")
WAIT_TYPES = frozenset({"delay", "wait_for"})  # a cycle must pass one of these

# Events a trigger, wait_for, exit_on or goal may name; plus `custom:<name>`.
BUILTIN_EVENTS = ("client_added", "form_submitted", "payment_received", "manual")
DATE_EVENT = "date"
CUSTOM_EVENT_PREFIX = "custom:"
CUSTOM_EVENT_RE = re.compile(r"custom:[A-Za-z0-9_.-]{1,64}")

REENTRY_VALUES = ("never", "after_exit")

# Outgoing edge labels. None is the unlabelled edge.
PAST_DUE = "past_due"
FIXED_LABELS: dict[str, frozenset] = {
    "trigger": frozenset({None}),
    "email": frozenset({None}),
    "form": frozenset({None}),
    "delay": frozenset({None, PAST_DUE}),
    "wait_for": frozenset({"event", "timeout"}),
    "condition": frozenset({"true", "false"}),
    "action": frozenset({None}),
    "exit": frozenset(),
    # split: the labels of its branches (see allowed_labels)
}
# Labels that must all be present (an error when one is missing).
REQUIRED_LABELS: dict[str, tuple[str, ...]] = {
    "wait_for": ("event", "timeout"),
    "condition": ("true", "false"),
}

ACTION_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required keys, optional keys) besides "action"
    "update_status": (("status",), ()),
    "set_field": (("field", "value"), ()),
    "add_tag": (("tag",), ()),
    "remove_tag": (("tag",), ()),
    "create_task": (("title",), ("due",)),
    "webhook": (("url",), ("method", "headers", "body")),
}
WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

SPLIT_MIN_BRANCHES = 2
SPLIT_MAX_BRANCHES = 10

# Conditions
GROUP_KEYS = ("all", "any")
PREDICATE_KEYS = ("field", "op", "value")
CLIENT_ATTRIBUTES = ("name", "email", "status", "wedding_date", "tags", "timezone")
CLIENT_DATE_ATTRIBUTES = ("wedding_date",)
OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "exists", "not_exists",
       "days_until_lte", "days_until_gte")
UNARY_OPS = frozenset({"exists", "not_exists"})
LIST_OPS = frozenset({"in", "not_in"})
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte"})
DAYS_OPS = frozenset({"days_until_lte", "days_until_gte"})
MAX_CONDITION_DEPTH = 16

# Template variables
TEMPLATE_VARS = frozenset({"client", "vendor", "event", "journey"})
FORM_TEMPLATE_VARS = TEMPLATE_VARS | {"form_url"}


def is_event_name(value: object, *, allow_date: bool) -> bool:
    """A built-in event, `custom:<name>`, or (for triggers) `date`."""
    if not isinstance(value, str):
        return False
    if value in BUILTIN_EVENTS:
        return True
    if value == DATE_EVENT:
        return allow_date
    return CUSTOM_EVENT_RE.fullmatch(value) is not None


def allowed_labels(node_type: str, config: object) -> frozenset | None:
    """Labels the node may have on outgoing edges; None for an unknown type."""
    if node_type == "split":
        return frozenset(split_labels(config))
    return FIXED_LABELS.get(node_type)


def split_labels(config: object) -> tuple[str, ...]:
    """The branch labels of a split config, in branch order, without repeats."""
    labels: dict[str, None] = {}
    branches = config.get("branches") if isinstance(config, dict) else None
    if isinstance(branches, list):
        for b in branches:
            if isinstance(b, dict) and isinstance(b.get("label"), str):
                labels.setdefault(b["label"], None)
    return tuple(labels)


def required_labels(node_type: str, config: object) -> tuple:
    """Labels that must each have an edge (condition, wait_for, split)."""
    if node_type == "split":
        return split_labels(config)
    return REQUIRED_LABELS.get(node_type, ())
