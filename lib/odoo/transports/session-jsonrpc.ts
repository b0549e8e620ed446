/**
 * Session JSON-RPC (all versions): log in once on /web/session/authenticate (about 0.6 s of password hashing on
 * a real server), keep the `session_id` cookie, call /web/dataset/call_kw/<model>/<method>; when Odoo says the
 * session expired, log in again once and repeat the call once.
 */
import { z } from 'zod';
import { AccessDenied, OdooProtocolError, SessionExpired } from '../errors';
import { READ_METHODS, type HttpPolicy } from '../http';
import { jsonRpc } from './jsonrpc-envelope';
import type { OdooTransport } from './types';

const SessionInfo = z.object({ uid: z.union([z.number(), z.literal(false), z.null()]) }).passthrough();

export interface SessionOptions {
  url: string;
  db: string;
  login: string;
  password: string;
  policy: HttpPolicy;
}

export class SessionJsonRpcTransport implements OdooTransport {
  readonly name = 'session' as const;
  private cookie: string | undefined;
  private loggingIn: Promise<string> | undefined;
  /** How many times this transport logged in (tests assert re-login happens exactly once). */
  logins = 0;

  constructor(private readonly opts: SessionOptions) {}

  private async login(): Promise<string> {
    const { result, answer } = await jsonRpc(`${this.opts.url}/web/session/authenticate`, { db: this.opts.db, login: this.opts.login, password: this.opts.password }, {}, this.opts.policy, {
      transport: 'session', method: 'authenticate', idempotent: true,
    });
    const info = SessionInfo.safeParse(result);
    if (!info.success) throw new OdooProtocolError('Odoo /web/session/authenticate answered without a uid', { transport: 'session', method: 'authenticate' });
    if (!info.data.uid) throw new AccessDenied(`Odoo refused the login '${this.opts.login}' on database '${this.opts.db}'`, { transport: 'session', method: 'authenticate' });
    const setCookie = answer.headers.getSetCookie?.() ?? [answer.headers.get('set-cookie') ?? ''];
    const sid = setCookie.map((c) => /(?:^|\s)session_id=([^;]+)/.exec(c)?.[1]).find(Boolean);
    if (!sid) throw new OdooProtocolError('Odoo /web/session/authenticate set no session_id cookie', { transport: 'session', method: 'authenticate' });
    this.logins += 1;
    return `session_id=${sid}`;
  }

  /** One login shared by concurrent callers. */
  private async ensureCookie(stale?: string): Promise<string> {
    if (this.cookie && this.cookie !== stale) return this.cookie;
    if (!this.loggingIn) {
      this.loggingIn = this.login().then(
        (c) => { this.cookie = c; this.loggingIn = undefined; return c; },
        (e: unknown) => { this.loggingIn = undefined; throw e; },
      );
    }
    return this.loggingIn;
  }

  async callKw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const call = async (cookie: string) =>
      (await jsonRpc(`${this.opts.url}/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs }, { Cookie: cookie }, this.opts.policy, {
        transport: 'session', model, method, idempotent: READ_METHODS.has(method),
      })).result;
    const cookie = await this.ensureCookie();
    try {
      return await call(cookie);
    } catch (e) {
      if (!(e instanceof SessionExpired)) throw e;
      return call(await this.ensureCookie(cookie));
    }
  }

  /** Ends the session on the server but keeps the cookie: the next call meets an expired session (tests). */
  async destroyServerSessionKeepingCookie(): Promise<void> {
    if (!this.cookie) return;
    await jsonRpc(`${this.opts.url}/web/session/destroy`, {}, { Cookie: this.cookie }, this.opts.policy, { transport: 'session', method: 'destroy', idempotent: true });
  }

  async close(): Promise<void> {
    const cookie = this.cookie;
    this.cookie = undefined;
    if (!cookie) return;
    try {
      await jsonRpc(`${this.opts.url}/web/session/destroy`, {}, { Cookie: cookie }, { ...this.opts.policy, retries: 0 }, { transport: 'session', method: 'destroy', idempotent: true });
    } catch {
      // a session that cannot be destroyed expires on its own
    }
  }
}
