/**
 * How long the session waits for the caller after a listen, per channel. The engine's listen carries the state's
 * no-input timeout; the channel decides what that means on the workflow's own timer.
 *
 * Voice: the channel itself reports a no-input (FreeSWITCH's recording ends with `no-input-timeout` when nobody
 * spoke within the timeout) and, once speech has started, waits for its end however late in the timeout it began
 * (see freeswitch/README.md, "Listening"). A workflow timer at the bare timeout would cut such an answer, so the
 * session's timer is only a safety net for a channel that never reports: the timeout plus the longest utterance plus
 * a margin for the report to arrive.
 */
import type { ListenSpec } from '../engine/types';
import type { Channel } from '../session-api';

/** The workflow's wait when no listen was armed yet (a resumed run before its first listen). */
export const DEFAULT_WAIT_SEC = 5;
/** Longest answer the voice channel records after the no-input timeout (VOICE_RECORD_MAX_SEC is capped to it). */
export const VOICE_MAX_UTTERANCE_SEC = 30;
/** Time for the channel's report to arrive after the longest utterance (end-of-speech silence, events, signal). */
export const VOICE_REPORT_MARGIN_SEC = 5;

export interface WaitContext {
  /** True when a telephony channel carries the session and reports no-inputs itself (voice with a node). */
  channelReportsNoInput: boolean;
}

export function waitLimitSec(channel: Channel, listen: ListenSpec | undefined, ctx: WaitContext = { channelReportsNoInput: false }): number {
  const timeout = listen?.timeoutSec ?? DEFAULT_WAIT_SEC;
  if (channel === 'voice' && ctx.channelReportsNoInput && listen) return timeout + VOICE_MAX_UTTERANCE_SEC + VOICE_REPORT_MARGIN_SEC;
  return timeout;
}
