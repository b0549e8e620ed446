/**
 * `handoff`: if enabled, say the prompt and ask the channel to transfer to the queue; its report ends the session
 * ('handoff') or takes on_fail. Disabled: on_fail at once. The variables handed to the agent's side carry ids
 * only (ctx keys named `id` or `*_id`), never phones, names, codes or tokens.
 */
import type { CompiledState } from '../../../lib/machine/model';
import { renderPrompt, toText } from '../render';
import { AUTO_OUTCOMES, endSession, exhaust, machineError, recordOutcome, say, scopeOf, transition, type Run, type StateHandler } from '../run';

function handoffVars(run: Run, from: string | undefined): Record<string, string> {
  const vars: Record<string, string> = {
    machine: run.machine.name,
    machine_version: run.machine.version,
    state: run.s.state,
  };
  if (from !== undefined) vars['from_state'] = from;
  for (const key of Object.keys(run.s.ctx).sort()) {
    const v = run.s.ctx[key];
    const isId = key === 'id' || key.endsWith('_id');
    if (isId && (typeof v === 'string' || typeof v === 'number') && v !== '') vars[key] = toText(v);
  }
  return vars;
}

function handoffFailed(run: Run, state: CompiledState): void {
  const onFail = state.handoff?.onFail;
  say(run, renderPrompt(onFail?.prompt, scopeOf(run)));
  if (onFail?.next !== undefined) {
    recordOutcome(run, onFail.outcome ?? AUTO_OUTCOMES.handoff);
    return transition(run, onFail.next, 'handoff_failed');
  }
  exhaust(run, 'handoff', run.s.state, onFail?.outcome);
}

export const handoffState: StateHandler = {
  enter: (run, state) => {
    const h = state.handoff;
    if (!h) return machineError(run, `handoff state "${state.name}" has no handoff settings`);
    if (!h.enabled) return handoffFailed(run, state);
    say(run, renderPrompt(h.prompt ?? state.prompt, scopeOf(run)));
    // The state we came from: the last 'enter' event of this step names it.
    const entered = [...run.trace].reverse().find((e) => e.kind === 'enter' && e.state === state.name);
    const from = entered && entered.kind === 'enter' ? entered.from : undefined;
    run.commands.push({ kind: 'handoff', queueId: h.queueId, vars: handoffVars(run, from) });
    run.s.waiting = 'handoff';
  },
};

export function onHandoffResult(run: Run, state: CompiledState, ok: boolean): void {
  run.s.waiting = 'nothing';
  if (ok) return endSession(run, 'handoff');
  handoffFailed(run, state);
}
