/**
 * Brevo (API v3) client for SMS, email and WhatsApp templates, built for "never send the same message twice":
 * every send carries an idempotency key, is claimed in the SendLedger before the request and completed after it.
 * Retries: 5xx and refused connections with exponential backoff; 429 waits for `x-sib-ratelimit-reset` (bounded).
 * A lost answer (timeout, reset connection) is retried for email only — Brevo dedupes email by
 * `headers.idempotencyKey` — and turns SMS/WhatsApp into BrevoOutcomeUnknown (see README.md in this folder).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { parseEnv } from '../env';
import { createLogger, piiHash } from '../log';
import { BrevoError, BrevoNoCredits, BrevoOutcomeUnknown, BrevoRateLimited, BrevoRejected, BrevoUnavailable } from './errors';
import type { SendChannel, SendLedger } from './ledger';

const SENDER_NAME = /^(?:[A-Za-z0-9]{1,11}|\d{1,15})$/;
const E164 = /^\+[1-9]\d{5,14}$/;

export const brevoEnvSchema = z.object({
  BREVO_API_KEY: z.string().trim().min(1, 'BREVO_API_KEY is required (Brevo → SMTP & API → API keys)'),
  BREVO_BASE_URL: z.url().default('https://api.brevo.com'),
  BREVO_SMS_SENDER: z
    .string()
    .regex(SENDER_NAME, 'BREVO_SMS_SENDER must be 1–11 letters/digits without spaces (or up to 15 digits), e.g. CabinetRdv'),
  BREVO_EMAIL_SENDER: z
    .string()
    .regex(/^(?:[^<>]+<\s*[^\s@<>]+@[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+)$/, 'BREVO_EMAIL_SENDER must be an address, or "Name <address>"'),
  BREVO_WHATSAPP_SENDER: z
    .string()
    .regex(/^\+?[1-9]\d{5,14}$/, 'BREVO_WHATSAPP_SENDER must be the WhatsApp number with its country code, e.g. 33612345678')
    .optional(),
  BREVO_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  BREVO_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
});

export interface BrevoConfig {
  apiKey: string;
  baseUrl: string;
  smsSender: string;
  emailSender: { email: string; name?: string };
  /** Digits with country code; required for WhatsApp sends only. */
  whatsappSender?: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Attempts for 5xx / network failures (429 has its own budget). */
  maxAttempts: number;
  /** First backoff delay; doubled per attempt, with jitter. */
  backoffBaseMs: number;
  /** Longest the client waits for a rate-limit reset before giving up with BrevoRateLimited. */
  maxRateLimitWaitMs: number;
  /** 429 answers tolerated within one send. */
  maxRateLimitRetries: number;
  /**
   * A claimed-but-not-completed SMS/WhatsApp key younger than this is taken as a send still in flight elsewhere
   * (retryable); older, as an interrupted send whose outcome is unknown (needs a human).
   */
  inFlightWindowMs: number;
  /** How long Brevo remembers an email idempotency key (documented 15 min; kept below it). */
  emailIdempotencyTtlMs: number;
}

export function brevoConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BrevoConfig {
  const e = parseEnv(brevoEnvSchema, env, 'Brevo configuration');
  const m = /^(.*?)\s*<\s*([^>]+?)\s*>$/.exec(e.BREVO_EMAIL_SENDER);
  const emailSender = m ? { email: m[2] ?? '', ...(m[1] ? { name: m[1].trim() } : {}) } : { email: e.BREVO_EMAIL_SENDER };
  return {
    apiKey: e.BREVO_API_KEY,
    baseUrl: e.BREVO_BASE_URL,
    smsSender: e.BREVO_SMS_SENDER,
    emailSender,
    ...(e.BREVO_WHATSAPP_SENDER ? { whatsappSender: e.BREVO_WHATSAPP_SENDER.replace(/^\+/, '') } : {}),
    timeoutMs: e.BREVO_TIMEOUT_MS,
    maxAttempts: e.BREVO_MAX_ATTEMPTS,
    ...CLIENT_DEFAULTS,
  };
}

export const CLIENT_DEFAULTS = {
  backoffBaseMs: 300,
  maxRateLimitWaitMs: 10_000,
  maxRateLimitRetries: 3,
  inFlightWindowMs: 120_000,
  emailIdempotencyTtlMs: 12 * 60_000,
} as const;

export interface SendResult {
  messageId: string;
  /** True when the ledger already held this key as sent: nothing was sent this time. */
  deduplicated: boolean;
}

export interface SmsInput {
  /** E.164, e.g. +33612345678 */
  to: string;
  content: string;
  tag?: string;
  idempotencyKey: string;
}

export interface EmailInput {
  to: Array<{ email: string; name?: string }>;
  subject: string;
  html: string;
  text?: string;
  attachments?: Array<{ name: string; contentBase64: string }>;
  tag?: string;
  idempotencyKey: string;
}

export interface WhatsAppTemplateInput {
  /** E.164 */
  to: string;
  templateId: number;
  params: Record<string, string | number>;
  idempotencyKey: string;
}

export interface BrevoClient {
  sendSms(input: SmsInput): Promise<SendResult>;
  sendEmail(input: EmailInput): Promise<SendResult>;
  sendWhatsAppTemplate(input: WhatsAppTemplateInput): Promise<SendResult>;
}

export interface BrevoDeps {
  ledger: SendLedger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const idKey = z.string().min(1).max(200);
const smsInput = z.object({
  to: z.string().regex(E164, 'to must be an E.164 number such as +33612345678'),
  content: z.string().min(1, 'content is empty').max(1600, 'content is longer than 1600 characters (10 SMS)'),
  tag: z.string().min(1).max(100).optional(),
  idempotencyKey: idKey,
});
const emailInput = z.object({
  to: z.array(z.object({ email: z.email(), name: z.string().min(1).optional() })).min(1, 'to needs at least one recipient'),
  subject: z.string().min(1),
  html: z.string().min(1),
  text: z.string().min(1).optional(),
  attachments: z
    .array(z.object({ name: z.string().min(1).regex(/\.[A-Za-z0-9]{1,5}$/, 'attachment name needs an extension (.ics, .pdf…)'), contentBase64: z.base64() }))
    .optional(),
  tag: z.string().min(1).max(100).optional(),
  idempotencyKey: idKey,
});
const waInput = z.object({
  to: z.string().regex(E164, 'to must be an E.164 number such as +33612345678'),
  templateId: z.number().int().positive(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  idempotencyKey: idKey,
});

const brevoErrorBody = z.object({ code: z.string(), message: z.string() }).partial();
const smsAnswer = z.object({ messageId: z.union([z.number(), z.string()]) });
const emailAnswer = z.object({ messageId: z.string().min(1) });

/**
 * Brevo wants a UUID as `headers.idempotencyKey`; the product's keys are readable strings (e.g. "confirm:<wf>:email"),
 * so the UUID is derived from the key: the same key always maps to the same UUID.
 */
export function emailIdempotencyUuid(key: string): string {
  const h = crypto.createHash('sha256').update(`brevo-email:${key}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50; // version nibble 5 (name-based)
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const log = createLogger('brevo');

type Outcome =
  | { kind: 'ok'; status: number; body: unknown }
  | { kind: 'http'; status: number; code: string; message: string; resetMs?: number }
  | { kind: 'not_sent'; detail: string } // connection refused / DNS: nothing reached Brevo
  | { kind: 'lost'; detail: string; timeout: boolean }; // request may have reached Brevo; no answer

export function createBrevoClient(config: BrevoConfig, deps: BrevoDeps): BrevoClient {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  const base = config.baseUrl.replace(/\/+$/, '');

  async function call(path: string, body: unknown): Promise<Outcome> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'api-key': config.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (err) {
      return classifyFetchError(err, config.timeoutMs);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // Headers arrived but the body was cut: for a 2xx the message was accepted, we just lost its id.
      return { kind: 'lost', detail: `answer body lost: ${describe(err)}`, timeout: isTimeout(err) };
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return { kind: 'ok', status: res.status, body: json };
    const parsed = brevoErrorBody.safeParse(json);
    const code = (parsed.success && parsed.data.code) || `http_${res.status}`;
    const message = (parsed.success && parsed.data.message) || text.slice(0, 200) || res.statusText;
    const reset = Number(res.headers.get('x-sib-ratelimit-reset'));
    return { kind: 'http', status: res.status, code, message, ...(Number.isFinite(reset) && reset >= 0 && res.headers.has('x-sib-ratelimit-reset') ? { resetMs: reset * 1000 } : {}) };
  }

  function backoff(attempt: number): number {
    const ms = config.backoffBaseMs * 2 ** (attempt - 1);
    return Math.round(ms * (0.75 + Math.random() * 0.25));
  }

  /**
   * The one send path: ledger claim → request with retries → ledger complete/release.
   * `parseId` extracts the messageId from a 2xx body.
   */
  async function send(channel: SendChannel, key: string, path: string, body: unknown, parseId: (b: unknown) => string | undefined, who: string): Promise<SendResult> {
    const claim = await deps.ledger.claim(key, channel);
    if (claim !== 'new' && 'messageId' in claim) {
      log.info({ channel, key, messageId: claim.messageId }, 'already sent under this key: not sending again');
      return { messageId: claim.messageId, deduplicated: true };
    }
    if (claim !== 'new') {
      const age = now() - claim.pendingSince.getTime();
      if (channel === 'email') {
        if (age > config.emailIdempotencyTtlMs) {
          throw new BrevoError(
            `Email under key '${key}' was claimed ${Math.round(age / 1000)} s ago and never confirmed; Brevo no longer remembers its idempotency key, so re-sending could duplicate it. Check the Brevo email logs, then complete or release the key in the send ledger.`,
            0,
            'outcome_unknown',
          );
        }
        // Within Brevo's idempotency TTL a re-send with the same headers.idempotencyKey cannot duplicate: proceed.
      } else if (age < config.inFlightWindowMs) {
        throw new BrevoUnavailable(`A ${channel} send under key '${key}' started ${Math.round(age / 1000)} s ago and is not finished; retry later`, 0, 'in_flight');
      } else {
        throw new BrevoOutcomeUnknown(
          `The ${channel} send under key '${key}' was interrupted ${Math.round(age / 1000)} s ago and Brevo may have accepted it. Not re-sending (it could reach the person twice). Check Brevo's ${channel} logs (tag key:${key}), then complete or release the key in the send ledger.`,
          key,
          channel,
          claim.pendingSince,
        );
      }
    }

    let attempt = 0;
    let rateLimited = 0;
    for (;;) {
      attempt += 1;
      const started = now();
      const out = await call(path, body);
      const ms = now() - started;
      if (out.kind === 'ok') {
        const messageId = parseId(out.body);
        if (messageId === undefined) {
          // Accepted (2xx) but unreadable: the message exists, its id is unknown. Same as a lost answer.
          return lost(channel, key, `Brevo answered ${out.status} without a readable messageId`, attempt);
        }
        await deps.ledger.complete(key, messageId);
        log.info({ channel, key, messageId, recipientHash: who, attempt, ms }, 'sent');
        return { messageId, deduplicated: false };
      }
      if (out.kind === 'http') {
        if (out.status === 429) {
          rateLimited += 1;
          const waitMs = out.resetMs ?? backoff(rateLimited);
          if (rateLimited > config.maxRateLimitRetries || waitMs > config.maxRateLimitWaitMs) {
            await deps.ledger.release(key);
            throw new BrevoRateLimited(`Brevo rate limit on ${path}: ${out.message} (reset in ${Math.round(waitMs)} ms)`, waitMs);
          }
          log.warn({ channel, key, waitMs, rateLimited }, 'rate limited: waiting for the reset');
          attempt -= 1; // a 429 is not a failed attempt
          await sleep(waitMs);
          continue;
        }
        if (out.status === 402) {
          await deps.ledger.release(key);
          throw new BrevoNoCredits(`Brevo refused the ${channel}: no credits left (${out.code}: ${out.message}). Buy credits in Brevo; retrying will not help.`, 402, out.code);
        }
        if (out.status < 500) {
          await deps.ledger.release(key);
          const hint = out.status === 401 ? ' Check BREVO_API_KEY.' : out.status === 403 ? ' Check the key permissions / authorised IPs in Brevo.' : '';
          throw new BrevoRejected(`Brevo rejected the ${channel} (${out.status} ${out.code}): ${out.message}.${hint}`, out.status, out.code);
        }
        // 5xx: Brevo answered that it failed, so the message was not accepted; retry.
        if (attempt >= config.maxAttempts) {
          await deps.ledger.release(key);
          throw new BrevoUnavailable(`Brevo ${path} failed ${attempt} times; last: ${out.status} ${out.code}: ${out.message}`, out.status, out.code);
        }
        log.warn({ channel, key, status: out.status, attempt }, 'Brevo server error: retrying');
        await sleep(backoff(attempt));
        continue;
      }
      if (out.kind === 'not_sent') {
        if (attempt >= config.maxAttempts) {
          await deps.ledger.release(key);
          throw new BrevoUnavailable(`Cannot reach Brevo at ${base} after ${attempt} attempts: ${out.detail}`, 0, 'network');
        }
        await sleep(backoff(attempt));
        continue;
      }
      // Lost answer: the request may have been accepted.
      if (channel !== 'email') return lost(channel, key, out.detail, attempt);
      if (attempt >= config.maxAttempts) {
        // Keep the claim: a later attempt within Brevo's TTL re-sends with the same idempotency key safely.
        throw new BrevoUnavailable(`No answer from Brevo for the email after ${attempt} attempts (${out.detail}); safe to retry with the same key`, 0, out.timeout ? 'timeout' : 'network');
      }
      log.warn({ channel, key, attempt, detail: out.detail }, 'email answer lost: re-sending with the same idempotency key');
      await sleep(backoff(attempt));
    }
  }

  function lost(channel: SendChannel, key: string, detail: string, attempt: number): never {
    if (channel === 'email') {
      throw new BrevoUnavailable(`Email answer unreadable (${detail}); safe to retry with the same key`, 0, 'outcome_unknown');
    }
    log.error({ channel, key, attempt, detail }, 'send outcome unknown: key kept claimed, not re-sending; needs a human');
    throw new BrevoOutcomeUnknown(
      `The ${channel} under key '${key}' may have been accepted by Brevo but no answer came back (${detail}). Not re-sending (it could reach the person twice). Check Brevo's ${channel} logs (tag key:${key}), then complete or release the key in the send ledger.`,
      key,
      channel,
    );
  }

  return {
    async sendSms(input) {
      const i = parseInput(smsInput, input, 'sendSms');
      const tags = [...(i.tag ? [i.tag] : []), `key:${i.idempotencyKey}`];
      const body = {
        sender: config.smsSender,
        recipient: i.to.slice(1),
        content: i.content,
        type: 'transactional',
        tag: tags,
        unicodeEnabled: !isGsm7(i.content),
      };
      return send('sms', i.idempotencyKey, '/v3/transactionalSMS/send', body, (b) => {
        const p = smsAnswer.safeParse(b);
        return p.success ? String(p.data.messageId) : undefined;
      }, piiHash(i.to));
    },

    async sendEmail(input) {
      const i = parseInput(emailInput, input, 'sendEmail');
      const body = {
        sender: config.emailSender,
        to: i.to,
        subject: i.subject,
        htmlContent: i.html,
        ...(i.text ? { textContent: i.text } : {}),
        ...(i.attachments?.length ? { attachment: i.attachments.map((a) => ({ name: a.name, content: a.contentBase64 })) } : {}),
        ...(i.tag ? { tags: [i.tag] } : {}),
        headers: { idempotencyKey: emailIdempotencyUuid(i.idempotencyKey) },
      };
      return send('email', i.idempotencyKey, '/v3/smtp/email', body, (b) => {
        const p = emailAnswer.safeParse(b);
        return p.success ? p.data.messageId : undefined;
      }, piiHash(i.to.map((t) => t.email).join(',')));
    },

    async sendWhatsAppTemplate(input) {
      const i = parseInput(waInput, input, 'sendWhatsAppTemplate');
      if (!config.whatsappSender) {
        throw new BrevoRejected('WhatsApp is not configured: set BREVO_WHATSAPP_SENDER to the WhatsApp number registered in Brevo', 0, 'not_configured');
      }
      const body = { senderNumber: config.whatsappSender, contactNumbers: [i.to.slice(1)], templateId: i.templateId, params: i.params };
      return send('whatsapp', i.idempotencyKey, '/v3/whatsapp/sendMessage', body, (b) => {
        const p = emailAnswer.safeParse(b);
        return p.success ? p.data.messageId : undefined;
      }, piiHash(i.to));
    },
  };
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
  throw new BrevoRejected(`${what}: invalid input, nothing sent — ${lines.join('; ')}`, 0, 'invalid_input');
}

const GSM7 = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€",
);

/** Whether text fits the GSM 03.38 alphabet (otherwise the SMS must be sent as unicode, 70 chars per part). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7.has(ch)) return false;
  return true;
}

function describe(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; message?: unknown; cause?: unknown };
    const cause = e.cause && typeof e.cause === 'object' ? (e.cause as { code?: unknown; message?: unknown }) : undefined;
    return [e.name, e.message, cause?.code ?? cause?.message].filter((x) => typeof x === 'string' && x).join(': ');
  }
  return String(err);
}

function isTimeout(err: unknown): boolean {
  const name = err && typeof err === 'object' ? (err as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** Codes meaning the connection never carried the request: nothing reached Brevo. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

function classifyFetchError(err: unknown, timeoutMs: number): Outcome {
  if (isTimeout(err)) return { kind: 'lost', detail: `no answer within ${timeoutMs} ms`, timeout: true };
  const cause = err && typeof err === 'object' ? (err as { cause?: unknown }).cause : undefined;
  const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return { kind: 'not_sent', detail: describe(err) };
  return { kind: 'lost', detail: describe(err), timeout: false };
}
