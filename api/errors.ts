/**
 * The API's error answers: `{ error: { code, message, …details } }` with a stable `code` the machine's on_fail
 * (and the portal) branch on. Peer failures are mapped here, in one place; nothing else decides a status.
 */
import { OdooError, OdooUnavailable, AccessDenied, SessionExpired, MissingError, ValidationError, UserError, AccessError, UnknownField } from '../lib/odoo/errors';
import { AudioRejected, SpeechDisabled, SttError, SttRejected } from '../lib/stt/errors';
import { BrevoError, BrevoNoCredits, BrevoRateLimited, BrevoRejected, BrevoOutcomeUnknown, BrevoUnavailable } from '../lib/brevo/errors';
import { LedgerKeyConflict } from '../lib/brevo/ledger';

/**
 * Every 5xx answer says whether repeating the same request (same Idempotency-Key) is safe: `retryable` in the error
 * body and the `Retry-Safe` header. false means "do not repeat": the outcome is unknown (a message may have gone,
 * a change may have been made) or a repeat cannot help (credentials, schema). Clients (the machine's backend
 * activity) must not retry those blindly. 4xx answers are verdicts on the request and are never retried.
 */
const RETRY_UNSAFE_5XX = new Set([
  'messaging_outcome_unknown', 'messaging_rejected', 'odoo_outcome_unknown', 'odoo_auth_failed', 'odoo_schema', 'odoo_forbidden',
  'odoo_error', 'stt_rejected', 'internal_error', 'route_not_mounted', 'ics_failed',
]);

export class ApiError extends Error {
  override name = 'ApiError';
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    if (status >= 500) {
      const retryable = typeof details.retryable === 'boolean' ? details.retryable : !RETRY_UNSAFE_5XX.has(code);
      this.details = { ...details, retryable };
      this.headers = { ...headers, 'Retry-Safe': String(retryable) };
    } else {
      this.details = details;
      this.headers = headers;
    }
  }
}

export interface ErrorBody {
  error: { code: string; message: string; request_id?: string } & Record<string, unknown>;
}

/** Turns any thrown value into an ApiError; unknown errors become a 500 without their message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof OdooUnavailable) {
    if (err.outcome === 'unknown') {
      // a change was sent and not confirmed: repeating it blindly could apply it twice
      return new ApiError(504, 'odoo_outcome_unknown', 'The CRM did not confirm this change: it may or may not have been made. Check the record before repeating it.');
    }
    const timedOut = /no answer within/.test(err.message);
    return timedOut
      ? new ApiError(504, 'odoo_timeout', 'The CRM did not answer in time; retry later.')
      : new ApiError(502, 'odoo_unavailable', 'The CRM cannot be reached; retry later.');
  }
  if (err instanceof AccessDenied || err instanceof SessionExpired) {
    return new ApiError(502, 'odoo_auth_failed', 'The backend could not log in to the CRM; an operator must check its credentials.');
  }
  if (err instanceof MissingError) return new ApiError(404, 'not_found', 'This record does not exist (anymore).');
  if (err instanceof UnknownField) return new ApiError(502, 'odoo_schema', 'The CRM lacks a field this backend writes; run `npx ivr odoo-setup`.');
  if (err instanceof ValidationError || err instanceof UserError) {
    return new ApiError(409, 'odoo_rejected', 'The CRM refused this change.');
  }
  if (err instanceof AccessError) return new ApiError(502, 'odoo_forbidden', 'The CRM user of the backend may not do this.');
  if (err instanceof OdooError) return new ApiError(502, 'odoo_error', 'The CRM answered with an error.');
  // speech-to-text called directly by a route (voice previews)
  if (err instanceof AudioRejected) return new ApiError(422, 'audio_rejected', 'The recording is not usable audio.', { problem: err.problem });
  if (err instanceof SpeechDisabled) return new ApiError(503, 'speech_disabled', 'Speech recognition is not configured on this server (OPENAI_API_KEY).');
  if (err instanceof SttRejected) return new ApiError(502, 'stt_rejected', 'The speech-to-text service refused the recording.');
  if (err instanceof SttError) return new ApiError(502, 'stt_unavailable', 'The speech-to-text service cannot be reached; retry later.');
  if (err instanceof BrevoNoCredits) return new ApiError(503, 'messaging_unavailable', 'Messages cannot be sent at the moment.');
  if (err instanceof BrevoRateLimited) {
    const sec = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
    return new ApiError(503, 'messaging_rate_limited', 'The messaging provider is busy; retry shortly.', { retry_after_sec: sec }, { 'Retry-After': String(sec) });
  }
  if (err instanceof BrevoOutcomeUnknown) {
    return new ApiError(502, 'messaging_outcome_unknown', 'A message may or may not have been sent; it will not be sent again automatically.');
  }
  if (err instanceof BrevoRejected) return new ApiError(502, 'messaging_rejected', 'The messaging provider refused this message.');
  if (err instanceof BrevoError && !(err instanceof BrevoUnavailable) && err.code === 'outcome_unknown') {
    // an email claimed long ago and never confirmed: Brevo no longer dedupes it
    return new ApiError(502, 'messaging_outcome_unknown', 'A message may or may not have been sent; it will not be sent again automatically.');
  }
  if (err instanceof BrevoError) {
    return err.code === 'in_flight'
      ? new ApiError(503, 'send_in_progress', 'The same message is being sent; retry shortly.', {}, { 'Retry-After': '2' })
      : new ApiError(503, 'messaging_unavailable', 'Messages cannot be sent at the moment.');
  }
  if (err instanceof LedgerKeyConflict) return new ApiError(422, 'idempotency_key_reused', 'This idempotency key was used for another message.');
  return new ApiError(500, 'internal_error', 'Unexpected error; it was logged with the request id.');
}
