/** unreachable-state (warning): a state no path from the entry leads to. */
import { reachable } from '../graph';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'unreachable-state',
  phase: 'machine',
  run({ src, machine: m }) {
    if (!m.states[m.entry]) return []; // unknown-state reports the entry itself
    const seen = reachable(m);
    return Object.keys(m.states)
      .filter((n) => !seen.has(n))
      .map((n) => src.diag('warning', 'unreachable-state', `no path from the entry '${m.entry}' leads here.`, ['states', n], { key: true }));
  },
};
