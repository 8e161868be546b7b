"""The journey editor's state: the draft being edited, its history, validation and publishing.

Every change to the document goes through ``_record(before, key)``: it pushes the previous
document on the undo stack (consecutive edits of one field merge into one step), re-validates
with the engine's validator and recomputes ``dirty``. Python replaces the canvas content by
bumping ``revision``; the canvas reports its own edits through ``graph_changed``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import reflex as rx

from journey_app import editor_model as em
from journey_app import engine_access
from journey_app import inspector_model as im
from journey_app.components.flow import normalize_graph
from journey_app.email_preview import (client_option, client_view, render_preview,
                                       sample_client, vendor_view)
from journey_app.session import SessionState

SAMPLE_CLIENT = "sample"


class EditorState(SessionState):
    """The document being edited. Nodes and edges mirror the canvas."""

    journey_key: str = ""
    loading: bool = True
    load_error: str = ""
    name: str = ""
    description: str = ""
    settings: dict[str, Any] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    # Bumped whenever Python replaces the graph; fit_key when the view should fit it.
    revision: int = 0
    fit_key: int = 0
    select_id: str = ""
    select_key: int = 0
    selected: str = ""
    tab: str = "step"
    problems: list[dict[str, str]] = []
    dirty: bool = False
    saving: bool = False
    live_version: int = 0
    latest_version: int = 0
    updated_text: str = ""
    can_undo: bool = False
    can_redo: bool = False
    preview_clients: list[dict[str, str]] = []
    preview_client: str = SAMPLE_CLIENT
    form_keys: list[str] = []

    _undo: list[bytes] = []  # em.pack()ed documents
    _redo: list[bytes] = []
    _saved: str = ""
    _coalesce: str = ""
    _live_doc: dict[str, Any] = {}
    _client_views: dict[str, dict[str, Any]] = {}
    _vendor_view: dict[str, Any] = {}

    # ------------------------------------------------------------------ document
    def _doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": em.FORMAT, "name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.settings:
            doc["settings"] = self.settings
        doc["nodes"] = self.nodes
        doc["edges"] = self.edges
        return doc

    def _snapshot(self) -> str:
        return em.canonical(self._doc())

    def _apply_doc(self, doc: dict[str, Any], *, fit: bool) -> None:
        self.name = str(doc.get("name") or "")
        self.description = str(doc.get("description") or "")
        settings = doc.get("settings")
        self.settings = settings if isinstance(settings, dict) else {}
        self.nodes, self.edges = normalize_graph(doc)
        if self.selected and em.find_node(self.nodes, self.selected) is None:
            self.selected = ""
        self.revision += 1
        if fit:
            self.fit_key += 1

    def _record(self, before: str, key: str = "") -> None:
        """A change was made: remember the previous document for undo, re-validate."""
        if key and key == self._coalesce:
            pass  # typing in the same field: one undo step
        elif before != self._snapshot():
            self._undo = em.push_history(self._undo, em.pack(before))
        self._coalesce = key
        self._redo = []
        self._after_change()

    def _after_change(self) -> None:
        from engine.graph.validate import validate

        doc = self._doc()
        self.problems = em.problem_rows(validate(doc), self.nodes)
        self.dirty = em.canonical(doc) != self._saved
        self.can_undo = bool(self._undo)
        self.can_redo = bool(self._redo)

    # ------------------------------------------------------------------ loading
    @rx.event
    def load(self):
        """on_load: the journey named in the URL, from the engine."""
        self.loading, self.load_error = True, ""
        journey_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.journey_key = journey_id
        self.selected, self.tab = "", "step"
        self._undo, self._redo, self._coalesce = [], [], ""
        try:
            vendor_id = self.vendor_id
        except Exception:
            self.loading = False
            return
        eng = engine_access.engine()
        from engine.errors import NotFound

        try:
            journey = eng.journeys.get(vendor_id, journey_id)
        except NotFound:
            self.loading = False
            self.load_error = "This journey does not exist (or was deleted)."
            return
        self._apply_doc(journey.draft, fit=True)
        self._saved = self._snapshot()
        self._set_versions(journey)
        vendor = eng.get_vendor(vendor_id)
        self._vendor_view = vendor_view(vendor)
        today = eng.clock.now().date()
        sample = sample_client(vendor_id, today)
        views = {SAMPLE_CLIENT: client_view(sample)}
        options = [{"id": SAMPLE_CLIENT, "label": "Sample couple (Alex & Sam)"}]
        for client in eng.clients.list(vendor_id, limit=25):
            views[client.id] = client_view(client)
            options.append(client_option(client))
        self._client_views = views
        self.preview_clients = options
        if self.preview_client not in views:
            self.preview_client = SAMPLE_CLIENT
        from engine import library

        self.form_keys = [f["key"] for f in library.list_forms()]
        self._after_change()
        self.loading = False

    def _set_versions(self, journey: Any) -> None:
        eng = engine_access.engine()
        self.live_version = journey.live_version or 0
        self.latest_version = journey.latest_version or 0
        self._live_doc = {}
        if journey.live_version:
            self._live_doc = eng.journeys.version(journey.vendor_id, journey.id,
                                                  journey.live_version).document
        when = journey.updated_at
        self.updated_text = when.strftime("%d %b %Y, %H:%M UTC") if when else ""

    # ------------------------------------------------------------------ canvas events
    @rx.event
    def graph_changed(self, graph: dict[str, Any]):
        """A committed canvas edit: keep the document in step with the canvas."""
        before = self._snapshot()
        self.nodes, self.edges = normalize_graph(graph)
        if self.selected and em.find_node(self.nodes, self.selected) is None:
            self.selected = ""
        self._record(before)

    @rx.event
    def node_selected(self, node_id: str):
        self.selected = node_id
        self._coalesce = ""
        if node_id:
            self.tab = "step"

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab

    @rx.event
    def undo(self):
        if not self._undo:
            return
        current = self._snapshot()
        previous = self._undo[-1]
        self._undo = self._undo[:-1]
        self._redo = em.push_history(self._redo, em.pack(current))
        self._apply_doc(em.unpack(previous), fit=False)
        self._coalesce = ""
        self._after_change()

    @rx.event
    def redo(self):
        if not self._redo:
            return
        current = self._snapshot()
        following = self._redo[-1]
        self._redo = self._redo[:-1]
        self._undo = em.push_history(self._undo, em.pack(current))
        self._apply_doc(em.unpack(following), fit=False)
        self._coalesce = ""
        self._after_change()

    @rx.event
    def select_problem(self, node_id: str):
        """Clicking a problem selects (and centres) its node."""
        if not node_id or em.find_node(self.nodes, node_id) is None:
            return
        self.selected = node_id
        self.select_id = node_id
        self.select_key += 1
        self.tab = "step"

    @rx.event
    def auto_layout(self):
        before = self._snapshot()
        try:
            self.nodes = em.auto_layout(self._doc())
        except Exception:
            return rx.toast.error("Auto-layout needs a trigger and valid connections first.")
        self.revision += 1
        self.fit_key += 1
        self._record(before)

    @rx.event
    def fit_view(self):
        self.revision += 1
        self.fit_key += 1

    # ------------------------------------------------------------------ inspector
    def _today(self) -> date:
        return engine_access.engine().clock.now().date()

    def _replace_selected(self, node: dict[str, Any], key: str) -> None:
        before = self._snapshot()
        self.nodes = [node if n.get("id") == self.selected else n for n in self.nodes]
        self.revision += 1
        self._record(before, key)

    def _selected_node(self) -> dict[str, Any] | None:
        return em.find_node(self.nodes, self.selected) if self.selected else None

    @rx.event
    def set_field(self, key: str, value: Any):
        node = self._selected_node()
        if node is None:
            return
        updated = im.apply_field(node, key, value, self._today())
        self._replace_selected(updated, f"{self.selected}:{key}")

    @rx.event
    def add_row(self, path: str):
        node = self._selected_node()
        if node is not None:
            self._replace_selected(im.add_row(node, path), "")

    @rx.event
    def remove_row(self, path: str, index: int):
        node = self._selected_node()
        if node is not None:
            self._replace_selected(im.remove_row(node, path, int(index)), "")

    @rx.event
    def set_row(self, path: str, index: int, key: str, value: str):
        node = self._selected_node()
        if node is not None:
            self._replace_selected(im.set_row(node, path, int(index), key, value),
                                   f"{self.selected}:{path}:{index}:{key}")

    @rx.event
    def set_group_kind(self, path: str, kind: str):
        node = self._selected_node()
        if node is not None:
            self._replace_selected(im.set_group_kind(node, path, kind), "")

    @rx.event
    def add_branch(self):
        node = self._selected_node()
        if node is not None:
            self._replace_selected(im.add_branch(node), "")

    @rx.event
    def remove_branch(self, index: int):
        node = self._selected_node()
        if node is None:
            return
        before = self._snapshot()
        updated, label = im.remove_branch(node, int(index))
        self.nodes = [updated if n.get("id") == self.selected else n for n in self.nodes]
        self.edges = [e for e in self.edges
                      if not (e.get("from") == self.selected and e.get("when") == label)]
        self.revision += 1
        self._record(before)

    @rx.event
    def set_branch(self, index: int, key: str, value: str):
        node = self._selected_node()
        if node is None:
            return
        before = self._snapshot()
        updated, old, new = im.set_branch(node, int(index), key, value)
        self.nodes = [updated if n.get("id") == self.selected else n for n in self.nodes]
        if key == "label" and old != new:
            self.edges = em.rename_branch_edges(self.edges, self.selected, old, new)
        self.revision += 1
        self._record(before, f"{self.selected}:branch:{index}:{key}")

    @rx.event
    def delete_selected(self):
        if not self.selected:
            return
        before = self._snapshot()
        self.nodes, self.edges = em.remove_node(self.nodes, self.edges, self.selected)
        self.selected = ""
        self.revision += 1
        self._record(before)

    @rx.event
    def set_preview_client(self, client_id: str):
        self.preview_client = client_id

    # ------------------------------------------------------------------ journey settings
    @rx.event
    def set_name(self, value: str):
        before = self._snapshot()
        self.name = value
        self._record(before, "doc:name")

    @rx.event
    def set_description(self, value: str):
        before = self._snapshot()
        self.description = value
        self._record(before, "doc:description")

    @rx.event
    def set_setting(self, key: str, value: Any):
        from journey_app.settings_model import apply_setting

        before = self._snapshot()
        self.settings = apply_setting(self.settings, key, value)
        self._record(before, f"settings:{key}")

    # ------------------------------------------------------------------ computed
    @rx.var
    def node_count(self) -> int:
        return len(self.nodes)

    @rx.var
    def edge_count(self) -> int:
        return len(self.edges)

    @rx.var
    def document_json(self) -> str:
        return json.dumps(self._doc(), indent=2, ensure_ascii=False)

    @rx.var
    def download_url(self) -> str:
        """The pretty-printed document as a data: URL (for Export JSON)."""
        import base64

        raw = json.dumps(self._doc(), indent=2, ensure_ascii=False).encode("utf-8")
        return "data:application/json;base64," + base64.b64encode(raw).decode("ascii")

    @rx.var
    def download_name(self) -> str:
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.name.lower())
        return f"{stem.strip('-') or 'journey'}.journey.json"

    @rx.var
    def sel_node(self) -> dict[str, Any]:
        return self._selected_node() or {}

    @rx.var
    def sel_type(self) -> str:
        node = self._selected_node()
        return str(node.get("type")) if node else ""

    @rx.var
    def form(self) -> dict[str, str]:
        return im.form_values(self._selected_node())

    @rx.var
    def cond_rows(self) -> list[dict[str, Any]]:
        return im.rows_for(self._selected_node(), "")

    @rx.var
    def match_rows(self) -> list[dict[str, Any]]:
        return im.rows_for(self._selected_node(), "match")

    @rx.var
    def branches(self) -> list[dict[str, Any]]:
        return im.branches_for(self._selected_node())

    @rx.var
    def sel_summary(self) -> str:
        node = self._selected_node()
        return em.node_summary(node) if node else ""

    @rx.var
    def sel_problems(self) -> list[dict[str, str]]:
        return [p for p in self.problems if p["node"] and p["node"] == self.selected]

    @rx.var
    def preview(self) -> dict[str, str]:
        node = self._selected_node()
        if not node or node.get("type") not in ("email", "form"):
            return {"to": "", "subject": "", "body": "", "error": ""}
        client = self._client_views.get(self.preview_client) or \
            next(iter(self._client_views.values()), {})
        return render_preview(node.get("config") or {}, client=client,
                              vendor=self._vendor_view, journey_name=self.name,
                              is_form=node.get("type") == "form")

    @rx.var
    def summaries(self) -> dict[str, str]:
        return {n["id"]: em.node_summary(n) for n in self.nodes}

    @rx.var
    def error_nodes(self) -> list[str]:
        return sorted({p["node"] for p in self.problems if p["node"] and p["severity"] == "error"})

    @rx.var
    def warning_nodes(self) -> list[str]:
        return sorted({p["node"] for p in self.problems
                       if p["node"] and p["severity"] == "warning"})

    @rx.var
    def problem_edges(self) -> list[str]:
        return sorted({p["edge"] for p in self.problems if p["edge"]})

    @rx.var
    def problem_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in self.problems:
            if p["node"] and p["node"] not in out:
                out[p["node"]] = p["message"]
        return out

    @rx.var
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p["severity"] == "error")

    @rx.var
    def warning_count(self) -> int:
        return sum(1 for p in self.problems if p["severity"] == "warning")

    @rx.var
    def status_label(self) -> str:
        if not self.live_version:
            return "Draft · never published"
        if em.same_graph(self._live_doc, self._doc()):
            return f"Live · v{self.live_version}"
        return f"Live v{self.live_version} · draft has changes"

    @rx.var
    def is_live(self) -> bool:
        return self.live_version > 0

    @rx.var
    def settings_form(self) -> dict[str, str]:
        from journey_app.settings_model import settings_values

        return settings_values(self.settings)

    # ================================================================== actions
    # Saving, publishing (with the runs-migration step), templates and import.
    publish_open: bool = False
    publish_changes: list[str] = []
    publish_in_flight: int = 0
    busy: str = ""
    migrate_open: bool = False
    migration_moves: list[dict[str, str]] = []
    migration_unmapped: list[dict[str, str]] = []
    migration_total: int = 0
    migration_version: int = 0
    _migration_map: dict[str, str] = {}
    templates_open: bool = False
    templates: list[dict[str, str]] = []
    import_open: bool = False

    # ------------------------------------------------------------------ saving
    def _save(self) -> None:
        eng = engine_access.engine()
        journey = eng.journeys.update_draft(self.vendor_id, self.journey_key, self._doc(),
                                            actor=self.actor)
        self._saved = self._snapshot()
        self.dirty = False
        when = journey.updated_at
        self.updated_text = when.strftime("%d %b %Y, %H:%M UTC") if when else ""

    @rx.event
    def save_draft(self):
        if not self.journey_key:
            return
        self.busy = "save"
        yield
        try:
            self._save()
        finally:
            self.busy = ""
        yield rx.toast.success("Draft saved", duration=2500)

    @rx.event
    def open_simulation(self):
        from journey_app import routes

        if self.dirty:
            self._save()
        return rx.redirect(routes.journey_simulate(self.journey_key))

    @rx.event
    def discard_changes(self):
        return EditorState.load  # noqa: F821 (same class)

    # ------------------------------------------------------------------ publishing
    def _open_runs(self) -> list[Any]:
        eng = engine_access.engine()
        runs = eng.runs.list(self.vendor_id, journey_id=self.journey_key, limit=100000)
        return [r for r in runs if r.is_open]

    @rx.event
    def open_publish(self):
        if any(p["severity"] == "error" for p in self.problems):
            self.tab = "problems"
            count = sum(1 for p in self.problems if p["severity"] == "error")
            return rx.toast.error(f"Fix {count} problem{'s' if count != 1 else ''} before "
                                  "publishing: they are listed on the right.")
        self.publish_changes = em.document_changes(self._live_doc or None, self._doc())
        self.publish_in_flight = len(self._open_runs())
        self.publish_open = True

    @rx.event
    def close_publish(self):
        self.publish_open = False

    @rx.event
    def set_publish_open(self, value: bool):
        self.publish_open = bool(value)

    @rx.event
    def set_templates_open(self, value: bool):
        self.templates_open = bool(value)

    @rx.event
    def confirm_publish(self):
        from engine.errors import InvalidDocument

        self.busy = "publish"
        yield
        eng = engine_access.engine()
        try:
            if self.dirty:
                self._save()
            version = eng.journeys.publish(self.vendor_id, self.journey_key, actor=self.actor)
        except InvalidDocument as error:
            self.busy, self.publish_open = "", False
            self.tab = "problems"
            yield rx.toast.error("This journey has problems; fix them and publish again.")
            return
        finally:
            self.busy = ""
        self.publish_open = False
        self._set_versions(eng.journeys.get(self.vendor_id, self.journey_key))
        new_nodes = {n["id"] for n in version.document.get("nodes", [])}
        older = [r for r in self._open_runs() if r.version != version.version]
        if older:
            mapping = {r.node: r.node for r in older if r.node in new_nodes}
            preview = eng.journeys.preview_migration(self.vendor_id, self.journey_key,
                                                     to_version=version.version,
                                                     mapping=mapping)
            self._migration_map = mapping
            self.migration_version = version.version
            self.migration_total = preview.total
            self.migration_moves = [
                {"text": f"{m['runs']} at “{em.node_label(self.nodes, m['to_node'])}” "
                         f"(from v{m['from_version']})"} for m in preview.moves]
            self.migration_unmapped = [
                {"text": f"{u['runs']} at “{u['node']}”, a step v{version.version} no longer "
                         f"has (they finish on v{u['from_version']})"} for u in preview.unmapped]
            self.migrate_open = True
        yield rx.toast.success(f"Published version {version.version}. New clients start on it "
                               "from now on.")

    @rx.event
    def apply_migration(self):
        eng = engine_access.engine()
        self.busy = "migrate"
        yield
        try:
            result = eng.journeys.migrate_runs(self.vendor_id, self.journey_key,
                                               to_version=self.migration_version,
                                               mapping=self._migration_map, actor=self.actor)
        finally:
            self.busy = ""
        self.migrate_open = False
        yield rx.toast.success(f"Moved {result.total} client{'s' if result.total != 1 else ''} "
                               f"to version {self.migration_version}.")

    @rx.event
    def keep_runs(self):
        self.migrate_open = False

    @rx.event
    def unpublish(self):
        eng = engine_access.engine()
        journey = eng.journeys.unpublish(self.vendor_id, self.journey_key)
        self._set_versions(journey)
        return rx.toast.success("Unpublished: no new clients start. Clients already in it "
                                "carry on.")

    # ------------------------------------------------------------------ templates
    @rx.event
    def open_templates(self):
        from engine import library

        self.templates = [{"key": t.key, "name": t.name, "description": t.description,
                           "trade": t.trade.replace("_", " "), "steps": str(t.node_count)}
                          for t in library.list_templates()]
        self.templates_open = True

    @rx.event
    def close_templates(self):
        self.templates_open = False

    @rx.event
    def use_template(self, key: str):
        from engine import library

        doc = library.load_template(key)
        before = self._snapshot()
        self._apply_doc(doc, fit=True)
        self.selected = ""
        self._record(before)
        self.templates_open = False
        return rx.toast.success("Template loaded. Adjust it, then save the draft.")

    # ------------------------------------------------------------------ import / export
    @rx.event
    def set_import_open(self, value: bool):
        self.import_open = value

    @rx.event
    async def import_file(self, files: list[rx.UploadFile]):
        if not files:
            return
        raw = await files[0].read()
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return rx.toast.error(f"That file is not JSON: {error}")
        if not isinstance(doc, dict) or not isinstance(doc.get("nodes"), list):
            return rx.toast.error("That file is not a journeys/v1 document (no nodes).")
        if doc.get("format") not in (None, em.FORMAT):
            return rx.toast.error(f"Unsupported format {doc.get('format')!r}; expected "
                                  f"{em.FORMAT}.")
        before = self._snapshot()
        self._apply_doc(doc, fit=True)
        self.selected = ""
        self._record(before)
        self.import_open = False
        return rx.toast.success("Imported. Check the problems list, then save the draft.")
