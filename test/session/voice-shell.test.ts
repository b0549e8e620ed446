/**
 * The session workflow on the voice channel, on the real dev server, with the node's voice and speech activities
 * replaced by recorders: what reaches the call and in which order (one voiceTurn per turn, the filler during a slow
 * action, barge-in, hang-up during an action, speech-to-text failing, handoff).
 *
 * `RECORD_HISTORIES=<dir>` writes each session's history there: test/histories/voice-shell/ holds the ones the
 * stored-histories test replays, so a change of the commands sent on this channel fails there;
 * test/histories/voice-shell-before-voice-turn/ holds the same sessions recorded by the interpreter of before
 * patched('voice-turn-command') (say and listen one by one, a hang-up after a handoff).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import { checkMachineSource } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputSignal, viewQuery, type CallerInput, type SessionView } from '../../workflows/session-api';
import { startBackendStub, type BackendStub } from '../support/backend-stub';

const MACHINE = `
machine: voice_shell_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: v.menu
globals:
  max_noinput: 2
  max_nomatch: 2
  noinput_timeout_sec: 60
  exhausted_next: v.bye
  handoff:
    enabled: true
    queue_id: "care_queue_1"
    prompt: "Je vous passe un conseiller."
  endpoints:
    confirm: "PUT /things/{id}/confirm"
intents:
  confirm: { utterances: ["confirmer"], dtmf: ["1"] }
  agent: { utterances: ["conseiller"], dtmf: ["0"] }
states:
  v.menu:
    type: prompt_and_listen
    prompt: "Pour confirmer, tapez 1. Pour un conseiller, tapez 0."
    noinput: { max: 2, next: v.bye }
    routes:
      - when_intent: confirm
        next: v.confirm
      - when_intent: agent
        next: v.agent
  v.confirm:
    type: action_then_prompt
    action:
      call: \${globals.endpoints.confirm}
      path: { id: "5" }
      body: { channel: "{{ctx.channel}}" }
      on_success: { prompt: "C'est confirmé.", next: v.bye }
      on_fail: { prompt: "Échec de la confirmation.", next: v.bye }
  v.agent:
    type: handoff
    enabled: \${globals.handoff.enabled}
    queue_id: \${globals.handoff.queue_id}
    prompt: \${globals.handoff.prompt}
    on_fail: { prompt: "Aucun conseiller n'est disponible.", next: v.bye }
  v.bye:
    type: prompt_end
    prompt: "Au revoir."
`;
const MENU = 'Pour confirmer, tapez 1. Pour un conseiller, tapez 0.';
const FILLER = 'Un instant, s’il vous plaît.';
const RECORD = process.env.RECORD_HISTORIES;

/** One activity the session sent to the call's node, without the call id. */
interface Sent {
  name: string;
  args: Record<string, unknown>;
}

let machine: CompiledMachine;
let backend: BackendStub;
let sessionWorker: Worker;
let nodeWorker: Worker;
let running: Promise<void>[] = [];
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
const taskQueue = `voice-shell-${process.pid}`;
const voiceTaskQueue = `voice-shell-node-${process.pid}`;
const sent = new Map<string, Sent[]>();
let agentAnswers = true;

function recorder<R>(name: string, answer: (args: Record<string, unknown>) => R | Promise<R>) {
  return async ({ callId, ...args }: { callId?: string; [k: string]: unknown }): Promise<R> => {
    const key = String(callId ?? args['ref'] ?? '?');
    const list = sent.get(key) ?? [];
    list.push({ name, args });
    sent.set(key, list);
    return answer(args);
  };
}

beforeAll(async () => {
  const checked = checkMachineSource('voice_shell_test.yaml', MACHINE);
  if (!checked.machine) throw new Error(`test machine: ${JSON.stringify(checked.diagnostics)}`);
  machine = checked.machine;
  backend = await startBackendStub();
  const address = process.env.TEMPORAL_ADDRESS!;
  nativeConnection = await NativeConnection.connect({ address });
  sessionWorker = await createSessionWorker({ connection: nativeConnection, taskQueue, backendUrl: backend.url });
  nodeWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: voiceTaskQueue,
    dataConverter: dataConverter(),
    activities: {
      voiceTurn: recorder('voiceTurn', () => ({ interrupted: false })),
      voiceSay: recorder('voiceSay', () => ({ interrupted: false })),
      voiceListen: recorder('voiceListen', () => undefined),
      voiceStop: recorder('voiceStop', () => undefined),
      voiceHandoff: recorder('voiceHandoff', () => ({ ok: agentAnswers })),
      voiceHangup: recorder('voiceHangup', () => undefined),
      // Speech activities run on the node too; their "call id" is the recording's call, given in the ref.
      transcribe: async ({ ref, hints }: { ref: string; hints: string[] }) => {
        const [callId, what] = ref.split('#') as [string, string];
        sent.get(callId)?.push({ name: 'transcribe', args: { what, hints } });
        if (what === 'unavailable') throw ApplicationFailure.nonRetryable('speech-to-text is down', 'SttUnavailable');
        return { text: what };
      },
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
  await nativeConnection?.close();
  await connection?.close();
  await backend?.close();
});

beforeEach(() => {
  backend.requests.length = 0;
  agentAnswers = true;
});

interface Call {
  callId: string;
  handle: WorkflowHandle;
}

async function call(): Promise<Call> {
  const callId = crypto.randomUUID();
  sent.set(callId, []);
  const handle = await startSessionWorkflow(client, { machine, channel: 'voice', callId, voiceTaskQueue }, { taskQueue });
  return { callId, handle };
}

const key = (digits: string): CallerInput => ({ eventId: crypto.randomUUID(), kind: 'dtmf', digits });
const audio = (c: Call, what: string): CallerInput => ({ eventId: crypto.randomUUID(), kind: 'audio', ref: `${c.callId}#${what}` });

/** Polls until the condition holds (generous limit: the machine may be loaded). */
async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const listening = (c: Call, turn: number) =>
  until(`${c.callId} listening at turn ${turn}`, () => c.handle.query(viewQuery), (v: SessionView) => v.listening && v.turn === turn);

async function finish(c: Call, name: string) {
  const result = await c.handle.result();
  if (RECORD) {
    fs.mkdirSync(RECORD, { recursive: true });
    fs.writeFileSync(path.join(RECORD, `${name}.json`), historyToJSON(await c.handle.fetchHistory()));
  }
  return result;
}

/** What was sent to the call; the filler is left out where its timing is not what the test is about. */
const sentTo = (c: Call, { filler = true } = {}) =>
  (sent.get(c.callId) ?? []).filter((s) => filler || !(s.name === 'voiceSay' && s.args['text'] === FILLER));
const names = (list: Sent[]) => list.map((s) => s.name);

test('a turn goes out as one voiceTurn (prompts, then capture); a slow action gets the filler; the call is hung up at the end', async () => {
  backend.answer('PUT /things/5/confirm', { status: 200, body: {}, delayMs: 4000 });
  const c = await call();
  await listening(c, 0);
  await c.handle.signal(inputSignal, key('1'));
  expect(await finish(c, 'turn-filler-hangup')).toMatchObject({ outcome: 'completed', state: 'v.bye', turns: 1 });
  const list = sentTo(c);
  expect(names(list)).toEqual(['voiceTurn', 'voiceSay', 'voiceTurn', 'voiceHangup']);
  expect(list[0]!.args['says']).toEqual([{ text: MENU, bargeIn: true }]);
  expect(list[0]!.args['listen']).toMatchObject({ allowDtmf: true, timeoutSec: 60 });
  expect(list[1]!.args).toEqual({ text: FILLER, bargeIn: false });
  expect(list[2]!.args).toEqual({ says: [{ text: "C'est confirmé.", bargeIn: true }, { text: 'Au revoir.', bargeIn: false }] });
  expect(backend.requests).toHaveLength(1);
});

test('a key pressed during an action makes the prompts it may interrupt moot; the goodbye is still said', async () => {
  backend.answer('PUT /things/5/confirm', { status: 200, body: {}, delayMs: 2500 });
  const c = await call();
  await listening(c, 0);
  await c.handle.signal(inputSignal, key('1'));
  await until('the action', () => backend.requests.length, (n) => n === 1);
  await c.handle.signal(inputSignal, key('7'));
  expect(await finish(c, 'barge-in-during-action')).toMatchObject({ outcome: 'completed', state: 'v.bye', turns: 1 });
  const list = sentTo(c, { filler: false });
  expect(names(list)).toEqual(['voiceTurn', 'voiceTurn', 'voiceHangup']);
  expect(list[1]!.args).toEqual({ says: [{ text: 'Au revoir.', bargeIn: false }] });
});

test('a hang-up during an action: the action finishes once, nothing more reaches the call, the session ends as hung up', async () => {
  backend.answer('PUT /things/5/confirm', { status: 200, body: {}, delayMs: 2500 });
  const c = await call();
  await listening(c, 0);
  await c.handle.signal(inputSignal, key('1'));
  await until('the action', () => backend.requests.length, (n) => n === 1);
  await c.handle.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'hangup' });
  await c.handle.signal(inputSignal, key('1'));
  expect(await finish(c, 'hangup-during-action')).toMatchObject({ outcome: 'hangup', state: 'v.confirm' });
  expect(names(sentTo(c, { filler: false }))).toEqual(['voiceTurn']);
  expect(backend.requests).toHaveLength(1);
});

test('speech is transcribed with the state’s hints; when speech-to-text fails the caller is asked again; an agent takes the call', async () => {
  const c = await call();
  await listening(c, 0);
  await c.handle.signal(inputSignal, audio(c, 'unavailable'));
  await listening(c, 1);
  await c.handle.signal(inputSignal, audio(c, 'conseiller'));
  expect(await finish(c, 'stt-failure-then-handoff')).toMatchObject({ outcome: 'handoff', state: 'v.agent', turns: 2 });
  const list = sentTo(c);
  expect(names(list)).toEqual(['voiceTurn', 'transcribe', 'voiceTurn', 'transcribe', 'voiceTurn', 'voiceHandoff']);
  expect(list[1]!.args).toEqual({ what: 'unavailable', hints: expect.arrayContaining(['confirmer', 'conseiller']) });
  expect(list[4]!.args).toEqual({ says: [{ text: 'Je vous passe un conseiller.', bargeIn: true }] });
  expect(list[5]!.args).toMatchObject({ queueId: 'care_queue_1' });
});

test('no agent answers: the machine’s on_fail is said and the call is hung up', async () => {
  agentAnswers = false;
  const c = await call();
  await listening(c, 0);
  await c.handle.signal(inputSignal, key('0'));
  expect(await finish(c, 'handoff-unanswered')).toMatchObject({ outcome: 'completed', state: 'v.bye', turns: 1 });
  const list = sentTo(c);
  expect(names(list)).toEqual(['voiceTurn', 'voiceTurn', 'voiceHandoff', 'voiceTurn', 'voiceHangup']);
  expect(list[3]!.args).toEqual({
    says: [{ text: "Aucun conseiller n'est disponible.", bargeIn: true }, { text: 'Au revoir.', bargeIn: false }],
  });
});
