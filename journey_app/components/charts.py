"""Plotly charts sized to their card (the figures are built by the pages' states)."""

from __future__ import annotations

import reflex as rx

CONFIG = {"displayModeBar": False, "responsive": True}


def chart(figure: rx.Var) -> rx.Component:
    """A responsive Plotly chart of a state's ``go.Figure`` var."""
    return rx.plotly(data=figure, config=CONFIG, use_resize_handler=True, width="100%")
