/**
 * Starts the session worker for the bench, as a child process (default: its RSS is the worker's alone) or in this
 * process (the unit test's lighter path; RSS then includes the load generator), and reads its resident memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createSessionWorker } from '../../workers/session-worker';

const CHILD_ENTRY = path.join(__dirname, 'worker-child.ts');
const PROJECT_ROOT = path.join(__dirname, '..', '..');

export interface BenchWorker {
  mode: 'child' | 'in-process';
  /** Process whose memory is sampled. */
  pid: number;
  /** Resident set size of that process, in MiB (from /proc/<pid>/status). */
  rssMb(): number;
  /** RSS after a full collection of the worker's main heap (child only; same as rssMb in-process). */
  settledRssMb(): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchWorkerOptions {
  mode: 'child' | 'in-process';
  address: string;
  namespace: string;
  taskQueue: string;
  backendUrl: string;
  /** Child only: a module exporting createSessionWorker to use instead of workers/session-worker.ts. */
  workerModule?: string;
  readyTimeoutMs?: number;
}

export function readRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line (is the process alive?)`);
  return Number(match[1]) / 1024;
}

export async function startBenchWorker(opts: BenchWorkerOptions): Promise<BenchWorker> {
  return opts.mode === 'child' ? startChild(opts) : startInProcess(opts);
}

async function startInProcess(opts: BenchWorkerOptions): Promise<BenchWorker> {
  const connection = await NativeConnection.connect({ address: opts.address });
  let worker: Worker;
  try {
    worker = await createSessionWorker({ connection, namespace: opts.namespace, taskQueue: opts.taskQueue, backendUrl: opts.backendUrl });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const running = worker.run();
  return {
    mode: 'in-process',
    pid: process.pid,
    rssMb: () => readRssMb(process.pid),
    settledRssMb: async () => readRssMb(process.pid),
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function startChild(opts: BenchWorkerOptions): Promise<BenchWorker> {
  // Diagnostics only, e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', ...nodeArgs, '-r', 'tsx/cjs', CHILD_ENTRY], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: opts.address,
      TEMPORAL_NAMESPACE: opts.namespace,
      BENCH_TASK_QUEUE: opts.taskQueue,
      BACKEND_URL: opts.backendUrl,
      // One info line per backend call would flood stderr at 500 sessions; warnings still show.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(opts.workerModule ? { BENCH_WORKER_MODULE: opts.workerModule } : {}),
    },
    // The worker's output goes to our stderr: stdout stays for the bench's one JSON object.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeoutMs = opts.readyTimeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench worker did not report ready within ${timeoutMs} ms (see its stderr above)`));
    }, timeoutMs);
    child.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && (m as { ready?: unknown }).ready === true) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`bench worker exited before ready (code ${code}, signal ${signal}); see its stderr above`));
    });
  });
  const pid = child.pid as number;
  const settledRssMb = () =>
    new Promise<number>((resolve) => {
      const timer = setTimeout(() => done(), 5000);
      const onMessage = (m: unknown) => {
        if (m && typeof m === 'object' && (m as { gcDone?: unknown }).gcDone === true) done();
      };
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(readRssMb(pid));
      };
      child.on('message', onMessage);
      child.send('gc');
    });
  return {
    mode: 'child',
    pid,
    rssMb: () => readRssMb(pid),
    settledRssMb,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send('stop');
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
