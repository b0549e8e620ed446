/**
 * unset-ctx: a template reads `ctx.x` where some path from the entry reaches that point without anything having
 * written `x`. Forward "definitely written" data flow over the transition graph: a key is written on entry to a
 * state when every incoming edge writes it (state `set`, route/fallback `set`, on_success `set`, collect `into`),
 * starting from the keys the runtime provides (call_id, session_id, caller, channel).
 */
import type { Diagnostic } from '../diagnostics';
import { allEdges, RUNTIME_CTX_KEYS, type Edge } from '../graph';
import type { CompiledMachine } from '../model';
import { formatPath, templatePaths } from '../template';
import { stateReads } from './reads';
import type { Rule } from './rule';

/**
 * Sets of ctx keys as bit sets over the keys the machine writes: a chain of N states that each write one key holds
 * N sets of up to N keys, which as Set<string> copies made the rule quadratic in time and allocation.
 */
class KeySets {
  private readonly ids = new Map<string, number>();
  readonly words: number;

  constructor(keys: Iterable<string>) {
    for (const k of keys) if (!this.ids.has(k)) this.ids.set(k, this.ids.size);
    this.words = Math.max(1, Math.ceil(this.ids.size / 32));
  }

  of(keys: Iterable<string>): Uint32Array {
    const set = new Uint32Array(this.words);
    for (const k of keys) this.add(set, k);
    return set;
  }

  add(set: Uint32Array, key: string): void {
    const id = this.ids.get(key);
    if (id !== undefined) set[id >>> 5]! |= 1 << (id & 31);
  }

  has(set: Uint32Array, key: string): boolean {
    const id = this.ids.get(key);
    return id !== undefined && (set[id >>> 5]! & (1 << (id & 31))) !== 0;
  }
}

interface Flow {
  keys: KeySets;
  /** Keys surely written on entry to each state reached from the entry (absent: unreachable). */
  inSets: Map<string, Uint32Array>;
  /** Keys surely written after leaving `e.from` by edge e. */
  outOf(e: Edge): Uint32Array;
  /** Edges into each state, from states that are reached. */
  incoming: Map<string, Edge[]>;
}

/**
 * Forward "definitely written" data flow, solved with a work list: a state is revisited only when what reaches it
 * shrank, so a chain is one pass instead of one pass per state.
 */
function flow(m: CompiledMachine): Flow {
  const edges = allEdges(m).filter((e) => m.states[e.to]);
  const writes = (e: Edge): string[] => (e.kind === 'max_visits' ? [] : [...Object.keys(m.states[e.from]?.set ?? {}), ...e.sets]);
  const keys = new KeySets([...RUNTIME_CTX_KEYS, ...edges.flatMap(writes)]);
  const runtime = keys.of(RUNTIME_CTX_KEYS);
  const outgoing = new Map<string, Edge[]>();
  const incoming = new Map<string, Edge[]>();
  for (const e of edges) {
    (outgoing.get(e.from) ?? outgoing.set(e.from, []).get(e.from)!).push(e);
    (incoming.get(e.to) ?? incoming.set(e.to, []).get(e.to)!).push(e);
  }
  const inSets = new Map<string, Uint32Array>([[m.entry, runtime.slice()]]);
  const outOf = (e: Edge): Uint32Array => {
    const out = inSets.get(e.from)!.slice();
    for (const k of writes(e)) keys.add(out, k);
    return out;
  };
  const queue = [m.entry];
  const queued = new Set(queue);
  for (let head = 0; head < queue.length; head++) {
    const from = queue[head]!;
    queued.delete(from);
    for (const e of outgoing.get(from) ?? []) {
      const out = outOf(e);
      if (e.to === m.entry) for (let w = 0; w < out.length; w++) out[w]! |= runtime[w]!;
      const cur = inSets.get(e.to);
      let changed = false;
      if (!cur) {
        inSets.set(e.to, out);
        changed = true;
      } else {
        for (let w = 0; w < cur.length; w++) {
          const next = cur[w]! & out[w]!;
          if (next !== cur[w]) {
            cur[w] = next;
            changed = true;
          }
        }
      }
      if (changed && !queued.has(e.to)) {
        queued.add(e.to);
        queue.push(e.to);
      }
    }
  }
  for (const [to, list] of incoming) incoming.set(to, list.filter((e) => inSets.has(e.from)));
  return { keys, inSets, outOf, incoming };
}

export const rule: Rule = {
  code: 'unset-ctx',
  phase: 'machine',
  run({ src, machine: m }) {
    if (!m.states[m.entry]) return [];
    const { keys, inSets, outOf, incoming } = flow(m);
    const out: Diagnostic[] = [];
    for (const s of Object.values(m.states)) {
      const inS = inSets.get(s.name);
      if (!inS) continue; // unreachable: reported by unreachable-state
      for (const read of stateReads(src, s)) {
        const reported = new Set<string>();
        for (const path of templatePaths(read.template)) {
          if (path[0] !== 'ctx' || typeof path[1] !== 'string') continue;
          const key = path[1];
          if (keys.has(inS, key) || read.written.includes(key) || reported.has(key)) continue;
          reported.add(key);
          const culprit = (incoming.get(s.name) ?? []).find((e) => !keys.has(outOf(e), key));
          const via = culprit ? ` (e.g. coming from '${culprit.from}' by ${culprit.kind.replace('_', ' ')})` : s.name === m.entry ? ' (the entry state)' : '';
          out.push(
            src.diag(
              'error',
              'unset-ctx',
              `reads ${formatPath(path)}, but a path from the entry reaches here without setting '${key}'${via}. Set it before (set, route set, on_success set, collect into) or give it a default.`,
              read.at,
              { state: s.name, text: formatPath(path) },
            ),
          );
        }
      }
    }
    return out;
  },
};
