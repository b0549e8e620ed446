/**
 * How a capture workflow's failure is answered: the failing activity's error class (deepest ApplicationFailure in
 * the chain) maps to the same codes the API gives when a route meets that error itself (api/errors.ts). Audio and
 * input problems are 4xx and wrote nothing; CRM (Odoo) failures 502, or 504 when Odoo did not answer in time.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { ApiError } from '../errors';

/** The ApplicationFailure type deepest in a Temporal failure chain (the activity's own error class name). */
function failureType(err: unknown): { type: string | null; details: unknown[] } {
  let cur: unknown = err;
  let found: { type: string | null; details: unknown[] } = { type: null, details: [] };
  for (let i = 0; i < 10 && cur; i++) {
    if (cur instanceof ApplicationFailure) found = { type: cur.type ?? null, details: [...(cur.details ?? [])] };
    cur = cur instanceof TemporalFailure || cur instanceof WorkflowFailedError ? cur.cause : undefined;
  }
  return found;
}

const ODOO_TIMEOUT = /no answer within/;

function collectMessages(err: Error): string {
  const out: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 10 && cur instanceof Error; i++) {
    out.push(cur.message);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out.join(' | ');
}

/** Temporal errors of a capture as ApiErrors; anything else is returned as it is (toApiError maps it). */
export function captureError(err: unknown): unknown {
  // the Temporal server (captures are workflows) cannot be reached
  if (err instanceof ServiceError) return new ApiError(503, 'orchestrator_unavailable', 'Captures cannot be started right now; retry shortly.');
  if (!(err instanceof WorkflowFailedError || err instanceof TemporalFailure)) return err;
  const { type, details } = failureType(err);
  switch (type) {
    case 'AudioRejected':
      return new ApiError(422, 'audio_rejected', 'The recording is not usable audio.', { problem: details[0] ?? null });
    case 'SpeechDisabled':
      return new ApiError(503, 'speech_disabled', 'Speech recognition is not configured on this server (OPENAI_API_KEY).');
    case 'SttRejected':
      return new ApiError(502, 'stt_rejected', 'The speech-to-text service refused the recording.');
    case 'SttUnavailable':
    case 'SttRateLimited':
      return new ApiError(502, 'stt_unavailable', 'The speech-to-text service cannot be reached; retry later.');
    case 'OdooUnavailable':
      return ODOO_TIMEOUT.test(collectMessages(err))
        ? new ApiError(504, 'odoo_timeout', 'The CRM did not answer in time; retry with the same Idempotency-Key.')
        : new ApiError(502, 'odoo_unavailable', 'The CRM cannot be reached; retry with the same Idempotency-Key.');
    case 'AccessDenied':
    case 'SessionExpired':
      return new ApiError(502, 'odoo_auth_failed', 'The backend could not log in to the CRM; an operator must check its credentials.');
    case 'UnknownField':
      return new ApiError(502, 'odoo_schema', 'The CRM lacks a field this backend writes; run `npx ivr odoo-setup`.');
    case 'ValidationError':
    case 'UserError':
      // as api/errors.ts answers Odoo's refusal met directly: the request's data, not a peer failure
      return new ApiError(409, 'odoo_rejected', 'The CRM refused this change.');
    default:
      return new ApiError(502, 'capture_failed', 'The capture could not be completed; retry with the same Idempotency-Key.');
  }
}
