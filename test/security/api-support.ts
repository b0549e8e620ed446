/**
 * The API as an attacker meets it: a real listening server (random port, loopback) on the Odoo and Brevo
 * simulators, with the voice → CRM router mounted the way the product mounts it (through `routers`), a clock the
 * tests move, and every log line kept so tests can read what was logged. Captures (which need Temporal) are not
 * exercised here: the CRM router gets a Temporal client that fails if ever used.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createCrmExtractor } from '../../lib/crm/extractor';
import { testConfig, type ApiConfig } from '../../api/config';
import { createCrmRouter } from '../../api/crm/router';
import { startApiServer, type RunningApi } from '../../api/server';
import { ensureOperator } from '../../api/services/operators';
import { ApiStore } from '../../api/store/store';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { createLogger } from '../../lib/log';
import { createOdooClient, type OdooClient } from '../../lib/odoo/client';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo/index';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';
import { FakeClock } from '../api/stack';

export interface SecurityStack {
  api: RunningApi;
  url: string;
  odooSim: OdooSimulator;
  brevoSim: BrevoSimulator;
  store: ApiStore;
  clock: FakeClock;
  /** Every log line of the API and the CRM router, raw JSON text. */
  logs: string[];
  /** A fresh operator token (creates or re-issues the named operator). */
  operatorToken(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A Temporal client that fails loudly: no security test may start a capture. */
const noTemporal = new Proxy({}, {
  get() {
    throw new Error('Temporal is not available in the security tests');
  },
}) as Client;

export async function startSecurityStack(config: Partial<ApiConfig> = {}): Promise<SecurityStack> {
  const odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '../../sim/odoo/fixtures/demo.json'), version: 19, phonenumbers: true });
  const brevoSim = await startBrevoSimulator();
  const store = await ApiStore.open({ dataDir: 'memory://' });
  const clock = new FakeClock(new Date('2030-03-01T09:00:00Z'));
  const logs: string[] = [];
  const destination = { write: (s: string) => void logs.push(s) };
  const odoo = (): OdooClient => createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', timeoutMs: 5000, retries: 0, backoffBaseMs: 10 });
  const crmOdoo = odoo();
  const crm = createCrmRouter({
    odoo: crmOdoo,
    extraction: createCrmExtractor({}),
    transcriber: { enabled: true, transcribe: async () => ({ text: '', model: 'none', language: 'fr', format: 'wav', bytes: 0 }) },
    temporalClient: noTemporal,
    taskQueue: 'unused',
    logger: createLogger('crm', { level: 'debug', destination }),
  });
  const api = await startApiServer({
    port: 0, host: '127.0.0.1', store, clock, odoo: odoo(),
    brevo: { config: { ...brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: brevoSim.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>' }), backoffBaseMs: 10 } },
    log: createLogger('api', { level: 'debug', destination }),
    routers: [crm],
    config: testConfig({ RATE_OTP_PER_PHONE: 1000, RATE_OTP_PER_IP: 1000, RATE_VERIFY_PER_IP: 1000, IDEMPOTENCY_WAIT_MS: 3000, ...config }),
  });
  return {
    api, url: api.url, odooSim, brevoSim, store, clock, logs,
    async operatorToken(name = 'security-test') {
      return (await ensureOperator({ store, config: api.deps.config, clock }, name)).token;
    },
    async stop() {
      await api.stop();
      await crmOdoo.close();
      await store.close();
      await odooSim.stop();
      await brevoSim.stop();
    },
  };
}
