/**
 * no-exit: a non-terminal state the session can get stuck in: a listening state the caller cannot leave by
 * answering (no route, no next, no collect leading on), an action whose success or failure leads nowhere, a handoff
 * whose failure leads nowhere, or exhausted counters with no next, no fallback and no globals.exhausted_next.
 */
import type { Diagnostic } from '../diagnostics';
import { isListening, stateEdges } from '../graph';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'no-exit',
  phase: 'machine',
  run({ src, machine: m }) {
    const out: Diagnostic[] = [];
    const noExhausted = m.exhaustedNext === undefined;
    for (const s of Object.values(m.states)) {
      if (s.type === 'prompt_end') continue;
      const at = ['states', s.name];
      const edges = stateEdges(m, s);
      const err = (msg: string, path: (string | number)[]): void => {
        out.push(src.diag('error', 'no-exit', msg, path, { state: s.name }));
      };
      if (s.action && !s.action.onSuccess?.next) {
        err('after a successful action the session has nowhere to go: add action.on_success.next.', [...at, 'action']);
      }
      if (s.action && !s.action.onFail?.next && noExhausted) {
        err('a failed action has nowhere to go: add action.on_fail.next or globals.exhausted_next.', [...at, 'action']);
      }
      if (isListening(s)) {
        if (!edges.some((e) => e.input)) {
          err('the caller cannot leave this state by answering: add routes, a next, or a collect that leads on.', at);
        }
        if (noExhausted) {
          for (const kind of ['noinput', 'nomatch'] as const) {
            if (!s[kind]?.next && !s.fallback) {
              err(`when ${kind} is exhausted the session has nowhere to go: add ${kind}.next, a fallback or globals.exhausted_next.`, s[kind] ? [...at, kind] : at);
            }
          }
          if (s.collect?.retry && s.collect.retry.onFailNext === undefined) {
            err('when collect.retry is exhausted the session has nowhere to go: add retry.on_fail_next or globals.exhausted_next.', [...at, 'collect', 'retry']);
          }
        }
      }
      if (s.type === 'handoff' && !s.handoff?.onFail?.next && noExhausted) {
        err('a failed handoff has nowhere to go: add on_fail.next or globals.exhausted_next.', at);
      }
      if (s.maxVisits && s.maxVisits.next === undefined && noExhausted) {
        err('max_visits reached has nowhere to go: add max_visits.next or globals.exhausted_next.', [...at, 'max_visits']);
      }
    }
    return out;
  },
};
