/**
 * A layered layout of a machine's graph, top to bottom: each state on the layer of its shortest distance from the
 * entry (states not reachable from it below the rest), ordered within a layer by the mean position of the states
 * that lead to it (one sweep: fewer crossings, not none). Pure: the diagram draws what this returns.
 */
export interface LayoutInput {
  entry: string;
  nodes: Array<{ id: string; screen: string | null }>;
  edges: Array<{ from: string; to: string }>;
}

export interface PlacedNode {
  id: string;
  layer: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** SVG path data: down from the bottom of `from` to the top of `to`; side to side within a layer; a loop to itself. */
  d: string;
  /** Where its label goes. */
  labelX: number;
  labelY: number;
}

export interface Layout {
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const NODE_W = 190;
export const NODE_H = 46;
const GAP_X = 28;
const GAP_Y = 70;
const MARGIN = 20;

function layersOf(input: LayoutInput): Map<string, number> {
  const out = new Map<string, number>();
  const succ = new Map<string, string[]>();
  for (const e of input.edges) succ.set(e.from, [...(succ.get(e.from) ?? []), e.to]);
  const known = new Set(input.nodes.map((n) => n.id));
  if (known.has(input.entry)) {
    out.set(input.entry, 0);
    const queue = [input.entry];
    while (queue.length) {
      const id = queue.shift()!;
      for (const to of succ.get(id) ?? []) {
        if (!known.has(to) || out.has(to)) continue;
        out.set(to, out.get(id)! + 1);
        queue.push(to);
      }
    }
  }
  const below = Math.max(-1, ...out.values()) + 1;
  for (const n of input.nodes) if (!out.has(n.id)) out.set(n.id, below);
  return out;
}

/** The drawing of an edge between two placed states (any pair: a transition taken that the layout left out too). */
export function edgeBetween(at: ReadonlyMap<string, PlacedNode>, from: string, to: string): PlacedEdge | null {
  const a = at.get(from);
  const b = at.get(to);
  if (!a || !b) return null;
  const e = { from, to };
  if (a === b) {
    const x = a.x + NODE_W;
    const y = a.y + NODE_H / 2;
    return { ...e, d: `M ${x} ${y - 10} C ${x + 40} ${y - 30}, ${x + 40} ${y + 30}, ${x} ${y + 10}`, labelX: x + 36, labelY: y };
  }
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2;
  if (b.layer > a.layer) {
    const y1 = a.y + NODE_H;
    const y2 = b.y;
    const mid = (y1 + y2) / 2;
    return { ...e, d: `M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2}`, labelX: (x1 + x2) / 2, labelY: mid };
  }
  if (b.layer === a.layer) {
    // Within a layer: side to side, arched a little above the row.
    const right = b.x > a.x;
    const sx = right ? a.x + NODE_W : a.x;
    const tx = right ? b.x : b.x + NODE_W;
    const y = a.y + NODE_H / 2;
    const dir = right ? 1 : -1;
    return { ...e, d: `M ${sx} ${y} C ${sx + dir * 12} ${y - 24}, ${tx - dir * 12} ${y - 24}, ${tx} ${y}`, labelX: (sx + tx) / 2, labelY: y - 22 };
  }
  // Back up: out of the source's side, into the target's side, bowed outwards.
  const side = x2 <= x1 ? -1 : 1;
  const sx = side < 0 ? a.x : a.x + NODE_W;
  const tx = side < 0 ? b.x : b.x + NODE_W;
  const sy = a.y + NODE_H / 2;
  const ty = b.y + NODE_H / 2;
  const bow = 50 + Math.abs(a.layer - b.layer) * 12;
  return { ...e, d: `M ${sx} ${sy} C ${sx + side * bow} ${sy}, ${tx + side * bow} ${ty}, ${tx} ${ty}`, labelX: (sx + tx) / 2 + side * bow * 0.75, labelY: (sy + ty) / 2 };
}

export function layeredLayout(input: LayoutInput): Layout {
  const layer = layersOf(input);
  const byLayer: string[][] = [];
  const screen = new Map(input.nodes.map((n) => [n.id, n.screen ?? '']));
  for (const n of input.nodes) (byLayer[layer.get(n.id)!] ??= []).push(n.id);
  const position = new Map<string, number>();
  const preds = new Map<string, string[]>();
  for (const e of input.edges) preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
  byLayer.forEach((ids, i) => {
    const score = (id: string): number => {
      const ps = (preds.get(id) ?? []).filter((p) => (layer.get(p) ?? 0) < i && position.has(p));
      return ps.length ? ps.reduce((s, p) => s + position.get(p)!, 0) / ps.length : Number.POSITIVE_INFINITY;
    };
    ids.sort((a, b) => score(a) - score(b) || screen.get(a)!.localeCompare(screen.get(b)!, 'en', { numeric: true }) || a.localeCompare(b));
    ids.forEach((id, k) => position.set(id, k));
  });
  const widest = Math.max(1, ...byLayer.map((l) => l?.length ?? 0));
  const width = MARGIN * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  const nodes: PlacedNode[] = [];
  byLayer.forEach((ids, i) => {
    const rowWidth = ids.length * NODE_W + (ids.length - 1) * GAP_X;
    const left = (width - rowWidth) / 2;
    ids.forEach((id, k) => nodes.push({ id, layer: i, x: left + k * (NODE_W + GAP_X), y: MARGIN + i * (NODE_H + GAP_Y) }));
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges = input.edges.flatMap((e) => {
    const placed = edgeBetween(at, e.from, e.to);
    return placed ? [placed] : [];
  });
  const layers = byLayer.length;
  return { width: width + 60, height: MARGIN * 2 + layers * NODE_H + Math.max(0, layers - 1) * GAP_Y, nodeWidth: NODE_W, nodeHeight: NODE_H, nodes, edges };
}
