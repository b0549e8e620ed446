/**
 * Retry budgets sized for restarts, heard on the voice channel: an idempotent step whose API keeps answering 502
 * (what the worker sees while the API restarts behind a proxy) is retried well past the old four attempts, and the
 * caller hears the filler, then another one while it lasts, then the step's own success prompt. Before: four
 * attempts in ~2 s, then the failure prompt.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputSignal, viewQuery, type SessionView } from '../../workflows/session-api';
import { startBackendStub, type BackendStub } from '../support/backend-stub';
import { menuActionMachine } from '../support/menu-action-machine';

jest.setTimeout(180_000);

let backend: BackendStub;
let sessionWorker: Worker;
let nodeWorker: Worker;
let running: Promise<void>[] = [];
let native: NativeConnection;
let connection: Connection;
let client: Client;
const taskQueue = `edge-filler-${process.pid}`;
const voiceTaskQueue = `edge-filler-node-${process.pid}`;
const said: string[] = [];

beforeAll(async () => {
  backend = await startBackendStub();
  const address = process.env.TEMPORAL_ADDRESS!;
  native = await NativeConnection.connect({ address });
  sessionWorker = await createSessionWorker({ connection: native, taskQueue, backendUrl: backend.url });
  const record = (texts: string[]) => said.push(...texts);
  nodeWorker = await Worker.create({
    connection: native,
    taskQueue: voiceTaskQueue,
    dataConverter: dataConverter(),
    activities: {
      voiceTurn: async ({ says }: { says: Array<{ text: string }> }) => (record(says.map((s) => s.text)), { interrupted: false }),
      voiceSay: async ({ text }: { text: string }) => (record([text]), { interrupted: false }),
      voiceListen: async () => undefined,
      voiceStop: async () => undefined,
      voiceHandoff: async () => ({ ok: false }),
      voiceHangup: async () => undefined,
      transcribe: async () => ({ text: '' }),
    },
  });
  running = [sessionWorker.run(), nodeWorker.run()];
  connection = await Connection.connect({ address });
  client = new Client({ connection, dataConverter: dataConverter() });
}, 120_000);

afterAll(async () => {
  sessionWorker?.shutdown();
  nodeWorker?.shutdown();
  await Promise.all(running);
  await native?.close();
  await connection?.close();
  await backend?.close();
});

test('an idempotent step outlives a long outage of the API, with a filler while it lasts, and ends in its success branch', async () => {
  const machine = menuActionMachine({
    name: 'edge_filler', noinputTimeoutSec: 60, thingId: 9,
    prompts: { menu: 'Tapez 1.', success: "C'est confirmé.", failure: 'Échec de la confirmation.' },
  });
  // seven 502 without a verdict (a proxy in front of a restarting API), then the answer
  backend.answer('PUT /things/9/confirm', ...Array.from({ length: 7 }, () => ({ status: 502 })), { status: 200, body: { ok: true } });
  const handle = await startSessionWorkflow(client, { machine, channel: 'voice', callId: crypto.randomUUID(), voiceTaskQueue }, { taskQueue });
  await handle.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'dtmf', digits: '1' });
  expect(await handle.result()).toMatchObject({ outcome: 'completed', state: 's.bye' });
  const view = (await handle.query(viewQuery)) as SessionView;
  expect(view.ended).toBeTruthy();
  expect(backend.requests).toHaveLength(8);
  expect(new Set(backend.requests.map((r) => r.idempotencyKey)).size).toBe(1);
  expect(said).toContain('Un instant, s’il vous plaît.');
  expect(said).toContain('Merci de patienter, je vérifie.');
  expect(said).toContain("C'est confirmé.");
  expect(said).not.toContain('Échec de la confirmation.');
});
