/**
 * action-loop: a cycle of states that run without waiting for the caller (action_then_prompt, handoff) and with no
 * max_visits on any of them: a failing backend would spin it forever.
 */
import { cycles, isListening, successors } from '../graph';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'action-loop',
  phase: 'machine',
  run({ src, machine: m }) {
    const silent = (n: string): boolean => {
      const s = m.states[n];
      return !!s && !isListening(s) && s.type !== 'prompt_end';
    };
    const succ = successors(m, (e) => e.kind !== 'max_visits' && silent(e.from) && silent(e.to));
    return cycles(Object.keys(m.states), succ)
      .filter((comp) => !comp.some((n) => m.states[n]?.maxVisits))
      .map((comp) => {
        const first = comp[0] as string;
        return src.diag(
          'error',
          'action-loop',
          `states ${comp.map((n) => `'${n}'`).join(', ')} form a loop that runs with no caller input and no counter: add max_visits to one of them.`,
          ['states', first],
          { key: true, state: first },
        );
      });
  },
};
