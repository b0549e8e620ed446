/** The session worker. */
import { z } from 'zod';
import { NativeConnection } from '@temporalio/worker';
import { createSessionWorker } from '../../workers/session-worker';
import { installRuntimeLogger } from '../../workers/runtime-logger';
import { crmActivitiesFromEnv } from '../../workers/crm-activities';
import { serveMetricsFromEnv } from '../../lib/metrics';
import { parse, type PartRunner } from './common';

export const workerConfigSchema = z.object({ taskQueue: z.string().min(1) });

export const run: PartRunner = async (config, env) => {
  const cfg = parse('worker', workerConfigSchema, config);
  const address = env.TEMPORAL_ADDRESS;
  const backendUrl = env.BACKEND_URL;
  if (!address || !backendUrl) throw new Error('part worker: TEMPORAL_ADDRESS and BACKEND_URL must be in its environment');
  installRuntimeLogger();
  // The stack gives this part a METRICS_PORT of its own (the API's + 1) when metrics are asked for.
  const metrics = await serveMetricsFromEnv(env, 'session worker metrics');
  const connection = await NativeConnection.connect({ address }).catch(async (err: unknown) => {
    await metrics?.close();
    throw err;
  });
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
      info: { taskQueue: cfg.taskQueue, ...(metrics ? { metricsUrl: metrics.url } : {}) },
      done: running,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
        await metrics?.close();
      },
    };
  } catch (err) {
    await connection.close();
    await metrics?.close();
    throw err;
  }
};
