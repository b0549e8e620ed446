/**
 * silence-loop: a cycle a silent caller goes round forever: no-input `next`, fallbacks, exhausted counters and
 * action results lead back to where they started, and no state on the way has max_visits. Counters restart on
 * every visit (model.ts), so `noinput: {max: 2, next: <self>}` alone never ends.
 */
import { cycles, isListening, successors } from '../graph';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'silence-loop',
  phase: 'machine',
  run({ src, machine: m }) {
    // Edges a silent caller can take: timers and fallbacks in listening states, anything out of a silent state.
    const succ = successors(m, (e) => {
      const from = m.states[e.from];
      if (!from) return false;
      return isListening(from) ? ['noinput', 'fallback', 'exhausted'].includes(e.kind) : e.kind !== 'max_visits';
    });
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
