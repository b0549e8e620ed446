/**
 * `startLocalApi()`: the API on embedded defaults. Peers follow the one fallback policy (peers.ts): without ODOO_URL
 * it starts the Odoo simulator with the demo fixture; without BREVO_API_KEY the Brevo simulator (messages land in
 * its outbox). With them set, the clients read their own ODOO_* / BREVO_* variables.
 * Run: `npx tsx stack/local-api.ts`.
 */
import type { Router } from 'express';
import { createLogger } from '../lib/log';
import { createOdooClient, odooConfigFromEnv } from '../lib/odoo/client';
import { brevoConfigFromEnv } from '../lib/brevo/client';
import type { OdooSimulator } from '../sim/odoo/server';
import type { BrevoSimulator } from '../sim/brevo/index';
import { loadApiConfig } from '../api/config';
import { startApiServer, type RunningApi } from '../api/server';
import { choosePeer, simulatorEnv, startSimulator, type StartedSimulator } from './peers';

export interface LocalApi extends RunningApi {
  odooSim: OdooSimulator | null;
  brevoSim: BrevoSimulator | null;
}

export async function startLocalApi(env: NodeJS.ProcessEnv = process.env, opts: { port?: number; routers?: Router[] } = {}): Promise<LocalApi> {
  const log = createLogger('api');
  const config = loadApiConfig(env, (m) => log.warn(m));
  const peerEnv: NodeJS.ProcessEnv = { ...env };
  const started: StartedSimulator[] = [];
  const stopSims = async () => {
    for (const sim of started.reverse()) await sim.stop();
  };
  let api: RunningApi;
  try {
    for (const peer of ['odoo', 'brevo'] as const) {
      if (choosePeer(peer, env).mode !== 'simulate') continue;
      const sim = await startSimulator(peer);
      started.push(sim);
      Object.assign(peerEnv, simulatorEnv(sim.facts, env));
      log.warn({ url: sim.facts.url }, peer === 'odoo' ? 'ODOO_URL unset: using the Odoo simulator with the demo fixture' : 'BREVO_API_KEY unset: using the Brevo simulator (messages stay in its outbox)');
    }
    api = await startApiServer({
      config,
      port: opts.port ?? config.PORT,
      odoo: createOdooClient(odooConfigFromEnv(peerEnv)),
      brevo: { config: brevoConfigFromEnv(peerEnv) },
      log,
      routers: opts.routers ?? [],
    });
  } catch (err) {
    // A port already taken must not leave the simulators started above listening.
    await stopSims();
    throw err;
  }
  let odooSim: OdooSimulator | null = null;
  let brevoSim: BrevoSimulator | null = null;
  for (const s of started) {
    if (s.kind === 'odoo') odooSim = s.handle;
    if (s.kind === 'brevo') brevoSim = s.handle;
  }
  return {
    ...api,
    odooSim,
    brevoSim,
    async stop() {
      await api.stop();
      await stopSims();
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
