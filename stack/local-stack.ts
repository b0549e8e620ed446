/**
 * The local stack: everything a session needs on one machine, real where configured, simulated where not.
 *  - Temporal: TEMPORAL_ADDRESS, else a dev server (with its UI and a database file when asked);
 *  - Odoo: ODOO_URL (+ credentials), else the Odoo simulator with fixtures;
 *  - Brevo: BREVO_API_KEY (+ BREVO_BASE_URL), else the Brevo simulator (its outbox is what scripts check);
 *  - speech-to-text: OPENAI_API_KEY, else the OpenAI-compatible simulator;
 *    (the one fallback policy of peers.ts decides and describes each peer);
 *  - the backend API on those peers, and a session worker calling it.
 * It runs in the calling process (`ivr simulate`, scripts/ui-screenshots.ts); stop() takes it all down in reverse
 * order. `npm start` runs the same parts as supervised child processes instead (supervised-stack.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { dataConverter } from '../lib/codec/data-converter';
import { createLogger } from '../lib/log';
import { createOdooClient, type OdooClient } from '../lib/odoo/client';
import { odooConfigFromEnv } from '../lib/odoo/config';
import { resolveTemporalServer, type DevServerOptions, type TemporalServer } from '../lib/temporal/server';
import type { BrevoSimulator } from '../sim/brevo';
import type { OdooFixtures, OdooSimulator } from '../sim/odoo/server';
import type { OpenAiSimulator } from '../sim/openai';
import { createSessionWorker } from '../workers/session-worker';
import { installRuntimeLogger } from '../workers/runtime-logger';
import { crmActivitiesFromEnv } from '../workers/crm-activities';
import { startLocalApi, type LocalApi } from './local-api';
import { localOperatorToken } from './operator-token';
import { crmRouterFromEnv } from '../api/crm/from-env';
import { webSessionRouterFromEnv } from '../api/routes/web-session';
import { consoleRouterFromEnv } from '../api/console/router';
import { choosePeers, configuredStatus, describePeer, PEER_NAMES, simulatorEnv, startSimulator, startedStatus, type PeerName, type PeerStatus } from './peers';

export interface LocalStackOptions {
  temporal?: DevServerOptions;
  /** Records loaded into the Odoo simulator (ignored when a real Odoo is configured). */
  odooFixtures?: OdooFixtures | string;
  /** API port; a free one when omitted. */
  apiPort?: number;
  taskQueue?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the API keeps its state (OTP challenges, idempotency records, consent log); `memory://` for none. */
  apiStoreDir?: string;
}

export interface LocalStack {
  temporal: TemporalServer;
  client: Client;
  taskQueue: string;
  apiUrl: string;
  odoo: OdooClient;
  /** Present when simulated. */
  odooSim?: OdooSimulator;
  brevoSim?: BrevoSimulator;
  openaiSim?: OpenAiSimulator;
  /** Each peer: where it is, simulator or real, started here or configured (a Brevo simulator behind BREVO_BASE_URL). */
  peers: Record<PeerName, PeerStatus>;
  /** The environment the stack's parts were configured with (simulator URLs and keys included). */
  env: NodeJS.ProcessEnv;
  /** What is real and what is simulated, for the start banner. */
  describe(): string[];
  stop(): Promise<void>;
}

const log = createLogger('local-stack');

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const env = { ...(opts.env ?? process.env) };
  const stops: (() => Promise<void>)[] = [];
  const lines: string[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.warn({ err: String(err) }, 'stop failed'));
    stops.length = 0;
  };
  try {
    installRuntimeLogger();
    const temporal = await resolveTemporalServer(opts.temporal, env);
    stops.push(() => temporal.stop());
    lines.push(`Temporal      ${temporal.address} (${temporal.source})`);

    // The peers, by the one fallback policy (peers.ts): simulators for those not configured, the others probed so
    // that a simulator behind a configured URL is known as one (scripts then read its outbox).
    const choices = choosePeers(env);
    const peers = {} as Record<PeerName, PeerStatus>;
    let odooSim: OdooSimulator | undefined;
    let brevoSim: BrevoSimulator | undefined;
    let openaiSim: OpenAiSimulator | undefined;
    for (const peer of PEER_NAMES) {
      const choice = choices[peer];
      if (choice.mode === 'configured') {
        peers[peer] = await configuredStatus(choice);
      } else {
        const sim = await startSimulator(peer, peer === 'odoo' && opts.odooFixtures ? { odooFixtures: opts.odooFixtures } : {});
        stops.push(() => sim.stop());
        if (sim.kind === 'odoo') odooSim = sim.handle;
        if (sim.kind === 'brevo') brevoSim = sim.handle;
        if (sim.kind === 'openai') openaiSim = sim.handle;
        Object.assign(env, simulatorEnv(sim.facts, env));
        peers[peer] = startedStatus(sim.facts);
      }
      lines.push(describePeer(peers[peer]));
    }

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverter() });
    const taskQueue = opts.taskQueue ?? `ivr-sessions`;

    if (opts.apiStoreDir) env.API_STORE_DIR = opts.apiStoreDir;
    // The worker calls the API from this machine for every caller: the per-IP OTP limit is for outside clients.
    env.RATE_IP_EXEMPT ??= '127.0.0.1,::1,::ffff:127.0.0.1';
    const crm = crmRouterFromEnv(env, { temporalClient: client, taskQueue, ...(openaiSim ? { useLlm: false } : {}) });
    const portal = webSessionRouterFromEnv(env, { client, taskQueue });
    const api: LocalApi = await startLocalApi(env, { port: opts.apiPort ?? 0, routers: [crm, portal, consoleRouterFromEnv(env, { client })] });
    stops.push(() => api.stop());
    lines.push(`Backend API   ${api.url} (OpenAPI at ${api.url}/openapi.json)`);
    lines.push(`Portal        ${api.url}/portal`);
    lines.push(`Console       ${api.url}/console (operators log in with the token of \`npx ivr operators add <name>\`)`);

    // The stack's own operator credential: the voice → CRM machine's calls to /crm/* carry it (added by the
    // backend activity on the way out, never in workflow state).
    const operatorToken = await localOperatorToken(env, api.deps);

    const odoo = createOdooClient(odooConfigFromEnv(env));
    stops.push(() => odoo.close());

    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => nativeConnection.close());
    const worker: Worker = await createSessionWorker({
      connection: nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      backendUrl: api.url,
      operatorToken,
      // With the OpenAI-compatible simulator there is no model to ask: captures use the French parser alone.
      extraActivities: { ...crmActivitiesFromEnv(env, openaiSim ? { useLlm: false } : {}) },
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    lines.push(`Worker        task queue ${taskQueue}`);


    return {
      temporal,
      client,
      taskQueue,
      apiUrl: api.url,
      odoo,
      odooSim,
      brevoSim,
      openaiSim,
      peers,
      env,
      describe: () => [...lines],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
