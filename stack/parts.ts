/**
 * The parts of the supervised local stack, each run in a process of its own by part-main.ts:
 *   temporal  the Temporal dev server (pinned binary first), with its UI and database file
 *   sims      the simulators of the peers that are not configured (Odoo, Brevo, OpenAI-compatible; peers.ts)
 *   codec     the codec server the UI and the CLI decrypt payloads through
 *   api       the backend API with the voice → CRM routes
 *   worker    the session worker
 * A part's configuration comes as JSON (validated here); secrets come through its environment, never its argv.
 */
import { z } from 'zod';
import { localOperatorToken } from './operator-token';
import { loopbackUrl, PEER_NAMES, startSimulator, type SimulatorFacts, type StartedSimulator } from './peers';
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
  brevo: z.object({ port }).optional(),
  openai: z.object({ port }).optional(),
});

/** Starts the simulators asked for, through the one fallback policy (peers.ts); reports their facts as JSON. */
const runSims: PartRunner = async (config) => {
  const cfg = parse('sims', simsConfigSchema, config);
  const started: StartedSimulator[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    for (const peer of PEER_NAMES) {
      const want = cfg[peer];
      if (!want) continue;
      const fixtures = cfg.odoo && peer === 'odoo' ? { odooFixtures: cfg.odoo.fixtures } : {};
      started.push(await startSimulator(peer, { host: cfg.host, port: want.port, ...fixtures }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const simulators: SimulatorFacts[] = started.map((s) => s.facts);
  return { info: { simulators }, stop };
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
