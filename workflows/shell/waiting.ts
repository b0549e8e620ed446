/**
 * How long the session waits for the caller after a listen, per channel. The engine's listen carries the state's
 * no-input timeout; the channel decides what that means on the workflow's own timer.
 *
 * Voice: the channel itself reports a no-input (FreeSWITCH's recording ends with `no-input-timeout` when nobody
 * spoke within the timeout) and, once speech has started, waits for its end however late in the timeout it began
 * (see freeswitch/README.md, "Listening"). A workflow timer at the bare timeout would cut such an answer, so the
 * session's timer is only a safety net for a channel that never reports: the timeout plus the longest utterance plus
 * a margin for the report to arrive.
 *
 * Web (the portal): a person reading a screen is not a silent caller. The session waits `web_idle_minutes` and
 * never counts a no-input; past it the session pauses: it keeps its state and takes the next click as if nothing
 * happened, until `web_session_minutes` have passed since the last input; then it ends as a hang-up (the person
 * left). Both are machine globals; the portal always starts its sessions with them (the machine's values, else
 * DEFAULT_WEB_IDLE_MINUTES / DEFAULT_WEB_SESSION_MINUTES). A web session without `web_idle_minutes` (conversation
 * scripts, `ivr simulate --channel web`) keeps the state's no-input timeout, so a script can still test silence.
 */
import type { JsonValue } from '../../lib/machine/model';
import type { ListenSpec } from '../engine/types';
import type { Channel } from '../session-api';

/** The workflow's wait when no listen was armed yet (a resumed run before its first listen). */
export const DEFAULT_WAIT_SEC = 5;
/** Longest answer the voice channel records after the no-input timeout (VOICE_RECORD_MAX_SEC is capped to it). */
export const VOICE_MAX_UTTERANCE_SEC = 30;
/** Time for the channel's report to arrive after the longest utterance (end-of-speech silence, events, signal). */
export const VOICE_REPORT_MARGIN_SEC = 5;
export const DEFAULT_WEB_IDLE_MINUTES = 15;
export const DEFAULT_WEB_SESSION_MINUTES = 60;

export interface WaitContext {
  /** True when a telephony channel carries the session and reports no-inputs itself (voice with a node). */
  channelReportsNoInput: boolean;
  /** The machine's globals (with the session's overrides): the web channel's limits. */
  globals?: Record<string, JsonValue>;
}

function minutes(globals: WaitContext['globals'], key: string): number | undefined {
  const v = globals?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * The web channel's two limits in seconds (idle before the pause, whole wait before the session ends), or undefined
 * when the session has no `web_idle_minutes` (then the state's no-input timeout applies).
 */
export function webWaitSec(globals: WaitContext['globals']): { idleSec: number; sessionSec: number } | undefined {
  const idle = minutes(globals, 'web_idle_minutes');
  if (idle === undefined) return undefined;
  const idleSec = Math.round(idle * 60);
  const sessionSec = Math.round((minutes(globals, 'web_session_minutes') ?? DEFAULT_WEB_SESSION_MINUTES) * 60);
  return { idleSec, sessionSec: Math.max(idleSec, sessionSec) };
}

export function waitLimitSec(channel: Channel, listen: ListenSpec | undefined, ctx: WaitContext = { channelReportsNoInput: false }): number {
  const web = channel === 'web' ? webWaitSec(ctx.globals) : undefined;
  if (web) return web.idleSec;
  const timeout = listen?.timeoutSec ?? DEFAULT_WAIT_SEC;
  if (channel === 'voice' && ctx.channelReportsNoInput && listen) return timeout + VOICE_MAX_UTTERANCE_SEC + VOICE_REPORT_MARGIN_SEC;
  return timeout;
}

/**
 * What a wait that ran out means on this channel: a no-input on the phone (and on a scripted web session); on the
 * portal a pause for the rest of `web_session_minutes` (`pauseSec`), after which the session ends as a hang-up.
 */
export function afterIdle(channel: Channel, globals?: WaitContext['globals']): { kind: 'noinput' } | { kind: 'pause'; pauseSec: number } {
  const web = channel === 'web' ? webWaitSec(globals) : undefined;
  if (!web) return { kind: 'noinput' };
  return { kind: 'pause', pauseSec: web.sessionSec - web.idleSec };
}

/** The waiting rule per channel as `ivr check` shows it (the portal's defaults when the machine sets nothing). */
export function describeWaiting(globals: Record<string, JsonValue>): { voice: string; web: string } {
  const silence = typeof globals.noinput_timeout_sec === 'number' ? globals.noinput_timeout_sec : DEFAULT_WAIT_SEC;
  const web = webWaitSec({ web_idle_minutes: DEFAULT_WEB_IDLE_MINUTES, web_session_minutes: DEFAULT_WEB_SESSION_MINUTES, ...globals })!;
  return {
    voice: `${silence} s of silence per listen (a state's noinput_timeout_sec wins), then a no-input`,
    web: `${web.idleSec / 60} min idle (web_idle_minutes), then paused until ${web.sessionSec / 60} min after the last input (web_session_minutes); no no-input`,
  };
}
