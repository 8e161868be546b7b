/*
 * Journeys canvas: React Flow (@xyflow/react 12) wrapped for Reflex.
 *
 * Wrapped in Python by journey_app/components/flow.py (JourneyCanvas). Reflex
 * copies assets/ into .web/public, so this module is imported as
 * "$/public/flow/journey_flow.jsx" and resolves "@xyflow/react" from .web/node_modules.
 *
 * Data flow (why it is shaped like this):
 *   - The interactive graph lives in local React state (nodes/edges), so dragging
 *     is smooth and never waits for a websocket round trip.
 *   - Every *committed* change (node dropped or added, drag finished, edge connected,
 *     node/edge deleted, paste) is reported once through onGraphChange({nodes, edges}) in
 *     the journeys/v1 shape; the Python state stores it as the document.
 *   - Python replaces the canvas content by bumping `revision` (load, undo, inspector
 *     edits, layout). Props that change without a new revision are the echo of our own
 *     onGraphChange and are ignored, which avoids feedback loops. A replacement keeps the
 *     viewport and the selection; the view is fitted only when `fitKey` changes.
 *   - Python selects (and centres) a node by bumping `selectKey` with `selectId`.
 *
 * Journeys read left to right: the input handle is on the left, outputs on the right, one
 * labelled handle per branch (condition true/false, wait_for event/timeout, split branches).
 */
import React, {
  createContext,
  memo,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import {
  Background,
  BackgroundVariant,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
} from "@xyflow/react";
import {
  Circle,
  CircleAlert,
  CircleStop,
  ClipboardList,
  Clock,
  GitBranch,
  Hourglass,
  Mail,
  Settings2,
  Split,
  Zap,
} from "lucide-react";
import "@xyflow/react/dist/style.css";
import "./journey_flow.css";

export const DND_MIME = "application/x-journeys-node-type";
const GRID = 20;
const NODE_WIDTH = 220;
const LARGE_GRAPH = 14; // more steps than this: fit the first FIT_FIRST only
const FIT_FIRST = 5;
const V1_NODE_KEYS = new Set(["id", "type", "title", "config", "position"]);

const CatalogContext = createContext({});
const DecorContext = createContext({ problems: {}, summaries: {} });

// Lucide icons by kebab-case name (the catalog's `icon`); imported one by one to keep the bundle small.
const ICONS = {
  "circle-stop": CircleStop,
  "clipboard-list": ClipboardList,
  clock: Clock,
  "git-branch": GitBranch,
  hourglass: Hourglass,
  mail: Mail,
  "settings-2": Settings2,
  split: Split,
  zap: Zap,
};

function NodeIcon({ name, size }) {
  const Icon = ICONS[name] || Circle;
  return <Icon size={size} strokeWidth={2.2} aria-hidden="true" focusable="false" />;
}

/* ---------- journeys/v1 <-> React Flow ---------------------------------- */

function outputsOf(spec, config) {
  if (!spec) return [null];
  if (spec.outputs_from === "branches") {
    const branches = (config && Array.isArray(config.branches) && config.branches) || [];
    return branches.map((b) => String(b && b.label != null ? b.label : ""));
  }
  return Array.isArray(spec.outputs) ? spec.outputs : [null];
}

function toFlowNode(doc) {
  const extra = {};
  for (const [key, value] of Object.entries(doc || {})) {
    if (!V1_NODE_KEYS.has(key)) extra[key] = value;
  }
  const pos = (doc && doc.position) || {};
  return {
    id: String(doc.id),
    type: String(doc.type),
    position: { x: Number(pos.x) || 0, y: Number(pos.y) || 0 },
    data: { title: doc.title || "", config: doc.config || {}, extra },
  };
}

function edgeId(source, sourceHandle, target) {
  return `e:${source}:${sourceHandle == null ? "" : sourceHandle}:${target}`;
}

function toFlowEdge(doc) {
  const when = doc.when == null || doc.when === "" ? null : String(doc.when);
  return decorateEdge({
    id: edgeId(doc.from, when, doc.to),
    source: String(doc.from),
    target: String(doc.to),
    sourceHandle: when,
  });
}

function decorateEdge(edge) {
  return {
    ...edge,
    type: "smoothstep",
    label: edge.sourceHandle || undefined,
    markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
    labelBgPadding: [6, 3],
    labelBgBorderRadius: 4,
  };
}

function toDocNode(node) {
  const out = {
    ...(node.data.extra || {}),
    id: node.id,
    type: node.type,
    config: node.data.config || {},
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
  };
  if (node.data.title) out.title = node.data.title;
  return out;
}

function toDocEdge(edge) {
  const out = { from: edge.source, to: edge.target };
  if (edge.sourceHandle) out.when = edge.sourceHandle;
  return out;
}

export function exportGraph(nodes, edges) {
  return { nodes: nodes.map(toDocNode), edges: edges.map(toDocEdge) };
}

function uniqueId(base, taken) {
  const stem = String(base).replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 56) || "node";
  for (let i = 1; ; i += 1) {
    const candidate = `${stem}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function clone(value) {
  return value == null ? value : JSON.parse(JSON.stringify(value));
}

const NEW_NODE_SIZE = { width: NODE_WIDTH, height: 100 };

function overlaps(pos, node) {
  const size = node.measured && node.measured.width ? node.measured : NEW_NODE_SIZE;
  return (
    pos.x < node.position.x + size.width + GRID &&
    node.position.x < pos.x + NEW_NODE_SIZE.width + GRID &&
    pos.y < node.position.y + size.height + GRID &&
    node.position.y < pos.y + NEW_NODE_SIZE.height + GRID
  );
}

// Rings of grid cells around `start`, nearest first; falls back to `start`.
function freeSpotNear(start, nodes) {
  const stepX = NODE_WIDTH + 2 * GRID;
  const stepY = NEW_NODE_SIZE.height + 2 * GRID;
  for (let ring = 0; ring < 12; ring += 1) {
    for (let dy = -ring; dy <= ring; dy += 1) {
      for (let dx = -ring; dx <= ring; dx += 1) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const candidate = { x: start.x + dx * stepX, y: start.y + dy * stepY };
        if (!nodes.some((n) => overlaps(candidate, n))) return candidate;
      }
    }
  }
  return start;
}

function isTyping(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  return (
    tag === "input" ||
    tag === "textarea" ||
    tag === "select" ||
    target.isContentEditable ||
    Boolean(target.closest && target.closest("[role=dialog], [role=menu], [role=listbox]"))
  );
}

// The copy buffer outlives re-renders (and survives a revision replacement).
let CLIPBOARD = null;

/* ---------- custom node ---------------------------------------------------- */

const JourneyNode = memo(function JourneyNode({ id, type, data, selected }) {
  const catalog = useContext(CatalogContext);
  const decor = useContext(DecorContext);
  const spec = catalog[type];
  const outputs = outputsOf(spec, data.config);
  const label = (spec && spec.label) || type;
  const problem = decor.problems[id];
  const summary = decor.summaries[id];
  const classes = ["jf-node", `jf-node--${type}`];
  if (selected) classes.push("jf-node--selected");
  if (data.problem === "error") classes.push("jf-node--problem");
  if (data.problem === "warning") classes.push("jf-node--warning");
  if (!spec) classes.push("jf-node--unknown");
  const labelled = outputs.some((o) => o != null);
  return (
    <div
      className={classes.join(" ")}
      style={{ "--jf-accent": (spec && spec.color) || "#64748b", width: NODE_WIDTH }}
      data-testid={`journey-node-${id}`}
      data-node-type={type}
      data-problem={data.problem || undefined}
      aria-label={`${label} step ${data.title || id}`}
      title={problem || undefined}
    >
      {!(spec && spec.target === false) && (
        <Handle type="target" position={Position.Left} className="jf-handle jf-handle--target" />
      )}
      <div className="jf-node__kind">
        <span className="jf-node__icon" aria-hidden="true">
          <NodeIcon name={spec && spec.icon} size={12} />
        </span>
        {label}
        {data.problem && (
          <span className={`jf-node__alert jf-node__alert--${data.problem}`} aria-label="has a problem">
            <CircleAlert size={13} strokeWidth={2.4} aria-hidden="true" />
          </span>
        )}
      </div>
      <div className="jf-node__title">{data.title || id}</div>
      {summary ? <div className="jf-node__summary">{summary}</div> : null}
      <div className="jf-node__id">{id}</div>
      {labelled ? (
        <div className="jf-node__outputs">
          {outputs.map((out) => (
            <div className="jf-node__output" key={out == null ? "__next" : out}>
              <span className="jf-node__output-label">{out == null ? "next" : out}</span>
              <Handle
                type="source"
                position={Position.Right}
                id={out == null ? undefined : out}
                className={`jf-handle jf-handle--source${out == null ? "" : " jf-handle--labelled"}`}
                title={out == null ? "next" : out}
              />
            </div>
          ))}
        </div>
      ) : (
        outputs.map((out) => (
          <Handle
            key="__next"
            type="source"
            position={Position.Right}
            className="jf-handle jf-handle--source"
            title="next"
          />
        ))
      )}
    </div>
  );
});

/* ---------- palette ---------------------------------------------------------- */

function NodePalette({ catalog, onAdd, disabled }) {
  const entries = Object.entries(catalog).filter(([, spec]) => spec.palette !== false);
  return (
    <aside className="jf-palette" aria-label="Node palette" data-testid="node-palette">
      <div className="jf-palette__heading">Steps</div>
      <div className="jf-palette__hint">Drag onto the canvas, or press Enter</div>
      {entries.map(([type, spec]) => (
        <div
          key={type}
          role="button"
          tabIndex={disabled ? -1 : 0}
          aria-disabled={disabled || undefined}
          aria-label={`Add ${spec.label} step`}
          className="jf-palette__item"
          style={{ "--jf-accent": spec.color || "#64748b" }}
          draggable={!disabled}
          data-node-type={type}
          data-testid={`palette-${type}`}
          onDragStart={(event) => {
            event.dataTransfer.setData(DND_MIME, type);
            event.dataTransfer.setData("text/plain", type);
            event.dataTransfer.effectAllowed = "move";
          }}
          onDoubleClick={() => !disabled && onAdd(type, null)}
          onKeyDown={(event) => {
            if (!disabled && (event.key === "Enter" || event.key === " ")) {
              event.preventDefault();
              onAdd(type, null);
            }
          }}
        >
          <span className="jf-palette__icon" aria-hidden="true">
            <NodeIcon name={spec.icon} size={15} />
          </span>
          <span className="jf-palette__text">
            <span className="jf-palette__label">{spec.label}</span>
            {spec.description && <span className="jf-palette__desc">{spec.description}</span>}
          </span>
        </div>
      ))}
      <div className="jf-palette__keys" aria-label="Keyboard shortcuts">
        <div><kbd>Del</kbd> delete the selected step or connection</div>
        <div><kbd>Ctrl</kbd>+<kbd>Z</kbd> undo · <kbd>Ctrl</kbd>+<kbd>Y</kbd> redo</div>
        <div><kbd>Ctrl</kbd>+<kbd>C</kbd> / <kbd>V</kbd> copy, paste</div>
        <div><kbd>Ctrl</kbd>+<kbd>S</kbd> save draft</div>
      </div>
    </aside>
  );
}

/* ---------- canvas ----------------------------------------------------------- */

const NODE_TYPES_CACHE = new Map();
function nodeTypesFor(catalog) {
  const key = Object.keys(catalog).sort().join(",");
  if (!NODE_TYPES_CACHE.has(key)) {
    const types = {};
    for (const type of Object.keys(catalog)) types[type] = JourneyNode;
    NODE_TYPES_CACHE.set(key, types);
  }
  return NODE_TYPES_CACHE.get(key);
}

function Canvas(props) {
  const {
    nodes: docNodes,
    edges: docEdges,
    revision,
    fitKey,
    catalog,
    highlight,
    warn,
    highlightEdges,
    problems,
    summaries,
    selectId,
    selectKey,
    readOnly,
    showPalette,
    showMinimap,
    dirty,
    onGraphChange,
    onSelect,
    onUndo,
    onRedo,
    onSave,
    className,
    style,
    id: domId,
  } = props;
  const { screenToFlowPosition, fitView, setCenter, getZoom } = useReactFlow();
  const wrapper = useRef(null);
  const [nodes, setNodes] = useState(() => (docNodes || []).map(toFlowNode));
  const [edges, setEdges] = useState(() => (docEdges || []).map(toFlowEdge));
  const [commits, setCommits] = useState(0);
  const seenRevision = useRef(revision);
  const seenFit = useRef(fitKey);
  const seenSelect = useRef(selectKey);
  const lastSelection = useRef("");
  const pasteCount = useRef(0);
  const commit = useCallback(() => setCommits((c) => c + 1), []);
  const nodesInitialized = useNodesInitialized();
  const [pendingFit, setPendingFit] = useState(true);
  const [pendingCenter, setPendingCenter] = useState(null);

  // Python-driven replacement of the whole graph; keeps selection and viewport.
  useEffect(() => {
    if (seenRevision.current === revision) return;
    seenRevision.current = revision;
    setNodes((current) => {
      // Keep selection and measured sizes: unmeasured nodes are hidden for a frame.
      const before = new Map(current.map((n) => [n.id, n]));
      return (docNodes || []).map((doc) => {
        const node = toFlowNode(doc);
        const old = before.get(node.id);
        if (!old) return node;
        return {
          ...node,
          selected: Boolean(old.selected),
          ...(old.measured ? { measured: old.measured } : {}),
        };
      });
    });
    setEdges((docEdges || []).map(toFlowEdge));
    if (seenFit.current !== fitKey) {
      seenFit.current = fitKey;
      setPendingFit(true);
    }
  }, [revision, docNodes, docEdges, fitKey]);

  // Fit the view once the (replaced) nodes have been measured. A big journey would become
  // unreadably small: show its beginning (the leftmost steps) instead; the minimap shows the rest.
  useEffect(() => {
    if (!pendingFit || !nodesInitialized) return;
    setPendingFit(false);
    if (nodes.length > LARGE_GRAPH) {
      const first = [...nodes]
        .sort((a, b) => a.position.x - b.position.x || a.position.y - b.position.y)
        .slice(0, FIT_FIRST)
        .map((n) => ({ id: n.id }));
      fitView({ padding: 0.15, maxZoom: 1.1, nodes: first });
    } else {
      fitView({ padding: 0.2, maxZoom: 1.1 });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pendingFit, nodesInitialized, fitView]);

  // Python asks to select a node (e.g. a validation problem was clicked).
  useEffect(() => {
    if (seenSelect.current === selectKey) return;
    seenSelect.current = selectKey;
    if (!selectId) return;
    setNodes((current) => current.map((n) => ({ ...n, selected: n.id === selectId })));
    setEdges((current) => current.map((e) => (e.selected ? { ...e, selected: false } : e)));
    setPendingCenter(selectId);
  }, [selectKey, selectId]);

  useEffect(() => {
    if (!pendingCenter) return;
    const node = nodes.find((n) => n.id === pendingCenter);
    setPendingCenter(null);
    if (!node) return;
    const w = (node.measured && node.measured.width) || NODE_WIDTH;
    const h = (node.measured && node.measured.height) || 90;
    setCenter(node.position.x + w / 2, node.position.y + h / 2, {
      zoom: Math.max(getZoom(), 0.8),
      duration: 250,
    });
  }, [pendingCenter, nodes, setCenter, getZoom]);

  // Report committed changes, once per batch, with the state React settled on.
  useEffect(() => {
    if (commits === 0 || !onGraphChange) return;
    onGraphChange(exportGraph(nodes, edges));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [commits]);

  const problemLevel = useMemo(() => {
    const levels = new Map();
    for (const id of warn || []) levels.set(id, "warning");
    for (const id of highlight || []) levels.set(id, "error");
    return levels;
  }, [highlight, warn]);
  const shownNodes = useMemo(
    () =>
      nodes.map((n) => {
        const level = problemLevel.get(n.id) || undefined;
        return n.data.problem === level ? n : { ...n, data: { ...n.data, problem: level } };
      }),
    [nodes, problemLevel],
  );
  const badEdges = useMemo(() => new Set(highlightEdges || []), [highlightEdges]);
  const shownEdges = useMemo(
    () =>
      edges.map((e) => {
        const bad = badEdges.has(`${e.source}->${e.target}`);
        const cls = bad ? "jf-edge--problem" : undefined;
        return e.className === cls ? e : { ...e, className: cls };
      }),
    [edges, badEdges],
  );

  const onNodesChange = useCallback(
    (changes) => {
      setNodes((current) => applyNodeChanges(changes, current));
      if (
        changes.some(
          (c) =>
            c.type === "remove" ||
            c.type === "add" ||
            c.type === "replace" ||
            (c.type === "position" && c.dragging === false),
        )
      ) {
        commit();
      }
    },
    [commit],
  );

  const onEdgesChange = useCallback(
    (changes) => {
      setEdges((current) => applyEdgeChanges(changes, current));
      if (changes.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace")) {
        commit();
      }
    },
    [commit],
  );

  const isValidConnection = useCallback(
    (conn) => {
      if (!conn.source || !conn.target || conn.source === conn.target) return false;
      const target = nodes.find((n) => n.id === conn.target);
      const spec = target && catalog[target.type];
      return !(spec && spec.target === false);
    },
    [nodes, catalog],
  );

  // One edge per source handle (per label): a new connection replaces the old one.
  const onConnect = useCallback(
    (conn) => {
      const handle = conn.sourceHandle || null;
      setEdges((current) => [
        ...current.filter((e) => !(e.source === conn.source && (e.sourceHandle || null) === handle)),
        decorateEdge({
          id: edgeId(conn.source, handle, conn.target),
          source: conn.source,
          target: conn.target,
          sourceHandle: handle,
        }),
      ]);
      commit();
    },
    [commit],
  );

  const addNode = useCallback(
    (type, clientPoint) => {
      const spec = catalog[type];
      if (!spec) return;
      let point = clientPoint;
      if (!point) {
        const rect = wrapper.current
          ? wrapper.current.getBoundingClientRect()
          : { left: 0, top: 0, width: 0, height: 0 };
        point = { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
      }
      const flow = screenToFlowPosition(point);
      const dropped = Boolean(clientPoint);
      const defaults = spec.defaults || {};
      setNodes((current) => {
        const taken = new Set(current.map((n) => n.id));
        let position = {
          x: Math.round((flow.x - NODE_WIDTH / 2) / GRID) * GRID,
          y: Math.round((flow.y - 30) / GRID) * GRID,
        };
        // Added without a drop point (keyboard): take the nearest free spot around the centre.
        if (!dropped) position = freeSpotNear(position, current);
        const node = {
          id: uniqueId(type, taken),
          type,
          position,
          data: { title: defaults.title || "", config: clone(defaults.config) || {}, extra: {} },
          selected: true,
        };
        return [...current.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
      });
      commit();
    },
    [catalog, screenToFlowPosition, commit],
  );

  const copySelection = useCallback(() => {
    const picked = nodes.filter((n) => n.selected);
    if (!picked.length) return false;
    const ids = new Set(picked.map((n) => n.id));
    CLIPBOARD = {
      nodes: picked.map((n) => clone(toDocNode(n))),
      edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map(toDocEdge),
    };
    pasteCount.current = 0;
    return true;
  }, [nodes, edges]);

  const paste = useCallback(() => {
    if (!CLIPBOARD || !CLIPBOARD.nodes.length) return;
    pasteCount.current += 1;
    const shift = 40 * pasteCount.current;
    const taken = new Set(nodes.map((n) => n.id));
    const renamed = {};
    const added = CLIPBOARD.nodes.map((doc) => {
      const id = uniqueId(doc.type, taken);
      taken.add(id);
      renamed[doc.id] = id;
      const node = toFlowNode({
        ...doc,
        id,
        position: { x: doc.position.x + shift, y: doc.position.y + shift },
      });
      return { ...node, selected: true };
    });
    const newEdges = CLIPBOARD.edges.map((e) =>
      toFlowEdge({ ...e, from: renamed[e.from], to: renamed[e.to] }),
    );
    setNodes((current) => [
      ...current.map((n) => (n.selected ? { ...n, selected: false } : n)),
      ...added,
    ]);
    setEdges((current) => [...current, ...newEdges]);
    commit();
  }, [nodes, commit]);

  // Keyboard shortcuts (never while typing in a field).
  useEffect(() => {
    function onKey(event) {
      if (isTyping(event.target)) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        if (onUndo && !readOnly) onUndo();
      } else if ((key === "z" && event.shiftKey) || key === "y") {
        event.preventDefault();
        if (onRedo && !readOnly) onRedo();
      } else if (key === "s") {
        event.preventDefault();
        if (onSave && !readOnly) onSave();
      } else if (key === "c") {
        if (copySelection()) event.preventDefault();
      } else if (key === "v") {
        if (!readOnly && CLIPBOARD) {
          event.preventDefault();
          paste();
        }
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onUndo, onRedo, onSave, copySelection, paste, readOnly]);

  // Unsaved changes: warn before leaving the page or following a link.
  useEffect(() => {
    if (!dirty) return undefined;
    const message = "You have unsaved changes to this journey. Leave without saving?";
    function beforeUnload(event) {
      event.preventDefault();
      event.returnValue = message;
      return message;
    }
    function onClick(event) {
      const link = event.target && event.target.closest && event.target.closest("a[href]");
      if (!link || link.target === "_blank" || link.hasAttribute("download")) return;
      // eslint-disable-next-line no-alert
      if (!window.confirm(message)) {
        event.preventDefault();
        event.stopPropagation();
      }
    }
    window.addEventListener("beforeunload", beforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [dirty]);

  const onDragOver = useCallback((event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (event) => {
      event.preventDefault();
      if (readOnly) return;
      const type = event.dataTransfer.getData(DND_MIME);
      if (!type) return;
      addNode(type, { x: event.clientX, y: event.clientY });
    },
    [addNode, readOnly],
  );

  const onSelectionChange = useCallback(
    ({ nodes: selected }) => {
      const value = selected && selected.length === 1 ? selected[0].id : "";
      if (value === lastSelection.current) return;
      lastSelection.current = value;
      if (onSelect) onSelect(value);
    },
    [onSelect],
  );

  const nodeTypes = nodeTypesFor(catalog);
  const decor = useMemo(
    () => ({ problems: problems || {}, summaries: summaries || {} }),
    [problems, summaries],
  );

  return (
    <div
      id={domId}
      className={["jf-root", className].filter(Boolean).join(" ")}
      style={style}
      data-testid="journey-canvas"
      data-node-count={nodes.length}
      data-edge-count={edges.length}
    >
      {showPalette !== false && (
        <NodePalette catalog={catalog} onAdd={addNode} disabled={Boolean(readOnly)} />
      )}
      <div className="jf-flow" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
        <DecorContext.Provider value={decor}>
          <ReactFlow
            nodes={shownNodes}
            edges={shownEdges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onNodeDragStop={commit}
            onSelectionChange={onSelectionChange}
            isValidConnection={isValidConnection}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            elementsSelectable
            deleteKeyCode={readOnly ? null : ["Backspace", "Delete"]}
            multiSelectionKeyCode={["Shift", "Meta", "Control"]}
            snapToGrid
            snapGrid={[GRID, GRID]}
            minZoom={0.15}
            maxZoom={2}
            colorMode="light"
            defaultEdgeOptions={{ type: "smoothstep" }}
          >
            <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} />
            <Controls showInteractive={false} />
            {showMinimap !== false && (
              <MiniMap
                pannable
                zoomable
                style={{ width: 150, height: 100 }}
                nodeColor={(n) => (catalog[n.type] && catalog[n.type].color) || "#94a3b8"}
                nodeStrokeWidth={2}
              />
            )}
          </ReactFlow>
        </DecorContext.Provider>
      </div>
    </div>
  );
}

export function JourneyCanvas(props) {
  const catalog = props.catalog || {};
  return (
    <ReactFlowProvider>
      <CatalogContext.Provider value={catalog}>
        <Canvas {...props} catalog={catalog} />
      </CatalogContext.Provider>
    </ReactFlowProvider>
  );
}

export default JourneyCanvas;
