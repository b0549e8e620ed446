/**
 * The operators' console API: sessions (list and page) and per-state figures, read from Temporal with the API's
 * client (its data converter decrypts payloads here; only the session's masked view leaves).
 *
 *   GET /console/api/sessions?state=&outcome=&goal=&channel=&caller_hash=&machine=&machine_version=&status=&page_token=&limit=
 *   GET /console/api/sessions/:id
 *   GET /console/api/stats?machine=&since_hours=24&limit=200
 *
 * Every route is for operators only (the API's operator check: 401 without a valid operator, an audit row per
 * request). The router needs the API's deps: createApp binds it, like the portal's router.
 */
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { ApiError, toApiError } from '../errors';
import { operatorGate, sendError, validate } from '../http';
import { openPageToken, pageTokenKey, sessionFiltersSchema, sessionsQuery, signPageToken } from './query';
import { listSessions, loadSession, recentStats, sessionPage } from './reader';

export interface ConsoleOptions {
  client: Client;
  /** The Temporal Web UI the session page links to (default http://localhost:8233). */
  temporalUiUrl?: string;
}

export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

export const sessionIdSchema = z.strictObject({
  id: z.string().regex(/^(voice|web)-[A-Za-z0-9._:-]{1,200}$/, 'a session id: voice-<call id> or web-<session id>, as in the list'),
});

export const statsQuerySchema = z.strictObject({
  machine: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a machine name (IvrMachine), e.g. synergia_rdv_mvp_ivr').optional(),
  since_hours: z.coerce.number().min(0.01).max(24 * 31).default(24),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** The same key as the portal's router: createApp binds routers that carry it (see boundRouterOf). */
const DEPS_ROUTER = Symbol.for('care-ivr.deps-router');

export function consoleRouter(opts: ConsoleOptions): Router {
  const placeholder = express.Router();
  placeholder.use('/console/api', (_req: Request, res: Response, next: NextFunction) => {
    if (!/^\/(sessions|stats)(\/|$)/.test(_req.path)) return next();
    sendError(res, new ApiError(500, 'route_not_mounted', 'The console routes must be served through the API (createApp).'), String(res.locals.requestId ?? ''));
  });
  return Object.assign(placeholder, { [DEPS_ROUTER]: (deps: ApiDeps) => bindConsoleRouter(opts, deps) });
}

export function consoleRouterFromEnv(env: NodeJS.ProcessEnv, opts: { client: Client }): Router {
  const url = z.string().url().safeParse(env.TEMPORAL_UI_URL ?? DEFAULT_TEMPORAL_UI_URL);
  if (!url.success) throw new Error(`TEMPORAL_UI_URL is not a URL (${env.TEMPORAL_UI_URL}); set it to the Temporal Web UI, e.g. ${DEFAULT_TEMPORAL_UI_URL}.`);
  return consoleRouter({ client: opts.client, temporalUiUrl: url.data });
}

function bindConsoleRouter(opts: ConsoleOptions, deps: ApiDeps): Router {
  const router = express.Router();
  // Only this router's own paths: the console's login route, served elsewhere, must stay open.
  const gate = operatorGate(deps);
  const uiUrl = opts.temporalUiUrl ?? DEFAULT_TEMPORAL_UI_URL;
  const pageKey = pageTokenKey(deps.config.SESSION_KEY);

  const wrap = (fn: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      res.status(200).json(await fn(req));
    } catch (e) {
      const apiErr = toApiError(e);
      const log = apiErr.status >= 500 ? deps.log.error.bind(deps.log) : deps.log.info.bind(deps.log);
      log({ requestId: res.locals.requestId, route: `${req.method} ${req.route?.path ?? req.path}`, errorCode: apiErr.code, status: apiErr.status, cause: e instanceof Error ? e.name : typeof e }, 'console request failed');
      sendError(res, apiErr, String(res.locals.requestId ?? ''));
    }
  };

  router.get('/console/api/sessions', gate, wrap(async (req) => {
    const filters = validate(sessionFiltersSchema, req.query, 'query');
    const query = sessionsQuery(filters);
    let token: Buffer | undefined;
    if (filters.page_token) {
      token = openPageToken(pageKey, query, filters.page_token) ?? undefined;
      if (!token) throw new ApiError(400, 'invalid_request', 'Invalid query: query.page_token: not a token of this list (filters changed, or altered); start again from the first page.', { fields: [{ path: 'query.page_token', message: 'not a token of this list' }] });
    }
    const page = await listSessions(opts.client, query, filters.limit, token);
    return { sessions: page.sessions, nextPageToken: page.nextPageToken ? signPageToken(pageKey, query, page.nextPageToken) : null };
  }));

  router.get('/console/api/sessions/:id', gate, wrap(async (req) => {
    const { id } = validate(sessionIdSchema, req.params, 'params');
    const loaded = await loadSession(opts.client, id);
    if (!loaded) throw new ApiError(404, 'session_not_found', `No session ${id} in Temporal (wrong id, or past the namespace's retention).`);
    return sessionPage(loaded, uiUrl, opts.client.options.namespace);
  }));

  router.get('/console/api/stats', gate, wrap(async (req) => {
    const q = validate(statsQuerySchema, req.query, 'query');
    return recentStats(opts.client, { ...(q.machine ? { machine: q.machine } : {}), sinceHours: q.since_hours, limit: q.limit });
  }));

  return router;
}
