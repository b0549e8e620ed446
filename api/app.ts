/**
 * The backend's Express app: the endpoints the machine calls (seed 001 globals.endpoints) and the portal uses.
 * Everything with an effect comes in through `deps`, so tests run it on the real simulators with a fake clock.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError, toApiError } from './errors';
import { mount, operatorGate, routeTableOf, sendError, type AnyRoute } from './http';
import { buildOpenApi } from './openapi';
import { authRoutes } from './routes/auth';
import { portalRoutes } from './routes/portal';
import { appointmentRoutes } from './routes/appointments';
import { agentRoutes } from './routes/agent';
import { boundRouterOf } from './routes/web-session';
import { consoleAuthRouter } from './console-auth/router';
import type { ApiDeps } from './deps';

export const ALL_ROUTES: AnyRoute[] = [...authRoutes, ...portalRoutes, ...appointmentRoutes, ...agentRoutes];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error('timeout')), ms); })]);
  } finally {
    if (t) clearTimeout(t);
  }
}

/** Where `npm run build:portal` writes the portal (web/portal, built by Vite). */
export const PORTAL_DIST = path.join(__dirname, '..', 'web', 'portal', 'dist');

/**
 * The portal's pages: its own scripts and styles only (no inline script or style, no eval), no framing, no
 * referrer (a magic link's token is in the first URL), never cached (index.html names the hashed assets).
 */
export const PORTAL_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
  "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

function portalHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', PORTAL_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

const PORTAL_NOT_BUILT = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Portail indisponible</title></head>' +
  '<body><h1>Le portail n’est pas encore construit</h1><p>Lancez <code>npm run build:portal</code> (ou <code>npm start</code>) puis rechargez la page.</p></body></html>';

/** The single-page portal at /portal (and the magic link's page, /portal/link/<token>), served from its build. */
function portalRouter(dist: string): express.Router {
  const r = express.Router();
  r.use('/portal/assets', express.static(path.join(dist, 'assets'), {
    index: false, fallthrough: false, immutable: true, maxAge: '365d',
    setHeaders: (res) => portalHeaders(res as unknown as Response),
  }));
  const page = (_req: Request, res: Response) => {
    portalHeaders(res);
    res.setHeader('Cache-Control', 'no-store');
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) {
      res.status(503).type('html').send(PORTAL_NOT_BUILT);
      return;
    }
    res.status(200).type('html').sendFile(index);
  };
  r.get(['/portal', '/portal/', '/portal/link/:token'], page);
  // The operators' console is the same app; its data routes (/console/api) are operator routes.
  r.get(/^\/console(\/(?!api(\/|$)).*)?$/, page);
  // A shared appointment: the page for a person's browser, the JSON route (api/routes/portal.ts) for the page itself.
  r.get('/portal/shared/:token', (req: Request, res: Response, next: NextFunction) => {
    if (req.accepts(['json', 'html']) !== 'html') return next();
    page(req, res);
  });
  return r;
}

export interface AppExtras {
  /**
   * More routers mounted after the API's routes, before its 404. A router made by `tableRouter` (the voice→CRM
   * routes of api/crm) joins the route table instead.
   */
  routers?: express.Router[];
  /** The portal's build folder (tests point it elsewhere); default PORTAL_DIST. */
  portalDist?: string;
}

/** zlib's own failures (bad gzip/deflate/br bytes, truncated stream) reach us with their Z_* code. */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^Z_/.test(code);
}

/** body-parser marks the client's faults with a 4xx status it allows to expose. */
function isClientBodyError(err: unknown): boolean {
  const e = err as { status?: unknown; expose?: unknown } | null;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true;
}

export function createApp(deps: ApiDeps, extras: AppExtras = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Paths carry only ids and link tokens; tokens are cut so they never reach the logs.
      const path = req.path.replace(/\/(link|shared)\/[^/]+/, '/$1/…');
      deps.log.info({ requestId: id, method: req.method, path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });

  app.use(express.json({ limit: deps.config.BODY_LIMIT, strict: true }));

  app.get('/healthz', async (_req, res) => {
    const store = await deps.store.ping();
    let odoo: { reachable: boolean; version?: string } = { reachable: false };
    try {
      const v = await withTimeout(deps.odoo.serverVersion(), 2000);
      odoo = { reachable: true, version: v.label };
    } catch {
      odoo = { reachable: false };
    }
    res.status(store ? 200 : 503).json({ status: store ? 'ok' : 'degraded', store: { ok: store, driver: deps.store.db.kind }, odoo });
  });

  // Routers that carry route-table declarations (api/crm) join the table; plain routers are mounted as they are.
  const extraRoutes = (extras.routers ?? []).flatMap((r) => routeTableOf(r) ?? []);
  // Routers that need the API's deps (the portal's web sessions) are bound to them here.
  const boundRouters = (extras.routers ?? []).flatMap((r) => {
    const bind = boundRouterOf(r);
    return bind ? [bind(deps)] : [];
  });
  const plainRouters = (extras.routers ?? []).filter((r) => !routeTableOf(r) && !boundRouterOf(r));
  const routes = [...ALL_ROUTES, ...extraRoutes];
  const openapi = buildOpenApi(routes, { title: 'care-ivr backend API', version: '1.0.0', serverUrl: deps.config.API_PUBLIC_URL });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  app.use(portalRouter(extras.portalDist ?? PORTAL_DIST));
  // The console's login: its cookie then opens every operator route (api/console-auth/).
  app.use(consoleAuthRouter(deps));
  for (const r of boundRouters) app.use(r);
  // An API without the portal's sessions (no Temporal client) says so rather than "no route".
  app.use('/portal/api', (_req: Request, res: Response) => {
    sendError(res, new ApiError(503, 'portal_unavailable', 'The portal’s sessions are not served by this API: start it with TEMPORAL_ADDRESS set (npm start does).'), String(res.locals.requestId ?? ''));
  });

  const router = express.Router();
  for (const r of routes) mount(router, r, deps);
  app.use(router);
  // Every /crm route lists, searches or writes people's records: operators only, whoever declares the route.
  app.use('/crm', operatorGate(deps));
  for (const r of plainRouters) app.use(r);

  app.use((req: Request, res: Response) => {
    sendError(res, new ApiError(404, 'route_not_found', `No route ${req.method} ${req.path}; see GET /openapi.json.`), String(res.locals.requestId ?? ''));
  });

  // Body parser failures and anything a route did not catch.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    let apiErr: ApiError;
    if (type === 'entity.too.large') apiErr = new ApiError(413, 'payload_too_large', `The body is larger than ${deps.config.BODY_LIMIT}.`);
    else if (type === 'entity.parse.failed') apiErr = new ApiError(400, 'invalid_json', 'The body is not valid JSON.');
    else if (type === 'encoding.unsupported') apiErr = new ApiError(415, 'unsupported_encoding', 'Content-Encoding must be identity, gzip, deflate or br; send the body uncompressed or with one of these.');
    else if (type === 'charset.unsupported') apiErr = new ApiError(415, 'unsupported_encoding', 'Send the body as UTF-8 JSON.');
    else if (isZlibError(err)) apiErr = new ApiError(400, 'invalid_encoding', 'The body cannot be decompressed as its Content-Encoding says; send it uncompressed or compressed correctly.');
    else if (isClientBodyError(err)) apiErr = new ApiError(400, 'invalid_body', 'The request body could not be read (aborted, wrong length or malformed); send it again.');
    else apiErr = toApiError(err);
    if (apiErr.status >= 500) deps.log.error({ requestId: res.locals.requestId, cause: err instanceof Error ? err.name : typeof err }, 'unhandled error');
    sendError(res, apiErr, String(res.locals.requestId ?? ''));
  });

  return app;
}
