/**
 * The voice worker: one per FreeSWITCH node, on that node's host (it writes the prompt WAVs FreeSWITCH plays and
 * reads the recordings FreeSWITCH writes). Task queue `voice-<node>`: the voice activities over the node's event
 * socket, and `transcribe` (the recording is on this disk).
 *
 *   npx tsx workers/voice-worker.ts        (ESL_* for the node, TEMPORAL_ADDRESS, VOICE_*, OPENAI_*)
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { createTranscribeActivity } from '../activities/stt/transcribe';
import type { Logger } from 'pino';
import { createVoiceActivities, voiceConfigFromEnv, type VoiceConfig } from '../activities/voice';
import type { PromptRenderer } from '../activities/voice/tts';
import { loadNodes, NodesEnvSchema, voiceTaskQueue, type EslNode } from '../lib/esl/nodes';
import { EslConnection } from '../lib/esl';
import { dataConverter as productDataConverter } from '../lib/codec/data-converter';
import { parseEnv } from '../lib/env';
import { createLogger } from '../lib/log';
import { createTranscriber, sttConfigFromEnv, type Transcriber } from '../lib/stt/transcriber';
import { serveMetricsFromEnv, watchEslConnection } from '../lib/metrics';
import { activityMetricsInterceptor } from './metrics';
import { installRuntimeLogger } from './runtime-logger';

export interface VoiceWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  node: string;
  /** Connected (or about to be) to that node. */
  esl: EslConnection;
  /** Extra connections to the node for commands (see createVoiceActivities). */
  commandPool?: EslConnection[];
  config: VoiceConfig;
  transcriber: Transcriber;
  prompts?: PromptRenderer;
  dataConverter?: DataConverter;
  /** Concurrent activities; a call holds one while a prompt plays. */
  maxConcurrentActivityTaskExecutions?: number;
  /** The activities' logger (a `voice` logger when omitted). */
  logger?: Logger;
}

export interface VoiceWorker {
  worker: Worker;
  taskQueue: string;
}

export async function createVoiceWorker(opts: VoiceWorkerOptions): Promise<VoiceWorker> {
  const voice = createVoiceActivities({
    esl: opts.esl,
    config: opts.config,
    ...(opts.commandPool ? { commandPool: opts.commandPool } : {}),
    ...(opts.prompts ? { prompts: opts.prompts } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  // Drops and reconnects of this node's sockets (ivr_esl_*), followed from before the first connect.
  for (const c of [opts.esl, ...(opts.commandPool ?? [])]) watchEslConnection(c, 'voice-worker', opts.node);
  for (const c of [opts.esl, ...(opts.commandPool ?? [])]) if (!c.isReady) await c.connect();
  await voice.subscribe();
  const transcribe = createTranscribeActivity({ transcriber: opts.transcriber, allowedDirs: [opts.config.recordDir] });
  const taskQueue = voiceTaskQueue(opts.node);
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue,
    activities: { ...voice.activities, transcribe },
    dataConverter: opts.dataConverter ?? productDataConverter(),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 1000,
    // A voice turn is the first command after most inputs: its start closes the turn latency (workers/metrics.ts).
    interceptors: { activity: [activityMetricsInterceptor] },
  });
  return { worker, taskQueue };
}

const WorkerEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Which node of ESL_NODES this worker serves (its host); the only node when ESL_HOST… are used. */
  VOICE_NODE: z.string().optional(),
  /** Event-socket connections for commands (one also follows the events). */
  VOICE_ESL_CONNECTIONS: z.coerce.number().int().min(1).max(16).default(1),
});

/** Process entry: reads the environment, serves until SIGINT/SIGTERM. Returns the exit code. */
export async function runVoiceWorkerProcess(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = createLogger('voice-worker');
  const w = parseEnv(WorkerEnv, env, 'voice worker configuration');
  const nodes = loadNodes(parseEnv(NodesEnvSchema, env, 'event-socket configuration'));
  const node: EslNode | undefined = w.VOICE_NODE ? nodes.find((n) => n.name === w.VOICE_NODE) : nodes.length === 1 ? nodes[0] : undefined;
  if (!node) {
    log.error({ nodes: nodes.map((n) => n.name) }, 'set VOICE_NODE to the node this worker runs beside (one of ESL_NODES)');
    return 2;
  }
  const connect = () => new EslConnection({ host: node.host, port: node.port, password: node.password, logger: createLogger('esl') });
  const esl = connect();
  const commandPool = Array.from({ length: w.VOICE_ESL_CONNECTIONS - 1 }, connect);
  installRuntimeLogger();
  const metrics = await serveMetricsFromEnv(env, 'voice worker metrics');
  if (metrics) log.info({ metrics: metrics.url }, 'voice worker metrics listening');
  const connection = await NativeConnection.connect({ address: w.TEMPORAL_ADDRESS });
  const { worker, taskQueue } = await createVoiceWorker({
    connection,
    namespace: w.TEMPORAL_NAMESPACE,
    node: node.name,
    esl,
    commandPool,
    config: voiceConfigFromEnv(env),
    transcriber: createTranscriber(sttConfigFromEnv(env)),
  });
  log.info({ node: node.name, taskQueue }, 'voice worker running');
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.run();
  await Promise.all([esl, ...commandPool].map((c) => c.close()));
  await connection.close();
  await metrics?.close();
  return 0;
}

if (require.main === module) {
  runVoiceWorkerProcess().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
