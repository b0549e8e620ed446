/**
 * Routes the Temporal SDK's own logs (worker state, activity and workflow failures) into pino, without personal
 * data: failure messages can quote a value from a payload, so error objects are reduced to their type and the
 * SDK's metadata goes through the same PII censoring as every other log line.
 */
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { createLogger } from '../lib/log';

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

/** Installs the SDK runtime once per process with a PII-safe logger at `level` (default WARN). */
export function installRuntimeLogger(level: LogLevel = (process.env.TEMPORAL_LOG_LEVEL as LogLevel) ?? 'WARN', log?: PinoLogger): void {
  if (installed) return;
  installed = true;
  const target = log ?? createLogger('temporal-sdk');
  const logger = new DefaultLogger(level, (entry) => {
    target[LEVELS[entry.level]]({ ...scrub(entry.meta) }, entry.message);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // A runtime already exists in this process (e.g. a test file installed its own); keep it.
  }
}
