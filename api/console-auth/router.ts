/**
 * The operators' console login (see ./credential.ts for the cookie and its CSRF rules):
 *
 *   POST /console/api/login    {token}: the token `npx ivr operators add <name>` printed → {name, odoo_url} and the
 *                              HttpOnly SameSite=Strict cookie; 401 for a token that is not a current operator's,
 *                              429 past RATE_CONSOLE_LOGIN_PER_IP attempts per address per window
 *   GET  /console/api/me       {name, odoo_url} of the logged-in operator (401 otherwise)
 *   POST /console/api/logout   forgets the cookie
 *
 * Every other operator route (/crm/*, the console's own data routes) accepts the cookie in place of a bearer token.
 * A login and a logout are written to the operator audit log like any operator request.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { ApiError, toApiError } from '../errors';
import { AuditTrail, recordOperatorAudit, requireOperator, sendError, validate } from '../http';
import { invalidToken, type OperatorIdentity } from '../services/operators';
import { enforceLimits } from '../services/rate-limit';
import { CONSOLE_COOKIE, issueConsoleCredential, operatorFromCookie, operatorTokenHash } from './credential';
import { kit } from '../routes/context';

const loginBody = z.strictObject({
  token: z.string().trim().min(1, 'required: the operator token').max(300, 'at most 300 characters'),
});

export interface ConsoleMe {
  name: string;
  /** Where the browser opens Odoo (ODOO_PUBLIC_URL), or null: the console then shows record ids without links. */
  odoo_url: string | null;
}

/** Same-origin JSON posts only: a cross-site form can neither log someone in nor out. */
function checkPost(req: Request): void {
  if (!req.is('application/json')) throw new ApiError(415, 'json_required', 'Send the body as application/json.');
  const origin = req.get('origin');
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = origin === 'null' ? null : new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== req.get('host')) throw new ApiError(403, 'cross_origin', 'The console answers its own pages only.');
}

export function consoleAuthRouter(deps: ApiDeps): Router {
  const router = express.Router();
  const c = deps.config;
  const maxAgeSec = c.CONSOLE_LOGIN_HOURS * 3600;
  const me = (op: OperatorIdentity): ConsoleMe => ({ name: op.name, odoo_url: c.ODOO_PUBLIC_URL ?? null });
  const secure = (req: Request) => req.secure || c.API_PUBLIC_URL.startsWith('https:');
  const cookie = (req: Request, value: string, maxAge: number) =>
    `${CONSOLE_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure(req) ? '; Secure' : ''}`;

  const wrap = (route: string, fn: (req: Request, res: Response, audit: { operator: string | null }) => Promise<unknown>) =>
    async (req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-store');
      const requestId = String(res.locals.requestId ?? '');
      const audit: { operator: string | null } = { operator: null };
      let status = 200;
      try {
        const body = await fn(req, res, audit);
        res.status(200).json(body);
      } catch (e) {
        const apiErr = toApiError(e);
        status = apiErr.status;
        // A refused cookie is forgotten, so the page shows the login form rather than a loop of 401s.
        if (apiErr.status === 401) res.append('Set-Cookie', cookie(req, '', 0));
        const log = apiErr.status >= 500 ? deps.log.error.bind(deps.log) : deps.log.info.bind(deps.log);
        log({ requestId, route, errorCode: apiErr.code, status: apiErr.status, cause: e instanceof Error ? e.name : typeof e }, 'console request failed');
        sendError(res, apiErr, requestId);
      }
      if (audit.operator) await recordOperatorAudit(deps, { operator: audit.operator, method: req.method, route, status, trail: new AuditTrail(), requestId });
    };

  router.post('/console/api/login', wrap('POST /console/api/login', async (req, res, audit) => {
    checkPost(req);
    // Not exempt for RATE_IP_EXEMPT: those addresses are the workers', and people log in from anywhere.
    await enforceLimits(deps.store, deps.clock.now(), [{ bucket: `console-login:ip:${req.ip ?? ''}`, max: c.RATE_CONSOLE_LOGIN_PER_IP, windowSec: c.RATE_CONSOLE_LOGIN_WINDOW_SEC }],
      'Too many console login attempts from this address; retry later.');
    const { token } = validate(loginBody, req.body ?? {}, 'body');
    let op: OperatorIdentity;
    try {
      op = await kit(deps).operators.resolve(token);
    } catch (e) {
      // The same answer for an unknown and a revoked token: a guess learns nothing.
      if (e instanceof ApiError && e.status === 401) throw invalidToken('This is not a current operator token; copy the token `npx ivr operators add <name>` printed.', 'invalid_operator_token');
      throw e;
    }
    const exp = Math.floor(deps.clock.now().getTime() / 1000) + maxAgeSec;
    res.append('Set-Cookie', cookie(req, issueConsoleCredential(c.SESSION_KEY, operatorTokenHash(c.SESSION_KEY, token), exp), maxAgeSec));
    audit.operator = op.name;
    deps.log.info({ operator: op.name }, 'console login');
    return me(op);
  }));

  router.get('/console/api/me', wrap('GET /console/api/me', async (req) => {
    // A bearer token works too (scripts); the console itself has its cookie.
    return me(await requireOperator(deps, req));
  }));

  router.post('/console/api/logout', wrap('POST /console/api/logout', async (req, res, audit) => {
    checkPost(req);
    // A logout with a stale cookie still forgets it; the audit names whoever it was, when still known.
    const op = await operatorFromCookie(deps, req).catch(() => null);
    res.append('Set-Cookie', cookie(req, '', 0));
    if (op) audit.operator = op.name;
    return { ok: true };
  }));

  return router;
}
