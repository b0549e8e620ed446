/**
 * Crashes: the worker process is killed with SIGKILL in the middle of a session (waiting for input, then with a
 * backend action in flight), and the Temporal dev server is restarted on its database file. Each time the session
 * finishes with the same outcome and each side effect happens once (the backend stub applies an idempotency key
 * once, like the API does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { CompiledMachine } from '../../lib/machine/model';
import { dataConverter } from '../../lib/codec/data-converter';
import { startSessionWorkflow } from '../../sessions/start';
import { freePort, localTemporalCli, startDevServerFrom } from '../../lib/temporal/server';
import { inputSignal, viewQuery } from '../../workflows/session-api';
import { startBackendStub, type BackendStub } from '../support/backend-stub';
import { menuActionMachine } from '../support/menu-action-machine';

const ROOT = path.join(__dirname, '..', '..');


let machine: CompiledMachine;
let backend: BackendStub;

beforeAll(async () => {
  machine = menuActionMachine({
    name: 'crash_test',
    noinputTimeoutSec: 120,
    thingId: 7,
    prompts: { menu: 'Tapez 1.', success: 'Confirmé.', failure: 'Échec.' },
  });
  backend = await startBackendStub();
});
afterAll(async () => backend?.close());
beforeEach(() => {
  backend.requests.length = 0;
});

function startWorkerProcess(address: string, taskQueue: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'ivr.js'), 'worker'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: address, BACKEND_URL: backend.url, SESSION_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Side effects as the backend applies them: one per idempotency key. */
const effects = () => new Set(backend.requests.map((r) => r.idempotencyKey)).size;

async function clientFor(address: string) {
  const connection = await Connection.connect({ address });
  return { connection, client: new Client({ connection, dataConverter: dataConverter() }) };
}

test('worker killed while the session waits for input: a new worker finishes it', async () => {
  backend.answer('PUT /things/7/confirm', { status: 200, body: {} });
  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = `crash-wait-${crypto.randomUUID()}`;
  const { connection, client } = await clientFor(address);
  let worker = startWorkerProcess(address, taskQueue);
  try {
    const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID() }, { taskQueue });
    await until('the session to listen', async () => (await handle.query(viewQuery)).listening);
    await kill(worker);
    await handle.signal(inputSignal, { eventId: 'e1', kind: 'dtmf', digits: '1' });
    worker = startWorkerProcess(address, taskQueue);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'completed', state: 's.bye', turns: 1 });
    expect(effects()).toBe(1);
  } finally {
    await kill(worker);
    await connection.close();
  }
}, 120_000);

test('worker killed while an action is in flight: the retry carries the same key, one effect', async () => {
  // The first attempt hangs past the activity's timeout (the worker that ran it is dead); the retry answers.
  backend.answer('PUT /things/7/confirm', { status: 200, body: {}, delayMs: 3000 }, { status: 200, body: {} });
  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = `crash-action-${crypto.randomUUID()}`;
  const { connection, client } = await clientFor(address);
  let worker = startWorkerProcess(address, taskQueue);
  try {
    const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID() }, { taskQueue });
    await until('the session to listen', async () => (await handle.query(viewQuery)).listening);
    await handle.signal(inputSignal, { eventId: 'e1', kind: 'dtmf', digits: '1' });
    await until('the action to reach the backend', () => backend.requests.length === 1);
    await kill(worker);
    worker = startWorkerProcess(address, taskQueue);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'completed', state: 's.bye' });
    expect(backend.requests.length).toBeGreaterThanOrEqual(2);
    expect(effects()).toBe(1);
    const view = await handle.query(viewQuery);
    expect(view.prompts).toContain('Confirmé.');
  } finally {
    await kill(worker);
    await connection.close();
  }
}, 120_000);

test('the Temporal dev server restarts on its database file: the session resumes where it was', async () => {
  const cli = localTemporalCli();
  if (!cli) throw new Error('this test needs the Temporal CLI (scripts/install-tools.sh installs it)');
  backend.answer('PUT /things/7/confirm', { status: 200, body: {} });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-restart-'));
  const dbFilename = path.join(dir, 'temporal.db');
  const port = await freePort();
  let server = await startDevServerFrom(cli.path, { port, dbFilename });
  const taskQueue = `crash-server-${crypto.randomUUID()}`;
  let worker = startWorkerProcess(server.address, taskQueue);
  let { connection, client } = await clientFor(server.address);
  try {
    const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID() }, { taskQueue });
    const workflowId = handle.workflowId;
    await until('the session to listen', async () => (await handle.query(viewQuery)).listening);
    await kill(worker);
    await connection.close();
    await server.stop();

    server = await startDevServerFrom(cli.path, { port, dbFilename });
    ({ connection, client } = await clientFor(server.address));
    worker = startWorkerProcess(server.address, taskQueue);
    const resumed = client.workflow.getHandle(workflowId);
    await resumed.signal(inputSignal, { eventId: 'e1', kind: 'dtmf', digits: '1' });
    const result = await resumed.result();
    expect(result).toMatchObject({ outcome: 'completed', state: 's.bye', turns: 1 });
    expect(effects()).toBe(1);
  } finally {
    await kill(worker);
    await connection.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
