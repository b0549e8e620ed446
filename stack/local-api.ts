/**
 * `startLocalApi()`: the API on embedded defaults. Without ODOO_URL it starts the Odoo simulator with the demo
 * fixture (admin/admin, db odoo); without BREVO_API_KEY the Brevo simulator (messages land in its outbox). With
 * them set, the real clients read their own ODOO_* / BREVO_* variables. Run: `npx tsx stack/local-api.ts`.
 */
import path from 'node:path';
import type { Router } from 'express';
import { createLogger } from '../lib/log';
import { createOdooClient, odooConfigFromEnv } from '../lib/odoo/client';
import { brevoConfigFromEnv } from '../lib/brevo/client';
import { startOdooSimulator, type OdooSimulator } from '../sim/odoo/server';
import { startBrevoSimulator, type BrevoSimulator } from '../sim/brevo/index';
import { loadApiConfig } from '../api/config';
import { startApiServer, type RunningApi } from '../api/server';

export interface LocalApi extends RunningApi {
  odooSim: OdooSimulator | null;
  brevoSim: BrevoSimulator | null;
}

export async function startLocalApi(env: NodeJS.ProcessEnv = process.env, opts: { port?: number; routers?: Router[] } = {}): Promise<LocalApi> {
  const log = createLogger('api');
  const config = loadApiConfig(env, (m) => log.warn(m));
  let odooSim: OdooSimulator | null = null;
  let brevoSim: BrevoSimulator | null = null;
  let odooConfig;
  if (env.ODOO_URL) {
    odooConfig = odooConfigFromEnv(env);
  } else {
    odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '../sim/odoo/fixtures/demo.json') });
    odooConfig = odooConfigFromEnv({ ODOO_URL: odooSim.url, ODOO_DB: odooSim.db, ODOO_LOGIN: 'admin', ODOO_PASSWORD: 'admin' });
    log.warn({ url: odooSim.url }, 'ODOO_URL unset: using the Odoo simulator with the demo fixture');
  }
  let brevoEnv: NodeJS.ProcessEnv = env;
  if (!env.BREVO_API_KEY) {
    brevoSim = await startBrevoSimulator();
    brevoEnv = { BREVO_API_KEY: 'simulator', BREVO_BASE_URL: brevoSim.url, BREVO_SMS_SENDER: config.SMS_SENDER_NAME, BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>' };
    log.warn({ url: brevoSim.url }, 'BREVO_API_KEY unset: using the Brevo simulator (messages stay in its outbox)');
  }
  let api: RunningApi;
  try {
    api = await startApiServer({ config, port: opts.port ?? config.PORT, odoo: createOdooClient(odooConfig), brevo: { config: brevoConfigFromEnv(brevoEnv) }, log, routers: opts.routers ?? [] });
  } catch (err) {
    // A port already taken must not leave the simulators started above listening.
    await odooSim?.stop();
    await brevoSim?.stop();
    throw err;
  }
  return {
    ...api,
    odooSim,
    brevoSim,
    async stop() {
      await api.stop();
      await odooSim?.stop();
      await brevoSim?.stop();
    },
  };
}

if (require.main === module) {
  startLocalApi().then(
    (api) => {
      const stop = () => void api.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
