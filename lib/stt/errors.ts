/**
 * Typed failures of speech-to-text. The voice channel maps them to behaviour: SpeechDisabled and AudioRejected steer
 * the caller to DTMF at once; SttUnavailable / SttRateLimited are worth a retry; SttRejected is a configuration fault.
 */

export class SttError extends Error {
  override name = 'SttError';
  /** Whether the same request may succeed later (an activity retry policy can read this). */
  readonly retryable: boolean = false;
}

/** No API key configured: speech recognition is off, the channel must use DTMF. */
export class SpeechDisabled extends SttError {
  override name = 'SpeechDisabled';
  constructor() {
    super('Speech recognition is disabled: OPENAI_API_KEY is not set. Set it (and OPENAI_BASE_URL for a compatible server) to enable speech, or use DTMF.');
  }
}

export type AudioProblem = 'empty' | 'unknown_format' | 'truncated' | 'invalid' | 'too_large' | 'too_long' | 'unsupported_wav';

/** The audio failed the local checks and was NOT uploaded. */
export class AudioRejected extends SttError {
  override name = 'AudioRejected';
  constructor(
    readonly problem: AudioProblem,
    message: string,
  ) {
    super(`Audio rejected before upload (${problem}): ${message}`);
  }
}

/** The server refused the request (bad request, auth, unknown model): retrying the same call will not help. */
export class SttRejected extends SttError {
  override name = 'SttRejected';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Rate limited even after the SDK's own retries. */
export class SttRateLimited extends SttError {
  override name = 'SttRateLimited';
  override readonly retryable = true;
}

/** 5xx, network failure or timeout after the SDK's retries. */
export class SttUnavailable extends SttError {
  override name = 'SttUnavailable';
  override readonly retryable = true;
}
