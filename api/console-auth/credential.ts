/**
 * The operators' console credential: after `POST /console/api/login {token}` the browser holds an HttpOnly,
 * SameSite=Strict cookie, never the operator token itself. The cookie names the operator's current token *hash*
 * (the value the store already keys operators by) with an expiry, under a MAC keyed from SESSION_KEY:
 *
 *   care_console = v1.<token hash>.<expiry, unix seconds>.<HMAC-SHA256(key, "v1.<hash>.<expiry>")>
 *
 * Why a MAC'd reference rather than the token: a cookie read off a disk or a proxy log opens the console only until
 * its expiry and cannot be used as a bearer token (for scripts, for the CLI); the hash alone cannot be forged into a
 * cookie without the key, and the store lookup on every request makes a revoked (or re-issued) operator's cookie stop
 * working at once, without any server-side session table.
 *
 * CSRF: the cookie is SameSite=Strict; a cookie-authenticated request with an effect must also carry a same-origin
 * Origin header (browsers send one on every non-GET request) and a JSON or multipart body, so a page elsewhere can
 * neither post a form nor read an answer.
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { invalidToken, type OperatorIdentity } from '../services/operators';
import { keyedHash } from '../services/tokens';

export const CONSOLE_COOKIE = 'care_console';

const HASH = /^[0-9a-f]{64}$/;

function macKey(sessionKey: string): Buffer {
  return crypto.createHash('sha256').update(`console-credential:v1:${sessionKey}`).digest();
}

function mac(key: Buffer, body: string): string {
  return crypto.createHmac('sha256', key).update(body).digest('base64url');
}

/** The store's hash of an operator token (the same keyed hash OperatorService stores). */
export function operatorTokenHash(sessionKey: string, token: string): string {
  return keyedHash(sessionKey, 'operator', token);
}

export function issueConsoleCredential(sessionKey: string, tokenHash: string, expSec: number): string {
  const body = `v1.${tokenHash}.${expSec}`;
  return `${body}.${mac(macKey(sessionKey), body)}`;
}

/** The token hash a cookie value names, or null when it is malformed, forged or expired. */
export function checkConsoleCredential(sessionKey: string, value: string | undefined, nowSec: number): string | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const [v, hash, expText, given] = parts as [string, string, string, string];
  if (v !== 'v1' || !HASH.test(hash) || !/^\d{1,12}$/.test(expText)) return null;
  const want = Buffer.from(mac(macKey(sessionKey), `v1.${hash}.${expText}`));
  const got = Buffer.from(given);
  if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) return null;
  return Number(expText) > nowSec ? hash : null;
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Whether the request came from a page of this host (Origin's host:port is the Host the request was sent to). */
function sameOrigin(req: Request, origin: string): boolean {
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/**
 * The checks on a cookie-authenticated request with an effect (anything but GET/HEAD): a same-origin Origin header,
 * and a JSON or multipart body. 403 cross_origin / 415 json_required say which, and what to send.
 */
export function checkCookieWrite(req: Request): void {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null' || !sameOrigin(req, origin)) {
    throw new ApiError(403, 'cross_origin', 'A request authenticated by the console cookie must come from a console page of this host (same-origin Origin header); scripts use Authorization: Bearer <operator token>.');
  }
  if (!req.is('application/json') && !req.is('multipart/form-data')) {
    throw new ApiError(415, 'json_required', 'Send the body as application/json (or multipart/form-data for a recording).');
  }
}

/**
 * The operator a console cookie stands for; null when the request carries no console cookie. A cookie that is
 * forged or expired, or whose operator was revoked or given a new token since, is a 401 (log in again).
 */
export async function operatorFromCookie(deps: ApiDeps, req: Request): Promise<OperatorIdentity | null> {
  const value = readCookie(req, CONSOLE_COOKIE);
  if (value === undefined || value === '') return null;
  const hash = checkConsoleCredential(deps.config.SESSION_KEY, value, Math.floor(deps.clock.now().getTime() / 1000));
  if (!hash) throw invalidToken('The console login has expired or is not valid; log in again at /console.', 'login_expired');
  const row = await deps.store.getOperatorByTokenHash(hash);
  if (!row || row.revoked) throw invalidToken('This operator was revoked or given a new token; log in again with a current token.', 'login_expired');
  checkCookieWrite(req);
  // Best effort, as for bearer tokens: a failed timestamp must not refuse a valid operator.
  await deps.store.touchOperator(row.name, deps.clock.now()).catch(() => undefined);
  return { name: row.name };
}
