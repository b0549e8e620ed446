/** Test workflow: runs the engine over given inputs inside the workflow sandbox (action results get the pending step id). */
import { startSession, step } from '../../../workflows/engine';
import type { EngineInput, Step } from '../../../workflows/engine';
import type { CompiledMachine } from '../../../lib/machine/model';

export async function engineProbe(m: CompiledMachine, inputs: EngineInput[]): Promise<Step[]> {
  const clock = { nowIso: '2030-03-06T09:00:00.000Z' };
  const steps: Step[] = [startSession(m, { call_id: 'c', session_id: 's' }, clock)];
  for (const i of inputs) {
    const input = i.kind === 'action_result' ? { ...i, stepId: steps[steps.length - 1]!.session.pendingStepId ?? '?' } : i;
    steps.push(step(m, steps[steps.length - 1]!.session, input as EngineInput, clock));
  }
  return steps;
}
