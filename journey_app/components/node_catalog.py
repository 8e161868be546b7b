"""What the builder knows about each journeys/v1 node type: label, look, outputs, defaults.

``outputs`` lists the source handles a node shows; ``None`` is the single
unlabelled output, any string is an edge label (``when``) and also the React
Flow ``sourceHandle`` id. ``split`` takes its outputs from ``config.branches``.
``icon`` is a Lucide icon name imported by assets/flow/journey_flow.jsx (add new
ones there).
The labels mirror docs/spec "Node types"; the engine's validator stays the
authority on what is allowed.
"""

from __future__ import annotations

from typing import Any, Final

NODE_CATALOG: Final[dict[str, dict[str, Any]]] = {
    "trigger": {
        "label": "Trigger",
        "description": "Where the journey starts",
        "icon": "zap",
        "color": "#7c3aed",
        "target": False,
        "outputs": [None],
        "defaults": {"title": "Client added", "config": {"event": "client_added"}},
    },
    "email": {
        "label": "Email",
        "description": "Send an email",
        "icon": "mail",
        "color": "#2563eb",
        "outputs": [None],
        "defaults": {
            "title": "Email",
            "config": {"subject": "Hello {{ client.name }}", "body": "Hi {{ client.name }},"},
        },
    },
    "form": {
        "label": "Form",
        "description": "Request a hosted form",
        "icon": "clipboard-list",
        "color": "#0891b2",
        "outputs": [None],
        "defaults": {
            "title": "Questionnaire",
            "config": {
                "form": "questionnaire",
                "subject": "A few questions",
                "body": "Please fill in {{ form_url }}",
            },
        },
    },
    "delay": {
        "label": "Delay",
        "description": "Wait for a while",
        "icon": "clock",
        "color": "#d97706",
        "outputs": [None, "past_due"],
        "defaults": {"title": "Wait 1 day", "config": {"duration": {"days": 1}}},
    },
    "wait_for": {
        "label": "Wait for",
        "description": "Wait for an event or time out",
        "icon": "hourglass",
        "color": "#ca8a04",
        "outputs": ["event", "timeout"],
        "defaults": {
            "title": "Wait for form",
            "config": {"event": "form_submitted", "timeout": {"days": 7}},
        },
    },
    "condition": {
        "label": "Condition",
        "description": "Branch on client data",
        "icon": "git-branch",
        "color": "#db2777",
        "outputs": ["true", "false"],
        "defaults": {
            "title": "Is booked?",
            "config": {"all": [{"field": "client.status", "op": "eq", "value": "booked"}]},
        },
    },
    "split": {
        "label": "Split",
        "description": "Random A/B split",
        "icon": "split",
        "color": "#9333ea",
        "outputs_from": "branches",
        "outputs": [],
        "defaults": {
            "title": "A/B test",
            "config": {
                "branches": [{"label": "a", "weight": 50}, {"label": "b", "weight": 50}]
            },
        },
    },
    "action": {
        "label": "Action",
        "description": "Update data or call a webhook",
        "icon": "settings-2",
        "color": "#059669",
        "outputs": [None],
        "defaults": {"title": "Add tag", "config": {"action": "add_tag", "tag": "engaged"}},
    },
    "exit": {
        "label": "Exit",
        "description": "End the journey",
        "icon": "circle-stop",
        "color": "#475569",
        "outputs": [],
        "defaults": {"title": "Done", "config": {}},
    },
}


def output_labels(node_type: str, config: dict[str, Any] | None = None) -> list[str | None]:
    """The source handles (edge labels) a node of this type shows on the canvas."""
    spec = NODE_CATALOG.get(node_type)
    if spec is None:
        return [None]
    if spec.get("outputs_from") == "branches":
        branches = (config or {}).get("branches") or []
        return [str(b.get("label", "")) for b in branches if isinstance(b, dict)]
    return list(spec["outputs"])
