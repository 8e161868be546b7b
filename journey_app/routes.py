"""Every URL of the UI, in one place. Pages and links import these constants."""

from __future__ import annotations

INDEX = "/"
JOURNEYS = "/journeys"
# Dynamic segment: Reflex exposes it as the ``journey_id`` router param.
JOURNEY_EDITOR = "/journeys/[journey_id]"
CLIENTS = "/clients"
APPROVALS = "/approvals"
OUTBOX = "/outbox"
ANALYTICS = "/analytics"
SETTINGS = "/settings"

# Mounted FastAPI app (journey_app.api.create_api); same origin as the UI.
API_PREFIX = "/api/v1"


def journey_editor(journey_id: str) -> str:
    """The editor URL of one journey."""
    return JOURNEY_EDITOR.replace("[journey_id]", journey_id)
