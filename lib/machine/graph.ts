/**
 * The transitions of a compiled machine as a graph, following the run-time semantics of model.ts. Used by the
 * checker rules (reachability, exits, loops, data flow) and by the diagrams.
 */
import type { DocPath } from './diagnostics';
import type { CompiledMachine, CompiledState, Route, TransitionCause } from './model';

/** An edge of the machine's graph: every way a session can move, plus global routes as their own kind. */
export type EdgeKind = Exclude<TransitionCause, 'start'> | 'global_route';

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Short text for diagrams: intent and DTMF keys, "no-input ×2", "success", … */
  label: string;
  /** Where the target is written in the YAML. */
  at: DocPath;
  /** ctx keys written along this edge (route/fallback/on_success sets, collect `into`), besides the state's `set`. */
  sets: string[];
  /** True when the edge is taken because the caller said or typed something. */
  input: boolean;
  /** Outcome recorded when the edge is taken: the one written on the branch, else the engine's own, if any. */
  outcome?: string;
  /** True when `outcome` is written on the branch (not the engine's own). */
  outcomeWritten?: boolean;
}

export const RUNTIME_CTX_KEYS = ['call_id', 'session_id', 'caller', 'channel'] as const;

export function isListening(s: CompiledState): boolean {
  return s.type === 'prompt_and_listen' || s.type === 'listen';
}

export function intoKeys(s: CompiledState): string[] {
  if (!s.collect) return [];
  const into = s.collect.into;
  return typeof into === 'string' ? [into] : [into.from, into.to];
}

export function routeLabel(m: CompiledMachine, r: Route): string {
  if ('text' in r.when) return `"${r.when.text}"`;
  const dtmf = m.intents[r.when.intent]?.dtmf ?? [];
  return dtmf.length ? `${r.when.intent} [${dtmf.join(' ')}]` : r.when.intent;
}

/** Global routes that apply in a listening state: those whose intent the state does not route itself. */
export function applicableGlobalRoutes(m: CompiledMachine, s: CompiledState): { route: Route; index: number }[] {
  if (!isListening(s)) return [];
  const own = new Set(s.routes.flatMap((r) => ('intent' in r.when ? [r.when.intent] : [])));
  return m.globalRoutes
    .map((route, index) => ({ route, index }))
    .filter(({ route }) => !('intent' in route.when) || !own.has(route.when.intent));
}

export function stateEdges(m: CompiledMachine, s: CompiledState): Edge[] {
  const edges: Edge[] = [];
  const at: DocPath = ['states', s.name];
  const add = (e: Omit<Edge, 'from'>, written?: string, auto?: string): void => {
    const outcome = written ?? auto;
    edges.push({ from: s.name, ...e, ...(outcome !== undefined ? { outcome, outcomeWritten: written !== undefined } : {}) });
  };
  const exhausted = (why: string, written: string | undefined, auto: string): void => {
    if (m.exhaustedNext !== undefined) {
      add({ to: m.exhaustedNext, kind: 'exhausted', label: why, at: ['globals', 'exhausted_next'], sets: [], input: false }, written, auto);
    }
  };
  const into = intoKeys(s);
  const actionEdges = (input: boolean, extra: string[]): void => {
    const a = s.action;
    if (!a) return;
    const aAt = [...at, 'action'];
    if (a.onSuccess?.next !== undefined) {
      add({ to: a.onSuccess.next, kind: 'on_success', label: 'success', at: [...aAt, 'on_success', 'next'], sets: [...extra, ...Object.keys(a.onSuccess.set)], input }, a.onSuccess.outcome);
    }
    if (a.onFail?.next !== undefined) {
      add({ to: a.onFail.next, kind: 'on_fail', label: 'failure', at: [...aAt, 'on_fail', 'next'], sets: extra, input }, a.onFail.outcome, 'backend_failed');
    } else exhausted('failure', a.onFail?.outcome, 'backend_failed');
  };

  if (s.maxVisits) {
    if (s.maxVisits.next !== undefined) {
      add({ to: s.maxVisits.next, kind: 'max_visits', label: `visits > ${s.maxVisits.max}`, at: [...at, 'max_visits', 'next'], sets: [], input: false }, s.maxVisits.outcome, 'max_visits_reached');
    } else exhausted(`visits > ${s.maxVisits.max}`, s.maxVisits.outcome, 'max_visits_reached');
  }

  if (isListening(s)) {
    s.routes.forEach((r, i) => {
      add({ to: r.next, kind: 'route', label: routeLabel(m, r), at: [...at, 'routes', i, 'next'], sets: Object.keys(r.set), input: true }, r.outcome);
    });
    for (const { route, index } of applicableGlobalRoutes(m, s)) {
      add({ to: route.next, kind: 'global_route', label: routeLabel(m, route), at: ['global_routes', index, 'next'], sets: Object.keys(route.set), input: true }, route.outcome);
    }
    if (s.collect) {
      if (s.action) actionEdges(true, into);
      else if (s.next !== undefined) add({ to: s.next, kind: 'collected', label: `collected ${s.collect.mode}`, at: [...at, 'next'], sets: into, input: true });
      if (s.collect.retry) {
        if (s.collect.retry.onFailNext !== undefined) {
          add({ to: s.collect.retry.onFailNext, kind: 'retry_exhausted', label: `invalid ×${s.collect.retry.max}`, at: [...at, 'collect', 'retry', 'on_fail_next'], sets: [], input: true }, s.collect.retry.outcome, 'nomatch_exhausted');
        } else exhausted(`invalid ×${s.collect.retry.max}`, s.collect.retry.outcome, 'nomatch_exhausted');
      }
    } else {
      if (s.action) actionEdges(true, []);
      if (s.next !== undefined) add({ to: s.next, kind: 'next', label: 'next', at: [...at, 'next'], sets: [], input: true });
    }
    for (const kind of ['noinput', 'nomatch'] as const) {
      const block = s[kind];
      const name = kind === 'noinput' ? 'no-input' : 'no-match';
      const auto = `${kind}_exhausted`;
      if (block?.next !== undefined) {
        add({ to: block.next, kind, label: `${name} ×${block.max}`, at: [...at, kind, 'next'], sets: [], input: false }, block.outcome, auto);
      } else if (!s.fallback) exhausted(`${name} exhausted`, block?.outcome, auto);
    }
    if (s.fallback) {
      add({ to: s.fallback.next, kind: 'fallback', label: 'fallback', at: [...at, 'fallback', 'next'], sets: Object.keys(s.fallback.set), input: false }, s.fallback.outcome, 'nomatch_exhausted');
    }
  } else if (s.type === 'action_then_prompt') {
    actionEdges(false, []);
  } else if (s.type === 'handoff') {
    const next = s.handoff?.onFail?.next;
    if (next !== undefined) add({ to: next, kind: 'handoff_failed', label: 'handoff failed', at: [...at, 'on_fail', 'next'], sets: [], input: false }, s.handoff?.onFail?.outcome, 'transfer_failed');
    else exhausted('handoff failed', s.handoff?.onFail?.outcome, 'transfer_failed');
  }
  return edges;
}

/** Edges per machine: several rules and the diagrams walk them, and a compiled machine never changes. */
const edgeCache = new WeakMap<CompiledMachine, readonly Edge[]>();

export function allEdges(m: CompiledMachine): Edge[] {
  let edges = edgeCache.get(m);
  if (!edges) {
    edges = Object.values(m.states).flatMap((s) => stateEdges(m, s));
    edgeCache.set(m, edges);
  }
  return [...edges];
}

/** Targets of each state's edges that name a state (unknown targets are unknown-state's business), in edge order. */
export function successors(m: CompiledMachine, keep: (e: Edge) => boolean = () => true): Map<string, string[]> {
  const succ = new Map<string, string[]>();
  for (const e of allEdges(m)) {
    if (!m.states[e.to] || !keep(e)) continue;
    const list = succ.get(e.from);
    if (list) list.push(e.to);
    else succ.set(e.from, [e.to]);
  }
  return succ;
}

/** States reachable from the entry (edges to unknown states are ignored). */
export function reachable(m: CompiledMachine): Set<string> {
  const seen = new Set<string>();
  if (!m.states[m.entry]) return seen;
  const succ = successors(m);
  const todo = [m.entry];
  seen.add(m.entry);
  while (todo.length) {
    const n = todo.pop() as string;
    for (const w of succ.get(n) ?? []) {
      if (seen.has(w)) continue;
      seen.add(w);
      todo.push(w);
    }
  }
  return seen;
}

/**
 * Strongly connected components that contain a cycle, each sorted in `order`. Tarjan's algorithm with an explicit
 * stack of frames instead of recursion, so a machine of any size (a chain of 100,000 states) cannot overflow the
 * call stack; linear in states + edges.
 */
export function cycles(order: string[], succ: Map<string, string[]>): string[][] {
  const rank = new Map<string, number>();
  order.forEach((n, i) => {
    if (!rank.has(n)) rank.set(n, i);
  });
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  // A frame is a state being visited and the position of the next successor to look at.
  const frames: Array<{ v: string; next: number; succ: string[] }> = [];
  const enter = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    frames.push({ v, next: 0, succ: succ.get(v) ?? [] });
  };
  for (const root of order) {
    if (!succ.has(root) || index.has(root)) continue;
    enter(root);
    while (frames.length) {
      const f = frames[frames.length - 1]!;
      if (f.next < f.succ.length) {
        const w = f.succ[f.next++]!;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(f.v, Math.min(low.get(f.v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      const v = f.v;
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(v)!));
      if (low.get(v) !== index.get(v)) continue;
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const first = comp[0]!;
      if (comp.length > 1 || (succ.get(first) ?? []).includes(first)) {
        const at = (n: string): number => rank.get(n) ?? -1;
        out.push(comp.sort((a, b) => at(a) - at(b)));
      }
    }
  }
  return out;
}
