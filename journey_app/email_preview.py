"""Email previews in the inspector: the node's templates rendered for a sample client with the
engine's own sandboxed Jinja2 (engine.templating), exactly as a run would render them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.domain import Client, Vendor
from engine.errors import JourneyError
from engine.templating import render_text

SAMPLE_FORM_URL = "https://example.com/f/sample-form-link"


def sample_client(vendor_id: str, today: date) -> Client:
    """A made-up couple for previews when the vendor has no clients yet."""
    return Client(id="sample", vendor_id=vendor_id, name="Alex & Sam Rivera",
                  email="alex.sam@example.com", status="booked",
                  wedding_date=today + timedelta(days=180),
                  dates={"engagement_shoot": today + timedelta(days=60),
                         "final_payment": today + timedelta(days=150)},
                  fields={"package": "Full day", "lead_source": "instagram"},
                  tags=["booked"])


def client_option(client: Client) -> dict[str, str]:
    return {"id": client.id, "label": f"{client.name} ({client.email})"}


def client_view(client: Client) -> dict[str, Any]:
    """What templates see as `client`, with dates as ISO text (state-friendly)."""
    view = client.view()
    view["wedding_date"] = client.wedding_date.isoformat() if client.wedding_date else None
    view["dates"] = {k: v.isoformat() for k, v in client.dates.items() if v is not None}
    return view


def vendor_view(vendor: Vendor) -> dict[str, Any]:
    return vendor.template_view()


def render_preview(config: dict[str, Any], *, client: dict[str, Any], vendor: dict[str, Any],
                   journey_name: str, is_form: bool = False) -> dict[str, str]:
    """{"to", "subject", "body", "error"} for an email or form node's config."""
    variables: dict[str, Any] = {
        "client": client,
        "vendor": vendor,
        "event": {},
        "journey": {"name": journey_name, "id": "preview"},
    }
    if is_form:
        variables["form_url"] = SAMPLE_FORM_URL
    out = {"to": str(client.get("email") or ""), "subject": "", "body": "", "error": ""}
    try:
        if config.get("to"):
            out["to"] = render_text(str(config["to"]), variables).strip()
        out["subject"] = render_text(str(config.get("subject") or ""), variables).strip()
        out["body"] = render_text(str(config.get("body") or ""), variables)
    except JourneyError as error:
        out["error"] = error.message
    except Exception as error:  # a half-typed template: show why, never a stack trace
        out["error"] = f"This template cannot be shown yet: {error}"
    return out
