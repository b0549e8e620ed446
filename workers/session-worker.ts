/**
 * The session worker: runs session workflows and their backend / speech activities on one task queue.
 * Voice activities run elsewhere, on the task queue of the FreeSWITCH node that carries each call.
 */
import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createBackendActivities } from '../activities/backend/call-backend';
import type { SpeechActivities } from '../workflows/activity-types';
import { SESSION_TASK_QUEUE } from '../sessions/start';
import { dataConverter as productDataConverter, FAILURE_CONVERTER_PATH } from '../lib/codec/data-converter';
import { sealKeyFromEnv, type SealKey } from '../lib/secrets/seal';
import { activityMetricsInterceptor, METRICS_INTERCEPTOR_MODULE, sessionMetricsSinks } from './metrics';

export const WORKFLOWS_ENTRY = path.join(__dirname, '..', 'workflows', 'index.ts');

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the workflow code once per process (a few seconds); every worker of the process reuses it. */
export function sessionWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  // The failure converter runs inside the workflow sandbox, so it is part of the bundle.
  bundlePromise ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_ENTRY,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    // Sessions ended and turn starts leave the workflow through this interceptor (workers/metrics.ts).
    workflowInterceptorModules: [METRICS_INTERCEPTOR_MODULE],
    logger: quietBundlerLogger,
  });
  return bundlePromise;
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error };

export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Base URL of the backend API the machine's actions call. */
  backendUrl: string;
  speech?: SpeechActivities;
  /** Encrypting converter from lib/codec by default; every client of these sessions must use the same keys. */
  dataConverter?: DataConverter;
  /**
   * Key that seals session tokens in backend answers (lib/secrets/seal.ts); from SECRET_SEAL_KEY when omitted (the
   * development key outside production). Every worker of these sessions must hold the same key.
   */
  sealKey?: SealKey;
  /** Operator token for the API's operator routes (/crm/*) the voice → CRM machine calls; IVR_OPERATOR_TOKEN when omitted. */
  operatorToken?: string;
  /** Extra activities (tests, other channels served by the same process). */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
}

export async function createSessionWorker(opts: SessionWorkerOptions): Promise<Worker> {
  const speech: SpeechActivities = opts.speech ?? {
    async transcribe() {
      throw new Error('speech-to-text is not configured on this worker');
    },
  };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? SESSION_TASK_QUEUE,
    workflowBundle: await sessionWorkflowBundle(),
    activities: {
      ...createBackendActivities({
        baseUrl: opts.backendUrl,
        sealKey: opts.sealKey ?? sealKeyFromEnv(process.env),
        ...(opts.operatorToken ? { operatorToken: opts.operatorToken } : {}),
      }),
      ...speech, ...(opts.extraActivities ?? {}) },
    dataConverter: opts.dataConverter ?? productDataConverter(),
    sinks: sessionMetricsSinks(),
    interceptors: { activity: [activityMetricsInterceptor] },
    // A caller hears dead air while a dead worker's sticky queue times out: fall back to another worker quickly.
    stickyQueueScheduleToStartTimeout: '3 seconds',
  });
}
