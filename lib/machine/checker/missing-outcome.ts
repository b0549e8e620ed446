/**
 * missing-outcome: a path from the entry to a prompt_end along which no outcome is recorded, so the session would
 * end without saying what it achieved or why it ended. Follows the engine's rules (lib/machine/model.ts,
 * "Outcomes"): a goal recorded stays; an outcome that is not a goal is forgotten on entering a listening state;
 * a prompt_end with its own `outcome` always has one. Reported once per branch that leads to the end, where the
 * outcome can be written.
 *
 * A machine that names no outcome anywhere (no `outcomes:`, no `outcome:`; written before outcomes existed) is
 * not checked by this rule, so it still loads: its sessions end as `completed` with an unknown goal, and `ivr check`
 * says so in its summary. Writing `outcomes:` (or one `outcome:`) turns the rule on for the whole machine.
 */
import type { Diagnostic } from '../diagnostics';
import { allEdges, isListening, type Edge } from '../graph';
import type { CompiledMachine } from '../model';
import { BUILTIN_OUTCOMES } from '../outcomes';
import type { Rule } from './rule';
import { writtenOutcomes } from './unknown-outcome';

/** What is recorded on arriving somewhere: nothing, an outcome that is not a goal, a goal. */
type Recorded = 0 | 1 | 2;

function goalOf(m: CompiledMachine, name: string): boolean {
  const outcomes: Record<string, { goal: boolean }> = m.outcomes ?? BUILTIN_OUTCOMES;
  return outcomes[name]?.goal ?? false;
}

/** Branches that can end a session with no outcome recorded (empty when every path to an end carries one). */
export function branchesWithoutOutcome(m: CompiledMachine): Edge[] {
  const out = new Map<Edge, true>();
  const entry = m.states[m.entry];
  if (!entry) return [];
  const byFrom = new Map<string, Edge[]>();
  for (const e of allEdges(m)) {
    if (!m.states[e.to]) continue;
    const list = byFrom.get(e.from);
    if (list) list.push(e);
    else byFrom.set(e.from, [e]);
  }
  // Each (state, recorded) pair is visited once: linear in states × 3 + edges × 3.
  const seen = new Set<string>();
  const todo: Array<[string, Recorded]> = [];
  const visit = (state: string, recorded: Recorded): void => {
    const s = m.states[state]!;
    const r: Recorded = recorded === 1 && isListening(s) ? 0 : recorded;
    const key = `${r}\u0000${state}`;
    if (seen.has(key)) return;
    seen.add(key);
    todo.push([state, r]);
  };
  visit(m.entry, 0);
  while (todo.length) {
    const [state, recorded] = todo.pop()!;
    for (const e of byFrom.get(state) ?? []) {
      let next = recorded;
      if (e.outcome !== undefined) next = goalOf(m, e.outcome) ? 2 : recorded === 2 ? 2 : 1;
      const target = m.states[e.to]!;
      if (target.type === 'prompt_end' && target.outcome === undefined && next === 0) out.set(e, true);
      visit(e.to, next);
    }
  }
  return [...out.keys()];
}

/** True for a machine written before outcomes existed: no `outcomes:` and no `outcome:` anywhere. */
export function namesNoOutcome(hasOutcomesKey: boolean, m: CompiledMachine): boolean {
  return !hasOutcomesKey && writtenOutcomes(m).length === 0;
}

export const rule: Rule = {
  code: 'missing-outcome',
  phase: 'machine',
  run({ src, machine: m }) {
    const out: Diagnostic[] = [];
    if (namesNoOutcome(src.doc.has('outcomes'), m)) return out;
    const entry = m.states[m.entry];
    if (entry?.type === 'prompt_end' && entry.outcome === undefined) {
      out.push(src.diag('error', 'missing-outcome', 'the session ends here with no outcome: add outcome: <name> to this state.', ['states', entry.name], { state: entry.name }));
    }
    for (const e of branchesWithoutOutcome(m)) {
      const end = m.states[e.to]!;
      out.push(
        src.diag(
          'error',
          'missing-outcome',
          `this branch (${e.kind.replace('_', ' ')}: ${e.label}) ends the session in '${e.to}' (line ${end.loc.line}) with no outcome recorded since the caller was last asked: add outcome: <name> here (e.g. booked, info_given; names under outcomes:), on an earlier branch of the same path, or on '${e.to}' itself.`,
          e.at,
          { state: e.from },
        ),
      );
    }
    return out;
  },
};
