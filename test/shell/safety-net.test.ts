/**
 * The voice channel's safety net (workflows/shell/commands.ts SafetyNet): the channel reports no-inputs itself, so
 * the session keeps one sliding timer instead of a durable timer started and cancelled on every wait. On the real
 * dev server with a node that answers at once and never reports a no-input.
 *
 * And voice turns that wait for the caller (lib/esl/turns.ts), with a node that holds each turn open for the
 * test to complete as the esl-bridge would: no timer at all, one workflow task per turn, and a turn nobody
 * completes (the bridge gone) ends as a no-input once its heartbeat timeout passed.
 */
import crypto from 'node:crypto';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { Client, Connection, type FullActivityId, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { turnCosts } from '../../bench/lib/profile';
import { dataConverter } from '../../lib/codec/data-converter';
import { checkMachineSource } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import type { AwaitInput } from '../../workflows/activity-types';
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
const holdingTaskQueue = `safety-net-holding-node-${process.pid}`;
const turns = new Map<string, number>();
/** Turns the holding node left open, per call, newest last. */
const held = new Map<string, Array<{ id: FullActivityId; after: string }>>();

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
    // A node whose turns wait for the caller: left open, as the voice worker leaves them for the bridge.
    await Worker.create({
      connection: nativeConnection,
      taskQueue: holdingTaskQueue,
      dataConverter: dataConverter(),
      activities: {
        voiceTurn: async ({ callId, awaitInput }: { callId: string; awaitInput?: AwaitInput }) => {
          if (!awaitInput) return { interrupted: false };
          const { workflowExecution, activityId } = Context.current().info;
          const list = held.get(callId) ?? [];
          list.push({ id: { workflowId: workflowExecution!.workflowId, runId: workflowExecution!.runId, activityId }, after: awaitInput.after });
          held.set(callId, list);
          throw new CompleteAsyncError();
        },
        voiceSay: async () => ({ interrupted: false }),
        voiceListen: async () => undefined,
        voiceStop: async () => undefined,
        voiceHangup: async () => undefined,
      },
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

async function call(node = voiceTaskQueue): Promise<{ callId: string; handle: WorkflowHandle }> {
  const callId = crypto.randomUUID();
  const handle = await startSessionWorkflow(client, { machine, channel: 'voice', callId, voiceTaskQueue: node }, { taskQueue });
  return { callId, handle };
}

const listeningAt = (handle: WorkflowHandle, turn: number) =>
  until(`listening at turn ${turn}`, () => handle.query(viewQuery), (v: SessionView) => v.listening && v.turn === turn, 30_000);

/** The node ran the turn's command (it answers at once), and the session waits for the caller. */
async function turnRan(callId: string, handle: WorkflowHandle, turn: number): Promise<void> {
  await until(`turn ${turn} sent to the node`, async () => turns.get(callId) ?? 0, (n) => n >= turn + 1, 30_000);
  await listeningAt(handle, turn);
}

/** The holding node has the call's turn number `n` (counted from 1) open. */
const turnHeld = (callId: string, n: number) =>
  until(`turn ${n} held`, async () => held.get(callId) ?? [], (list) => list.length >= n, 30_000).then((list) => list[n - 1]!);

test('DTMF turns on voice start no durable timer per wait: one sliding timer for the whole conversation', async () => {
  const { callId, handle } = await call();
  await turnRan(callId, handle, 0);
  for (let t = 0; t < 4; t++) {
    await handle.signal(inputSignal, { eventId: `${callId}:${t}`, kind: 'dtmf', digits: '1' });
    await turnRan(callId, handle, t + 1);
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

test('turns that wait for the caller: the answer is the turn’s result, 6 events and one workflow task per turn, no timer', async () => {
  const { callId, handle } = await call(holdingTaskQueue);
  let after = 'none';
  for (let t = 0; t < 4; t++) {
    const turn = await turnHeld(callId, t + 1);
    // The session names the last input it received: the bridge's check that no signal is on its way.
    expect(turn.after).toBe(after);
    const input = { eventId: `${callId}:${t}`, kind: 'dtmf' as const, digits: '1' };
    await client.activity.complete(turn.id, { interrupted: false, input });
    after = input.eventId;
  }
  const last = await turnHeld(callId, 5);
  await client.activity.complete(last.id, { interrupted: false, input: { eventId: `${callId}:hangup`, kind: 'hangup' } });
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'hangup', turns: 5 });
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
  expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(0);
  const answered = new Set(events.filter((e) => e.activityTaskCompletedEventAttributes).map((e) => String(e.eventId)));
  const costs = turnCosts(events, answered);
  expect(costs).toHaveLength(4);
  // The voiceTurn's scheduled, started, completed and one workflow task (the state stays: no IvrState write).
  for (const c of costs) expect(c).toEqual({ events: 6, workflowTasks: 1, activityTasks: 1, action: false });
}, 90_000);

test('a key the turn did not carry (a signal first) is applied once, in order; the void turn changes nothing', async () => {
  const { callId, handle } = await call(holdingTaskQueue);
  const first = await turnHeld(callId, 1);
  // A key that interrupted the prompt goes as a signal; the bridge then completes the turn empty.
  await handle.signal(inputSignal, { eventId: `${callId}:k1`, kind: 'dtmf', digits: '1' });
  const second = await turnHeld(callId, 2);
  expect(second.after).toBe(`${callId}:k1`);
  await client.activity.complete(first.id, { interrupted: false });
  // The answer of the next turn, then the same key again (a redelivery): applied once.
  await client.activity.complete(second.id, { interrupted: false, input: { eventId: `${callId}:k2`, kind: 'dtmf', digits: '1' } });
  await handle.signal(inputSignal, { eventId: `${callId}:k2`, kind: 'dtmf', digits: '1' });
  const third = await turnHeld(callId, 3);
  expect(third.after).toBe(`${callId}:k2`);
  await handle.signal(inputSignal, { eventId: `${callId}:hangup`, kind: 'hangup' });
  expect(await handle.result()).toMatchObject({ outcome: 'hangup', turns: 3 });
}, 60_000);

test('a turn nobody completes (the esl-bridge gone) ends as a no-input once its heartbeat timeout passed', async () => {
  const { callId, handle } = await call(holdingTaskQueue);
  await turnHeld(callId, 1);
  // Nobody heartbeats or completes it: 30 s later it times out, the session counts a no-input and asks again.
  const again = await turnHeld(callId, 2).catch(async () => turnHeld(callId, 2));
  expect(again.after).toMatch(/^turn-timeout:/);
  const view = await handle.query(viewQuery);
  expect(view.state).toBe('s.menu');
  await handle.signal(inputSignal, { eventId: `${callId}:hangup`, kind: 'hangup' });
  expect(await handle.result()).toMatchObject({ outcome: 'hangup' });
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.activityTaskTimedOutEventAttributes)).toHaveLength(1);
}, 120_000);
