/**
 * The compiled machine: what the loader (lib/machine/loader.ts) produces from a YAML file and what the pure engine
 * (workflows/engine/) interprets. Plain JSON data only (no functions, no classes), because it is frozen into each
 * session as workflow input and must survive serialization and replay unchanged.
 *
 * Globals are already substituted (`${globals.x}` → its value), templates are already parsed (Template), and
 * every state keeps the source location it came from, so run-time errors can point at the YAML.
 *
 * Run-time semantics (the contract between the checker and the engine; machines/README.md explains them for
 * authors):
 *
 * Visits and counters
 * - A *visit* to a state starts on every transition into it (route, next, on_success/on_fail, noinput/nomatch next,
 *   fallback, collect retry's on_fail_next), including a transition from the state to itself. Re-prompting after a
 *   no-input, a no-match or an invalid collected value stays inside the visit.
 * - Each visit has its own `noinput`, `nomatch` and collect `retry` counters, starting at 0.
 * - Each state also counts its visits over the whole session. `max_visits` {max, next} bounds loops that go through
 *   several states (e.g. verify OTP → retry → verify OTP): entering the state for the (max+1)-th time goes to
 *   `max_visits.next` instead.
 *
 * No-input / no-match
 * - A no-input is the state's timer (`noinputTimeoutSec`) expiring with no input. A no-match is an input that
 *   matches no candidate intent, no `when_text`, and (for collect states) is not a valid value.
 * - On a no-input (resp. no-match) the counter is incremented. While it is below `max` the state re-prompts
 *   (same visit). When it reaches `max`: go to the block's `next` if any, else to `fallback` (with its `set`), else
 *   to the machine's `exhaustedNext`.
 * - A state with no `noinput` (resp. `nomatch`) block: with a `fallback`, the first no-input (no-match) goes to
 *   the fallback at once; without one, it behaves as `{ max: globals.max_noinput (max_nomatch) }` with no next:
 *   the max-th miss goes to `exhaustedNext`.
 * - A listening state with a plain `next` and no collect treats any unmatched input (not a no-input) as "go to next".
 *
 * Intent resolution (scoped to the state)
 * - Candidates: the intents named in the state's `when_intent` routes, then the machine's `globalRoutes` whose
 *   intent, DTMF keys and utterances do not collide with the state's own routes (the state wins).
 * - DTMF: the completed key sequence (a single key; or, in a collect state, the keys up to the terminator / length)
 *   equals one of the intent's `dtmf` entries.
 * - Speech/text: normalized (lower case, accents and punctuation removed, spaces collapsed); an intent matches when
 *   the normalized input equals one of its normalized utterances or contains it as whole words. The longest
 *   matching utterance wins; on a tie, the route listed first wins.
 * - `when_text: "x"`: the normalized input contains the normalized x as whole words. Routes are tried in order.
 *
 * Collect
 * - The collected value is stored in ctx under `into` (defaults per mode: phone → phone_e164, otp → otp,
 *   date_nl → {from: date_from, to: date_to}, free_speech_or_no → comment; "non" stores null).
 * - In a collect state, routes are tried first (an utterance such as "conseiller", or a DTMF sequence equal to a
 *   route key, e.g. "0#"); otherwise the input is parsed by the collect mode. An invalid value increments `retry`
 *   (if the collect has `retry`) or counts as a no-match; `retry.max` reached → `retry.onFailNext`.
 * - After a valid value: the state's `action` runs if any, else the state's `next`.
 *
 * Actions
 * - `action_then_prompt`: entering the state runs the action at once (no listening). On success: apply
 *   `onSuccess.set` (templates see `resp` = the response body), say `onSuccess.prompt` if any, go to `onSuccess.next`.
 *   On failure (4xx, or 5xx/network after retries): say `onFail.prompt`, go to `onFail.next`; with no `onFail`, go to
 *   the machine's `exhaustedNext`.
 * - A state's own `prompt` with `promptFromAction` is rendered after the action, with `resp` in scope.
 *
 * Other state types
 * - `listen`: like prompt_and_listen with no prompt of its own (the previous state's prompt is the question).
 * - `handoff`: if `enabled`, say `prompt` and transfer to `queueId`; the channel reports success (the session ends
 *   with outcome "handoff") or failure (→ `onFail`). If not enabled, go to `onFail` at once.
 * - `prompt_end`: say the prompt and end the session.
 *
 * Outcomes (lib/machine/outcomes.ts)
 * - Taking a branch that carries `outcome` records it; the engine records its built-in ones on its own branches
 *   when the branch names none: an exhausted no-input (noinput_exhausted) or no-match / invalid value
 *   (nomatch_exhausted) counter or fallback, a failed action (backend_failed), a failed handoff (transfer_failed),
 *   max_visits (max_visits_reached). Entering a prompt_end with `outcome` records it.
 * - A goal outcome, once recorded, stays: a later outcome replaces it only if it is a goal too. A recorded outcome
 *   that is not a goal is forgotten when a listening state is entered (the caller is asked again).
 * - The session ends with the recorded outcome; a hang-up with the recorded goal, else caller_hung_up; a handoff
 *   with handed_off; a machine defect with error.
 */

import type { OutcomeDef } from './outcomes';

/** How a session comes to a state: the engine traces it, the checker and the diagrams draw it as an edge. */
export type TransitionCause =
  | 'start'
  | 'route'
  | 'next'
  | 'collected'
  | 'on_success'
  | 'on_fail'
  | 'noinput'
  | 'nomatch'
  | 'fallback'
  | 'retry_exhausted'
  | 'max_visits'
  | 'exhausted'
  | 'handoff_failed';

/** Where something came from in a YAML file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** `ctx.slots[2].voice_label` → ['ctx', 'slots', 2, 'voice_label']. The root is `ctx`, `resp` or `globals`. */
export type PathSegment = string | number;
export type ValuePath = PathSegment[];

export type Operand = { kind: 'path'; path: ValuePath } | { kind: 'literal'; value: JsonPrimitive };

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; path: ValuePath }
  /** `{{#if a == b}}…{{else}}…{{/if}}`; with no `op`, `left` is tested for truthiness. */
  | { kind: 'if'; left: Operand; op?: '==' | '!='; right?: Operand; then: TemplateNode[]; else: TemplateNode[] };

export interface Template {
  /** The text as written in the YAML (for errors and diagrams). */
  source: string;
  nodes: TemplateNode[];
}

/**
 * A value in `set`, `body`, `query`, `path`, `headers`: a literal, or a template. A template that is exactly one
 * `{{expr}}` yields the raw value (an array stays an array); any other template yields a string.
 */
export type ValueExpr = { kind: 'literal'; value: JsonValue } | { kind: 'template'; template: Template };

export type Assignments = Record<string, ValueExpr>;

export type StateType = 'prompt_and_listen' | 'listen' | 'action_then_prompt' | 'handoff' | 'prompt_end';
export type CollectMode = 'phone' | 'otp' | 'date_nl' | 'free_speech_or_no';

export interface Collect {
  mode: CollectMode;
  allowDtmf: boolean;
  /** Number of digits (otp). */
  length?: number;
  retry?: { max: number; onFailNext?: string; outcome?: string };
  /** ctx keys that must hold a value after collection (seed: `validate: { phone_e164: required }`). */
  required: string[];
  /** ctx key(s) the value goes to; see the header for defaults. */
  into: string | { from: string; to: string };
  loc: SourceLocation;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Action {
  /** Name under globals.endpoints when the call was written `${globals.endpoints.NAME}`, for summaries. */
  endpoint?: string;
  method: HttpMethod;
  /** Path with `{param}` placeholders, e.g. `/appointments/{id}/confirm`. */
  pathTemplate: string;
  path: Assignments;
  query: Assignments;
  body?: Assignments;
  headers: Assignments;
  onSuccess?: { set: Assignments; prompt?: Template; next?: string; outcome?: string };
  onFail?: { prompt?: Template; next?: string; outcome?: string };
  loc: SourceLocation;
}

export interface Route {
  when: { intent: string } | { text: string };
  set: Assignments;
  next: string;
  /** Outcome recorded when this route is taken. */
  outcome?: string;
  loc: SourceLocation;
}

export interface CounterBlock {
  max: number;
  next?: string;
  /** Outcome recorded when the counter runs out (else the engine's built-in one). */
  outcome?: string;
  loc: SourceLocation;
}

export interface CompiledState {
  name: string;
  type: StateType;
  /** Screen of the product this state belongs to (C0…C7), for diagrams and the portal. */
  screen?: string;
  prompt?: Template;
  /** True when the prompt is rendered after the action with `resp` in scope. */
  promptFromAction: boolean;
  collect?: Collect;
  action?: Action;
  routes: Route[];
  noinput?: CounterBlock;
  nomatch?: CounterBlock;
  fallback?: { set: Assignments; next: string; outcome?: string; loc: SourceLocation };
  next?: string;
  /** Assignments applied on entering the state. */
  set: Assignments;
  maxVisits?: CounterBlock;
  /** Seconds of silence before a no-input: the state's own value, else globals.noinput_timeout_sec. */
  noinputTimeoutSec: number;
  handoff?: { enabled: boolean; queueId: string; prompt?: Template; onFail?: { prompt?: Template; next?: string; outcome?: string } };
  /** prompt_end: the outcome recorded on entering it. */
  outcome?: string;
  loc: SourceLocation;
}

export interface Intent {
  name: string;
  utterances: string[];
  dtmf: string[];
  loc: SourceLocation;
}

export interface CompiledMachine {
  /** `machine:` in the YAML. */
  name: string;
  version: string;
  locale: string;
  timezone: string;
  /** `entry:` if given, else the first state of the file. */
  entry: string;
  /** Where every exhausted counter or unhandled failure goes when the state says nothing (globals.exhausted_next). */
  exhaustedNext?: string;
  /** Globals after substitution, for templates reading `globals.x`. */
  globals: { [key: string]: JsonValue };
  intents: Record<string, Intent>;
  /** Routes available in every listening state (e.g. operator → handoff), below the state's own routes. */
  globalRoutes: Route[];
  states: Record<string, CompiledState>;
  /**
   * Every outcome the machine may record: the built-in ones and those under `outcomes:`. Absent in machines
   * compiled before outcomes existed (frozen in older sessions): the engine then knows the built-in ones only.
   */
  outcomes?: Record<string, OutcomeDef>;
  source: { file: string; sha256: string };
}
