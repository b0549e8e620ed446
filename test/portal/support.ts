/**
 * The portal's test stack: the in-process local stack (worker, API with the portal routes, Odoo and Brevo
 * simulators) on the run's Temporal dev server, and a small cookie-keeping client for the portal's JSON routes.
 */
import type { BrevoSimulator } from '../../sim/brevo/index';
import { startLocalStack, type LocalStack } from '../../stack/local-stack';

export async function startPortalStack(tag: string, env: NodeJS.ProcessEnv = {}): Promise<LocalStack> {
  return startLocalStack({
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', RATE_OTP_PER_PHONE: '1000', ...env },
    taskQueue: `portal-${tag}-${process.pid}`,
    apiStoreDir: 'memory://',
  });
}

export interface PortalReply {
  status: number;
  body: any;
  headers: Headers;
}

/** A browser's view of the portal's routes: keeps the cookie it is given, sends JSON. */
export class PortalClient {
  cookie = '';
  /** Headers of every request (e.g. X-Forwarded-For: the browser's address as the API's trusted proxy says it). */
  constructor(readonly base: string, readonly headers: Record<string, string> = {}) {}

  async send(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<PortalReply> {
    const h: Record<string, string> = { ...this.headers, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      this.cookie = pair!.endsWith('=') ? '' : pair!;
    }
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
  }

  start(restart = false) {
    return this.send('POST', '/portal/api/session', restart ? { restart } : {});
  }

  view() {
    return this.send('GET', '/portal/api/session');
  }

  choose(choice: string, eventId = crypto.randomUUID()) {
    return this.send('POST', '/portal/api/input', { eventId, choice });
  }

  type(text: string, eventId = crypto.randomUUID()) {
    return this.send('POST', '/portal/api/input', { eventId, text });
  }
}

/** The last code sent by SMS to this number (the simulated SMS a person would read). */
export function lastCode(brevo: BrevoSimulator, e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const msg = [...brevo.outbox].reverse().find((m) => m.channel === 'sms' && m.to.some((t) => t.replace(/\D/g, '') === digits) && /code/i.test(m.content ?? ''));
  const code = /(\d{6})/.exec(msg?.content ?? '')?.[1];
  if (!code) throw new Error(`no code sent to ${e164}`);
  return code;
}

/** The last portal link sent to this number. */
export function lastLinkToken(brevo: BrevoSimulator): string {
  const msg = [...brevo.outbox].reverse().find((m) => /\/portal\/link\//.test(`${m.content ?? ''}${m.text ?? ''}${JSON.stringify(m.params ?? {})}`));
  const token = /\/portal\/link\/([A-Za-z0-9_-]+)/.exec(`${msg?.content ?? ''}${msg?.text ?? ''}${JSON.stringify(msg?.params ?? {})}`)?.[1];
  if (!token) throw new Error('no portal link sent');
  return token;
}
