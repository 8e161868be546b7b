"""The editor's dialogs: publish (with changes), migrate runs in flight, templates, import."""

from __future__ import annotations

import reflex as rx

from journey_app.components.dialogs import dialog, dialog_actions
from journey_app.pages.editor.state import EditorState

S = EditorState


def publish_dialog() -> rx.Component:
    return dialog(
        rx.cond(S.is_live, "Publish a new version", "Publish this journey"),
        rx.cond(S.is_live,
                "New clients will start on the new version. Clients already in the "
                "journey stay on their version unless you move them next.",
                "From now on, clients who match the trigger start this journey."),
        rx.vstack(
            rx.text("What changed", weight="bold", size="2"),
            rx.cond(
                S.publish_changes.length() == 0,
                rx.text("Nothing changed since the live version (only positions).",
                        size="2", color_scheme="gray"),
                rx.el.ul(rx.foreach(S.publish_changes, lambda c: rx.el.li(
                    rx.text(c, size="2"))), class_name="jr-list",
                    custom_attrs={"data-testid": "publish-changes"}),
            ),
            rx.cond(
                S.publish_in_flight > 0,
                rx.callout(
                    S.publish_in_flight.to_string() + " client(s) are in this journey right "
                    "now. After publishing you can preview moving them to the new version.",
                    icon="users", color_scheme="blue", size="1"),
            ),
            rx.cond(S.warning_count > 0,
                    rx.callout(S.warning_count.to_string() + " warning(s): see Problems. "
                               "They do not block publishing.", icon="triangle_alert",
                               color_scheme="amber", size="1")),
            spacing="3",
            margin_y="16px",
            max_height="50vh",
            overflow_y="auto",
        ),
        footer=dialog_actions(
            rx.button("Publish", on_click=S.confirm_publish, loading=S.busy == "publish"),
            on_cancel=S.close_publish,
        ),
        open=S.publish_open,
        on_open_change=S.set_publish_open,
        max_width="560px",
    )


def migrate_dialog() -> rx.Component:
    return dialog(
        "Move clients already in the journey?",
        "They are on an older version. Moving them keeps each one at the same step of "
        "version " + S.migration_version.to_string() + "; waits are re-timed from when "
        "they started waiting. Nothing is sent twice.",
        rx.vstack(
            rx.cond(S.migration_total > 0,
                    rx.text("Will move " + S.migration_total.to_string() + " client(s):",
                            weight="bold", size="2")),
            rx.el.ul(rx.foreach(S.migration_moves, lambda m: rx.el.li(
                rx.text(m["text"], size="2"))), class_name="jr-list"),
            rx.cond(S.migration_unmapped.length() > 0,
                    rx.vstack(
                        rx.text("Will stay on their version:", weight="bold", size="2"),
                        rx.el.ul(rx.foreach(S.migration_unmapped, lambda m: rx.el.li(
                            rx.text(m["text"], size="2"))), class_name="jr-list"),
                        spacing="1")),
            spacing="2",
            margin_y="16px",
            custom_attrs={"data-testid": "migration-preview"},
        ),
        footer=dialog_actions(
            rx.button("Leave them on their version", variant="soft", color_scheme="gray",
                      on_click=S.keep_runs),
            rx.button("Move " + S.migration_total.to_string() + " client(s)",
                      on_click=S.apply_migration, loading=S.busy == "migrate",
                      disabled=S.migration_total == 0),
            cancel=None,
        ),
        open=S.migrate_open,
        max_width="560px",
    )


def _template_card(t) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(t["name"], weight="bold", size="2"),
                rx.spacer(),
                rx.badge(t["trade"], variant="soft"),
                width="100%",
                align="center",
            ),
            rx.text(t["description"], size="1", color_scheme="gray"),
            rx.hstack(
                rx.text(t["steps"], " steps", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button("Use this template", size="1", on_click=S.use_template(t["key"]),
                          aria_label="Use template " + t["name"]),
                width="100%",
                align="center",
            ),
            spacing="2",
        ),
        width="100%",
    )


def templates_dialog() -> rx.Component:
    return dialog(
        "Start from a template",
        "Ready-made wedding journeys. Loading one replaces what is on the canvas (you can undo).",
        rx.grid(rx.foreach(S.templates, _template_card), columns="2", spacing="3",
                margin_y="16px", max_height="60vh", overflow_y="auto"),
        footer=dialog_actions(cancel="Close", on_cancel=S.close_templates),
        open=S.templates_open,
        on_open_change=S.set_templates_open,
        max_width="820px",
    )


IMPORT_ID = "import-journey-json"


def import_dialog() -> rx.Component:
    return dialog(
        "Import a journey file",
        "A journeys/v1 JSON file, for example one exported from another Journeys "
        "installation. It replaces the canvas (you can undo).",
        rx.upload.root(
            rx.vstack(
                rx.icon("file_up", size=26, color="var(--accent-9)"),
                rx.text("Drop a .json file here, or click to choose one", size="2"),
                align="center",
                spacing="2",
            ),
            id=IMPORT_ID,
            accept={"application/json": [".json"]},
            multiple=False,
            on_drop=S.import_file(rx.upload_files(upload_id=IMPORT_ID)),
            border="2px dashed var(--gray-6)",
            border_radius="var(--radius-3)",
            padding="28px",
            margin_y="16px",
            cursor="pointer",
            custom_attrs={"data-testid": "import-dropzone"},
        ),
        footer=dialog_actions(),
        open=S.import_open,
        on_open_change=S.set_import_open,
        max_width="480px",
    )
