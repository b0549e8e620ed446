/**
 * unset-ctx: a template reads `ctx.x` where some path from the entry reaches that point without anything having
 * written `x`. Forward "definitely written" data flow over the transition graph: a key is written on entry to a
 * state when every incoming edge writes it (state `set`, route/fallback `set`, on_success `set`, collect `into`),
 * starting from the keys the runtime provides (call_id, session_id, caller, channel).
 */
import type { Diagnostic } from '../diagnostics';
import { allEdges, RUNTIME_CTX_KEYS, type Edge } from '../graph';
import { formatPath, templatePaths } from '../template';
import { stateReads } from './reads';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'unset-ctx',
  phase: 'machine',
  run({ src, machine: m }) {
    const edges = allEdges(m).filter((e) => m.states[e.to]);
    const inSets = new Map<string, Set<string>>();
    if (!m.states[m.entry]) return [];
    inSets.set(m.entry, new Set(RUNTIME_CTX_KEYS));
    const outOf = (e: Edge, inS: Set<string>): Set<string> => {
      if (e.kind === 'max_visits') return inS; // redirected before entering: nothing of the state ran
      const st = m.states[e.from];
      return new Set([...inS, ...Object.keys(st?.set ?? {}), ...e.sets]);
    };
    let changed = true;
    while (changed) {
      changed = false;
      for (const e of edges) {
        const inS = inSets.get(e.from);
        if (!inS) continue;
        const out = outOf(e, inS);
        const cur = inSets.get(e.to);
        const next = cur ? new Set([...cur].filter((k) => out.has(k))) : out;
        if (e.to === m.entry) for (const k of RUNTIME_CTX_KEYS) next.add(k);
        if (!cur || next.size !== cur.size) {
          inSets.set(e.to, next);
          changed = true;
        }
      }
    }
    const out: Diagnostic[] = [];
    for (const s of Object.values(m.states)) {
      const inS = inSets.get(s.name);
      if (!inS) continue; // unreachable: reported by unreachable-state
      for (const read of stateReads(src, s)) {
        const reported = new Set<string>();
        for (const path of templatePaths(read.template)) {
          if (path[0] !== 'ctx' || typeof path[1] !== 'string') continue;
          const key = path[1];
          if (inS.has(key) || read.written.includes(key) || reported.has(key)) continue;
          reported.add(key);
          const culprit = edges.find((e) => e.to === s.name && inSets.has(e.from) && !outOf(e, inSets.get(e.from) as Set<string>).has(key));
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
