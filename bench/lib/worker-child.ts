/**
 * The session worker as its own process, so the bench samples its memory apart from the load generator's.
 * Started by bench/lib/worker-process.ts as `node -r tsx/cjs bench/lib/worker-child.ts`; says `{ready}` over IPC
 * once polling, stops on a `stop` message, SIGTERM/SIGINT, or when the parent goes away (no orphan worker).
 *
 * BENCH_WORKER_MODULE may name another module exporting `createSessionWorker` with the same options: a private
 * copy of workers/session-worker.ts with other settings, to measure a proposed change before making it.
 */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { z } from 'zod';
import { parseEnv } from '../../lib/env';
import type { SessionWorkerOptions } from '../../workers/session-worker';

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1, 'TEMPORAL_ADDRESS is the Temporal frontend, e.g. 127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  BENCH_TASK_QUEUE: z.string().min(1),
  BACKEND_URL: z.url(),
  BENCH_WORKER_MODULE: z.string().optional(),
});

type Factory = (opts: SessionWorkerOptions) => Promise<Worker>;

function isWorkerModule(mod: unknown): mod is { createSessionWorker: Factory } {
  return typeof mod === 'object' && mod !== null && 'createSessionWorker' in mod && typeof mod.createSessionWorker === 'function';
}

async function main(): Promise<void> {
  const config = parseEnv(envSchema, process.env, 'bench worker configuration');
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => process.stderr.write(`[worker] ${entry.level} ${entry.message}\n`)) });
  const modulePath = config.BENCH_WORKER_MODULE
    ? path.resolve(config.BENCH_WORKER_MODULE)
    : path.join(__dirname, '..', '..', 'workers', 'session-worker');
  // require, not import(): the child runs under tsx's CommonJS hook, which resolves .ts files without extension.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time (BENCH_WORKER_MODULE)
  const loaded: unknown = require(modulePath);
  if (!isWorkerModule(loaded)) {
    throw new Error(`${modulePath} does not export createSessionWorker; BENCH_WORKER_MODULE must name a copy of workers/session-worker.ts`);
  }
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await loaded.createSessionWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.BENCH_TASK_QUEUE,
    backendUrl: config.BACKEND_URL,
  });
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('message', (m) => {
    if (m === 'stop') stop();
    // A memory sample after a full collection of this thread's heap: garbage left by start-up (tsx, bundling)
    // would otherwise swing RSS by tens of MB and drown the per-session figure at low session counts.
    if (m === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      setTimeout(() => process.send?.({ gcDone: true }), 50);
    }
  });
  process.once('disconnect', stop);
  const running = worker.run();
  // Polling starts within run(); RUNNING is the first moment tasks can be taken.
  for (let i = 0; i < 200 && worker.getState() !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));
  process.send?.({ ready: true, pid: process.pid });
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[worker] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
