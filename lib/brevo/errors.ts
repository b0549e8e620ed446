/**
 * Typed failures of the Brevo client. `retryable` tells an activity retry policy whether the same call may succeed
 * later; `needsHuman` marks the one case no automatic retry may resolve (a send whose outcome is unknown).
 */

export class BrevoError extends Error {
  override name = 'BrevoError';
  readonly retryable: boolean = false;
  readonly needsHuman: boolean = false;
  constructor(
    message: string,
    /** HTTP status, or 0 when no response was received. */
    readonly status: number,
    /** Brevo's `code` (e.g. invalid_parameter), or a client-side code (timeout, network, in_flight, outcome_unknown). */
    readonly code: string,
  ) {
    super(message);
  }
}

/** 429 that outlasted the client's bounded wait; retry after `retryAfterMs`. */
export class BrevoRateLimited extends BrevoError {
  override name = 'BrevoRateLimited';
  override readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message, 429, 'too_many_requests');
  }
}

/** 402: the account has no credits left. Not retryable: someone must buy credits. */
export class BrevoNoCredits extends BrevoError {
  override name = 'BrevoNoCredits';
}

/** Any other 4xx (bad parameter, unauthorized, forbidden…): the request itself is wrong; not retryable. */
export class BrevoRejected extends BrevoError {
  override name = 'BrevoRejected';
}

/** 5xx, network failure or timeout where the message was NOT sent (or, for email, is safely re-sendable). */
export class BrevoUnavailable extends BrevoError {
  override name = 'BrevoUnavailable';
  override readonly retryable = true;
}

/**
 * SMS/WhatsApp only: the request may have reached Brevo and been accepted, but no answer came back (timeout, lost
 * connection), or an earlier attempt with the same key was interrupted. Brevo has no idempotency for these channels,
 * so re-sending could text the person twice: the key stays claimed and a human decides (see lib/brevo/README.md).
 */
export class BrevoOutcomeUnknown extends BrevoError {
  override name = 'BrevoOutcomeUnknown';
  override readonly needsHuman = true;
  constructor(
    message: string,
    readonly idempotencyKey: string,
    readonly channel: 'sms' | 'whatsapp',
    readonly claimedAt?: Date,
  ) {
    super(message, 0, 'outcome_unknown');
  }
}
