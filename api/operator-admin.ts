/**
 * Operator administration: add, list and revoke operators on the API's own store. Two ways in, one behaviour:
 * - the store is free (or is PostgreSQL): `withOperators` opens it from the environment the API reads
 *   (DATABASE_URL, else the embedded store in API_STORE_DIR, `.data/api-store` by default; SESSION_KEY keys the
 *   token hashes) and closes it again;
 * - the embedded store is held by a running API: the API runs the same request for the CLI through its
 *   administration socket (admin-socket.ts).
 * Both end in `runOperatorAdmin`, which writes the audit row (who asked, what, when; never the token).
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { loadApiConfig } from './config';
import { OperatorExists, OperatorService, operatorNameSchema } from './services/operators';
import { systemClock, type Clock } from './ports';
import { ApiStore } from './store/store';

export async function withOperators<T>(env: NodeJS.ProcessEnv, fn: (ops: OperatorService, store: ApiStore) => Promise<T>, warn: (m: string) => void = () => {}): Promise<T> {
  const config = loadApiConfig(env, warn);
  const store = await ApiStore.open({ databaseUrl: config.DATABASE_URL, dataDir: config.API_STORE_DIR });
  try {
    return await fn(new OperatorService(store, systemClock, config.SESSION_KEY), store);
  } finally {
    await store.close();
  }
}

/**
 * Opens the API's store from `env`, creates the operator `name` or gives it a new token, closes the store, and
 * returns the token (the previous token of that name stops working). Call it while the API is stopped when the
 * store is embedded (PGlite); with DATABASE_URL any time.
 */
export function issueOperatorToken(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  return withOperators(env, async (ops) => (await ops.issue(name)).token);
}

/** One administration request (the administration socket's request body; `v` is the protocol version). */
export const adminRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ v: z.literal(1), op: z.literal('add'), name: operatorNameSchema }),
  z.strictObject({ v: z.literal(1), op: z.literal('list') }),
  z.strictObject({ v: z.literal(1), op: z.literal('revoke'), name: operatorNameSchema }),
]);
export type AdminRequest = z.infer<typeof adminRequestSchema>;

const operatorEntrySchema = z.strictObject({
  name: z.string(),
  status: z.enum(['active', 'revoked']),
  created_at: z.string(),
  token_issued_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type OperatorEntry = z.infer<typeof operatorEntrySchema>;

/** Error codes: `exists` (add of a name already used), `invalid_request`, `too_large`, `internal`. */
export const adminErrorCodes = ['exists', 'invalid_request', 'too_large', 'internal'] as const;

/** The answer to one request; an error is a message meant for the person at the terminal. */
export const adminResultSchema = z.union([
  z.strictObject({ ok: z.literal(true), op: z.literal('add'), name: z.string(), token: z.string() }),
  z.strictObject({ ok: z.literal(true), op: z.literal('list'), operators: z.array(operatorEntrySchema) }),
  z.strictObject({ ok: z.literal(true), op: z.literal('revoke'), name: z.string(), revoked: z.boolean() }),
  z.strictObject({ ok: z.literal(false), code: z.enum(adminErrorCodes), message: z.string() }),
]);
export type AdminResult = z.infer<typeof adminResultSchema>;

export interface AdminTarget {
  store: ApiStore;
  key: string;
  clock?: Clock;
  /** The API's logger: one `operator administration` line per request, beside the audit row. */
  log?: Logger;
}

function actionOf(req: AdminRequest): string {
  return req.op === 'list' ? 'operators list' : `operators ${req.op} ${req.name}`;
}

/**
 * Runs one request and records it in the operator audit log: `operator` is who asked (e.g. "cli via admin socket"),
 * `route` what was done (`operators add alice`), with its outcome as an HTTP-like status. The token never leaves
 * this function other than in the `add` answer.
 */
export async function runOperatorAdmin(target: AdminTarget, req: AdminRequest, askedBy: string): Promise<AdminResult> {
  const clock = target.clock ?? systemClock;
  const ops = new OperatorService(target.store, clock, target.key);
  let result: AdminResult;
  try {
    if (req.op === 'add') {
      const created = await ops.add(req.name);
      result = { ok: true, op: 'add', name: created.name, token: created.token };
    } else if (req.op === 'revoke') {
      result = { ok: true, op: 'revoke', name: req.name, revoked: await ops.revoke(req.name) };
    } else {
      const rows = await ops.list();
      result = {
        ok: true,
        op: 'list',
        operators: rows.map((r) => ({
          name: r.name,
          status: r.revokedAt ? 'revoked' : 'active',
          created_at: r.createdAt.toISOString(),
          token_issued_at: r.tokenIssuedAt.toISOString(),
          revoked_at: r.revokedAt?.toISOString() ?? null,
          last_used_at: r.lastUsedAt?.toISOString() ?? null,
        })),
      };
    }
  } catch (err) {
    if (err instanceof OperatorExists) result = { ok: false, code: 'exists', message: err.message };
    else {
      target.log?.error({ audit: true, askedBy, action: actionOf(req), cause: err instanceof Error ? err.name : typeof err }, 'operator administration failed');
      result = { ok: false, code: 'internal', message: `${actionOf(req)} failed in the API: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const status = result.ok ? (result.op === 'revoke' && !result.revoked ? 404 : 200) : result.code === 'exists' ? 409 : 500;
  const at = clock.now();
  target.log?.info({ audit: true, askedBy, action: actionOf(req), status, at: at.toISOString() }, 'operator administration');
  try {
    await target.store.appendOperatorAudit({
      operator: askedBy, method: 'ADMIN', route: actionOf(req), status, action: req.op === 'list' ? 'read' : 'write',
      records: {}, recordCount: 0, requestId: null, at,
    });
  } catch (err) {
    target.log?.error({ askedBy, action: actionOf(req), cause: err instanceof Error ? err.name : typeof err }, 'operator administration audit row not written');
  }
  return result;
}
