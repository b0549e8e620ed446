/**
 * The pure engine's interface: (machine, session, input, now) → { session, commands, trace }.
 * No I/O, no clock, no randomness: `now` is passed in (the workflow gives Temporal's deterministic time), and the
 * engine never awaits anything. The workflow shell (workflows/session.ts) turns commands into activities and
 * feeds results back as inputs.
 */
import type { CollectMode, HttpMethod, JsonValue, TransitionCause } from '../../lib/machine/model';

export type Ctx = { [key: string]: JsonValue };

/** Counters of the current visit (see lib/machine/model.ts for the semantics). */
export interface VisitCounters {
  noinput: number;
  nomatch: number;
  retry: number;
}

export interface EngineRules {
  /**
   * A lone terminator key ('#') where the state has no route for it is not a wrong answer in any state, collect or
   * not: it is the caller confirming keys the previous state already took (the sixth key of a code completed it,
   * the '#' they were asked to press lands on the next question). The question is asked again, since the channel
   * skipped its prompt as answered by that key.
   */
  ignoreLoneTerminator?: boolean;
}

export interface SessionState {
  /** Current state name. */
  state: string;
  ctx: Ctx;
  counters: VisitCounters;
  /** Visits per state over the whole session (for max_visits). */
  visits: Record<string, number>;
  /** DTMF keys received in a collect state, not yet terminated. */
  dtmfBuffer: string;
  /**
   * Rules a session adopted at its start that change how inputs are read. The shell sets them behind Temporal
   * patches (workflows/session.ts), so a session recorded before a rule existed replays as it ran.
   */
  rules?: EngineRules;
  /** What the session waits for now. */
  waiting: 'input' | 'action' | 'handoff' | 'nothing';
  /** Id of the action in flight (when waiting === 'action'); results with another id are ignored. */
  pendingStepId?: string;
  /** Monotonic step counter, the base of step ids (idempotency keys are derived from workflow id + step id). */
  seq: number;
  /** Last text said to the caller (for the portal's view and `expect.say`). */
  lastPrompt?: string;
  /**
   * Body of the last successful action response: the `resp` of a listening state's `prompt_from_action` prompt
   * (e.g. slots listed by the previous state's action). Cleared by a failed action.
   */
  lastResponse?: JsonValue;
  /**
   * The outcome recorded so far (lib/machine/model.ts, "Outcomes"): the machine's or the engine's own name, and
   * whether it is a goal reached.
   */
  outcome?: DeclaredOutcome;
  ended?: SessionEnd;
  /**
   * ctx keys holding a one-time code (collect mode `otp`): removed from ctx as soon as the next action request is
   * built with them, so the code is not session state after the verify call (nor in a continue-as-new input).
   */
  oneTimeKeys?: string[];
}

/** How the session ended, as the channel sees it (kept for older callers; `declared` says what it achieved). */
export type SessionOutcome = 'completed' | 'handoff' | 'hangup' | 'noinput_exhausted' | 'error';

/** An outcome of the machine (booked, noinput_exhausted, …) and whether it is a goal reached. */
export interface DeclaredOutcome {
  name: string;
  goal: boolean;
}

export interface SessionEnd {
  outcome: SessionOutcome;
  /** State the session ended in (where the caller hung up, for a hang-up). */
  state: string;
  /** Screen of that state (C0…C7), when the machine says. */
  screen?: string;
  /**
   * What the session achieved or why it ended. Absent only when a machine compiled before outcomes existed
   * ended normally without recording one.
   */
  declared?: DeclaredOutcome;
}

export type EngineInput =
  | { kind: 'start' }
  | { kind: 'dtmf'; digits: string }
  | { kind: 'speech'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'noinput' }
  | { kind: 'hangup' }
  | { kind: 'action_result'; stepId: string; ok: true; status: number; body: JsonValue }
  | { kind: 'action_result'; stepId: string; ok: false; status?: number; error: string }
  | { kind: 'handoff_result'; ok: boolean };

/** What the caller may answer in the current state, for the channel (speech hints, DTMF, portal buttons). */
export interface ListenSpec {
  timeoutSec: number;
  allowDtmf: boolean;
  /** Collect mode when the state collects a typed value. */
  collect?: { mode: CollectMode; length?: number; terminator: string };
  /** Routes the caller can take here: intent name (or when_text), DTMF keys, one example utterance each. */
  choices: { id: string; label: string; dtmf: string[] }[];
  /** Utterances expected here, passed to speech-to-text as a hint. */
  hints: string[];
}

export interface ActionRequest {
  method: HttpMethod;
  /** Path with parameters substituted and URL-encoded. */
  path: string;
  query: Record<string, string>;
  body?: JsonValue;
  headers: Record<string, string>;
}

export type Command =
  | { kind: 'say'; text: string; bargeIn: boolean }
  | { kind: 'listen'; spec: ListenSpec }
  | { kind: 'action'; stepId: string; endpoint?: string; mutating: boolean; request: ActionRequest }
  | { kind: 'handoff'; queueId: string; vars: Record<string, string> }
  | { kind: 'end'; outcome: SessionOutcome };

/** What happened, for transcripts, coverage reports and search attributes. */
export type TraceEvent =
  | { kind: 'enter'; state: string; from?: string; via: TransitionCause }
  | { kind: 'route'; state: string; route: string; input: 'dtmf' | 'speech' | 'text' }
  | { kind: 'noinput'; state: string; count: number }
  | { kind: 'nomatch'; state: string; count: number }
  | { kind: 'collected'; state: string; key: string }
  | { kind: 'invalid'; state: string; mode: CollectMode; count: number }
  | { kind: 'action'; state: string; stepId: string; endpoint?: string; ok?: boolean; status?: number }
  | { kind: 'end'; state: string; outcome: SessionOutcome; declared?: DeclaredOutcome }
  /** An outcome recorded on a branch (it may still be replaced before the end, see lib/machine/model.ts). */
  | { kind: 'outcome'; state: string; outcome: string; goal: boolean }
  /** Added by the workflow shell when a prompt is said (the engine's own `say` command carries the text). */
  | { kind: 'say'; state: string; text: string }
  /** An input that arrived while the session was not waiting for it (stale action result, speech during an action…). */
  | { kind: 'ignored'; state: string; input: EngineInput['kind']; reason: string }
  /** A machine defect met at run time (unknown state, no way out); the session ends with outcome 'error'. */
  | { kind: 'error'; state: string; message: string };

/** How the session came to a state; defined with the machine model (the checker draws the same edges). */
export type { TransitionCause };

export interface Step {
  session: SessionState;
  commands: Command[];
  trace: TraceEvent[];
}

/** Deterministic time given by the caller of the engine. */
export interface EngineClock {
  /** ISO-8601 instant. */
  nowIso: string;
}
