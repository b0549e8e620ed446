/**
 * The session workflow's public surface: its input, the caller inputs it accepts (signals and the portal's
 * update), and the view it answers with. Imported by workflow code and by clients (esl-bridge, api, cli), so it
 * holds definitions and types only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompiledMachine, JsonValue } from '../lib/machine/model';
import type { GoalStatus } from '../lib/machine/outcomes';
import type { Ctx, ListenSpec, SessionEnd, SessionOutcome, SessionState, TraceEvent } from './engine/types';

export type Channel = 'voice' | 'web';

export interface SessionInput {
  machine: CompiledMachine;
  channel: Channel;
  /** FreeSWITCH Unique-ID for voice, portal session id for web. */
  callId: string;
  /** Caller id presented by the channel (a phone candidate), if any. */
  caller?: string;
  /** Extra ctx at start (e.g. a portal session continuing a call). */
  ctx?: Ctx;
  /** Overrides of machine globals for this session (conversation scripts use it for timeouts). */
  globals?: Record<string, JsonValue>;
  /** Voice: the task queue of the FreeSWITCH node that carries the call. */
  voiceTaskQueue?: string;
  /** Set by continue-as-new: where the previous run stopped. */
  resume?: { session: SessionState; seenEventIds: string[]; turn: number };
}

/** One thing the caller did. `eventId` makes delivery idempotent (e.g. FreeSWITCH Core-UUID + Event-Sequence). */
export type CallerInput =
  | { eventId: string; kind: 'dtmf'; digits: string }
  | { eventId: string; kind: 'speech'; text: string }
  | { eventId: string; kind: 'audio'; ref: string }
  | { eventId: string; kind: 'text'; text: string }
  | { eventId: string; kind: 'hangup'; cause?: string }
  /**
   * The channel heard nothing for the listen's whole no-input timeout (voice: FreeSWITCH's recording ended with
   * `no-input-timeout`). Speech that started before the timeout is never cut by it: the channel then waits for its end.
   */
  | { eventId: string; kind: 'noinput' };

/** What the caller sees or hears now: the portal renders it, tests and operators read it. */
export interface SessionView {
  state: string;
  screen?: string;
  /** Everything said since the previous input, in order. */
  prompts: string[];
  lastPrompt?: string;
  waiting: SessionState['waiting'];
  /** True when the session waits for the caller with every command of the turn done (a script may speak). */
  listening: boolean;
  listen?: ListenSpec;
  /** Number of inputs applied so far. */
  turn: number;
  ended?: SessionEnd;
  /** ctx with personal values masked. */
  ctx: Record<string, JsonValue>;
}

/** Why a session ended in `error` on the channel's side (a FreeSWITCH command failed, the call dropped abnormally). */
export interface ChannelFailure {
  kind: 'command' | 'hangup';
  /** The hang-up cause (e.g. DESTINATION_OUT_OF_ORDER) or the failed command's error. */
  cause: string;
}

export interface SessionResult {
  /** How it ended for the channel: completed, handoff, hangup, noinput_exhausted, error (unchanged for older callers). */
  outcome: SessionOutcome;
  /**
   * What the session achieved or why it ended, as in `IvrOutcome`: the machine's outcome (booked, confirmed, …),
   * the engine's (noinput_exhausted, nomatch_exhausted, backend_failed, caller_hung_up, transfer_failed,
   * handed_off), or error.
   */
  declaredOutcome: string;
  /** As in `IvrGoal`: whether the session reached what the caller came for. */
  goal: GoalStatus;
  failure?: ChannelFailure;
  /** State the session ended in (where the caller hung up, for caller_hung_up), as in `IvrState`. */
  state: string;
  /** Screen of that state (C0…C7), when the machine says. */
  screen?: string;
  turns: number;
}

export { NO_INPUT_YET } from './shell/inbox';

export const inputSignal = defineSignal<[CallerInput]>('input');
/** The portal's way in: applies the input and returns the view once the session waits again. */
export const inputUpdate = defineUpdate<SessionView, [CallerInput]>('input');
export const viewQuery = defineQuery<SessionView>('view');
/**
 * The first screen in one round trip: sent with the workflow's start (Update-with-Start), it answers the view once
 * the session first waits for the caller (or has ended). Changes nothing in the session.
 */
export const firstViewUpdate = defineUpdate<SessionView>('firstView');
/** Trace events of this run from index `since` on (states entered, routes, counters, actions): transcripts, coverage. */
export const traceQuery = defineQuery<{ events: TraceEvent[]; next: number }, [number]>('trace');

export const SESSION_WORKFLOW_TYPE = 'sessionWorkflow';

/** Workflow ids say what they are: `voice-<Unique-ID>`, `web-<session id>`. */
export function sessionWorkflowId(channel: Channel, callId: string): string {
  return `${channel}-${callId}`;
}
