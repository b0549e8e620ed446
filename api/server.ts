/**
 * Starts the API: opens the store (migrations run), builds the Odoo and Brevo clients unless given, listens.
 * GET /healthz answers as soon as the server listens, with the store and Odoo states in its body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { createLogger } from '../lib/log';
import { startMetricsServer, type MetricsServer } from '../lib/metrics';
import { explainListenError } from '../lib/net/ports';
import { createOdooClient, odooConfigFromEnv } from '../lib/odoo/client';
import { brevoConfigFromEnv, createBrevoClient, type BrevoConfig } from '../lib/brevo/client';
import { serveAdminSocket, type AdminSocket } from './admin-socket';
import { createApp } from './app';
import { loadApiConfig, type ApiConfig } from './config';
import type { ApiDeps } from './deps';
import { instrumentBrevo, instrumentOdoo, withHttpMetrics } from './metrics';
import { systemClock, type BrevoPort, type Clock, type OdooPort } from './ports';
import { SessionService } from './services/sessions';
import { ApiStore } from './store/store';

export interface StartApiOptions {
  port?: number;
  host?: string;
  config?: ApiConfig;
  store?: ApiStore;
  odoo?: OdooPort;
  /** A ready client, or a config for one (its ledger is the store's). */
  brevo?: BrevoPort | { config: BrevoConfig };
  clock?: Clock;
  log?: Logger;
  /** Routers mounted after the API's own routes (see AppExtras). */
  routers?: Router[];
  /**
   * Serve `ivr operators` through the administration socket in the store's folder (admin-socket.ts); only when this
   * API opens an embedded store on disk itself. Default true.
   */
  adminSocket?: boolean;
}

export interface RunningApi {
  url: string;
  port: number;
  /** The address the server is bound to (127.0.0.1 unless HOST opened it). */
  host: string;
  /** GET /metrics on its own listener when METRICS_PORT is set (see api/metrics.ts for the token rule). */
  metricsUrl: string | null;
  deps: ApiDeps;
  stop(): Promise<void>;
}

export async function startApiServer(opts: StartApiOptions = {}): Promise<RunningApi> {
  const log = opts.log ?? createLogger('api');
  const config = opts.config ?? loadApiConfig(process.env, (m) => log.warn(m));
  const clock = opts.clock ?? systemClock;
  const ownStore = !opts.store;
  const store = opts.store ?? (await ApiStore.open({ databaseUrl: config.DATABASE_URL, dataDir: config.API_STORE_DIR }));
  // Every peer call is timed per endpoint (ivr_peer_request_duration_seconds), whoever built the client.
  const odoo = instrumentOdoo(opts.odoo ?? createOdooClient(odooConfigFromEnv()));
  const brevoOpt = opts.brevo ?? { config: brevoConfigFromEnv() };
  const brevo = instrumentBrevo('config' in brevoOpt ? createBrevoClient(brevoOpt.config, { ledger: store.sendLedger(clock) }) : brevoOpt);
  const deps: ApiDeps = { config, store, odoo, brevo, clock, log, sessions: new SessionService(store, clock, config.SESSION_KEY, config.SESSION_TTL_SEC) };
  const server = http.createServer(withHttpMetrics(createApp(deps, { routers: opts.routers ?? [] }), { token: config.METRICS_TOKEN }));
  const port = opts.port ?? config.PORT;
  const host = opts.host ?? config.HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explainListenError(err, port, host, 'backend API', 'PORT')));
    server.listen(port, host, () => resolve());
  }).catch(async (err: unknown) => {
    if (ownStore) await store.close();
    throw err;
  });
  const bound = server.address() as AddressInfo;
  const actual = bound.port;
  log.info({ port: actual, host, store: store.db.kind }, 'api listening');
  let metrics: MetricsServer | null = null;
  if (config.METRICS_PORT !== undefined) {
    try {
      metrics = await startMetricsServer({
        port: config.METRICS_PORT,
        host: config.METRICS_HOST,
        ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}),
        what: 'backend API metrics',
      });
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownStore) await store.close();
      throw err;
    }
    log.info({ metrics: metrics.url, token: config.METRICS_TOKEN ? 'required' : 'none' }, 'api metrics listening');
  }
  const prune = () => store.prune(clock.now(), config.STORE_RETENTION_DAYS).catch((e: unknown) => log.warn({ cause: e instanceof Error ? e.name : typeof e }, 'store prune failed'));
  void prune();
  const pruneTimer = setInterval(() => void prune(), 3_600_000);
  pruneTimer.unref();
  // The embedded store admits one process: operator administration reaches it through this API while it runs.
  let admin: AdminSocket | null = null;
  if (ownStore && store.db.kind === 'pglite' && config.API_STORE_DIR !== 'memory://' && opts.adminSocket !== false) {
    try {
      admin = await serveAdminSocket({ storeDir: config.API_STORE_DIR, target: { store, key: config.SESSION_KEY, clock, log }, log });
    } catch (err) {
      log.warn({ cause: err instanceof Error ? err.message : String(err) }, 'operator administration socket not started: `ivr operators` cannot reach this API while it runs (stop it to manage operators)');
    }
  }
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${actual}`,
    port: actual,
    host: bound.address,
    metricsUrl: metrics?.url ?? null,
    deps,
    async stop() {
      clearInterval(pruneTimer);
      await metrics?.close();
      await admin?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownStore) await store.close();
    },
  };
}
