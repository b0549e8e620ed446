/**
 * unknown-outcome: an `outcome:` naming neither a built-in outcome (lib/machine/outcomes.ts) nor one under
 * `outcomes:`; an entry under `outcomes:` that redefines a built-in one (its goal is fixed by the engine).
 */
import { suggester, type Diagnostic, type DocPath } from '../diagnostics';
import type { CompiledMachine } from '../model';
import { BUILTIN_OUTCOMES } from '../outcomes';
import type { Rule } from './rule';

/** Every `outcome:` written in the machine, with where it is written. */
export function writtenOutcomes(m: CompiledMachine): { name: string; at: DocPath; state?: string }[] {
  const out: { name: string; at: DocPath; state?: string }[] = [];
  const push = (name: string | undefined, at: DocPath, state?: string): void => {
    if (name !== undefined) out.push(state !== undefined ? { name, at, state } : { name, at });
  };
  m.globalRoutes.forEach((r, i) => push(r.outcome, ['global_routes', i, 'outcome']));
  for (const s of Object.values(m.states)) {
    const at: DocPath = ['states', s.name];
    push(s.outcome, [...at, 'outcome'], s.name);
    s.routes.forEach((r, i) => push(r.outcome, [...at, 'routes', i, 'outcome'], s.name));
    push(s.noinput?.outcome, [...at, 'noinput', 'outcome'], s.name);
    push(s.nomatch?.outcome, [...at, 'nomatch', 'outcome'], s.name);
    push(s.fallback?.outcome, [...at, 'fallback', 'outcome'], s.name);
    push(s.maxVisits?.outcome, [...at, 'max_visits', 'outcome'], s.name);
    push(s.collect?.retry?.outcome, [...at, 'collect', 'retry', 'outcome'], s.name);
    push(s.action?.onSuccess?.outcome, [...at, 'action', 'on_success', 'outcome'], s.name);
    push(s.action?.onFail?.outcome, [...at, 'action', 'on_fail', 'outcome'], s.name);
    push(s.handoff?.onFail?.outcome, [...at, 'on_fail', 'outcome'], s.name);
  }
  return out;
}

export const rule: Rule = {
  code: 'unknown-outcome',
  phase: 'machine',
  run({ src, machine: m }) {
    const out: Diagnostic[] = [];
    const known = Object.keys(m.outcomes ?? BUILTIN_OUTCOMES);
    const suggest = suggester(known);
    for (const w of writtenOutcomes(m)) {
      if (m.outcomes?.[w.name] !== undefined || w.name in BUILTIN_OUTCOMES) continue;
      const opts = w.state !== undefined ? { state: w.state } : {};
      out.push(src.diag('error', 'unknown-outcome', `outcome '${w.name}' is not defined: add it under outcomes: with goal: true or false.${suggest(w.name)}`, w.at, opts));
    }
    for (const name of Object.keys(BUILTIN_OUTCOMES)) {
      if (src.doc.hasIn(['outcomes', name])) {
        out.push(src.diag('error', 'unknown-outcome', `'${name}' is a built-in outcome (its goal is fixed): remove it from outcomes:, or give yours another name.`, ['outcomes', name], { key: true }));
      }
    }
    return out;
  },
};
