/**
 * Error answers of the CRM routes, in the API's shape `{ error: { code, message, …details, request_id } }`
 * (api/errors.ts), mapped here from the capture's failures: audio and input problems are 4xx and wrote nothing;
 * CRM (Odoo) failures are 502, or 504 when Odoo did not answer in time; speech-to-text failures 502/503.
 */
import type { Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { AudioRejected, SpeechDisabled, SttError, SttRejected } from '../../lib/stt/errors';
import { OdooError, OdooUnavailable, AccessDenied, SessionExpired, ValidationError, UserError, UnknownField } from '../../lib/odoo/errors';

export class CrmApiError extends Error {
  override name = 'CrmApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** zod → 400 naming every field path (`body.contact.phone`) and what is wrong with it. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'headers' | 'form'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new CrmApiError(400, 'invalid_request', `Invalid ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, { fields });
}

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

export function toCrmError(err: unknown): CrmApiError {
  if (err instanceof CrmApiError) return err;
  // Odoo called directly by a route (lists, preview)
  if (err instanceof OdooUnavailable) {
    return ODOO_TIMEOUT.test(err.message)
      ? new CrmApiError(504, 'odoo_timeout', 'The CRM did not answer in time; retry later.')
      : new CrmApiError(502, 'odoo_unavailable', 'The CRM cannot be reached; retry later.');
  }
  if (err instanceof AccessDenied || err instanceof SessionExpired) return new CrmApiError(502, 'odoo_auth_failed', 'The backend could not log in to the CRM; an operator must check its credentials.');
  if (err instanceof UnknownField) return new CrmApiError(502, 'odoo_schema', 'The CRM lacks a field this backend writes; run `npx ivr odoo-setup`.');
  if (err instanceof ValidationError || err instanceof UserError) return new CrmApiError(502, 'odoo_rejected', 'The CRM refused the record.');
  if (err instanceof OdooError) return new CrmApiError(502, 'odoo_error', 'The CRM answered with an error.');
  // speech-to-text called directly by a route (voice previews)
  if (err instanceof AudioRejected) return new CrmApiError(422, 'audio_rejected', 'The recording is not usable audio.', { problem: err.problem });
  if (err instanceof SpeechDisabled) return new CrmApiError(503, 'speech_disabled', 'Speech recognition is not configured on this server (OPENAI_API_KEY).');
  if (err instanceof SttRejected) return new CrmApiError(502, 'stt_rejected', 'The speech-to-text service refused the recording.');
  if (err instanceof SttError) return new CrmApiError(502, 'stt_unavailable', 'The speech-to-text service cannot be reached; retry later.');
  // the Temporal server (captures are workflows) cannot be reached
  if (err instanceof ServiceError) return new CrmApiError(503, 'orchestrator_unavailable', 'Captures cannot be started right now; retry shortly.');
  // a capture workflow that failed: its activity's error class says why
  if (err instanceof WorkflowFailedError || err instanceof TemporalFailure) {
    const { type, details } = failureType(err);
    switch (type) {
      case 'AudioRejected':
        return new CrmApiError(422, 'audio_rejected', 'The recording is not usable audio.', { problem: details[0] ?? null });
      case 'SpeechDisabled':
        return new CrmApiError(503, 'speech_disabled', 'Speech recognition is not configured on this server (OPENAI_API_KEY).');
      case 'SttRejected':
        return new CrmApiError(502, 'stt_rejected', 'The speech-to-text service refused the recording.');
      case 'SttUnavailable':
      case 'SttRateLimited':
        return new CrmApiError(502, 'stt_unavailable', 'The speech-to-text service cannot be reached; retry later.');
      case 'OdooUnavailable': {
        const timedOut = err instanceof Error && ODOO_TIMEOUT.test(collectMessages(err));
        return timedOut
          ? new CrmApiError(504, 'odoo_timeout', 'The CRM did not answer in time; retry with the same Idempotency-Key.')
          : new CrmApiError(502, 'odoo_unavailable', 'The CRM cannot be reached; retry with the same Idempotency-Key.');
      }
      case 'AccessDenied':
      case 'SessionExpired':
        return new CrmApiError(502, 'odoo_auth_failed', 'The backend could not log in to the CRM; an operator must check its credentials.');
      case 'UnknownField':
        return new CrmApiError(502, 'odoo_schema', 'The CRM lacks a field this backend writes; run `npx ivr odoo-setup`.');
      case 'ValidationError':
      case 'UserError':
        return new CrmApiError(502, 'odoo_rejected', 'The CRM refused the record.');
      default:
        return new CrmApiError(502, 'capture_failed', 'The capture could not be completed; retry with the same Idempotency-Key.');
    }
  }
  return new CrmApiError(500, 'internal_error', 'Unexpected error; it was logged with the request id.');
}

function collectMessages(err: Error): string {
  const out: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 10 && cur instanceof Error; i++) {
    out.push(cur.message);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out.join(' | ');
}

export function sendCrmError(res: Response, err: unknown, log: Logger, route: string): void {
  const e = toCrmError(err);
  const requestId = String(res.locals.requestId ?? '');
  // peer messages may quote personal data: log the class and our code only
  (e.status >= 500 ? log.error.bind(log) : log.info.bind(log))(
    { requestId, route, code: e.code, status: e.status, cause: err instanceof Error ? err.name : typeof err },
    'crm request failed',
  );
  if (res.headersSent) return;
  res.status(e.status).json({ error: { code: e.code, message: e.message, ...e.details, ...(requestId ? { request_id: requestId } : {}) } });
}
