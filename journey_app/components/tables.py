"""Data tables: a header row of column names over the rows a page renders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx


def data_table(headers: Sequence[str], *rows: rx.Component, region: Any = None,
               **props: Any) -> rx.Component:
    """A full-width table with ``headers`` over ``rows`` (usually an ``rx.foreach``); ``props``
    go to the table (``variant``, ``size``). With ``region`` it sits in a box with the role
    region named ``region``, so tests and screen readers find it by that name."""
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(*rows),
        width="100%",
        **props,
    )
    if region is None:
        return table
    return rx.box(table, role="region", aria_label=region, width="100%")
