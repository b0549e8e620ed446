/** API configuration from the environment (zod through parseEnv). The Odoo and Brevo clients read their own. */
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { metricsEnvSchema } from '../lib/metrics/server';
import { DEFAULT_ALLOWED_COUNTRIES } from './services/destinations';

const int = (def: number) => z.coerce.number().int().positive().default(def);
const mode = z.enum(['home', 'video', 'clinic']);

export const apiEnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Listen address: loopback unless asked (HOST=0.0.0.0 in containers, set by docker-compose.yml). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Metrics (lib/metrics/server.ts): METRICS_PORT opens GET /metrics on a listener of its own (METRICS_HOST,
   * loopback by default); METRICS_TOKEN, when set, is required by that listener and is the only way /metrics is
   * served on the API's own port. Neither set: no metrics endpoint at all.
   */
  ...metricsEnvSchema.shape,
  /** Idempotency records, finished challenges, used links and old rate windows older than this are deleted. */
  STORE_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  API_PUBLIC_URL: z.url().default('http://localhost:3000'),
  /** Keys for the OTP hashes and the session/link token hashes; required in production. */
  OTP_HASH_KEY: z.string().min(16).optional(),
  SESSION_KEY: z.string().min(16).optional(),
  DATABASE_URL: z.string().optional(),
  API_STORE_DIR: z.string().default('.data/api-store'),
  PRACTICE_TIMEZONE: z.string().default('Europe/Paris'),
  /** Optional: the resource.calendar id of the practice; the first calendar otherwise. */
  PRACTICE_CALENDAR_ID: z.coerce.number().int().positive().optional(),
  /** Location text written on clinic appointments and recognised as "au cabinet". */
  CLINIC_LOCATION: z.string().default('Cabinet'),
  OTP_LENGTH: z.coerce.number().int().min(6).max(10).default(6),
  OTP_TTL_SEC: int(600),
  OTP_MAX_ATTEMPTS: int(5),
  SESSION_TTL_SEC: int(3600),
  MAGIC_LINK_TTL_SEC: int(900),
  SHARE_LINK_TTL_SEC: int(7 * 24 * 3600),
  RATE_OTP_PER_PHONE: int(3),
  RATE_OTP_PHONE_WINDOW_SEC: int(900),
  RATE_OTP_PER_IP: int(20),
  RATE_OTP_IP_WINDOW_SEC: int(3600),
  /** Per client address, verify-otp attempts in a sliding window (guessing across many challenges). */
  RATE_VERIFY_PER_IP: int(30),
  RATE_VERIFY_IP_WINDOW_SEC: int(900),
  /** ISO 3166 regions whose numbers may receive codes and links (SMS pumping); comma-separated. */
  OTP_ALLOWED_COUNTRIES: z
    .string()
    .default(DEFAULT_ALLOWED_COUNTRIES.join(','))
    .transform((v) => v.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'two-letter ISO 3166 regions such as FR,RE,MG')).min(1, 'at least one region such as FR')),
  /** Comma-separated client IPs exempt from the per-IP limit (the orchestrator's workers call for every caller). */
  RATE_IP_EXEMPT: z.string().default(''),
  /** Express "trust proxy" setting (e.g. "loopback" or a hop count) so that req.ip is the client's. */
  TRUST_PROXY: z.string().default('loopback'),
  BODY_LIMIT: z.string().default('32kb'),
  /** WhatsApp template (Brevo id) that carries a link as parameter "link"; links go by SMS when unset. */
  WHATSAPP_LINK_TEMPLATE_ID: z.coerce.number().int().positive().optional(),
  SMS_SENDER_NAME: z.string().default('Cabinet'),
  PROPOSAL_COUNT: z.coerce.number().int().min(1).max(10).default(3),
  PROPOSAL_HORIZON_DAYS: int(14),
  SLOT_MIN_LEAD_MIN: z.coerce.number().int().min(0).default(120),
  DEFAULT_MODE: mode.default('clinic'),
  /** Callback deadline: requests after this local hour (or on a non-working day) are due the next working day. */
  CALLBACK_CUTOFF_HOUR: z.coerce.number().int().min(0).max(23).default(16),
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  /** Operators' console: login attempts per client address in a sliding window, how long a login lasts. */
  RATE_CONSOLE_LOGIN_PER_IP: int(20),
  RATE_CONSOLE_LOGIN_WINDOW_SEC: int(600),
  CONSOLE_LOGIN_HOURS: int(12),
  /** Where operators' browsers open Odoo (the console links a captured partner and lead there); no link when unset. */
  ODOO_PUBLIC_URL: z.url().optional(),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

export interface ApiConfig extends Omit<ApiEnv, 'OTP_HASH_KEY' | 'SESSION_KEY' | 'RATE_IP_EXEMPT'> {
  OTP_HASH_KEY: string;
  SESSION_KEY: string;
  RATE_IP_EXEMPT: string[];
}

const DEV_OTP_KEY = 'dev-only-otp-hash-key-change-me';
const DEV_SESSION_KEY = 'dev-only-session-key-change-me';

/** Reads the environment; production without keys fails, development gets dev keys and one warning line. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = (m) => process.stderr.write(m + '\n')): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env, 'API configuration');
  const production = parsed.NODE_ENV === 'production';
  if (production && (!parsed.OTP_HASH_KEY || !parsed.SESSION_KEY)) {
    throw new Error('OTP_HASH_KEY and SESSION_KEY (16+ characters each) are required when NODE_ENV=production; set them and start again.');
  }
  if (!parsed.OTP_HASH_KEY || !parsed.SESSION_KEY) {
    warn('OTP_HASH_KEY/SESSION_KEY unset: using development keys (never do this in production).');
  }
  return {
    ...parsed,
    OTP_HASH_KEY: parsed.OTP_HASH_KEY ?? DEV_OTP_KEY,
    SESSION_KEY: parsed.SESSION_KEY ?? DEV_SESSION_KEY,
    RATE_IP_EXEMPT: parsed.RATE_IP_EXEMPT.split(',').map((s) => s.trim()).filter(Boolean),
  };
}

/** Config for tests and tools: defaults plus overrides, no environment read. */
export function testConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return { ...loadApiConfig({ NODE_ENV: 'test', OTP_HASH_KEY: 'test-otp-hash-key-0123', SESSION_KEY: 'test-session-key-01234' }), ...overrides };
}
