/**
 * Route definitions: each endpoint is declared once with its zod schemas (params, query, body, response) and a
 * handler; `mount()` wires validation, bearer auth, idempotency and error answers, and `openapi.ts` reads the same
 * declarations. Handlers never see unvalidated input.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ApiError, toApiError } from './errors';
import type { ApiDeps } from './deps';
import { readUpload, type UploadedFile, type UploadSpec } from './multipart';
import { kit } from './routes/context';
import { operatorFromCookie } from './console-auth/credential';
import { invalidToken, missingToken, type OperatorIdentity } from './services/operators';

export type Method = 'get' | 'put' | 'post';
export type AuthKind = 'none' | 'bearer' | 'optional' | 'operator';

export interface AuthSession {
  partnerId: number;
  sessionId: string | null;
}

export interface HandlerCtx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  session: AuthSession | null;
  /** The file of an `upload` route. */
  upload: UploadedFile | null;
  /** The bearer token the request was authenticated with (logout revokes it); never log it. */
  bearer: string | null;
  /** The operator behind an `auth: 'operator'` route; null elsewhere. */
  operator: OperatorIdentity | null;
  /** What an operator route read or wrote, for the audit log (ids and counts only, never the data). */
  audit: AuditTrail;
  ip: string;
  requestId: string;
  idempotencyKey: string | null;
}

/** Records of people an operator request touched; written to the audit log when the request ends. */
export class AuditTrail {
  readonly records: Record<string, number[]> = {};
  count = 0;

  /** Notes records read or written: ids are kept, the data never is. */
  add(model: string, ids: Array<number | null | undefined>): void {
    const kept = ids.filter((i): i is number => typeof i === 'number');
    (this.records[model] ??= []).push(...kept);
    this.count += kept.length;
  }
}

/**
 * Writes one audit row and one log line for an operator request: who, which route, which record ids, how many,
 * when, and the answer's status. Never the query (it may hold a searched name or number) nor the records.
 */
export async function recordOperatorAudit(
  deps: ApiDeps,
  e: { operator: string; method: string; route: string; status: number; trail: AuditTrail; requestId: string },
): Promise<void> {
  const action = e.method.toUpperCase() === 'GET' ? 'read' : 'write';
  const at = deps.clock.now();
  deps.log.info({ audit: true, operator: e.operator, route: e.route, status: e.status, action, records: e.trail.records, count: e.trail.count, requestId: e.requestId }, 'operator access');
  try {
    await deps.store.appendOperatorAudit({
      operator: e.operator, method: e.method.toUpperCase(), route: e.route, status: e.status, action, records: e.trail.records,
      recordCount: e.trail.count, requestId: e.requestId || null, at,
    });
  } catch (err) {
    deps.log.error({ requestId: e.requestId, cause: err instanceof Error ? err.name : typeof err }, 'operator audit row not written');
  }
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
  /**
   * 'bearer': a caller's session token is required; 'optional': used when present; 'operator': an operator token is
   * required (routes that list, search or write people's data outside a caller's own session), and every request is
   * written to the audit log.
   */
  auth: AuthKind;
  /**
   * true: accepts Idempotency-Key and replays the stored answer (every endpoint with an effect); 'handler': the
   * key is validated (by `idempotencyKey` when given) and handed to the handler, whose effect is idempotent by
   * itself (e.g. a capture workflow named by the key).
   */
  idempotent: boolean | 'handler';
  /** Format of the Idempotency-Key when the handler turns it into an id (idempotent: 'handler'). */
  idempotencyKey?: z.ZodType<string>;
  /**
   * multipart/form-data with one file: the file goes to `ctx.upload`, the text fields are the body (validated by
   * `body`, error paths `form.<field>`). Read only after authentication.
   */
  upload?: UploadSpec;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response: z.ZodType<R>;
  /** Error codes this route may answer (documentation). */
  errors?: Array<[number, string]>;
  handler(ctx: HandlerCtx<P, Q, B>, deps: ApiDeps): Promise<HandlerResult<R> | R>;
}

/**
 * A route whose own types are no longer needed (tables, mounting, OpenAPI). `handler` is a method, so a route of any
 * parameter types fits here; mount() validates with the route's own schemas before its handler sees anything.
 */
export type AnyRoute = RouteDef<unknown, unknown, unknown, unknown>;

/** Identity helper that keeps the generic types of a route. */
export function route<P, Q, B, R>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

/** Validates one input part; a failure is a 400 listing every field path and what is wrong with it. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'params' | 'headers' | 'form'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ApiError(400, 'invalid_request', `Invalid ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, { fields });
}

const headersSchema = z.object({
  'idempotency-key': z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
});

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/i;

/**
 * The bearer token of a request, or null without an Authorization header. A header that is not a well-formed
 * bearer token is a 401 invalid_token (RFC 6750 §3.1), so a client knows to log in again rather than fix a body.
 */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const m = BEARER.exec(header.trim());
  if (!m) throw invalidToken('The Authorization header is not "Bearer <token>" with a token this API issued; log in again.');
  return m[1]!;
}

const OPERATOR_REQUIRED = 'An operator token is required: Authorization: Bearer <token> (from `npx ivr operators add <name>`), or the console\'s login (POST /console/api/login).';

/**
 * Resolves the operator behind a request (401 with WWW-Authenticate when there is none or it is not valid). Given
 * the request, an operator without an Authorization header may be the console's login cookie (console-auth/), with
 * its CSRF checks on requests that have an effect; given only the header, bearer tokens alone.
 */
export async function requireOperator(deps: ApiDeps, from: Request | string | undefined): Promise<OperatorIdentity> {
  const isReq = typeof from === 'object';
  const token = bearerToken(isReq ? from.get('authorization') : from);
  if (token) return kit(deps).operators.resolve(token);
  const viaCookie = isReq ? await operatorFromCookie(deps, from) : null;
  if (!viaCookie) throw missingToken(OPERATOR_REQUIRED);
  return viaCookie;
}

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
  res.locals.apiErrorCode = err.code; // counted by ivr_api_errors_total (api/metrics.ts)
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({ error: { code: err.code, message: err.message, ...err.details, request_id: requestId } });
}

export function mount(router: Router, def: AnyRoute, deps: ApiDeps): void {
  const routeName = `${def.method.toUpperCase()} ${def.path}`;
  const routeHeaders = def.idempotencyKey ? z.object({ 'idempotency-key': def.idempotencyKey.optional() }) : headersSchema;
  const handler = async (req: Request, res: Response) => {
    const requestId = String(res.locals.requestId ?? '');
    let claimedKey: string | null = null;
    let operator: OperatorIdentity | null = null;
    const audit = new AuditTrail();
    try {
      // Authentication first: an anonymous or foreign caller learns nothing about the route's inputs.
      let session: AuthSession | null = null;
      let token: string | null = null;
      if (def.auth === 'operator') {
        operator = await requireOperator(deps, req);
        token = bearerToken(req.get('authorization'));
      } else if (def.auth !== 'none') {
        token = bearerToken(req.get('authorization'));
        if (token) session = await deps.sessions.resolve(token);
        else if (def.auth === 'bearer') throw missingToken('A session token is required: Authorization: Bearer <token> (from /auth/verify-otp).');
      }
      const headers = validate(routeHeaders, { 'idempotency-key': req.get('idempotency-key') }, 'headers');
      const params = def.params ? validate(def.params, req.params, 'params') : {};
      const query = def.query ? validate(def.query, req.query, 'query') : {};
      let upload: UploadedFile | null = null;
      let body: unknown = {};
      if (def.upload) {
        const form = await readUpload(req, def.upload);
        body = def.body ? validate(def.body, form.fields, 'form') : {};
        upload = form.file;
      } else {
        const rawBody: unknown = req.body === undefined ? {} : req.body;
        body = def.body ? validate(def.body, rawBody, 'body') : {};
      }

      const key = def.idempotent ? headers['idempotency-key'] ?? null : null;
      if (key && def.idempotent === true) {
        // An answer replays only to whoever asked: the same token, else the same operator (console cookie).
        const scope = token ? sha256(token) : operator ? sha256(`operator:${operator.name}`) : null;
        const fingerprint = sha256(canonical({ m: def.method, p: req.path, b: body, q: query, s: scope }));
        const replay = await claimOrReplay(deps, key, fingerprint);
        if (replay) {
          res.setHeader('Idempotent-Replay', 'true');
          res.status(replay.status).type('application/json').send(replay.body);
          return;
        }
        claimedKey = key;
      }

      const out = await def.handler({ params, query, body, upload, session, bearer: token, operator, audit, ip: req.ip ?? '', requestId, idempotencyKey: key }, deps);
      const result: HandlerResult<unknown> = isResult(out) ? out : { body: out };
      const status = result.status ?? 200;
      const json = JSON.stringify(result.body);
      if (claimedKey) {
        await deps.store.completeIdempotency(claimedKey, status, sealAnswer(deps.config.SESSION_KEY, json));
        claimedKey = null;
      }
      if (operator) await recordOperatorAudit(deps, { operator: operator.name, method: def.method, route: routeName, status, trail: audit, requestId });
      res.status(status).type('application/json').send(json);
    } catch (e) {
      if (claimedKey) await deps.store.releaseIdempotency(claimedKey).catch(() => undefined);
      const apiErr = toApiError(e);
      const log = apiErr.status >= 500 ? deps.log.error.bind(deps.log) : deps.log.info.bind(deps.log);
      // Error messages of peers may quote personal data: log the class and our code only.
      log({ requestId, route: routeName, errorCode: apiErr.code, status: apiErr.status, cause: e instanceof Error ? e.name : typeof e }, 'request failed');
      if (operator) await recordOperatorAudit(deps, { operator: operator.name, method: def.method, route: routeName, status: apiErr.status, trail: audit, requestId });
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

/**
 * Operator check for routers mounted outside the route table (`AppExtras.routers`, e.g. api/crm): the same 401
 * answers as `auth: 'operator'` routes, and the same audit row when the request ends. The router's handlers read
 * the operator with `gatedOperator(res)`, which refuses when the gate did not run (fail closed). Like those routes
 * it accepts an operator token or the console's login cookie (with the cookie's CSRF checks).
 */
export function operatorGate(deps: ApiDeps) {
  return async (req: Request, res: Response, next: (err?: unknown) => void): Promise<void> => {
    const requestId = String(res.locals.requestId ?? '');
    let operator: OperatorIdentity;
    try {
      operator = await requireOperator(deps, req);
    } catch (e) {
      const apiErr = toApiError(e);
      deps.log.info({ requestId, route: `${req.method} ${req.baseUrl}`, errorCode: apiErr.code, status: apiErr.status }, 'request failed');
      sendError(res, apiErr, requestId);
      return;
    }
    const trail = new AuditTrail();
    res.locals.operator = operator;
    res.locals.audit = trail;
    // Paths of these routes hold no personal data; the query (a searched name or number) is never recorded.
    const route = `${req.method} ${req.baseUrl}${req.path}`;
    res.on('finish', () => void recordOperatorAudit(deps, { operator: operator.name, method: req.method, route, status: res.statusCode, trail, requestId }));
    next();
  };
}

export function gatedOperator(res: Response): OperatorIdentity {
  const op = res.locals.operator as OperatorIdentity | undefined;
  if (!op) throw missingToken(OPERATOR_REQUIRED);
  return op;
}

export function gatedAudit(res: Response): AuditTrail {
  const t = res.locals.audit as AuditTrail | undefined;
  return t ?? new AuditTrail();
}

const ROUTE_TABLE = Symbol.for('care-ivr.route-table');

/**
 * A router that carries route-table declarations: given to createApp (`AppExtras.routers`, as the API and the local
 * stack pass the CRM routes), its routes are mounted with the API's validation, auth, audit, errors and OpenAPI.
 * Mounted anywhere else it answers 500 route_not_mounted rather than serve routes without their checks.
 */
export function tableRouter(defs: AnyRoute[]): Router {
  const router = express.Router();
  for (const def of defs) {
    router[def.method](def.path, (_req: Request, res: Response) => {
      sendError(res, new ApiError(500, 'route_not_mounted', 'This route must be served through the API (createApp), which authenticates it.'), String(res.locals.requestId ?? ''));
    });
  }
  return Object.assign(router, { [ROUTE_TABLE]: defs });
}

export function routeTableOf(router: Router): AnyRoute[] | null {
  const defs = (router as Router & { [ROUTE_TABLE]?: AnyRoute[] })[ROUTE_TABLE];
  return defs ?? null;
}
