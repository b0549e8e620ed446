/**
 * Contact extraction by an OpenAI-compatible chat model with structured output (seed 000's `capture_contact`
 * function), for dictations the deterministic parser (lib/french/contact.ts) reads badly.
 *
 * The model's answer is never trusted as is: the phone must parse to a valid E.164 number AND occur in the
 * transcript, the e-mail must be valid AND be supported by the transcript, each name must occur in the transcript.
 * Anything else is dropped (and named in `dropped`), so a model cannot invent contact data.
 *
 * Free of Temporal imports: ./contact.ts merges it with the parser; activities/extraction wraps that as an activity.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, RateLimitError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { parseEnv } from '../env';
import { supportsEmail, supportsPhone, type ContactField } from '../french/contact';
import { isValidEmail } from '../french/email';
import { normalizeText } from '../french/normalize';
import { parsePhone } from '../french/phone';

/**
 * Seed 000's capture_contact parameters. Strict structured output needs every key required, so the optional
 * fields of the seed (email, phone) and names the caller did not give are null rather than absent.
 */
export const captureContactSchema = z.object({
  firstname: z.string().nullable().describe('Prénom tel que dicté, null si absent'),
  lastname: z.string().nullable().describe('Nom de famille tel que dicté, null si absent'),
  email: z.string().nullable().describe('Adresse e-mail dictée, null si absente'),
  phone: z.string().nullable().describe('Numéro de téléphone dicté (chiffres, avec indicatif si dit), null si absent'),
});
export type CaptureContact = z.infer<typeof captureContactSchema>;

export const extractionEnvSchema = z.object({
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: z.url({ message: 'OPENAI_BASE_URL must be a URL such as http://localhost:8000/v1' }).optional(),
  EXTRACTION_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  EXTRACTION_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  EXTRACTION_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
});

export interface LlmExtractionConfig {
  /** Without a key the extractor is disabled (extract throws ExtractionDisabled). */
  apiKey?: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

export function extractionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LlmExtractionConfig {
  const e = parseEnv(extractionEnvSchema, env, 'contact extraction configuration');
  return {
    ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
    ...(e.OPENAI_BASE_URL ? { baseURL: e.OPENAI_BASE_URL } : {}),
    model: e.EXTRACTION_MODEL,
    timeoutMs: e.EXTRACTION_TIMEOUT_MS,
    maxRetries: e.EXTRACTION_MAX_RETRIES,
  };
}

export class ExtractionError extends Error {
  override name = 'ExtractionError';
  /** Whether the same request may succeed later (the activity's retry policy reads this). */
  readonly retryable: boolean = false;
}

export class ExtractionDisabled extends ExtractionError {
  override name = 'ExtractionDisabled';
  constructor() {
    super('LLM contact extraction is disabled: OPENAI_API_KEY is not set. Set it (and OPENAI_BASE_URL for a compatible server) or use the deterministic parser.');
  }
}

/** The server refused the request or answered something that is not a capture_contact object. */
export class ExtractionRejected extends ExtractionError {
  override name = 'ExtractionRejected';
}

/** Rate limit, 5xx, network failure or timeout after the SDK's own retries. */
export class ExtractionUnavailable extends ExtractionError {
  override name = 'ExtractionUnavailable';
  override readonly retryable = true;
}

export interface LlmExtraction {
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  /** E.164. */
  phone: string | null;
  /** Fields the model returned that the transcript does not support (dropped, to be asked again). */
  dropped: ContactField[];
  model: string;
}

export interface LlmContactExtractor {
  readonly enabled: boolean;
  readonly model: string;
  extract(transcript: string, opts?: { defaultRegion?: string; signal?: AbortSignal }): Promise<LlmExtraction>;
}

const SYSTEM_PROMPT = [
  "Tu extrais les coordonnées d'une personne à partir de la transcription d'une dictée vocale en français.",
  'Règles :',
  "- Ne renvoie que ce que la personne a dit. N'invente jamais un e-mail, un numéro ou un nom : null si absent ou incomplet.",
  "- Si la personne se corrige (« non pardon », « enfin plutôt »), garde la dernière valeur.",
  '- Noms avec majuscules (Jean-Pierre, de la Fontaine). Prénom composé : dans firstname.',
  '- E-mail reconstitué : « arobase » ou « at » → @, « point » → ., « tiret » → -, « tiret bas » / « underscore » → _ ; en minuscules.',
  "- Téléphone : les chiffres dans l'ordre dit, avec « + » et l'indicatif si la personne les a dits (« plus deux cent soixante et un » → +261).",
].join('\n');

/** True when every word of the name occurs in the transcript (spelled letters count). */
export function supportsName(transcript: string, name: string): boolean {
  const said = normalizeText(transcript);
  const glued = said.replace(/ /g, '');
  const parts = normalizeText(name).split(' ').filter((p) => p !== '');
  return parts.length > 0 && parts.every((p) => ` ${said} `.includes(` ${p} `) || glued.includes(p));
}

/** Keeps only the values of a model answer that the transcript supports. Exported for tests and the benchmark. */
export function validateAnswer(
  transcript: string,
  answer: CaptureContact,
  defaultRegion: string,
): Omit<LlmExtraction, 'model'> {
  const dropped: ContactField[] = [];
  const clean = (s: string | null) => (s === null || s.trim() === '' ? null : s.trim().replace(/\s+/g, ' '));
  let firstname = clean(answer.firstname);
  let lastname = clean(answer.lastname);
  if (firstname !== null && !supportsName(transcript, firstname)) {
    dropped.push('firstname');
    firstname = null;
  }
  if (lastname !== null && !supportsName(transcript, lastname)) {
    dropped.push('lastname');
    lastname = null;
  }
  let email = clean(answer.email)?.toLowerCase() ?? null;
  if (email !== null && !(isValidEmail(email) && supportsEmail(transcript, email))) {
    dropped.push('email');
    email = null;
  }
  let phone: string | null = null;
  const rawPhone = clean(answer.phone);
  if (rawPhone !== null) {
    const parsed = parsePhone(rawPhone, { defaultRegion });
    if (parsed.ok && supportsPhone(transcript, parsed.e164, { defaultRegion })) phone = parsed.e164;
    else dropped.push('phone');
  }
  return { firstname, lastname, email, phone, dropped };
}

export function createLlmContactExtractor(config: LlmExtractionConfig = extractionConfigFromEnv()): LlmContactExtractor {
  const client = config.apiKey
    ? new OpenAI({
        apiKey: config.apiKey,
        ...(config.baseURL ? { baseURL: config.baseURL } : {}),
        timeout: config.timeoutMs,
        maxRetries: config.maxRetries,
      })
    : null;
  return {
    enabled: client !== null,
    model: config.model,
    async extract(transcript, opts = {}) {
      if (!client) throw new ExtractionDisabled();
      const region = opts.defaultRegion ?? 'FR';
      let answer: CaptureContact | null;
      try {
        const completion = await client.chat.completions.parse(
          {
            model: config.model,
            temperature: 0,
            messages: [
              { role: 'system', content: SYSTEM_PROMPT },
              { role: 'user', content: transcript },
            ],
            response_format: zodResponseFormat(captureContactSchema, 'capture_contact'),
          },
          opts.signal ? { signal: opts.signal } : {},
        );
        const msg = completion.choices[0]?.message;
        if (msg?.refusal) throw new ExtractionRejected(`The model refused to extract the contact: ${msg.refusal}`);
        answer = msg?.parsed ?? null;
      } catch (err) {
        throw mapError(err, config);
      }
      if (!answer) throw new ExtractionRejected(`The model ${config.model} returned no capture_contact object.`);
      return { ...validateAnswer(transcript, answer, region), model: config.model };
    },
  };
}

function mapError(err: unknown, config: LlmExtractionConfig): unknown {
  if (err instanceof ExtractionError) return err;
  const where = config.baseURL ?? 'the OpenAI API';
  if (err instanceof APIConnectionTimeoutError) {
    return new ExtractionUnavailable(`Contact extraction timed out after ${config.timeoutMs} ms at ${where} (EXTRACTION_TIMEOUT_MS).`);
  }
  if (err instanceof APIConnectionError) {
    return new ExtractionUnavailable(`Cannot reach ${where} for contact extraction; check OPENAI_BASE_URL and the network.`);
  }
  if (err instanceof RateLimitError) return new ExtractionUnavailable(`Contact extraction rate limited by ${where}.`);
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    if (status >= 500) return new ExtractionUnavailable(`Contact extraction failed at ${where} with HTTP ${status}.`);
    return new ExtractionRejected(`Contact extraction rejected by ${where} (HTTP ${status}): ${err.message}. Check OPENAI_API_KEY and EXTRACTION_MODEL.`);
  }
  if (err instanceof SyntaxError || (err instanceof Error && /parse|JSON|schema/i.test(err.message))) {
    return new ExtractionRejected(`The model ${config.model} answered something that is not a capture_contact object: ${err instanceof Error ? err.message : String(err)}`);
  }
  return err;
}
