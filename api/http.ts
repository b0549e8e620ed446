/**
 * Route definitions: each endpoint is declared once with its zod schemas (params, query, body, response) and a
 * handler; `mount()` wires validation, bearer auth, idempotency and error answers, and `openapi.ts` reads the same
 * declarations. Handlers never see unvalidated input.
 */
import crypto from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { ApiError, toApiError } from './errors';
import type { ApiDeps } from './deps';

export type Method = 'get' | 'put' | 'post';

export interface AuthSession {
  partnerId: number;
  sessionId: string | null;
}

export interface HandlerCtx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  session: AuthSession | null;
  ip: string;
  requestId: string;
  idempotencyKey: string | null;
}

export interface HandlerResult<R> {
  status?: number;
  body: R;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: Method;
  /** Express path, e.g. /appointments/:id */
  path: string;
  summary: string;
  /** 'bearer': a session token is required; 'optional': used when present. */
  auth: 'none' | 'bearer' | 'optional';
  /** Accepts Idempotency-Key and replays the stored answer (every endpoint with an effect). */
  idempotent: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response: z.ZodType<R>;
  /** Error codes this route may answer (documentation). */
  errors?: Array<[number, string]>;
  handler(ctx: HandlerCtx<P, Q, B>, deps: ApiDeps): Promise<HandlerResult<R> | R>;
}

/** Identity helper that keeps the generic types of a route. */
export function route<P, Q, B, R>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

/** Validates one input part; a failure is a 400 listing every field path and what is wrong with it. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'params' | 'headers'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ApiError(400, 'invalid_request', `Invalid ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, { fields });
}

const headersSchema = z.object({
  authorization: z.string().regex(/^Bearer [A-Za-z0-9_-]{20,200}$/, 'expected "Bearer <session token>"').optional(),
  'idempotency-key': z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
});

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Stable JSON (sorted keys) so that the same body always gives the same fingerprint. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Record<string, unknown>).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stored answers are sealed (AES-256-GCM, key derived from SESSION_KEY): a replayed verify-otp carries a session
 * token, and a copy of the store alone must not yield a usable one.
 */
function sealKey(secret: string): Buffer {
  return crypto.createHash('sha256').update(`idempotency-answer:${secret}`).digest();
}

export function sealAnswer(secret: string, json: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', sealKey(secret), iv);
  const body = Buffer.concat([c.update(json, 'utf8'), c.final()]);
  return `v1.${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

export function openAnswer(secret: string, sealed: string): string {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new ApiError(500, 'internal_error', 'A stored answer cannot be read.');
  const d = crypto.createDecipheriv('aes-256-gcm', sealKey(secret), Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}

export function sendError(res: Response, err: ApiError, requestId: string): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({ error: { code: err.code, message: err.message, ...err.details, request_id: requestId } });
}

export function mount(router: Router, def: RouteDef<any, any, any, any>, deps: ApiDeps): void {
  const handler = async (req: Request, res: Response) => {
    const requestId = String(res.locals.requestId ?? '');
    let claimedKey: string | null = null;
    try {
      const headers = validate(headersSchema, { authorization: req.get('authorization'), 'idempotency-key': req.get('idempotency-key') }, 'headers');
      const params = def.params ? validate(def.params, req.params, 'params') : {};
      const query = def.query ? validate(def.query, req.query, 'query') : {};
      const rawBody: unknown = req.body === undefined ? {} : req.body;
      const body = def.body ? validate(def.body, rawBody, 'body') : {};

      let session: AuthSession | null = null;
      if (def.auth !== 'none' && headers.authorization) {
        session = await deps.sessions.resolve(headers.authorization.slice('Bearer '.length));
      } else if (def.auth === 'bearer') {
        throw new ApiError(401, 'unauthorized', 'A session token is required: Authorization: Bearer <token> (from /auth/verify-otp).');
      }

      const key = def.idempotent ? headers['idempotency-key'] ?? null : null;
      if (key) {
        const fingerprint = sha256(canonical({ m: def.method, p: req.path, b: body, q: query, s: headers.authorization ? sha256(headers.authorization) : null }));
        const replay = await claimOrReplay(deps, key, fingerprint);
        if (replay) {
          res.setHeader('Idempotent-Replay', 'true');
          res.status(replay.status).type('application/json').send(replay.body);
          return;
        }
        claimedKey = key;
      }

      const out = await def.handler({ params, query, body, session, ip: req.ip ?? '', requestId, idempotencyKey: key }, deps);
      const result: HandlerResult<unknown> = isResult(out) ? out : { body: out };
      const status = result.status ?? 200;
      const json = JSON.stringify(result.body);
      if (claimedKey) {
        await deps.store.completeIdempotency(claimedKey, status, sealAnswer(deps.config.SESSION_KEY, json));
        claimedKey = null;
      }
      res.status(status).type('application/json').send(json);
    } catch (e) {
      if (claimedKey) await deps.store.releaseIdempotency(claimedKey).catch(() => undefined);
      const apiErr = toApiError(e);
      const log = apiErr.status >= 500 ? deps.log.error.bind(deps.log) : deps.log.info.bind(deps.log);
      // Error messages of peers may quote personal data: log the class and our code only.
      log({ requestId, route: `${def.method.toUpperCase()} ${def.path}`, errorCode: apiErr.code, status: apiErr.status, cause: e instanceof Error ? e.name : typeof e }, 'request failed');
      sendError(res, apiErr, requestId);
    }
  };
  router[def.method](def.path, handler);
}

function isResult(v: unknown): v is HandlerResult<unknown> {
  return typeof v === 'object' && v !== null && 'body' in v && Object.keys(v).every((k) => k === 'body' || k === 'status');
}

/**
 * Claims the key, or returns the stored answer. A key still in progress (a concurrent duplicate) is waited for,
 * then replayed; the same key with another request is a 422.
 */
async function claimOrReplay(deps: ApiDeps, key: string, fingerprint: string): Promise<{ status: number; body: string } | null> {
  const deadline = Date.now() + deps.config.IDEMPOTENCY_WAIT_MS;
  for (;;) {
    const r = await deps.store.claimIdempotency(key, fingerprint, deps.clock.now());
    if (r === 'claimed') return null;
    if (r.fingerprint !== fingerprint) {
      throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with another request; use a new key per request.');
    }
    if (r.status === 'done' && r.responseStatus != null && r.responseBody != null) return { status: r.responseStatus, body: openAnswer(deps.config.SESSION_KEY, r.responseBody) };
    if (Date.now() > deadline) {
      // 503 rather than 409: the machine's backend activity retries 5xx, and treats 4xx as the step's answer.
      throw new ApiError(503, 'idempotency_in_progress', 'The same request is still being processed; retry shortly.', {}, { 'Retry-After': '1' });
    }
    await sleep(50);
  }
}
