/** Odoo client configuration: a zod schema for code, and `odooConfigFromEnv` for the ODOO_* variables. */
import { z } from 'zod';
import { parseEnv } from '../env';

export const OdooTransportChoice = z.enum(['auto', 'session', 'jsonrpc', 'json2']);

export const OdooConfigSchema = z
  .object({
    url: z.url().transform((u) => u.replace(/\/+$/, '')),
    db: z.string().min(1),
    login: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    /** auto: JSON-2 with an API key on 19+, /jsonrpc with an API key below, session with a password. */
    transport: OdooTransportChoice.default('auto'),
    /** One HTTP request's bound. */
    timeoutMs: z.number().int().positive().default(15_000),
    /** Extra attempts on network errors and 5xx (see http.ts for which calls are retried). */
    retries: z.number().int().min(0).max(10).default(2),
    backoffBaseMs: z.number().int().min(0).default(200),
    backoffMaxMs: z.number().int().min(0).default(3_000),
    /** Reject create/write values naming fields the server's model lacks (checked against fields_get). */
    checkFields: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if (!c.password && !c.apiKey) ctx.addIssue({ code: 'custom', path: ['password'], message: 'set a password or an API key' });
    if (c.transport === 'session' && !c.password) ctx.addIssue({ code: 'custom', path: ['password'], message: 'the session transport logs in with a password' });
    if (c.transport === 'json2' && !c.apiKey) ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'JSON-2 needs an API key' });
    if ((c.transport === 'session' || c.transport === 'jsonrpc' || (c.transport === 'auto' && !c.apiKey)) && !c.login) {
      ctx.addIssue({ code: 'custom', path: ['login'], message: 'a login is needed for this transport' });
    }
  });

export type OdooConfigInput = z.input<typeof OdooConfigSchema>;
export type OdooConfig = z.output<typeof OdooConfigSchema>;

const intVar = z.string().regex(/^\d+$/, 'a whole number').transform(Number).optional();

const EnvSchema = z
  .object({
    ODOO_URL: z.url(),
    ODOO_DB: z.string().min(1),
    ODOO_LOGIN: z.string().min(1).optional(),
    ODOO_PASSWORD: z.string().min(1).optional(),
    ODOO_API_KEY: z.string().min(1).optional(),
    ODOO_TRANSPORT: OdooTransportChoice.optional(),
    ODOO_TIMEOUT_MS: intVar,
    ODOO_RETRIES: intVar,
  })
  .refine((e) => e.ODOO_PASSWORD || e.ODOO_API_KEY, { path: ['ODOO_PASSWORD'], message: 'set ODOO_PASSWORD or ODOO_API_KEY' });

/** Reads ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD / ODOO_API_KEY, ODOO_TRANSPORT, ODOO_TIMEOUT_MS, ODOO_RETRIES. */
export function odooConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OdooConfig {
  const e = parseEnv(EnvSchema, env, 'Odoo configuration');
  return parseOdooConfig({
    url: e.ODOO_URL, db: e.ODOO_DB, login: e.ODOO_LOGIN, password: e.ODOO_PASSWORD, apiKey: e.ODOO_API_KEY,
    transport: e.ODOO_TRANSPORT, timeoutMs: e.ODOO_TIMEOUT_MS, retries: e.ODOO_RETRIES,
  });
}

/** Validates a config object, naming every wrong setting. */
export function parseOdooConfig(input: OdooConfigInput): OdooConfig {
  const r = OdooConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`Invalid Odoo client configuration:\n${lines.join('\n')}`);
}
