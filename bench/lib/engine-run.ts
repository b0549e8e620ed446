/**
 * The same turns through the pure engine in-process (no Temporal): the floor the workflow's turn latency is
 * compared with. A turn's time is from the input to the first channel command (say or listen), feeding an
 * instant successful answer to any backend action on the way, as the workflow would.
 */
import { performance } from 'node:perf_hooks';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSession, step, type EngineInput, type SessionState, type Step } from '../../workflows/engine';
import { scriptedTurn } from './turn-script';

const clock = () => ({ nowIso: new Date().toISOString() });

/** Feeds action answers until the step holds a say or listen command; returns that step. */
function untilChannelCommand(machine: CompiledMachine, first: Step, where: string): Step {
  let current = first;
  for (let hops = 0; hops < 8; hops++) {
    const command = current.commands.find((c) => c.kind !== 'action') ?? current.commands[0];
    if (!command) throw new Error(`engine run: ${where} produced no command (state ${current.session.state})`);
    if (command.kind === 'say' || command.kind === 'listen') return current;
    if (command.kind !== 'action') throw new Error(`engine run: ${where} produced '${command.kind}' before speaking`);
    const answer: EngineInput = { kind: 'action_result', stepId: command.stepId, ok: true, status: 200, body: {} };
    current = step(machine, current.session, answer, clock());
  }
  throw new Error(`engine run: ${where} kept calling actions without speaking`);
}

export interface EngineRun {
  /** One duration (ms) per turn. */
  latenciesMs: number[];
}

/** Runs `sessions` × `turns` turns of the script, one session after another, and times each turn. */
export function runEngineTurns(machine: CompiledMachine, sessions: number, turns: number): EngineRun {
  const latenciesMs: number[] = [];
  for (let s = 0; s < sessions; s++) {
    const ctx = { call_id: `engine-${s}`, session_id: `voice-engine-${s}`, channel: 'voice' };
    let session: SessionState = startSession(machine, ctx, clock()).session;
    for (let t = 0; t < turns; t++) {
      const turn = scriptedTurn(t, s);
      if (session.state !== turn.from) {
        throw new Error(`engine run: turn ${t} expects state ${turn.from}, the session is in ${session.state}`);
      }
      const started = performance.now();
      const spoken = untilChannelCommand(machine, step(machine, session, { kind: 'dtmf', digits: turn.digits }, clock()), `turn ${t}`);
      latenciesMs.push(performance.now() - started);
      // Later commands of the turn (the menu prompt after an action) do not count in the turn's latency.
      session = spoken.session;
      if (session.state !== turn.to) {
        throw new Error(`engine run: turn ${t} (${turn.digits}) ends in ${session.state}, expected ${turn.to}`);
      }
    }
  }
  return { latenciesMs };
}
