/** A scripted caller over the pure engine: keeps the session, answers the action in flight by its step id. */
import type { CompiledMachine, JsonValue } from '../../lib/machine/model';
import { startSession, step } from '../../workflows/engine';
import type { Command, EngineInput, SessionState, Step } from '../../workflows/engine';
import { clock } from './helpers';

export class Journey {
  session: SessionState;
  steps: Step[] = [];

  constructor(readonly machine: CompiledMachine, ctx: Record<string, JsonValue> = { call_id: 'call-1', session_id: 'sess-1' }) {
    const s = startSession(machine, ctx, clock);
    this.steps.push(s);
    this.session = s.session;
  }

  send(input: EngineInput): Step {
    const s = step(this.machine, this.session, input, clock);
    this.steps.push(s);
    this.session = s.session;
    return s;
  }

  say(text: string) {
    return this.send({ kind: 'speech', text });
  }
  dtmf(digits: string) {
    return this.send({ kind: 'dtmf', digits });
  }
  silence() {
    return this.send({ kind: 'noinput' });
  }

  /** The action command waiting for its result (throws when none: the journey went somewhere else). */
  pendingAction(): Extract<Command, { kind: 'action' }> {
    const id = this.session.pendingStepId;
    for (const s of [...this.steps].reverse()) {
      const a = s.commands.find((c): c is Extract<Command, { kind: 'action' }> => c.kind === 'action' && c.stepId === id);
      if (a) return a;
    }
    throw new Error(`no action in flight in state ${this.session.state} (waiting for ${this.session.waiting})`);
  }

  ok(body: JsonValue, status = 200) {
    return this.send({ kind: 'action_result', stepId: this.pendingAction().stepId, ok: true, status, body });
  }
  fail(status = 500) {
    return this.send({ kind: 'action_result', stepId: this.pendingAction().stepId, ok: false, status, error: `HTTP ${status}` });
  }

  get state() {
    return this.session.state;
  }
  /** Everything said since the start, in order. */
  said(): string[] {
    return this.steps.flatMap((s) => s.commands.flatMap((c) => (c.kind === 'say' ? [c.text] : [])));
  }
  lastSaid(): string {
    return this.said().at(-1) ?? '';
  }
}
