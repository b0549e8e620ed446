/**
 * The machine's graph as the console draws it: states (type, screen) and the edges between them with their labels,
 * merged per pair of states. Global routes apply in every listening state: listed once, not drawn from each state.
 */
import { allEdges } from '../../lib/machine/graph';
import type { CompiledMachine, StateType } from '../../lib/machine/model';

export interface GraphNode {
  id: string;
  type: StateType;
  screen: string | null;
  /** An ending state (prompt_end). */
  final: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  labels: string[];
  /** Taken because the caller said or typed something (a route), rather than by a counter, an action or a failure. */
  input: boolean;
  /**
   * main: routes, next, an action's success or failure; fallback: no-input, no-match, fallback, max visits (drawn
   * dashed); exhausted: only the machine's `exhausted_next` (from nearly every state: drawn when taken).
   */
  kind: 'main' | 'fallback' | 'exhausted';
}

export interface MachineGraph {
  machine: string;
  version: string;
  entry: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  globalRoutes: Array<{ label: string; to: string }>;
}

const FALLBACK_KINDS = new Set<string>(['noinput', 'nomatch', 'fallback', 'max_visits', 'retry_exhausted']);
const RANK: Record<GraphEdge['kind'], number> = { main: 0, fallback: 1, exhausted: 2 };

export function machineGraph(m: CompiledMachine): MachineGraph {
  const nodes: GraphNode[] = Object.values(m.states).map((s) => ({ id: s.name, type: s.type, screen: s.screen ?? null, final: s.type === 'prompt_end' }));
  const merged = new Map<string, GraphEdge>();
  for (const e of allEdges(m)) {
    if (e.kind === 'global_route' || !m.states[e.to]) continue;
    const key = `${e.from}\u0000${e.to}`;
    const label = e.outcomeWritten && e.outcome ? `${e.label} ⇒ ${e.outcome}` : e.label;
    const kind: GraphEdge['kind'] = e.kind === 'exhausted' ? 'exhausted' : FALLBACK_KINDS.has(e.kind) ? 'fallback' : 'main';
    const edge = merged.get(key) ?? { from: e.from, to: e.to, labels: [], input: false, kind };
    if (!edge.labels.includes(label)) edge.labels.push(label);
    edge.input = edge.input || e.kind === 'route';
    // A pair joined several ways is drawn as its strongest way.
    edge.kind = RANK[kind] < RANK[edge.kind] ? kind : edge.kind;
    merged.set(key, edge);
  }
  const globalRoutes = m.globalRoutes
    .filter((r) => m.states[r.next] !== undefined)
    .map((r) => {
      const dtmf = 'intent' in r.when ? (m.intents[r.when.intent]?.dtmf ?? []) : [];
      const label = 'intent' in r.when ? `${r.when.intent}${dtmf.length ? ` [${dtmf.join(' ')}]` : ''}` : `"${r.when.text}"`;
      return { label, to: r.next };
    });
  return { machine: m.name, version: m.version, entry: m.entry, nodes, edges: [...merged.values()], globalRoutes };
}
