/**
 * A session read back: the path it took through the machine and one row per caller turn, from the session's
 * trace (what the engine decided: states entered, routes, counters, actions, prompts) and the facts of its history
 * (when each input arrived, when each backend call answered, when the next prompt went out). Pure: the reader
 * (reader.ts) fetches and decodes, this lines them up.
 *
 * Lining up: the trace has no clock. Each engine step starts with a recognisable event (a caller input's route,
 * no-input, no-match, collected value or hang-up; an action's result), and the history holds the same triggers in
 * order (input signals, updates and voice turns' answers, the session's own no-input timers, callBackend
 * completions), so the n-th step of a kind takes the time of the n-th trigger of that kind.
 */
import type { CompiledMachine } from '../../lib/machine/model';
import type { TraceEvent } from '../../workflows/engine/types';
import { MAX_DTMF_KEYS } from '../../workflows/engine/listening';
import { redactCtx } from '../../workflows/redact';
import type { CallerInput } from '../../workflows/session-api';

/** What the history says, reduced to what the timeline needs (times in ms since the epoch, in event order). */
export interface HistoryFacts {
  startedAt: number;
  closedAt: number | null;
  /**
   * Caller inputs (signals and accepted updates named `input`, answers of voice turns that waited for them; first
   * delivery of each event id) and fired timers.
   */
  triggers: Trigger[];
  /** When each backend call of the machine answered for good (completed, failed, timed out), in order. */
  actionResults: number[];
  /** When a prompt left for the caller: voice prompt activities scheduled. */
  prompts: Array<{ eventId: number; at: number }>;
  /** Portal updates answered (the next screen shown). */
  updatesCompleted: Array<{ updateId: string; at: number }>;
  /** Workflow tasks completed: the session settled after what came before. */
  tasksCompleted: Array<{ eventId: number; at: number }>;
  /** What speech-to-text made of each recording, in order (voice: the `transcribe` activity's answers). */
  transcripts: string[];
}

export type Trigger =
  | { eventId: number; at: number; kind: 'input'; input: CallerInput; updateId?: string }
  | { eventId: number; at: number; kind: 'timer' };

export interface PathStep {
  state: string;
  /** ISO time the state was entered (the time of the step that entered it). */
  enteredAt: string;
  via: string;
  /** Milliseconds spent there: until the next state was entered, the session closed, or (running) null. */
  spentMs: number | null;
}

export type HeardKind = 'dtmf' | 'speech' | 'text' | 'audio' | 'noinput' | 'hangup' | 'timeout';

export interface TurnRow {
  index: number;
  at: string | null;
  /** The state the caller answered in. */
  state: string;
  /** What the caller heard or read before answering (prompts of the session's masked view, in clear as there). */
  prompt: string[];
  heard: { kind: HeardKind; value: string | null };
  /** What the engine made of it: `route:<choice>`, `noinput`, `nomatch`, `collected:<key>`, `invalid`, `hangup`, `ignored`. */
  result: string;
  actions: Array<{ endpoint: string | null; ok: boolean; status: number | null }>;
  /** The state the turn led to (null when it stayed). */
  next: string | null;
  /** From the input to the next prompt (voice: prompt sent to the channel; portal: next screen answered). */
  latencyMs: number | null;
}

export interface SessionTimeline {
  path: PathStep[];
  turns: TurnRow[];
  /** Where the caller hung up, when they did. */
  hangupState: string | null;
}

type StepKind = 'start' | 'caller' | 'action' | 'other';

interface Step {
  kind: StepKind;
  events: TraceEvent[];
  at: number | null;
  /** The last trigger of the step (the key that completed a sequence, the input itself). */
  trigger?: Trigger;
  /** What the caller did: one input, or the keys of a sequence typed one event at a time. */
  heard?: CallerInput;
}

/** Is this event the first of a caller-input step? */
function callerStart(e: TraceEvent, prev: TraceEvent | undefined): boolean {
  switch (e.kind) {
    case 'route':
    case 'noinput':
    case 'nomatch':
    case 'invalid':
      return true;
    case 'collected':
      // A collect with a retry counter traces `collected` after its own events of the same step.
      return !(prev && prev.kind === 'collected' && prev.state === e.state);
    case 'ignored':
      return ['dtmf', 'speech', 'text', 'noinput', 'hangup'].includes(e.input);
    case 'outcome':
      return e.outcome.startsWith('caller_hung_up') && prev?.kind !== 'outcome';
    case 'end':
      return e.outcome === 'hangup' && prev?.kind !== 'outcome';
    default:
      return false;
  }
}

function splitSteps(trace: readonly TraceEvent[]): Step[] {
  const steps: Step[] = [{ kind: 'start', events: [], at: null }];
  let prev: TraceEvent | undefined;
  for (const e of trace) {
    let kind: StepKind | null = null;
    if (e.kind === 'action' && e.ok !== undefined) kind = 'action';
    else if (callerStart(e, prev)) kind = 'caller';
    if (kind) steps.push({ kind, events: [e], at: null });
    else steps[steps.length - 1]!.events.push(e);
    prev = e;
  }
  return steps;
}

function fits(step: Step, t: Trigger): boolean {
  const first = step.events[0]!;
  const hangup = (first.kind === 'end' && first.outcome === 'hangup') || first.kind === 'outcome' || (first.kind === 'ignored' && first.input === 'hangup');
  const noinput = first.kind === 'noinput' || (first.kind === 'ignored' && first.input === 'noinput');
  // A session's own timer ends a wait as a no-input, or (portal past its lifetime) as a hang-up.
  if (t.kind === 'timer') return noinput || hangup;
  if (hangup) return t.input.kind === 'hangup';
  if (noinput) return t.input.kind === 'noinput';
  return t.input.kind !== 'hangup' && t.input.kind !== 'noinput';
}

/**
 * Keys of a collect state arrive one event each on the phone ("123456#" is seven signals) and make one engine step
 * when the sequence ends: at the terminator, at the collect's length, or at a silence after some keys. Returns how
 * many triggers from `from` that step took (the engine's rule, listening.ts), at least one.
 */
function dtmfRun(triggers: readonly Trigger[], from: number, machine: CompiledMachine, state: string): number {
  const collect = machine.states[state]?.collect;
  if (!collect?.allowDtmf) return 1;
  const term = typeof machine.globals.dtmf_terminator === 'string' ? machine.globals.dtmf_terminator : '#';
  const length = collect.length ?? MAX_DTMF_KEYS;
  let buffer = '';
  for (let i = from; i < triggers.length; i++) {
    const t = triggers[i]!;
    if (t.kind !== 'input' || t.input.kind !== 'dtmf') return buffer && (t.kind === 'timer' || t.input.kind === 'noinput') ? i - from + 1 : Math.max(1, i - from);
    for (const key of t.input.digits) {
      if (key === term) return i - from + 1;
      buffer += key;
      if (buffer.length >= length) return i - from + 1;
    }
  }
  return Math.max(1, triggers.length - from);
}

/** Gives each step its trigger and time (see the header). Timers that match no step (a filler prompt's wait) are skipped. */
function timeSteps(steps: Step[], facts: HistoryFacts, machine: CompiledMachine): void {
  steps[0]!.at = facts.startedAt;
  let cursor = 0;
  let action = 0;
  let transcript = 0;
  for (const step of steps) {
    if (step.kind === 'action') {
      step.at = facts.actionResults[action++] ?? null;
    } else if (step.kind === 'caller') {
      // A hang-up jumps the queue (the inbox puts it first): it is looked for among all triggers not used yet.
      for (let i = cursor; i < facts.triggers.length; i++) {
        const t = facts.triggers[i]!;
        if (!fits(step, t)) continue;
        const first = step.events[0]!;
        const n = t.kind === 'input' && t.input.kind === 'dtmf' && first.kind !== 'ignored' ? dtmfRun(facts.triggers, i, machine, first.state) : 1;
        const taken = facts.triggers.slice(i, i + n);
        const last = taken[taken.length - 1]!;
        step.trigger = last;
        step.at = last.at;
        const keys = taken.flatMap((x) => (x.kind === 'input' && x.input.kind === 'dtmf' ? [x.input.digits] : [])).join('');
        if (keys) step.heard = { eventId: '', kind: 'dtmf', digits: keys };
        else if (t.kind === 'input' && t.input.kind === 'audio') step.heard = { eventId: '', kind: 'speech', text: facts.transcripts[transcript++] ?? '' };
        else if (t.kind === 'input') step.heard = t.input;
        cursor = i + n;
        break;
      }
    }
  }
}

/** Phrases of the machine itself (intent utterances and names, text routes): a caller saying one reveals nothing. */
export function machinePhrases(m: CompiledMachine): Set<string> {
  const out = new Set<string>();
  const add = (t: string) => out.add(t.trim().toLowerCase());
  for (const intent of Object.values(m.intents)) {
    add(intent.name);
    intent.utterances.forEach(add);
  }
  for (const r of [...m.globalRoutes, ...Object.values(m.states).flatMap((s) => s.routes)]) if ('text' in r.when) add(r.when.text);
  return out;
}

/**
 * What was heard, masked as the session's view masks ctx: a value collected into a key is masked by that key's rule
 * (phone, e-mail, code…); words are a transcript (masked) unless they are one of the machine's own phrases; keys
 * pressed to choose a route are shown.
 */
export function heardOf(input: CallerInput | undefined, result: string, phrases: Set<string>): TurnRow['heard'] {
  if (!input) return { kind: result === 'hangup' ? 'hangup' : 'timeout', value: null };
  switch (input.kind) {
    case 'noinput':
    case 'hangup':
      return { kind: input.kind, value: null };
    case 'audio':
      return { kind: 'audio', value: null };
    default: {
      const raw = input.kind === 'dtmf' ? input.digits : input.text;
      const collectedKey = result.startsWith('collected:') ? result.slice('collected:'.length) : null;
      if (collectedKey) return { kind: input.kind, value: String(redactCtx({ [collectedKey]: raw })[collectedKey]) };
      if (input.kind === 'dtmf' && result.startsWith('route:')) return { kind: 'dtmf', value: raw };
      if (input.kind !== 'dtmf' && phrases.has(raw.trim().toLowerCase())) return { kind: input.kind, value: raw };
      return { kind: input.kind, value: String(redactCtx({ transcript: raw }).transcript) };
    }
  }
}

function resultOf(first: TraceEvent, events: readonly TraceEvent[]): string {
  switch (first.kind) {
    case 'route':
      return `route:${first.route}`;
    case 'collected':
      return `collected:${first.key}`;
    case 'noinput':
    case 'nomatch':
    case 'invalid':
      return first.kind;
    case 'ignored':
      return 'ignored';
    default:
      return events.some((e) => e.kind === 'end' && e.outcome === 'hangup') ? 'hangup' : first.kind;
  }
}

/** The time the caller got an answer to a trigger: the next prompt, the update's answer, or the session settling. */
function answeredAt(t: Trigger | undefined, next: Trigger | undefined, facts: HistoryFacts): number | null {
  if (!t) return null;
  const until = next?.eventId ?? Number.POSITIVE_INFINITY;
  if (t.kind === 'input' && t.updateId) {
    const done = facts.updatesCompleted.find((u) => u.updateId === t.updateId);
    if (done) return done.at;
  }
  const prompt = facts.prompts.find((p) => p.eventId > t.eventId && p.eventId < until);
  if (prompt) return prompt.at;
  const settled = facts.tasksCompleted.filter((w) => w.eventId > t.eventId && w.eventId < until).at(-1);
  return settled ? settled.at : null;
}

export function sessionTimeline(trace: readonly TraceEvent[], facts: HistoryFacts, machine: CompiledMachine): SessionTimeline {
  const steps = splitSteps(trace);
  timeSteps(steps, facts, machine);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  const path: PathStep[] = [];
  let lastAt = facts.startedAt;
  for (const step of steps) {
    // Never earlier than the step before (a trigger the alignment missed must not send the path back in time).
    if (step.at !== null) lastAt = Math.max(lastAt, step.at);
    for (const e of step.events) if (e.kind === 'enter') path.push({ state: e.state, enteredAt: iso(lastAt)!, via: e.via, spentMs: null });
  }
  path.forEach((p, i) => {
    const next = path[i + 1];
    const end = next ? Date.parse(next.enteredAt) : facts.closedAt;
    p.spentMs = end === null ? null : Math.max(0, end - Date.parse(p.enteredAt));
  });

  const phrases = machinePhrases(machine);
  const turns: TurnRow[] = [];
  let said: string[] = [];
  const usedTriggers = steps.filter((s) => s.kind === 'caller').map((s) => s.trigger);
  let callerIndex = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind !== 'caller') {
      said.push(...step.events.filter((e) => e.kind === 'say').map((e) => (e as { text: string }).text));
      continue;
    }
    const first = step.events[0]!;
    // Everything up to the next caller input belongs to this turn: the actions it ran and where it led.
    const owned = [...step.events];
    for (let j = i + 1; j < steps.length && steps[j]!.kind !== 'caller'; j++) owned.push(...steps[j]!.events);
    const result = resultOf(first, step.events);
    const input = step.heard;
    const actions = owned.flatMap((e) => (e.kind === 'action' && e.ok !== undefined ? [{ endpoint: e.endpoint ?? null, ok: e.ok, status: e.status ?? null }] : []));
    const entered = owned.filter((e) => e.kind === 'enter').at(-1);
    const nextTrigger = usedTriggers.slice(callerIndex + 1).find((t) => t !== undefined);
    const answered = answeredAt(step.trigger, nextTrigger, facts);
    turns.push({
      index: turns.length + 1,
      at: iso(step.at),
      state: first.state,
      prompt: said,
      heard: heardOf(input, result, phrases),
      result,
      actions,
      next: entered?.state ?? null,
      latencyMs: answered !== null && step.at !== null ? Math.max(0, answered - step.at) : null,
    });
    // The following steps (an action's result) add their own prompts in the loop.
    said = step.events.filter((e) => e.kind === 'say').map((e) => (e as { text: string }).text);
    callerIndex++;
  }
  const hangup = trace.find((e): e is Extract<TraceEvent, { kind: 'end' }> => e.kind === 'end' && e.outcome === 'hangup');
  return { path, turns, hangupState: hangup ? hangup.state : null };
}
