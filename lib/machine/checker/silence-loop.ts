/**
 * silence-loop: a cycle a silent caller goes round forever: no-input `next`, fallbacks, exhausted counters and
 * action results lead back to where they started, and no state on the way has max_visits. Counters restart on
 * every visit (model.ts), so `noinput: {max: 2, next: <self>}` alone never ends.
 */
import { allEdges, cycles, isListening } from '../graph';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'silence-loop',
  phase: 'machine',
  run({ src, machine: m }) {
    const succ = new Map<string, string[]>();
    for (const e of allEdges(m)) {
      if (!m.states[e.to]) continue;
      const from = m.states[e.from];
      if (!from) continue;
      // Edges a silent caller can take: timers and fallbacks in listening states, anything out of a silent state.
      const silentEdge = isListening(from) ? ['noinput', 'fallback', 'exhausted'].includes(e.kind) : e.kind !== 'max_visits';
      if (silentEdge) succ.set(e.from, [...(succ.get(e.from) ?? []), e.to]);
    }
    return cycles(Object.keys(m.states), succ)
      .filter((comp) => comp.some((n) => isListening(m.states[n]!)) && !comp.some((n) => m.states[n]?.maxVisits))
      .map((comp) => {
        const first = comp[0] as string;
        return src.diag(
          'error',
          'silence-loop',
          `a silent caller goes round ${comp.map((n) => `'${n}'`).join(' → ')} forever (counters restart on each visit): add max_visits to one of them, or send no-input elsewhere.`,
          ['states', first],
          { key: true, state: first },
        );
      });
  },
};
