/**
 * A session worker process (`ivr worker`, as deployed) with METRICS_PORT and TEMPORAL_METRICS_ADDRESS set, on the
 * real dev server: after real sessions its /metrics shows the turn latency, the sessions ended by outcome and
 * goal, and the activity timings; the Temporal core's own exporter shows the SDK metrics the dashboard reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { dataConverter } from '../../lib/codec/data-converter';
import type { CompiledMachine } from '../../lib/machine/model';
import { freePort } from '../../lib/temporal/server';
import { startSessionWorkflow } from '../../sessions/start';
import { inputSignal, type SessionResult } from '../../workflows/session-api';
import { startBackendStub, type BackendStub } from '../support/backend-stub';
import { outcomesMachine } from '../outcomes/machine';

const ROOT = path.join(__dirname, '..', '..');
const DASHBOARD = path.join(ROOT, 'deploy', 'grafana', 'dashboards', 'care-ivr.json');
const CALLER = '+33612345678';

let machine: CompiledMachine;
let backend: BackendStub;
let child: ChildProcess;
let connection: Connection;
let client: Client;
let metricsUrl: string;
let sdkMetricsUrl: string;
const taskQueue = `metrics-test-${process.pid}`;

beforeAll(async () => {
  machine = outcomesMachine();
  backend = await startBackendStub();
  const sdkPort = await freePort();
  sdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
  child = spawn(process.execPath, [path.join(ROOT, 'bin', 'ivr.js'), 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      BACKEND_URL: backend.url,
      SESSION_TASK_QUEUE: taskQueue,
      METRICS_PORT: '0',
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.resume();
  // The worker logs its metrics address, then that it runs (pino JSON lines).
  metricsUrl = await new Promise<string>((resolve, reject) => {
    let url: string | undefined;
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let entry: { msg?: string; metrics?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'session worker metrics listening') url = entry.metrics;
      if (entry.msg === 'session worker running') {
        if (url) resolve(url);
        else reject(new Error('the worker runs without logging its metrics address'));
      }
    });
    child.once('exit', (code) => reject(new Error(`ivr worker exited (${code}) before running`)));
  });
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  client = new Client({ connection, dataConverter: dataConverter() });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await connection?.close();
  await backend?.close();
});

const start = (): Promise<WorkflowHandle> =>
  startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID(), caller: CALLER }, { taskQueue });

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const have = Object.fromEntries([...line.slice(0, line.indexOf('}')).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('after real sessions: turn latency, sessions ended by outcome and goal, activity timings; no caller data', async () => {
  expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
  backend.answer('POST /things/42/book', { status: 200, body: { ok: true } });
  const booked = await start();
  await booked.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'dtmf', digits: '1' });
  expect(await booked.result()).toMatchObject({ declaredOutcome: 'booked', goal: 'reached' } satisfies Partial<SessionResult>);
  const hungUp = await start();
  await hungUp.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'hangup', cause: 'NORMAL_CLEARING' });
  expect(await hungUp.result()).toMatchObject({ declaredOutcome: 'caller_hung_up', goal: 'not_reached' });

  // The sink runs after the activation that completed the run: give the worker a moment.
  let text = '';
  for (let i = 0; i < 50; i++) {
    text = await scrape(metricsUrl);
    if (value(text, 'ivr_sessions_ended_total', { outcome: 'caller_hung_up' }) === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(value(text, 'ivr_sessions_ended_total', { machine: machine.name, channel: 'web', outcome: 'booked', goal: 'reached' })).toBe(1);
  expect(value(text, 'ivr_sessions_ended_total', { machine: machine.name, channel: 'web', outcome: 'caller_hung_up', goal: 'not_reached' })).toBe(1);
  // The key '1' led to the backend call: one turn, timed when that activity started.
  expect(value(text, 'ivr_turn_latency_seconds_count', { channel: 'web', command: 'callBackend' })).toBe(1);
  const turnSum = value(text, 'ivr_turn_latency_seconds_sum', { channel: 'web', command: 'callBackend' })!;
  expect(turnSum).toBeGreaterThan(0);
  expect(turnSum).toBeLessThan(30);
  expect(value(text, 'ivr_activity_duration_seconds_count', { activity: 'callBackend', result: 'ok' })).toBe(1);
  expect(text).toContain('# HELP ivr_turn_latency_seconds Turn latency measured on the worker');
  // Process figures come along; caller data never does.
  expect(text).toMatch(/^ivr_process_cpu_seconds_total /m);
  for (const leak of ['612345678', booked.workflowId, hungUp.workflowId]) expect(text).not.toContain(leak);
}, 120_000);

test('the Temporal core exports its own metrics on TEMPORAL_METRICS_ADDRESS, with every SDK series the dashboard queries', async () => {
  const text = await scrape(sdkMetricsUrl);
  const exported = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]));
  expect(exported.has('temporal_worker_task_slots_available')).toBe(true);
  const dashboard = fs.readFileSync(DASHBOARD, 'utf8');
  const sdkNames = [...new Set([...dashboard.matchAll(/\btemporal_[a-z0-9_]+/g)].map((m) => m[0]))];
  expect(sdkNames.length).toBeGreaterThan(0);
  expect(sdkNames.filter((n) => !exported.has(n))).toEqual([]);
}, 60_000);
