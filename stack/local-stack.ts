/**
 * The local stack: everything a session needs on one machine, real where configured, simulated where not.
 *  - Temporal: TEMPORAL_ADDRESS, else a dev server (with its UI and a database file when asked);
 *  - Odoo: ODOO_URL (+ credentials), else the Odoo simulator with fixtures;
 *  - Brevo: BREVO_API_KEY, else the Brevo simulator (its outbox is what scripts check);
 *  - speech-to-text: OPENAI_API_KEY, else the OpenAI-compatible simulator;
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
import { startBrevoSimulator, type BrevoSimulator } from '../sim/brevo';
import { startOdooSimulator, type OdooFixtures, type OdooSimulator } from '../sim/odoo/server';
import { startOpenAiSimulator, type OpenAiSimulator } from '../sim/openai';
import { createSessionWorker } from '../workers/session-worker';
import { installRuntimeLogger } from '../workers/runtime-logger';
import { crmActivitiesFromEnv } from '../workers/crm-activities';
import { startLocalApi, type LocalApi } from './local-api';
import { localOperatorToken } from './operator-token';
import { crmRouterFromEnv } from '../api/crm/from-env';

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

    let odooSim: OdooSimulator | undefined;
    if (!env.ODOO_URL) {
      odooSim = await startOdooSimulator({ fixtures: opts.odooFixtures ?? require.resolve('../sim/odoo/fixtures/demo.json') });
      stops.push(() => odooSim!.stop());
      Object.assign(env, { ODOO_URL: odooSim.url, ODOO_DB: odooSim.db, ODOO_LOGIN: 'admin', ODOO_PASSWORD: 'admin' });
      lines.push(`Odoo          ${odooSim.url} (simulator, Odoo ${odooSim.version}, db ${odooSim.db}, admin/admin)`);
    } else lines.push(`Odoo          ${env.ODOO_URL} (real)`);

    let brevoSim: BrevoSimulator | undefined;
    if (!env.BREVO_API_KEY) {
      brevoSim = await startBrevoSimulator({ apiKey: 'local-brevo-key' });
      stops.push(() => brevoSim!.stop());
      Object.assign(env, {
        BREVO_API_KEY: 'local-brevo-key',
        BREVO_BASE_URL: brevoSim.url,
        BREVO_SMS_SENDER: env.BREVO_SMS_SENDER ?? 'Cabinet',
        BREVO_EMAIL_SENDER: env.BREVO_EMAIL_SENDER ?? 'Cabinet <rdv@cabinet.example>',
      });
      lines.push(`Brevo         ${brevoSim.url} (simulator; outbox at ${brevoSim.url}/_sim/outbox)`);
    } else lines.push('Brevo         api.brevo.com (real)');

    let openaiSim: OpenAiSimulator | undefined;
    if (!env.OPENAI_API_KEY) {
      openaiSim = await startOpenAiSimulator({ apiKey: 'local-openai-key' });
      stops.push(() => openaiSim!.stop());
      Object.assign(env, { OPENAI_API_KEY: 'local-openai-key', OPENAI_BASE_URL: openaiSim.url });
      lines.push(`Speech (STT)  ${openaiSim.url} (OpenAI-compatible simulator)`);
    } else lines.push(`Speech (STT)  ${env.OPENAI_BASE_URL ?? 'api.openai.com'} (real)`);

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverter() });
    const taskQueue = opts.taskQueue ?? `ivr-sessions`;

    if (opts.apiStoreDir) env.API_STORE_DIR = opts.apiStoreDir;
    // The worker calls the API from this machine for every caller: the per-IP OTP limit is for outside clients.
    env.RATE_IP_EXEMPT ??= '127.0.0.1,::1,::ffff:127.0.0.1';
    const crm = crmRouterFromEnv(env, { temporalClient: client, taskQueue, ...(openaiSim ? { useLlm: false } : {}) });
    const api: LocalApi = await startLocalApi(env, { port: opts.apiPort ?? 0, routers: [crm] });
    stops.push(() => api.stop());
    lines.push(`Backend API   ${api.url} (OpenAPI at ${api.url}/openapi.json)`);

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
      env,
      describe: () => [...lines],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
