/**
 * The parts of the supervised local stack, each run in a process of its own by part-main.ts:
 *   temporal  the Temporal dev server (pinned binary first), with its UI and database file
 *   sims      the simulators of the peers that are not configured (Odoo, Brevo, OpenAI-compatible)
 *   codec     the codec server the UI and the CLI decrypt payloads through
 *   api       the backend API with the voice → CRM routes
 *   worker    the session worker
 * A part's configuration comes as JSON (validated here); secrets come through its environment, never its argv.
 */
import path from 'node:path';
import { z } from 'zod';
import { localOperatorToken } from './operator-token';
import type { PartInfo } from './supervisor';

export interface RunningPartHandle {
  info: PartInfo;
  stop(): Promise<void>;
  /** Settles when the part ends by itself (a dead dev server, a worker that stopped): the process then exits. */
  done?: Promise<unknown>;
}

type PartRunner = (config: unknown, env: NodeJS.ProcessEnv) => Promise<RunningPartHandle>;

const port = z.number().int().min(0).max(65535);

function parse<S extends z.ZodType>(part: string, schema: S, config: unknown): z.infer<S> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`part ${part}: bad configuration from the supervisor: ${where}`);
}

/** A URL other processes on this machine can use, whatever interface the server listens on. */
export function loopbackUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
  return u.toString().replace(/\/$/, '');
}

export const temporalConfigSchema = z.object({
  port,
  uiPort: port,
  dbFilename: z.string().min(1),
  uiCodecEndpoint: z.url(),
  namespace: z.string().min(1),
});

const runTemporal: PartRunner = async (config) => {
  const cfg = parse('temporal', temporalConfigSchema, config);
  /* eslint-disable @typescript-eslint/no-require-imports -- each part loads only what it runs */
  const { localTemporalCli, resolveTemporalServer, startDevServerFrom } = require('../lib/temporal/server') as typeof import('../lib/temporal/server');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const cli = localTemporalCli();
  if (cli) {
    const server = await startDevServerFrom(cli.path, cfg);
    const pid = server.process.pid;
    return {
      info: { address: server.address, source: cli.source, pids: pid ? [pid] : [] },
      stop: server.stop,
      done: new Promise((resolve) => server.process.once('exit', resolve)),
    };
  }
  const { TEMPORAL_ADDRESS: _ignored, ...env } = process.env;
  const server = await resolveTemporalServer(cfg, env);
  return { info: { address: server.address, source: server.source, pids: [] }, stop: server.stop };
};

export const simsConfigSchema = z.object({
  host: z.string().min(1),
  odoo: z.object({ port, fixtures: z.string().min(1) }).optional(),
  brevo: z.object({ port, apiKey: z.string().min(1) }).optional(),
  openai: z.object({ port, apiKey: z.string().min(1) }).optional(),
});

const runSims: PartRunner = async (config) => {
  const cfg = parse('sims', simsConfigSchema, config);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startOdooSimulator } = require('../sim/odoo/server') as typeof import('../sim/odoo/server');
  const { startBrevoSimulator } = require('../sim/brevo') as typeof import('../sim/brevo');
  const { startOpenAiSimulator } = require('../sim/openai') as typeof import('../sim/openai');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  const info: PartInfo = { lines: [] };
  try {
    if (cfg.odoo) {
      const sim = await startOdooSimulator({ port: cfg.odoo.port, host: cfg.host, fixtures: cfg.odoo.fixtures });
      stops.push(() => sim.stop());
      info.odoo = { url: loopbackUrl(sim.url), db: sim.db };
      info.lines!.push(`Odoo          ${loopbackUrl(sim.url)} (simulator, Odoo ${sim.version}, db ${sim.db}, admin/admin)`);
    }
    if (cfg.brevo) {
      const sim = await startBrevoSimulator({ port: cfg.brevo.port, host: cfg.host, apiKey: cfg.brevo.apiKey });
      stops.push(() => sim.stop());
      info.brevo = { url: loopbackUrl(sim.url) };
      info.lines!.push(`Brevo         ${loopbackUrl(sim.url)} (simulator; outbox at ${loopbackUrl(sim.url)}/_sim/outbox)`);
    }
    if (cfg.openai) {
      const sim = await startOpenAiSimulator({ port: cfg.openai.port, host: cfg.host, apiKey: cfg.openai.apiKey });
      stops.push(() => sim.stop());
      info.openai = { url: loopbackUrl(sim.url) };
      info.lines!.push(`Speech (STT)  ${loopbackUrl(sim.url)} (OpenAI-compatible simulator)`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { info, stop };
};

export const codecConfigSchema = z.object({
  port,
  host: z.string().min(1),
  allowedOrigins: z.array(z.url()).min(1),
});

const runCodec: PartRunner = async (config, env) => {
  const cfg = parse('codec', codecConfigSchema, config);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startCodecServer } = require('../lib/codec/codec-server') as typeof import('../lib/codec/codec-server');
  const { loadKeyring } = require('../lib/codec/keys') as typeof import('../lib/codec/keys');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const token = env.CODEC_SERVER_TOKEN?.trim();
  if (!token) throw new Error('part codec: CODEC_SERVER_TOKEN is missing from its environment (the supervisor always sets one)');
  const server = await startCodecServer({ port: cfg.port, host: cfg.host, keyring: loadKeyring(env), allowedOrigins: cfg.allowedOrigins, authToken: token });
  return { info: { url: loopbackUrl(server.url) }, stop: () => server.close() };
};

export const apiConfigSchema = z.object({ port, taskQueue: z.string().min(1) });

const runApi: PartRunner = async (config, env) => {
  const cfg = parse('api', apiConfigSchema, config);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Client, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
  const { dataConverter } = require('../lib/codec/data-converter') as typeof import('../lib/codec/data-converter');
  const { crmRouterFromEnv } = require('../api/crm/from-env') as typeof import('../api/crm/from-env');
  const { startLocalApi } = require('./local-api') as typeof import('./local-api');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const address = env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('part api: TEMPORAL_ADDRESS is missing from its environment');
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: dataConverter() });
    const crm = crmRouterFromEnv(env, { temporalClient: client, taskQueue: cfg.taskQueue });
    const api = await startLocalApi(env, { port: cfg.port, routers: [crm] });
    let operatorToken: string;
    try {
      operatorToken = await localOperatorToken(env, api.deps);
    } catch (err) {
      await api.stop();
      throw err;
    }
    return {
      info: { url: api.url, host: api.host, operatorToken },
      async stop() {
        await api.stop();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
};

export const workerConfigSchema = z.object({ taskQueue: z.string().min(1) });

const runWorker: PartRunner = async (config, env) => {
  const cfg = parse('worker', workerConfigSchema, config);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NativeConnection } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const { createSessionWorker } = require('../workers/session-worker') as typeof import('../workers/session-worker');
  const { installRuntimeLogger } = require('../workers/runtime-logger') as typeof import('../workers/runtime-logger');
  const { crmActivitiesFromEnv } = require('../workers/crm-activities') as typeof import('../workers/crm-activities');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const address = env.TEMPORAL_ADDRESS;
  const backendUrl = env.BACKEND_URL;
  if (!address || !backendUrl) throw new Error('part worker: TEMPORAL_ADDRESS and BACKEND_URL must be in its environment');
  installRuntimeLogger();
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await createSessionWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: cfg.taskQueue,
      backendUrl,
      extraActivities: { ...crmActivitiesFromEnv(env) },
    });
    const running = worker.run();
    return {
      info: { taskQueue: cfg.taskQueue },
      done: running,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
};

export const PART_RUNNERS: Record<string, PartRunner> = {
  temporal: runTemporal,
  sims: runSims,
  codec: runCodec,
  api: runApi,
  worker: runWorker,
};

export const DEMO_ODOO_FIXTURES = path.join(__dirname, '..', 'sim', 'odoo', 'fixtures', 'demo.json');
