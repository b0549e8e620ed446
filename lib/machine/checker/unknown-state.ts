/** unknown-state: entry, a next / on_fail_next / noinput.next / … or globals.exhausted_next that names no state. */
import { suggester, type Diagnostic } from '../diagnostics';
import { allEdges } from '../graph';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'unknown-state',
  phase: 'machine',
  run({ src, machine: m }) {
    const suggest = suggester(Object.keys(m.states));
    const out: Diagnostic[] = [];
    const check = (target: string, what: string, at: (string | number)[], state?: string): void => {
      if (m.states[target]) return;
      const opts = state !== undefined ? { state } : {};
      out.push(src.diag('error', 'unknown-state', `${what} '${target}' names no state.${suggest(target)}`, at, opts));
    };
    check(m.entry, 'entry', ['entry']);
    if (m.exhaustedNext !== undefined) check(m.exhaustedNext, 'globals.exhausted_next', ['globals', 'exhausted_next']);
    const seen = new Set<string>();
    for (const e of allEdges(m)) {
      if (e.kind === 'exhausted') continue;
      const key = e.at.join('\u0000');
      if (seen.has(key)) continue; // a global route is one YAML line, whatever the number of states it applies to
      seen.add(key);
      const rel = e.at[0] === 'states' ? e.at.slice(2) : e.at;
      const field = rel.map((x, i) => (typeof x === 'number' ? `[${x}]` : i === 0 ? x : `.${x}`)).join('');
      check(e.to, field, e.at, e.at[0] === 'states' ? e.from : undefined);
    }
    return out;
  },
};
