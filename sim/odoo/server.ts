/**
 * The Odoo simulator's HTTP face: session JSON-RPC (/web/session/*, /web/dataset/call_kw), external RPC
 * (/jsonrpc: common, object, db) and JSON-2 (/json/2/<model>/<method>, Odoo 19 only), each with Odoo's own
 * success and error shapes, plus test hooks (records, call log, injected failures, sessions, API keys).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  accessDenied, accessError, HttpException, keyError, NOT_FOUND_DESCRIPTION, notFound, PyException, serializeException,
  sessionExpired, typeError, userError,
} from './exceptions';
import { callJson2, callKw, toIds } from './methods';
import type { OdooVersion } from './models';
import { ADMIN_UID, OdooDatabase, type OdooFixtures } from './orm';
import { modelsOfFieldCreate, RegistryReload } from './registry';
import { DEFAULT_DESCRIPTIONS, pyJson, reasonPhrase, werkzeugHtml } from './wire';

export type { OdooFixtures } from './orm';
export type { OdooVersion } from './models';

export interface OdooSimulatorOptions {
  port?: number;
  host?: string;
  version?: OdooVersion;
  db?: string;
  /** Records to load, or the path of a fixture JSON file. */
  fixtures?: OdooFixtures | string;
  /** Python `phonenumbers` installed on the server (default true): phone_sanitized in E.164, else raw text. */
  phonenumbers?: boolean;
  /** Admin password (default `admin`). */
  adminPassword?: string;
  /** Time /web/session/authenticate takes (a real server spends ~0.6 s hashing the password); default 0. */
  authenticateDelayMs?: number;
  /**
   * How long the registry reload after an `ir.model.fields` create lasts (default 50 ms; 0 = none). Requests
   * touching the changed model meanwhile fail with Odoo's KeyError; the creating request answers after it.
   */
  registryReloadMs?: number;
}

export type Transport = 'session' | 'jsonrpc' | 'json2';

export interface CallLogEntry {
  transport: Transport;
  model: string;
  method: string;
  ok: boolean;
}

export type InjectedFailure =
  | { kind: 'http500'; times?: number }
  | { kind: 'http502'; times?: number }
  | { kind: 'delay'; ms: number; times?: number }
  /** close the socket without an answer */
  | { kind: 'drop'; times?: number };

export interface OdooSimulator {
  url: string;
  port: number;
  version: OdooVersion;
  db: string;
  stop(): Promise<void>;
  /** Stored rows of a model (many2one as id, many2many as ids), ordered by id. */
  records(model: string): Array<Record<string, unknown>>;
  /** `search_count` as Odoo evaluates it (archived rows hidden unless the domain names `active`). */
  searchCount(model: string, domain?: unknown[]): number;
  /** `search_read` as Odoo answers it (many2one as [id, name]). */
  searchRead(model: string, domain?: unknown[], fields?: string[]): Array<Record<string, unknown>>;
  /** The underlying database, for assertions the hooks do not cover. */
  database: OdooDatabase;
  load(fixtures: OdooFixtures): void;
  failNext(failure: InjectedFailure): void;
  calls: CallLogEntry[];
  /** Model method calls (create/write/unlink/…) that reached the ORM, optionally for one method. */
  callCount(model: string, method?: string): number;
  resetCalls(): void;
  /** Registers an API key for a user (uid 2 = admin by default). */
  setApiKey(key: string, uid?: number): void;
  /** Issues a new API key for a user, like Preferences → Account Security → New API Key. */
  issueApiKey(uid?: number): string;
  /** Forgets every web session (as after a server restart with a fresh session store). */
  expireSessions(): void;
  sessionCount(): number;
  /** True while the registry reload after a field creation on `model` is under way. */
  reloading(model: string): boolean;
}

interface Session {
  uid: number;
  login: string;
}

const CallKwParams = z.object({
  model: z.string(),
  method: z.string(),
  // DataSet.call_kw(model, method, args, kwargs, path=None): all four are required
  args: z.array(z.unknown()),
  kwargs: z.record(z.string(), z.unknown()),
}).passthrough();

const AuthParams = z.object({
  db: z.string(),
  login: z.string(),
  password: z.string(),
}).passthrough();

const RpcParams = z.object({
  service: z.string(),
  method: z.string(),
  args: z.array(z.unknown()).default([]),
}).passthrough();

const Json2Body = z.object({
  ids: z.union([z.array(z.number().int()), z.number().int()]).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
}).passthrough();

function versionInfo(v: OdooVersion) {
  return { server_version: `${v}.0`, server_version_info: [v, 0, 0, 'final', 0, ''], server_serie: `${v}.0`, protocol_version: 1 };
}

/** Python's TypeError for a controller called with the wrong parameters (zod said what is wrong). */
function paramsTypeError(endpoint: string, issues: z.core.$ZodIssue[], given: Record<string, unknown>): PyException {
  const missing = issues.find((i) => i.code === 'invalid_type' && i.path.length === 1 && given[String(i.path[0])] === undefined);
  if (missing) return typeError(`${endpoint}() missing 1 required positional argument: '${String(missing.path[0])}'`);
  const first = issues[0];
  return typeError(`${endpoint}(): invalid argument '${first?.path.join('.') ?? '?'}': ${first?.message ?? 'bad value'}`);
}

export async function startOdooSimulator(opts: OdooSimulatorOptions = {}): Promise<OdooSimulator> {
  const version: OdooVersion = opts.version ?? 19;
  const dbName = opts.db ?? 'odoo';
  const adminPassword = opts.adminPassword ?? 'admin';
  const db = new OdooDatabase({ version, phonenumbers: opts.phonenumbers ?? true });
  if (opts.fixtures) {
    const fixtures = typeof opts.fixtures === 'string' ? loadFixtureFile(opts.fixtures) : opts.fixtures;
    db.loadFixtures(fixtures);
  }
  const sessions = new Map<string, Session>();
  const apiKeys = new Map<string, number>();
  const calls: CallLogEntry[] = [];
  const failures: InjectedFailure[] = [];
  let baseUrl = '';
  const registry = new RegistryReload(opts.registryReloadMs ?? 50);
  /** Answers held back until a registry reload is over (the request that caused it). */
  const held = new WeakMap<http.ServerResponse, Promise<void>>();

  const errorCode = version >= 19 ? 0 : 200;

  function checkPassword(login: string, password: string): number | undefined {
    const users = db.ids('res.users').map((id) => ({ id, rec: db.get('res.users', id)! }));
    const user = users.find((u) => u.rec.login === login && u.rec.active !== false);
    if (!user) return undefined;
    if (user.id === ADMIN_UID && password === adminPassword) return user.id;
    // API keys are accepted in place of the password by the external RPC
    if (apiKeys.get(password) === user.id) return user.id;
    return undefined;
  }

  function sessionInfo(uid: number) {
    const user = db.get('res.users', uid)!;
    const partnerId = user.partner_id as number;
    return {
      uid,
      is_system: uid === ADMIN_UID,
      is_admin: uid === ADMIN_UID,
      is_public: false,
      is_internal_user: true,
      user_context: { lang: 'en_US', tz: user.tz || 'Europe/Paris', uid },
      db: dbName,
      server_version: `${version}.0`,
      server_version_info: versionInfo(version).server_version_info,
      support_url: 'https://www.odoo.com/help',
      name: user.name,
      username: user.login,
      partner_display_name: db.displayName('res.partner', partnerId),
      partner_id: partnerId,
      'web.base.url': baseUrl,
      active_ids_limit: 20000,
      max_file_upload_size: 134217728,
      user_companies: { current_company: 1, allowed_companies: { 1: { id: 1, name: db.displayName('res.company', 1), sequence: 10, child_ids: [], parent_id: false } }, disallowed_ancestor_companies: {} },
    };
  }

  function logCall(transport: Transport, model: string, method: string, ok: boolean) {
    calls.push({ transport, model, method, ok });
  }

  /**
   * Runs a model method, logging it; unknown models are the caller's concern. Here the registry reload is
   * played: a model being reloaded fails before the method runs, a field creation opens the reload window and
   * holds its own answer until the window closes.
   */
  function runLogged<T>(transport: Transport, model: string, method: string, fn: () => T, reload?: { res: http.ServerResponse; vals: unknown }): T {
    try {
      registry.check(model);
      const r = fn();
      if (reload && model === 'ir.model.fields' && method === 'create') {
        const models = modelsOfFieldCreate(reload.vals, (id) => {
          const m = db.get('ir.model', id)?.model;
          return typeof m === 'string' ? m : undefined;
        });
        if (models.length) held.set(reload.res, registry.reload(models));
      }
      logCall(transport, model, method, true);
      return r;
    } catch (e) {
      logCall(transport, model, method, false);
      throw e;
    }
  }

  // ---- responses ---------------------------------------------------------------------------------------------
  function send(res: http.ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}) {
    const hold = held.get(res);
    if (hold) {
      held.delete(res);
      void hold.then(() => send(res, status, body, contentType, headers));
      return;
    }
    res.writeHead(status, reasonPhrase(status), {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
      Server: 'Werkzeug/3.0.1 Python/3.12.3',
      ...headers,
    });
    res.end(body);
  }
  const sendHtml = (res: http.ServerResponse, status: number, description?: string) =>
    send(res, status, werkzeugHtml(status, description), 'text/html; charset=utf-8');
  const sendJson = (res: http.ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) =>
    send(res, status, pyJson(data), 'application/json; charset=utf-8', headers);

  function rpcError(e: unknown) {
    const ex = e instanceof PyException ? e : new PyException('builtins.Exception', e instanceof Error ? e.message : String(e), 500);
    if (ex instanceof HttpException && ex.werkzeugName === 'NotFound') {
      // str() of a werkzeug exception is "<code> <name>: <description>"; its args are what it was built with
      const data = serializeException(ex, { message: `404 Not Found: ${ex.description}`, arguments: ex.description === NOT_FOUND_DESCRIPTION ? [] : [ex.description] });
      return { code: 404, message: '404: Not Found', data };
    }
    if (ex.pyName === 'odoo.http.SessionExpiredException') return { code: 100, message: 'Odoo Session Expired', data: serializeException(ex) };
    return { code: errorCode, message: 'Odoo Server Error', data: serializeException(ex) };
  }

  // ---- JSON-RPC routes ---------------------------------------------------------------------------------------
  type JsonRpcHandler = (params: Record<string, unknown>, ctx: { session?: Session; sid?: string; res: http.ServerResponse }) => unknown;

  function cookieSid(req: http.IncomingMessage): string | undefined {
    const m = /(?:^|;\s*)session_id=([^;]+)/.exec(req.headers.cookie ?? '');
    return m?.[1];
  }

  function handleJsonRpc(req: http.IncomingMessage, res: http.ServerResponse, raw: string, auth: 'none' | 'user', handler: JsonRpcHandler) {
    const mimetype = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mimetype !== 'application/json' && mimetype !== 'application/json-rpc') {
      return sendHtml(res, 400, `Request inferred type is compatible with ['http'] but 'jsonrpc' was expected`);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, 'Invalid JSON data', 'text/html; charset=utf-8');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return send(res, 400, 'Invalid JSON-RPC data', 'text/html; charset=utf-8');
    const envelope = body as Record<string, unknown>;
    const id = envelope.id === undefined ? null : envelope.id;
    let extra: Record<string, string> = {};
    const answer = (payload: Record<string, unknown>) => sendJson(res, 200, { jsonrpc: '2.0', id, ...payload }, extra);
    try {
      const params = envelope.params ?? {};
      if (typeof params !== 'object' || params === null || Array.isArray(params)) throw typeError(`'${Array.isArray(params) ? 'list' : typeof params}' object is not a mapping`);
      const sid = cookieSid(req);
      const session = sid ? sessions.get(sid) : undefined;
      if (auth === 'user' && !session) throw sessionExpired();
      const result = handler(params as Record<string, unknown>, {
        session, sid, res: Object.assign(res, { setExtraHeaders: (h: Record<string, string>) => (extra = { ...extra, ...h }) }),
      });
      answer(result === null || result === undefined ? {} : { result });
    } catch (e) {
      const error = rpcError(e);
      // an unknown model on call_kw is rejected while routing, before the request id is read
      const routingNotFound = error.code === 404;
      sendJson(res, 200, { jsonrpc: '2.0', id: routingNotFound ? null : id, error }, extra);
    }
  }

  const setCookie = (res: http.ServerResponse, headers: Record<string, string>) =>
    (res as http.ServerResponse & { setExtraHeaders(h: Record<string, string>): void }).setExtraHeaders(headers);

  const jsonRpcRoutes: Record<string, { auth: 'none' | 'user'; handler: JsonRpcHandler }> = {
    '/web/session/authenticate': {
      auth: 'none',
      handler: (params, { res }) => {
        const p = AuthParams.safeParse(params);
        if (!p.success) throw paramsTypeError('Session.authenticate', p.error.issues, params);
        if (p.data.db !== dbName) throw accessError('Database not found.');
        const uid = checkPassword(p.data.login, p.data.password);
        if (uid === undefined || apiKeys.has(p.data.password)) throw accessDenied();
        const sid = crypto.randomBytes(30).toString('base64url').slice(0, 40);
        sessions.set(sid, { uid, login: p.data.login });
        setCookie(res, { 'Set-Cookie': `session_id=${sid}; Expires=${new Date(Date.now() + 7 * 86400_000).toUTCString()}; Max-Age=604800; HttpOnly; Path=/` });
        return sessionInfo(uid);
      },
    },
    '/web/session/get_session_info': { auth: 'user', handler: (_p, { session }) => sessionInfo(session!.uid) },
    '/web/session/destroy': {
      auth: 'user',
      handler: (_p, { sid }) => {
        if (sid) sessions.delete(sid);
        return null;
      },
    },
    '/web/database/list': { auth: 'none', handler: () => [dbName] },
    '/web/webclient/version_info': { auth: 'none', handler: () => versionInfo(version) },
    '/jsonrpc': { auth: 'none', handler: (params, { res }) => externalRpc(params, res) },
  };

  function callKwRoute(params: Record<string, unknown>, session: Session, res: http.ServerResponse): unknown {
    const p = CallKwParams.safeParse(params);
    if (!p.success) throw paramsTypeError('DataSet.call_kw', p.error.issues, params);
    const { model, method, args, kwargs } = p.data;
    if (!db.hasModel(model)) throw version >= 18 ? notFound() : keyError(model);
    return runLogged('session', model, method, () => callKw(db, model, method, args, kwargs, session.uid), { res, vals: args[0] ?? kwargs.vals_list });
  }

  function externalRpc(params: Record<string, unknown>, res: http.ServerResponse): unknown {
    const p = RpcParams.safeParse(params);
    if (!p.success) throw paramsTypeError('dispatch_rpc', p.error.issues, params);
    const { service, method, args } = p.data;
    if (service === 'common') {
      if (method === 'version') return versionInfo(version);
      if (method === 'about') return 'See http://openerp.com';
      if (method === 'login' || method === 'authenticate') {
        const [dbArg, login, password] = args;
        if (typeof login !== 'string' || typeof password !== 'string') throw typeError(`exp_${method}() missing required arguments`);
        if (dbArg !== dbName) throw new PyException('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${String(dbArg)}" does not exist\n`, 500);
        return checkPassword(login, password) ?? false;
      }
      throw new PyException('builtins.Exception', `Method not found: ${method}`, 500);
    }
    if (service === 'db') {
      if (method === 'list') return [dbName];
      if (method === 'server_version') return `${version}.0`;
      throw new PyException('builtins.KeyError', `'${method}'`, 500);
    }
    if (service === 'object') {
      if (method !== 'execute_kw' && method !== 'execute') throw new PyException('builtins.NameError', `Method not available ${method}`, 500);
      const [dbArg, uidArg, password, model, mname, ...rest] = args;
      if (dbArg !== dbName) throw new PyException('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${String(dbArg)}" does not exist\n`, 500);
      const uid = typeof uidArg === 'number' ? uidArg : Number(uidArg);
      const user = db.get('res.users', uid);
      if (!user || typeof password !== 'string' || checkPassword(String(user.login), password) !== uid) throw accessDenied();
      if (typeof model !== 'string' || typeof mname !== 'string') throw typeError('execute_kw() missing required positional arguments');
      if (mname.startsWith('_')) {
        throw accessError(version >= 18 ? `Private methods (such as '${model}.${mname}') cannot be called remotely.` : `Private methods (such as ${mname}) cannot be called remotely.`);
      }
      if (!db.hasModel(model)) throw userError(`Object ${model} doesn't exist`);
      const posArgs = method === 'execute_kw' ? rest[0] ?? [] : rest;
      const kwargs = method === 'execute_kw' ? rest[1] ?? {} : {};
      if (!Array.isArray(posArgs)) throw typeError(`'${typeof posArgs}' object is not iterable`);
      if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) throw typeError('argument after ** must be a mapping');
      return runLogged('jsonrpc', model, mname, () => callKw(db, model, mname, posArgs, kwargs as Record<string, unknown>, uid), {
        res, vals: posArgs[0] ?? (kwargs as Record<string, unknown>).vals_list,
      });
    }
    throw new PyException('builtins.KeyError', `'${service}'`, 500);
  }

  // ---- JSON-2 ------------------------------------------------------------------------------------------------
  function json2Error(res: http.ServerResponse, e: unknown) {
    const ex = e instanceof PyException ? e : new PyException('builtins.Exception', e instanceof Error ? e.message : String(e), 500);
    if (ex instanceof HttpException) {
      return sendJson(res, ex.code, serializeException(ex, { message: ex.description, arguments: [ex.description, ex.code] }), ex.headers);
    }
    const isUserError = ex.pyName.startsWith('odoo.exceptions.') || ex.pyName === 'odoo.http.SessionExpiredException';
    return sendJson(res, isUserError ? ex.httpStatus : 500, serializeException(ex), ex.headers);
  }

  function handleJson2(req: http.IncomingMessage, res: http.ServerResponse, raw: string, path: string) {
    const m = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m || req.method !== 'POST') {
      return json2Error(res, new HttpException('NotFound', 404, 'Did you mean POST /json/2/<model>/<method>?'));
    }
    const dbHeader = req.headers['x-odoo-database'];
    if (typeof dbHeader === 'string' && dbHeader !== dbName) return sendHtml(res, 404);
    const mimetype = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (raw.length > 0 && mimetype !== 'application/json') return sendHtml(res, 415);
    const model = decodeURIComponent(m[1]!);
    const method = decodeURIComponent(m[2]!);
    try {
      const bearer = /^bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      const uid = bearer ? apiKeys.get(bearer[1]!.trim()) : undefined;
      if (uid === undefined) {
        throw new HttpException('Unauthorized', 401, bearer ? 'Invalid apikey' : 'User not authenticated, use an API Key with a Bearer Authorization header.', { 'WWW-Authenticate': 'Bearer' });
      }
      let body: unknown = {};
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch (e) {
          throw new HttpException('BadRequest', 400, `could not parse the body as json: ${(e as Error).message}`);
        }
      }
      const params = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
      const parsed = Json2Body.safeParse(params);
      if (!parsed.success) throw new HttpException('UnprocessableEntity', 422, `invalid ${String(parsed.error.issues[0]?.path[0])}: ${parsed.error.issues[0]?.message}`);
      const { ids: rawIds, context, ...kwargs } = parsed.data;
      if (!db.hasModel(model)) throw notFound(`the model '${model}' does not exist`);
      const ids = rawIds === undefined ? [] : toIds(rawIds);
      const result = runLogged('json2', model, method, () => callJson2(db, model, method, ids, kwargs, uid, context ?? {}), { res, vals: kwargs.vals_list });
      return sendJson(res, 200, result ?? null);
    } catch (e) {
      return json2Error(res, e);
    }
  }

  // ---- dispatch ----------------------------------------------------------------------------------------------
  async function route(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/json/2' || path.startsWith('/json/2/')) {
      if (version < 19) return sendHtml(res, 404);
      return handleJson2(req, res, raw, path);
    }
    if (path === '/web/dataset/call_kw' || path.startsWith('/web/dataset/call_kw/')) {
      if (req.method !== 'POST') return sendHtml(res, 405);
      return handleJsonRpc(req, res, raw, 'user', (params, { session, res: r }) => callKwRoute(params, session!, r));
    }
    const r = jsonRpcRoutes[path];
    if (path === '/web/session/authenticate' && opts.authenticateDelayMs) await new Promise((res2) => setTimeout(res2, opts.authenticateDelayMs));
    if (r) {
      if (req.method !== 'POST') return sendHtml(res, 405);
      return handleJsonRpc(req, res, raw, r.auth, r.handler);
    }
    return sendHtml(res, 404, DEFAULT_DESCRIPTIONS[404]);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const failure = failures[0];
        if (failure) {
          if (failure.times === undefined || failure.times <= 1) failures.shift();
          else failure.times -= 1;
          if (failure.kind === 'drop') return req.socket.destroy();
          if (failure.kind === 'http500') return sendHtml(res, 500);
          if (failure.kind === 'http502') return send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html');
          // like Odoo, the request still runs when the client has given up waiting
          await new Promise((r) => setTimeout(r, failure.ms));
        }
        try {
          await route(req, res, Buffer.concat(chunks).toString('utf8'));
        } catch (e) {
          if (!res.headersSent) sendHtml(res, 500, e instanceof Error ? e.message : String(e));
        }
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  return {
    url: baseUrl,
    port,
    version,
    db: dbName,
    database: db,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    records: (model) => {
      if (!db.hasModel(model)) throw new Error(`Odoo simulator: unknown model '${model}'`);
      return db.ids(model).sort((a, b) => a - b).map((id) => ({ id, ...structuredClone(db.get(model, id)!) }));
    },
    searchCount: (model, domain = []) => db.search(model, domain).length,
    searchRead: (model, domain = [], fields) => db.read(model, db.search(model, domain), fields),
    load: (fixtures) => db.loadFixtures(fixtures),
    failNext: (failure) => void failures.push({ ...failure }),
    calls,
    callCount: (model, method) => calls.filter((c) => c.ok && c.model === model && (!method || c.method === method)).length,
    resetCalls: () => void calls.splice(0),
    setApiKey: (key, uid = ADMIN_UID) => void apiKeys.set(key, uid),
    issueApiKey: (uid = ADMIN_UID) => {
      const key = crypto.randomBytes(20).toString('hex');
      apiKeys.set(key, uid);
      return key;
    },
    expireSessions: () => sessions.clear(),
    sessionCount: () => sessions.size,
    reloading: (model) => registry.isReloading(model),
  };
}

const FixtureFile = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));

/** Reads and validates a fixture file (JSON keyed by model, each a list of records). */
export function loadFixtureFile(file: string): OdooFixtures {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Odoo fixture ${file}: cannot read it as JSON (${(e as Error).message})`);
  }
  const parsed = FixtureFile.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`Odoo fixture ${file}: at ${i.path.join('.') || '(root)'}: ${i.message}; expected { "<model>": [ { "id": 1, … } ] }`);
  }
  return parsed.data;
}
