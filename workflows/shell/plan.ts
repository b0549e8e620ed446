/**
 * What the command runner decides without running anything: which prompts barge-in makes moot, which commands form
 * one voice turn, and how an activity's answer or a caller's input becomes the engine's next input. Pure.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../lib/machine/model';
import type { BackendResult } from '../activity-types';
import type { Command, EngineInput, ListenSpec } from '../engine/types';
import type { CallerInput } from '../session-api';

/** Barge-in: once the caller answered, the rest of what was to be said is moot. */
export function isMoot(command: Command, inputPending: boolean): boolean {
  return command.kind === 'say' && command.bargeIn && inputPending;
}

export interface VoiceTurnPlan {
  /** The prompts to play, in order (moot ones left out). */
  says: { text: string; bargeIn: boolean }[];
  /** Capture armed after the prompts, when the commands say listen right after them. */
  listen?: ListenSpec;
  /** Index of the first command after the turn. */
  next: number;
}

/** The prompts from `from` on and the listen right after them: what one `voiceTurn` activity carries. */
export function voiceTurnAt(commands: readonly Command[], from: number, inputPending: boolean): VoiceTurnPlan {
  const says: VoiceTurnPlan['says'] = [];
  let next = from;
  for (let c = commands[next]; c?.kind === 'say'; c = commands[++next]) {
    if (isMoot(c, inputPending)) continue;
    says.push({ text: c.text, bargeIn: c.bargeIn });
  }
  const after = commands[next];
  return after?.kind === 'listen' ? { says, listen: after.spec, next: next + 1 } : { says, next };
}

/** A backend answer (2xx or 4xx) as the engine's action result; 4xx carry the API's error code for on_fail. */
export function actionResult(stepId: string, answer: BackendResult): EngineInput {
  return answer.ok
    ? { kind: 'action_result', stepId, ok: true, status: answer.status, body: answer.body }
    : { kind: 'action_result', stepId, ok: false, status: answer.status, error: errorCode(answer.body) };
}

/** The backend stayed unavailable through every retry: on_fail with status 502 and the failure's type. */
export function unavailableResult(stepId: string, failure: ActivityFailure): EngineInput {
  const cause = failure.cause;
  const error = cause instanceof ApplicationFailure && cause.type ? cause.type : 'backend_unavailable';
  return { kind: 'action_result', stepId, ok: false, status: 502, error };
}

/** The API's error code from an error body (`{error: {code}}`, also `{code}` or `{error: "<code>"}`), else a generic one. */
export function errorCode(body: JsonValue): string {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const nested = body.error && typeof body.error === 'object' && !Array.isArray(body.error) ? body.error.code : undefined;
    const code = nested ?? body.code ?? body.error;
    if (typeof code === 'string') return code;
  }
  return 'backend_error';
}

/** A caller input that needs no activity (all but audio, which speech-to-text turns into text first). */
export function directInput(event: Exclude<CallerInput, { kind: 'audio' }>): EngineInput {
  switch (event.kind) {
    case 'dtmf':
      return { kind: 'dtmf', digits: event.digits };
    case 'speech':
      return { kind: 'speech', text: event.text };
    case 'text':
      return { kind: 'text', text: event.text };
    case 'hangup':
      return { kind: 'hangup' };
    case 'noinput':
      return { kind: 'noinput' };
  }
}
