/**
 * The portal's waiting rule in the session workflow (dev server): a reader is never re-prompted nor counted as a
 * no-input; past web_idle_minutes the session keeps its screen and still takes the next click; it ends as a hang-up
 * once web_session_minutes have passed since the last input. Limits are shortened to seconds here (the globals take
 * fractions of a minute); the same machine without the web globals ends by no-inputs, as the phone does.
 */
import crypto from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import type { JsonValue } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputSignal, traceQuery, viewQuery } from '../../workflows/session-api';
import { menuActionMachine } from '../support/menu-action-machine';

jest.setTimeout(120_000);

const machine = menuActionMachine({
  name: 'web_pause_test',
  noinputTimeoutSec: 1,
  thingId: 1,
  prompts: { menu: 'Tapez 1 ou 9.', success: 'Fait.', failure: 'Échec.' },
});

let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `web-pause-${process.pid}`;

beforeAll(async () => {
  const address = process.env.TEMPORAL_ADDRESS!;
  nativeConnection = await NativeConnection.connect({ address });
  // No backend call happens in these sessions (key 9 only repeats the menu).
  worker = await createSessionWorker({ connection: nativeConnection, taskQueue, backendUrl: 'http://127.0.0.1:9' });
  running = worker.run();
  connection = await Connection.connect({ address });
  client = new Client({ connection, dataConverter: dataConverter() });
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
});

const start = (globals?: Record<string, JsonValue>): Promise<WorkflowHandle> =>
  startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID(), ...(globals ? { globals } : {}) }, { taskQueue });

const noinputs = async (h: WorkflowHandle) => (await h.query(traceQuery, 0)).events.filter((e) => e.kind === 'noinput');

test('an idle reader is never counted as a no-input: the session ends as a hang-up after web_session_minutes', async () => {
  // 1 s idle, 4 s in all (the state's own no-input timeout is 1 s).
  const handle = await start({ web_idle_minutes: 1 / 60, web_session_minutes: 4 / 60 });
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'hangup', state: 's.menu', turns: 0 });
  expect(await noinputs(handle)).toEqual([]);
});

test('without the web globals (a scripted web session) silence is a no-input, as on the phone', async () => {
  const handle = await start();
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'completed', state: 's.bye' });
  expect((await noinputs(handle)).length).toBeGreaterThan(0);
});

test('past the idle limit the paused session keeps its screen and takes the next click', async () => {
  // 1 s idle, then paused for up to 60 s: the click comes during the pause.
  const handle = await start({ web_idle_minutes: 1 / 60, web_session_minutes: 1 });
  await new Promise((r) => setTimeout(r, 2500));
  const paused = await handle.query(viewQuery);
  expect([paused.state, paused.turn, paused.ended]).toEqual(['s.menu', 0, undefined]);
  await handle.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'dtmf', digits: '9' });
  for (let i = 0; i < 200 && (await handle.query(viewQuery)).turn < 1; i++) await new Promise((r) => setTimeout(r, 50));
  const after = await handle.query(viewQuery);
  expect([after.state, after.turn, after.ended]).toEqual(['s.menu', 1, undefined]);
  expect(await noinputs(handle)).toEqual([]);
  await handle.terminate('test over');
});
