/**
 * Starts the API: opens the store (migrations run), builds the Odoo and Brevo clients unless given, listens.
 * GET /healthz answers as soon as the server listens, with the store and Odoo states in its body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { createLogger } from '../lib/log';
import { explainListenError } from '../lib/net/ports';
import { createOdooClient, odooConfigFromEnv } from '../lib/odoo/client';
import { brevoConfigFromEnv, createBrevoClient, type BrevoConfig } from '../lib/brevo/client';
import { serveAdminSocket, type AdminSocket } from './admin-socket';
import { createApp } from './app';
import { loadApiConfig, type ApiConfig } from './config';
import type { ApiDeps } from './deps';
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
  deps: ApiDeps;
  stop(): Promise<void>;
}

export async function startApiServer(opts: StartApiOptions = {}): Promise<RunningApi> {
  const log = opts.log ?? createLogger('api');
  const config = opts.config ?? loadApiConfig(process.env, (m) => log.warn(m));
  const clock = opts.clock ?? systemClock;
  const ownStore = !opts.store;
  const store = opts.store ?? (await ApiStore.open({ databaseUrl: config.DATABASE_URL, dataDir: config.API_STORE_DIR }));
  const odoo = opts.odoo ?? createOdooClient(odooConfigFromEnv());
  const brevoOpt = opts.brevo ?? { config: brevoConfigFromEnv() };
  const brevo = 'config' in brevoOpt ? createBrevoClient(brevoOpt.config, { ledger: store.sendLedger(clock) }) : brevoOpt;
  const deps: ApiDeps = { config, store, odoo, brevo, clock, log, sessions: new SessionService(store, clock, config.SESSION_KEY, config.SESSION_TTL_SEC) };
  const server = http.createServer(createApp(deps, { routers: opts.routers ?? [] }));
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
    deps,
    async stop() {
      clearInterval(pruneTimer);
      await admin?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownStore) await store.close();
    },
  };
}
