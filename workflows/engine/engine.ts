/**
 * The pure engine: (machine, session, input, clock) → { session, commands, trace }.
 * Deterministic and synchronous: no I/O, no clock of its own, no randomness; the input session is never mutated.
 */
import type { CompiledMachine, StateType } from '../../lib/machine/model';
import { onActionResult } from './actions';
import { endSession, ignore, machineError, transition, type Run, type StateHandler } from './run';
import { actionThenPromptState } from './states/action-then-prompt';
import { handoffState, onHandoffResult } from './states/handoff';
import { listenState } from './states/listen';
import { promptAndListenState } from './states/prompt-and-listen';
import { promptEndState } from './states/prompt-end';
import type { Ctx, EngineClock, EngineInput, EngineRules, SessionState, Step } from './types';

const HANDLERS: Record<StateType, StateHandler> = {
  prompt_and_listen: promptAndListenState,
  listen: listenState,
  action_then_prompt: actionThenPromptState,
  handoff: handoffState,
  prompt_end: promptEndState,
};

/** Sessions and contexts are plain JSON: a JSON round trip is a faithful, sandbox-safe deep copy. */
function copy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function newRun(machine: CompiledMachine, session: SessionState, clock: EngineClock): Run {
  return { machine, s: session, commands: [], trace: [], clock, hops: 0, handlers: HANDLERS };
}

function done(run: Run): Step {
  return { session: run.s, commands: run.commands, trace: run.trace };
}

/** Open a session on the machine's entry state with the context the channel knows (call id, caller…). */
export function startSession(machine: CompiledMachine, initialCtx: Ctx, clock: EngineClock, rules?: EngineRules): Step {
  const session: SessionState = {
    state: machine.entry,
    ctx: copy(initialCtx),
    counters: { noinput: 0, nomatch: 0, retry: 0 },
    visits: {},
    dtmfBuffer: '',
    waiting: 'nothing',
    seq: 0,
    ...(rules && Object.values(rules).some(Boolean) ? { rules } : {}),
  };
  const run = newRun(machine, session, clock);
  transition(run, machine.entry, 'start', machine.entry);
  return done(run);
}

/** Apply one input. Inputs the session is not waiting for are ignored (and traced), never thrown. */
export function step(machine: CompiledMachine, session: SessionState, input: EngineInput, clock: EngineClock): Step {
  const run = newRun(machine, copy(session), clock);
  const s = run.s;
  if (s.ended) {
    ignore(run, input, `session already ended (${s.ended.outcome})`);
    return done(run);
  }
  if (input.kind === 'hangup') {
    // Whatever is in flight (an action, a transfer), the caller is gone; the shell settles in-flight work.
    endSession(run, 'hangup');
    return done(run);
  }
  const state = machine.states[s.state];
  if (!state) {
    machineError(run, `session is in state "${s.state}", which this machine does not have (machine ${machine.name} ${machine.version})`);
    return done(run);
  }
  switch (input.kind) {
    case 'start':
      ignore(run, input, 'session already started');
      break;
    case 'action_result':
      if (s.waiting !== 'action') ignore(run, input, `no action in flight (waiting for ${s.waiting})`);
      else if (input.stepId !== s.pendingStepId) ignore(run, input, `stale result for step ${input.stepId}; waiting for step ${s.pendingStepId ?? '?'}`);
      else onActionResult(run, state, input);
      break;
    case 'handoff_result':
      if (s.waiting !== 'handoff') ignore(run, input, `no transfer in progress (waiting for ${s.waiting})`);
      else onHandoffResult(run, state, input.ok);
      break;
    default: {
      const handler = HANDLERS[state.type];
      if (s.waiting !== 'input' || !handler.onInput) ignore(run, input, `not listening (waiting for ${s.waiting})`);
      else handler.onInput(run, state, input);
    }
  }
  return done(run);
}
