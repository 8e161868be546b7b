"""What a user sees when an event handler fails: a clear toast, never a stack trace.

Engine errors (engine.errors.JourneyError) carry a message written for people: show it.
Anything else is logged with its traceback and summarised. No ``from __future__ import
annotations`` here: Reflex evaluates this handler's annotations at start-up.
"""

import logging

import reflex as rx
from reflex.event import EventSpec

log = logging.getLogger("journeys.app")


def _toast(title: str, description: str) -> EventSpec:
    return rx.toast.error(title, description=description, position="top-center",
                          duration=8000, close_button=True)


def handle_backend_error(exception: Exception) -> list[EventSpec]:
    from engine.errors import JourneyError

    from journey_app import routes
    from journey_app.session import NotSignedIn

    if isinstance(exception, NotSignedIn):
        return [rx.toast.info(str(exception), position="top-center"),
                rx.redirect(routes.LOGIN)]
    if isinstance(exception, JourneyError):
        log.info("engine refused: %s", exception.message)
        return [_toast("That did not work", exception.message)]
    log.exception("unexpected error in an event handler", exc_info=exception)
    return [_toast("Something went wrong",
                   "The server hit an unexpected error. Your last change may not have been "
                   "saved; try again. Details are in the server log.")]
