/**
 * How each kind of activity the session schedules is timed and retried, defined once. Pure data: the command
 * runner proxies activities with these, tests read them.
 */
import type { ActivityOptions } from '@temporalio/common';

/**
 * Backend actions (`callBackend`) that are not safe to repeat blindly: a send of a code or a link (a repeat after a
 * lost answer could text the person twice) and the CRM captures. The activity throws only on 5xx the API calls
 * retry-safe (`Retry-Safe: true`), network errors and timeouts; 4xx and retry-unsafe 5xx are answers. Four attempts
 * at 0.3, 0.6 and 1.2 s: a caller on the line hears the filler, not minutes of silence. Every attempt carries the
 * same idempotency key, and the API replays a stored answer.
 */
export const BACKEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '25 seconds',
  retry: { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4 },
};

/**
 * How long an idempotent backend step keeps trying. Sized for a restart of the API: under `npm start` a kill -9 of
 * the API is back in 4–7 s (supervisor backoff 0.5 → 2 s plus the API's start, measured on the shared 2-core
 * machine); ~20 s was seen under heavy load. 60 s is three times that; the caller hears a filler meanwhile.
 */
export const IDEMPOTENT_BACKEND_BUDGET = '60 seconds';

/**
 * Backend actions that are safe to repeat: reads, and writes the API makes idempotent (naturally, or by a marker the
 * peer stores, with a read-back after an unanswered call; api/README.md lists them). They outlive an API or worker
 * restart: retries every ≤ 3 s until IDEMPOTENT_BACKEND_BUDGET.
 */
export const IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '25 seconds',
  scheduleToCloseTimeout: IDEMPOTENT_BACKEND_BUDGET,
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '3 seconds' },
};

/** Calls that send a message or capture a contact: not repeated beyond BACKEND_ACTIVITY_OPTIONS. */
const NOT_IDEMPOTENT: readonly RegExp[] = [/^\/auth\/request-otp$/, /^\/portal\/send-otp-link$/, /^\/appointments\/[^/]+\/share-link$/, /^\/crm\//];

/** Whether a backend call may be repeated until the long budget (pure: the workflow decides with it). */
export function isIdempotentBackendCall(request: { method: string; path: string }): boolean {
  if (request.method === 'GET') return true;
  return !NOT_IDEMPOTENT.some((re) => re.test(request.path));
}

/** Speech-to-text of a recording; a failure after these attempts counts as not understood (DTMF still works). */
export const SPEECH_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 3 },
};

/** Telephony on the call's FreeSWITCH node; a prompt or a transfer can last, so the activity heartbeats. */
export const VOICE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumAttempts: 3 },
};

/**
 * A voice turn that stays open until the caller answers (lib/esl/turns.ts): prompts, then the wait, however long
 * the state's timeout and the answer. Heartbeats (the voice worker's while it plays, the esl-bridge's while it
 * waits) find a dead part within 30 s; it is never retried, since a retry would play the prompts again over a
 * session that may have moved on: a turn that timed out counts as a no-input, and the machine asks again.
 */
export const AWAITING_VOICE_TURN_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
};
