/**
 * Structured logs (pino) that never carry personal data in clear.
 * Two layers: known PII keys are censored wherever they appear (pino's redact), and code that needs to correlate
 * a person across logs logs `piiHash(value)` instead of the value.
 */
import crypto from 'node:crypto';
import pino, { type Logger } from 'pino';

/** Keys whose values are personal data in this product (phones, emails, names, codes, speech). */
export const PII_KEYS = [
  'phone', 'phone_e164', 'mobile', 'caller', 'callerId', 'caller_id_number', 'email', 'email_from', 'to',
  'name', 'firstname', 'lastname', 'contact_name', 'otp', 'code', 'password', 'transcript', 'text', 'utterance',
  'comment', 'session_token', 'portal_session_token', 'token', 'authorization', 'Authorization', 'apiKey', 'api_key',
] as const;

const redactPaths = PII_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  level?: string;
  /** Where lines go; standard output when omitted. */
  destination?: pino.DestinationStream;
}

export function createLogger(name: string, opts: LoggerOptions = {}): Logger {
  // No pino `name`: the top-level key would collide with the censored PII key `name`; `service` says who logs.
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: name },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // LOG_DESTINATION=stderr keeps standard output for a command's own result (the benchmarks' JSON).
  const destination = opts.destination ?? (process.env.LOG_DESTINATION === 'stderr' ? pino.destination(2) : undefined);
  return destination ? pino(options, destination) : pino(options);
}

let warnedDefaultKey = false;
function hashKey(): string {
  const key = process.env.PII_HASH_KEY;
  if (key) return key;
  if (!warnedDefaultKey && process.env.NODE_ENV === 'production') {
    warnedDefaultKey = true;
    process.stderr.write('PII_HASH_KEY is unset: using the development key; set it in production.\n');
  }
  return 'dev-only-pii-hash-key';
}

/**
 * Keyed hash (HMAC-SHA256, 16 hex chars) of a personal value, for correlation in logs and search attributes.
 * Keyed so that a list of known phone numbers cannot be hashed to find a caller.
 */
export function piiHash(value: string): string {
  return crypto.createHmac('sha256', hashKey()).update(value.trim().toLowerCase()).digest('hex').slice(0, 16);
}
