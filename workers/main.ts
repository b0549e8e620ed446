/**
 * `ivr worker`: the session worker process. Connects to Temporal, serves session workflows and their backend and
 * speech activities, and stops cleanly on SIGINT/SIGTERM (in-flight activities finish first).
 */
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { createLogger } from '../lib/log';
import { createSessionWorker } from './session-worker';
import { installRuntimeLogger } from './runtime-logger';
import { crmActivitiesFromEnv } from './crm-activities';
import { sealKeyFromEnv } from '../lib/secrets/seal';
import { serveMetricsFromEnv } from '../lib/metrics';

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1, 'TEMPORAL_ADDRESS is the Temporal frontend, e.g. 127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  SESSION_TASK_QUEUE: z.string().default('ivr-sessions'),
  BACKEND_URL: z.url('BACKEND_URL is the backend API base URL, e.g. http://127.0.0.1:3000'),
});

export async function runWorkerProcess(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = parseEnv(envSchema, env, 'worker configuration');
  // Read before connecting: a wrong SECRET_SEAL_KEY is a configuration error, not a failed call later.
  const sealKey = sealKeyFromEnv(env);
  installRuntimeLogger();
  const log = createLogger('worker');
  const metrics = await serveMetricsFromEnv(env, 'session worker metrics');
  if (metrics) log.info({ metrics: metrics.url }, 'session worker metrics listening');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createSessionWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.SESSION_TASK_QUEUE,
    backendUrl: config.BACKEND_URL,
    sealKey,
    // Voice → CRM captures run on the same queue; without Odoo settings the worker serves sessions only.
    ...(env.ODOO_URL ? { extraActivities: { ...crmActivitiesFromEnv(env) } } : {}),
  });
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log.info({ taskQueue: config.SESSION_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'session worker running');
  await worker.run();
  await connection.close();
  await metrics?.close();
  log.info('session worker stopped');
  return 0;
}
