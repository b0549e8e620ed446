/**
 * One prom-client registry per process: the API, a worker and the esl-bridge each export what they registered.
 * Metrics are created on first use, so a process exports only the families it actually runs.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRIC_DEFS, PROCESS_METRICS_PREFIX } from './names';

type Key = keyof typeof METRIC_DEFS;
type KeyOf<T extends string> = { [K in Key]: (typeof METRIC_DEFS)[K]['type'] extends T ? K : never }[Key];

export const registry = new Registry();

/** Latency buckets in seconds: turns and API calls target tens of milliseconds, peers may take seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let processMetrics = false;

/** CPU, memory, event loop and GC figures of this process (ivr_process_*, ivr_nodejs_*), once per process. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry, prefix: PROCESS_METRICS_PREFIX });
}

type Labels<K extends keyof typeof METRIC_DEFS> = (typeof METRIC_DEFS)[K]['labels'][number];

const made = new Map<string, Counter<string> | Gauge<string> | Histogram<string>>();

function once<T extends Counter<string> | Gauge<string> | Histogram<string>>(key: string, make: () => T): T {
  const found = made.get(key);
  if (found) return found as T;
  const m = make();
  made.set(key, m);
  return m;
}

export function histogram<K extends KeyOf<'histogram'>>(key: K): Histogram<Labels<K>> {
  const d = METRIC_DEFS[key];
  return once(key, () => new Histogram({ name: d.name, help: d.help, labelNames: [...d.labels], buckets: LATENCY_BUCKETS, registers: [registry] })) as Histogram<Labels<K>>;
}

export function counter<K extends KeyOf<'counter'>>(key: K): Counter<Labels<K>> {
  const d = METRIC_DEFS[key];
  return once(key, () => new Counter({ name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] })) as Counter<Labels<K>>;
}

export function gauge<K extends KeyOf<'gauge'>>(key: K): Gauge<Labels<K>> {
  const d = METRIC_DEFS[key];
  return once(key, () => new Gauge({ name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] })) as Gauge<Labels<K>>;
}

/**
 * A label value kept bounded and free of personal data: lower-case identifier characters only, cut at 64, and
 * `other` for anything else (an unexpected value never becomes a new series per caller).
 */
export function labelValue(v: unknown, pattern = /^[A-Za-z0-9_.:/|*-]{1,120}$/): string {
  if (typeof v !== 'string' || !pattern.test(v)) return 'other';
  return v;
}

/** A class of error as a label: its name (OdooError, TimeoutError, ...), never its message. */
export function errorClass(err: unknown): string {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(type)) return type;
  const name = err instanceof Error ? err.name : typeof err;
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : 'Error';
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** Creates every metric of METRIC_DEFS (a process normally creates only what it uses); for checks and tools. */
export function registerAllMetrics(): void {
  for (const key of Object.keys(METRIC_DEFS) as Key[]) {
    const type = METRIC_DEFS[key].type;
    if (type === 'histogram') histogram(key as KeyOf<'histogram'>);
    else if (type === 'counter') counter(key as KeyOf<'counter'>);
    else gauge(key as KeyOf<'gauge'>);
  }
}
