"""The `load` event most signed-in pages share: a state mixin.

A page state mixes it in before its `SessionState` parent and writes `_refresh()` (and, when it
needs to read the URL or reset something first, `_before_refresh()`):

    class OutboxState(LoadsOnOpen, SessionState):
        def _refresh(self) -> None: ...

Reflex copies a mixin's event handlers onto each state that mixes it in, so every page's `load`
is bound to that page's own state (a handler inherited from a plain parent state would run on
the parent's instance instead).
"""

from __future__ import annotations

import reflex as rx


class LoadsOnOpen(rx.State, mixin=True):
    """`loading` while the page's data is read; `load` is the page's on_load (after
    `SessionState.require_login`) and its Refresh button."""

    loading: bool = True

    @rx.event
    def load(self):
        if not self.signed_in:
            return  # require_login (run first) is sending them to the login page
        self.loading = True
        self._before_refresh()
        try:
            self._refresh()
        finally:
            self.loading = False

    def _before_refresh(self) -> None:
        """What a page reads or resets before its data (the URL, a previous error)."""

    def _refresh(self) -> None:
        raise NotImplementedError
