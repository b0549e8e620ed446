/**
 * The mutable working area of one engine step, and the moves every state type shares: say, end, transition,
 * exhaustion. `step()` clones the session first, so nothing here touches the caller's objects.
 */
import type { CompiledMachine, CompiledState, JsonValue, StateType, ValueExpr } from '../../lib/machine/model';
import { BUILTIN_OUTCOMES } from '../../lib/machine/outcomes';
import { evaluateAll, type Scope } from './render';
import type { Command, DeclaredOutcome, EngineClock, EngineInput, SessionEnd, SessionOutcome, SessionState, TraceEvent, TransitionCause } from './types';

/** Inputs a listening state handles. */
export type ListenInput = Extract<EngineInput, { kind: 'dtmf' | 'speech' | 'text' | 'noinput' }>;

export interface StateHandler {
  /** Called after the visit has started (counters reset, the state's `set` applied). */
  enter(run: Run, state: CompiledState): void;
  /** Caller input while the state waits for it (listening states only). */
  onInput?(run: Run, state: CompiledState, input: ListenInput): void;
}

export interface Run {
  machine: CompiledMachine;
  s: SessionState;
  commands: Command[];
  trace: TraceEvent[];
  clock: EngineClock;
  /** Transitions taken in this step; bounded so that a machine loop without listening cannot spin forever. */
  hops: number;
  handlers: Record<StateType, StateHandler>;
}

/** More transitions than this in one step means the machine loops without ever waiting for anyone. */
export const MAX_HOPS_PER_STEP = 50;

export function scopeOf(run: Run, resp?: JsonValue): Scope {
  return resp === undefined
    ? { ctx: run.s.ctx, globals: run.machine.globals }
    : { ctx: run.s.ctx, resp, globals: run.machine.globals };
}

export function say(run: Run, text: string, bargeIn = true): void {
  if (text === '') return;
  run.commands.push({ kind: 'say', text, bargeIn });
  run.s.lastPrompt = text;
}

export function applySet(run: Run, set: Record<string, ValueExpr>, resp?: JsonValue): void {
  // Evaluate every value against the context as it was before this block, then assign.
  const values = evaluateAll(set, scopeOf(run, resp));
  for (const [k, v] of Object.entries(values)) run.s.ctx[k] = v;
}

/** Whether `name` is a goal reached; an outcome the machine does not know is not one. */
function isGoal(machine: CompiledMachine, name: string): boolean {
  const outcomes: Record<string, { goal: boolean }> = machine.outcomes ?? BUILTIN_OUTCOMES;
  return outcomes[name]?.goal ?? false;
}

/**
 * Record an outcome taken on a branch. A goal reached stays reached: only another goal replaces it (the caller
 * confirmed, then hung up at "anything else?": the call still reached its goal).
 */
export function recordOutcome(run: Run, name: string | undefined): void {
  if (name === undefined || run.s.ended) return;
  const goal = isGoal(run.machine, name);
  if (!goal && run.s.outcome?.goal) return;
  run.s.outcome = { name, goal };
  run.trace.push({ kind: 'outcome', state: run.s.state, outcome: name, goal });
}

function declaredAtEnd(run: Run, outcome: SessionOutcome): DeclaredOutcome | undefined {
  const recorded = run.s.outcome;
  switch (outcome) {
    case 'handoff':
      return { name: 'handed_off', goal: true };
    case 'hangup':
      return recorded?.goal ? recorded : { name: 'caller_hung_up', goal: false };
    case 'error':
      return { name: 'error', goal: false };
    default:
      return recorded;
  }
}

export function endSession(run: Run, outcome: SessionOutcome): void {
  if (run.s.ended) return;
  run.s.waiting = 'nothing';
  delete run.s.pendingStepId;
  const declared = declaredAtEnd(run, outcome);
  const screen = run.machine.states[run.s.state]?.screen;
  const ended: SessionEnd = { outcome, state: run.s.state };
  if (screen !== undefined) ended.screen = screen;
  if (declared) ended.declared = declared;
  run.s.ended = ended;
  run.commands.push({ kind: 'end', outcome });
  run.trace.push(declared ? { kind: 'end', state: run.s.state, outcome, declared } : { kind: 'end', state: run.s.state, outcome });
}

/** A defect of the machine met at run time: say where, end the session in a defined way. */
export function machineError(run: Run, message: string): void {
  run.trace.push({ kind: 'error', state: run.s.state, message });
  endSession(run, 'error');
}

export function ignore(run: Run, input: EngineInput, reason: string): void {
  run.trace.push({ kind: 'ignored', state: run.s.state, input: input.kind, reason });
}

function globalNumber(run: Run, key: string, dflt: number): number {
  const v = run.machine.globals[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

export function globalString(run: Run, key: string, dflt: string): string {
  const v = run.machine.globals[key];
  return typeof v === 'string' && v !== '' ? v : dflt;
}

export const maxNoinput = (run: Run) => globalNumber(run, 'max_noinput', 2);
export const maxNomatch = (run: Run) => globalNumber(run, 'max_nomatch', 2);

/**
 * Start a new visit of `target`. max_visits is checked first: the (max+1)-th entry (and every later one) goes to
 * `maxVisits.next` instead; refused entries still count as visits.
 */
export function transition(run: Run, target: string, via: TransitionCause, from: string = run.s.state): void {
  if (run.s.ended) return;
  run.hops += 1;
  if (run.hops > MAX_HOPS_PER_STEP) {
    machineError(run, `more than ${MAX_HOPS_PER_STEP} transitions without waiting for input (last: ${from} → ${target}); check max_visits and disabled handoffs for a loop`);
    return;
  }
  const state = run.machine.states[target];
  if (!state) {
    machineError(run, `state "${target}" does not exist (transition from "${from}" via ${via}); fix the machine file`);
    return;
  }
  const visits = (run.s.visits[target] ?? 0) + 1;
  run.s.visits[target] = visits;
  if (state.maxVisits && visits > state.maxVisits.max) {
    if (state.maxVisits.next !== undefined) {
      recordOutcome(run, state.maxVisits.outcome ?? AUTO_OUTCOMES.max_visits);
      transition(run, state.maxVisits.next, 'max_visits', target);
    } else exhaust(run, 'max_visits', target, state.maxVisits.outcome);
    return;
  }
  // The caller is asked again: an ending that was not a goal no longer explains how the call will end.
  if ((state.type === 'prompt_and_listen' || state.type === 'listen') && run.s.outcome && !run.s.outcome.goal) delete run.s.outcome;
  run.s.state = target;
  run.s.counters = { noinput: 0, nomatch: 0, retry: 0 };
  run.s.dtmfBuffer = '';
  run.s.waiting = 'nothing';
  delete run.s.pendingStepId;
  run.trace.push(via === 'start' ? { kind: 'enter', state: target, via } : { kind: 'enter', state: target, from, via });
  applySet(run, state.set);
  run.handlers[state.type].enter(run, state);
}

export type ExhaustReason = 'noinput' | 'nomatch' | 'retry' | 'action' | 'handoff' | 'max_visits' | 'next';

/** The outcome the engine records on its own branches when the machine names none there. */
export const AUTO_OUTCOMES = {
  noinput: 'noinput_exhausted',
  nomatch: 'nomatch_exhausted',
  retry: 'nomatch_exhausted',
  action: 'backend_failed',
  handoff: 'transfer_failed',
  max_visits: 'max_visits_reached',
} as const satisfies Partial<Record<ExhaustReason, keyof typeof BUILTIN_OUTCOMES>>;

/**
 * Nothing in the state says where to go: the machine's exhaustedNext, else end. Running out of caller attempts
 * ends as 'noinput_exhausted'; anything else (failed action, handoff, loop bound, missing next) as 'error'.
 * Records `declared` (the outcome written on the branch), else the engine's own for the reason.
 */
export function exhaust(run: Run, reason: ExhaustReason, from: string = run.s.state, declared?: string): void {
  recordOutcome(run, declared ?? (reason === 'next' ? undefined : AUTO_OUTCOMES[reason]));
  const target = run.machine.exhaustedNext;
  if (target !== undefined) {
    transition(run, target, 'exhausted', from);
    return;
  }
  const callerRanOut = reason === 'noinput' || reason === 'nomatch' || reason === 'retry';
  if (!callerRanOut) {
    run.trace.push({ kind: 'error', state: run.s.state, message: `no way out after ${reason} in "${from}" and the machine has no exhausted_next` });
  }
  endSession(run, callerRanOut ? 'noinput_exhausted' : 'error');
}
