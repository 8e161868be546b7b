"""Every URL of the UI, in one place. Pages and links import these constants."""

from __future__ import annotations

INDEX = "/"
LOGIN = "/login"
SIGNUP = "/signup"
JOURNEYS = "/journeys"
# Dynamic segment: Reflex exposes it as the ``journey_id`` router param.
JOURNEY_EDITOR = "/journeys/[journey_id]"
JOURNEY_SIMULATE = "/journeys/[journey_id]/simulate"
CLIENTS = "/clients"
# Dynamic segment: the ``client_id`` router param.
CLIENT_DETAIL = "/clients/[client_id]"
APPROVALS = "/approvals"
OUTBOX = "/outbox"
ANALYTICS = "/analytics"
SETTINGS = "/settings"

# Mounted FastAPI app (journey_app.api.create_api); same origin as the UI.
API_PREFIX = "/api/v1"


def journey_editor(journey_id: str) -> str:
    """The editor URL of one journey."""
    return JOURNEY_EDITOR.replace("[journey_id]", journey_id)


def journey_simulate(journey_id: str) -> str:
    return JOURNEY_SIMULATE.replace("[journey_id]", journey_id)


def client_detail(client_id: str) -> str:
    return CLIENT_DETAIL.replace("[client_id]", client_id)
