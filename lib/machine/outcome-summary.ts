/** The outcomes a machine can end with, for `ivr check`'s output: goals reached and the others. */
import { allEdges } from './graph';
import type { CompiledMachine } from './model';
import { namesNoOutcome } from './checker/missing-outcome';
import { BUILTIN_OUTCOMES } from './outcomes';

export interface OutcomeSummary {
  reached: string[];
  notReached: string[];
  /** The machine names no outcome (written before outcomes existed): its normal endings have an unknown goal. */
  undeclared?: boolean;
}

export function outcomeSummary(m: CompiledMachine): OutcomeSummary {
  const names = new Set<string>(['caller_hung_up']);
  for (const e of allEdges(m)) if (e.outcome !== undefined) names.add(e.outcome);
  for (const s of Object.values(m.states)) {
    if (s.outcome !== undefined) names.add(s.outcome);
    if (s.handoff?.enabled) names.add('handed_off');
  }
  const outcomes: Record<string, { goal: boolean }> = m.outcomes ?? BUILTIN_OUTCOMES;
  const sorted = [...names].sort();
  const summary: OutcomeSummary = { reached: sorted.filter((n) => outcomes[n]?.goal === true), notReached: sorted.filter((n) => outcomes[n]?.goal !== true) };
  if (namesNoOutcome(Object.keys(outcomes).some((n) => !(n in BUILTIN_OUTCOMES)), m)) summary.undeclared = true;
  return summary;
}

/**
 * One line for a person watching a session end (`ivr call`, `ivr simulate`): what it achieved or why it ended, and
 * whether that is a goal, before how the channel ended — « booked, goal reached (completed) ».
 */
export function endingLine(end: { state: string; outcome: string; declared?: { name: string; goal: boolean } }): string {
  const what = end.declared ? `${end.declared.name}, goal ${end.declared.goal ? 'reached' : 'not reached'}` : 'no declared outcome';
  return `ended in ${end.state}: ${what} (${end.outcome})`;
}
