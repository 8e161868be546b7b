"""Why a form link cannot be used. Each is a different page for the couple, so each is its own
error with its own code; `details` carries what the page shows (the vendor to contact, when the
answers were sent or the link ran out), never the answers."""
from __future__ import annotations

from typing import Any

from engine.errors import JourneyError


class FormLinkError(JourneyError):
    """A form link that cannot be opened or answered."""

    code = "FORM_LINK_ERROR"
    http_status = 400


class FormLinkUnknown(FormLinkError, LookupError):
    """No such link (mistyped, cut short, or its client was removed)."""

    code = "FORM_LINK_UNKNOWN"
    http_status = 404

    def __init__(self) -> None:
        super().__init__("this form link is not valid: it may have been copied incompletely",
                         details={"reason": "unknown"})


class FormLinkExpired(FormLinkError):
    code = "FORM_LINK_EXPIRED"
    http_status = 410

    def __init__(self, details: dict[str, Any]):
        super().__init__("this form link has expired", details={"reason": "expired", **details})


class FormLinkUsed(FormLinkError):
    """The answers were already sent: a link is answered once."""

    code = "FORM_LINK_USED"
    http_status = 409

    def __init__(self, details: dict[str, Any]):
        super().__init__("this form was already sent; a form link can be used once",
                         details={"reason": "used", **details})


class FormUnavailable(FormLinkError):
    """The link is fine but the vendor has since removed the form it asks for."""

    code = "FORM_UNAVAILABLE"
    http_status = 410

    def __init__(self, details: dict[str, Any]):
        super().__init__("this form is no longer available",
                         details={"reason": "unavailable", **details})


__all__ = ["FormLinkError", "FormLinkExpired", "FormLinkUnknown", "FormLinkUsed",
           "FormUnavailable"]
