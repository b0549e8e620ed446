/**
 * How each kind of activity the session schedules is timed and retried, defined once. Pure data: the command
 * runner proxies activities with these, tests read them.
 */
import type { ActivityOptions } from '@temporalio/common';

/**
 * Backend actions (`callBackend`). The activity throws only on 5xx, network errors and timeouts (4xx are answers,
 * never retried), and the API's own 503s ask for a retry within 1–2 s (`Retry-After`). Four attempts at 0.3, 0.6
 * and 1.2 s: a caller on the line hears the filler, not minutes of silence; `maximumInterval` keeps any longer
 * policy's waits under 5 s. Every attempt carries the same idempotency key, so a retry never doubles an effect.
 */
export const BACKEND_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4 },
};

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
