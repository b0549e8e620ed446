/**
 * Test stack: the real Odoo and Brevo simulators, one embedded store (in memory) and API servers on random ports,
 * with a clock the tests move. Several servers may share the store (different configs, one database).
 */
import path from 'node:path';
import type { Router } from 'express';
import pino from 'pino';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { createOdooClient } from '../../lib/odoo/client';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo/index';
import { startOdooSimulator, type OdooSimulator, type OdooVersion } from '../../sim/odoo/server';
import { testConfig, type ApiConfig } from '../../api/config';
import { startApiServer, type RunningApi } from '../../api/server';
import { ApiStore } from '../../api/store/store';

export class FakeClock {
  constructor(public t: Date) {}
  now(): Date {
    return new Date(this.t.getTime());
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export interface Stack {
  odooSim: OdooSimulator;
  brevoSim: BrevoSimulator;
  store: ApiStore;
  clock: FakeClock;
  api: RunningApi;
  /** Another server on the same store and simulators. */
  server(opts?: { config?: Partial<ApiConfig>; odoo?: { url?: string; timeoutMs?: number; retries?: number }; routers?: Router[] }): Promise<RunningApi>;
  stop(): Promise<void>;
}

export const silent = pino({ level: 'silent' });

export async function startStack(
  now = new Date('2030-03-01T09:00:00Z'),
  config: Partial<ApiConfig> = {},
  odoo: { version?: OdooVersion; phonenumbers?: boolean } = {},
): Promise<Stack> {
  const odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '../../sim/odoo/fixtures/demo.json'), version: odoo.version ?? 19, phonenumbers: odoo.phonenumbers ?? true });
  const brevoSim = await startBrevoSimulator();
  const store = await ApiStore.open({ dataDir: 'memory://' });
  const clock = new FakeClock(now);
  const servers: RunningApi[] = [];
  const server: Stack['server'] = async (opts = {}) => {
    const odoo = createOdooClient({ url: opts.odoo?.url ?? odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', timeoutMs: opts.odoo?.timeoutMs ?? 5000, retries: opts.odoo?.retries ?? 0, backoffBaseMs: 10 });
    const brevo = {
      config: {
        ...brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: brevoSim.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>' }),
        backoffBaseMs: 10,
      },
    };
    const api = await startApiServer({
      port: 0, host: '127.0.0.1', store, clock, odoo, brevo, log: silent, routers: opts.routers ?? [],
      config: testConfig({ RATE_OTP_PER_PHONE: 1000, RATE_OTP_PER_IP: 1000, IDEMPOTENCY_WAIT_MS: 3000, ...config, ...opts.config }),
    });
    servers.push(api);
    return api;
  };
  const api = await server();
  return {
    odooSim, brevoSim, store, clock, api, server,
    async stop() {
      for (const s of servers) await s.stop();
      await store.close();
      await odooSim.stop();
      await brevoSim.stop();
    },
  };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(base: string, method: string, path: string, opts: { body?: unknown; raw?: string; token?: string; key?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  const res = await fetch(base + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** The code of the last SMS sent to this number. */
export function lastCode(brevoSim: BrevoSimulator, e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const msg = [...brevoSim.outbox].reverse().find((m) => m.channel === 'sms' && m.to.some((t) => t.replace(/\D/g, '') === digits) && /code/.test(m.content ?? ''));
  const code = /(\d{6})/.exec(msg?.content ?? '')?.[1];
  if (!code) throw new Error(`no code sent to ${e164}`);
  return code;
}

export async function login(base: string, brevoSim: BrevoSimulator, phone: string): Promise<{ token: string; partnerId: number }> {
  const r = await call(base, 'PUT', '/auth/request-otp', { body: { phone_e164: phone, channel: 'sms', purpose: 'portal_login', role: 'client' } });
  if (r.status !== 200) throw new Error(`request-otp ${r.status} ${JSON.stringify(r.body)}`);
  const v = await call(base, 'PUT', '/auth/verify-otp', { body: { phone_e164: phone, otp: lastCode(brevoSim, phone), challenge_id: r.body.challenge_id } });
  if (v.status !== 200) throw new Error(`verify-otp ${v.status} ${JSON.stringify(v.body)}`);
  return { token: v.body.session_token, partnerId: v.body.partner_id };
}
