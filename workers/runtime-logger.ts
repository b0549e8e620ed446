/**
 * Installs the Temporal SDK's runtime: its logs, and its own metrics when asked.
 *
 * Routes the Temporal SDK's own logs (worker state, activity and workflow failures) into pino, without personal
 * data: failure messages can quote a value from a payload, so error objects are reduced to their type and the
 * SDK's metadata goes through the same PII censoring as every other log line.
 */
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { createLogger } from '../lib/log';

/**
 * The SDK's own metrics (task slots, schedule-to-start latencies, sticky cache, polls, ...) come from its core in
 * Rust, which serves them with its own Prometheus exporter: TEMPORAL_METRICS_ADDRESS (host:port, e.g.
 * 127.0.0.1:9466) opens it at GET /metrics on that address. It is a second scrape target beside the process's
 * METRICS_PORT (lib/metrics): the core's metrics are not bridged into prom-client. Durations are in seconds.
 */
const runtimeEnv = z.object({
  TEMPORAL_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9466 (0.0.0.0:9466 in a container)')
    .optional(),
});

function scrub(meta: LogMetadata | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (value instanceof Error) {
      out[key] = { type: (value as { type?: string }).type ?? value.name };
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = value;
    }
  }
  return out;
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/**
 * Installs the SDK runtime once per process with a PII-safe logger at `level` (default WARN), and the core's
 * Prometheus exporter when TEMPORAL_METRICS_ADDRESS is set. Returns that address, or null.
 */
export function installRuntimeLogger(
  level: LogLevel = (process.env.TEMPORAL_LOG_LEVEL as LogLevel) ?? 'WARN',
  log?: PinoLogger,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (installed) return null;
  const { TEMPORAL_METRICS_ADDRESS: metricsAddress } = parseEnv(runtimeEnv, env, 'Temporal SDK metrics configuration');
  installed = true;
  const target = log ?? createLogger('temporal-sdk');
  const logger = new DefaultLogger(level, (entry) => {
    target[LEVELS[entry.level]]({ ...scrub(entry.meta) }, entry.message);
  });
  try {
    Runtime.install({
      logger,
      ...(metricsAddress
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress, useSecondsForDurations: true } } } }
        : {}),
    });
  } catch {
    // A runtime already exists in this process (e.g. a test file installed its own); keep it.
    return null;
  }
  if (metricsAddress) target.info({ metrics: `http://${metricsAddress}/metrics` }, 'Temporal SDK metrics listening');
  return metricsAddress ?? null;
}
