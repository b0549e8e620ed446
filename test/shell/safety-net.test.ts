/**
 * The voice channel's safety net (workflows/shell/commands.ts SafetyNet): the channel reports no-inputs itself, so
 * the session keeps one sliding timer instead of a durable timer started and cancelled on every wait. On the real
 * dev server with a node that answers at once and never reports a no-input.
 */
import crypto from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { turnCosts } from '../../bench/lib/profile';
import { dataConverter } from '../../lib/codec/data-converter';
import { checkMachineSource } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputSignal, viewQuery, type SessionView } from '../../workflows/session-api';

const MACHINE = `
machine: safety_net_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: s.menu
globals:
  noinput_timeout_sec: 1
  max_noinput: 3
  max_nomatch: 3
  exhausted_next: s.bye
intents:
  one: { utterances: ["un"], dtmf: ["1"] }
states:
  s.menu:
    type: prompt_and_listen
    prompt: "Tapez 1."
    noinput: { max: 3, next: s.bye }
    routes:
      - when_intent: one
        next: s.menu
  s.bye:
    type: prompt_end
    prompt: "Au revoir."
`;

let machine: CompiledMachine;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
const taskQueue = `safety-net-${process.pid}`;
const voiceTaskQueue = `safety-net-node-${process.pid}`;
const turns = new Map<string, number>();

beforeAll(async () => {
  const checked = checkMachineSource('safety_net_test.yaml', MACHINE);
  if (!checked.machine) throw new Error(`test machine: ${JSON.stringify(checked.diagnostics)}`);
  machine = checked.machine;
  const address = process.env.TEMPORAL_ADDRESS!;
  nativeConnection = await NativeConnection.connect({ address });
  const count = async ({ callId }: { callId: string }) => {
    turns.set(callId, (turns.get(callId) ?? 0) + 1);
    return { interrupted: false };
  };
  workers = [
    await createSessionWorker({ connection: nativeConnection, taskQueue, backendUrl: 'http://127.0.0.1:9' }),
    await Worker.create({
      connection: nativeConnection,
      taskQueue: voiceTaskQueue,
      dataConverter: dataConverter(),
      activities: { voiceTurn: count, voiceSay: count, voiceListen: async () => undefined, voiceStop: async () => undefined, voiceHangup: async () => undefined },
    }),
  ];
  running = workers.map((w) => w.run());
  connection = await Connection.connect({ address });
  client = new Client({ connection, dataConverter: dataConverter() });
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.shutdown();
  await Promise.all(running);
  await nativeConnection?.close();
  await connection?.close();
});

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, limitMs: number): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function call(): Promise<{ callId: string; handle: WorkflowHandle }> {
  const callId = crypto.randomUUID();
  const handle = await startSessionWorkflow(client, { machine, channel: 'voice', callId, voiceTaskQueue }, { taskQueue });
  return { callId, handle };
}

const listeningAt = (handle: WorkflowHandle, turn: number) =>
  until(`listening at turn ${turn}`, () => handle.query(viewQuery), (v: SessionView) => v.listening && v.turn === turn, 30_000);

test('DTMF turns on voice start no durable timer per wait: one sliding timer for the whole conversation', async () => {
  const { callId, handle } = await call();
  await listeningAt(handle, 0);
  for (let t = 0; t < 4; t++) {
    await handle.signal(inputSignal, { eventId: `${callId}:${t}`, kind: 'dtmf', digits: '1' });
    await listeningAt(handle, t + 1);
  }
  await handle.signal(inputSignal, { eventId: `${callId}:hangup`, kind: 'hangup' });
  await handle.result();
  const events = (await handle.fetchHistory()).events ?? [];
  // Before: a timer started and one cancelled on each of the 5 waits.
  expect(events.filter((e) => e.timerStartedEventAttributes).length).toBe(1);
  expect(events.filter((e) => e.timerCanceledEventAttributes).length).toBe(0);
  const costs = turnCosts(events);
  expect(costs).toHaveLength(4);
  for (const c of costs) expect(c).toEqual({ events: 10, workflowTasks: 2, activityTasks: 1, action: false });
}, 90_000);

test('a channel that never reports still gets its no-input once the wait limit passed (timeout + longest utterance + margin)', async () => {
  const { callId, handle } = await call();
  await listeningAt(handle, 0);
  const before = turns.get(callId) ?? 0;
  // 1 s of silence + 30 s + 5 s: the re-prompt after the no-input is a new voiceTurn on the same state.
  await until('the re-prompt after the safety net fired', async () => turns.get(callId) ?? 0, (n) => n > before, 80_000);
  await handle.signal(inputSignal, { eventId: `${callId}:hangup`, kind: 'hangup' });
  const result = await handle.result();
  expect(result.outcome).toBe('hangup');
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.timerFiredEventAttributes).length).toBeGreaterThanOrEqual(1);
}, 120_000);
