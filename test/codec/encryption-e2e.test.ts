/**
 * End to end on the real dev server: a worker and a client with the product's data converter run workflows whose
 * inputs (and memo) hold a phone number; a client WITHOUT the codec then reads the raw history and must see only ciphertext,
 * which the codec server (what the UI calls) turns back into the clear values.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { startCodecServer, type CodecServer } from '../../lib/codec/codec-server';
import { dataConverter } from '../../lib/codec/data-converter';
import { keyringFromEntries } from '../../lib/codec/keys';
import { payloadToJson } from '../../lib/codec/payload-json';
import { confirmCaller, failForCaller, type CallerInput, type ContactActivities } from './workflows/encrypted';

const PHONE = '+33698765432';
const NAME = 'Amandine Lefèvre';
const EMAIL = 'amandine.lefevre@example.fr';
const input: CallerInput = { phone: PHONE, name: NAME };
const workflowsPath = path.join(__dirname, 'workflows', 'encrypted.ts');
const keyring = keyringFromEntries([{ id: 'e2e-1', key: crypto.randomBytes(32) }], 'e2e-1');
const activities: ContactActivities = { lookupContact: async () => ({ email: EMAIL }) };

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const clearTexts = [PHONE, PHONE.slice(1), NAME, 'Amandine', EMAIL];

let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let rawClient: Client;
let codecServer: CodecServer;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `codec-e2e-${process.pid}`;

beforeAll(async () => {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is unset: run through jest, whose global setup starts the dev server');
  nativeConnection = await NativeConnection.connect({ address });
  connection = await Connection.connect({ address });
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  client = new Client({ connection, namespace, dataConverter: dataConverter({ keyring }) });
  rawClient = new Client({ connection, namespace });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    workflowsPath,
    activities,
    dataConverter: dataConverter({ keyring }),
  });
  running = worker.run();
  codecServer = await startCodecServer({
    port: 0,
    keyring,
    allowedOrigins: ['http://localhost:8233'],
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await codecServer?.close();
  await connection?.close();
  await nativeConnection?.close();
});

function allPayloads(events: HistoryEvent[]): Payload[] {
  const found: Payload[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'data' in o) found.push(o as Payload);
    Object.values(o).forEach(walk);
  };
  walk(events);
  return found;
}

function assertNoClearText(events: HistoryEvent[]) {
  const bytes = Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
  for (const s of clearTexts) expect(bytes.includes(Buffer.from(s))).toBe(false);
}

async function decodeViaServer(payloads: Payload[]): Promise<unknown[]> {
  const res = await fetch(`${codecServer.url}/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: 'http://localhost:8233' },
    body: JSON.stringify({ payloads: payloads.map(payloadToJson) }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data?: string }[] };
  return body.payloads.map((p) => {
    expect(Buffer.from(p.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
    return JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8'));
  });
}

test('workflow input, activity data and result are ciphertext in the raw history and clear through the codec server', async () => {
  const workflowId = `codec-e2e-ok-${Date.now()}`;
  const result = await client.workflow.execute(confirmCaller, { taskQueue, workflowId, args: [input], memo: { caller: PHONE } });
  expect(result).toBe(`Rendez-vous confirmé pour ${NAME} (${EMAIL})`);

  const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const started = events.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
  const startInput = started?.input?.payloads?.[0];
  expect(startInput).toBeDefined();
  expect(Buffer.from(startInput!.metadata!.encoding!).toString()).toBe('binary/encrypted');
  expect(Buffer.from(startInput!.metadata!['encryption-key-id']!).toString()).toBe('e2e-1');
  expect(Buffer.from(startInput!.data!).includes(Buffer.from(PHONE))).toBe(false);

  // Every payload in the history is encrypted, and no clear value appears anywhere in its bytes.
  const payloads = allPayloads(events);
  expect(payloads.length).toBeGreaterThanOrEqual(5); // start input, memo, activity input and result, workflow result
  for (const p of payloads) expect(Buffer.from(p.metadata!.encoding!).toString()).toBe('binary/encrypted');
  assertNoClearText(events);

  // What the UI would show through the codec server.
  const memo = started?.memo?.fields?.caller;
  const [clearInput, clearMemo] = await decodeViaServer([startInput!, memo!]);
  expect(clearInput).toEqual(input);
  expect(clearMemo).toBe(PHONE);
  const activityInput = events.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes?.input
    ?.payloads?.[0];
  const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes
    ?.result?.payloads?.[0];
  expect(await decodeViaServer([activityInput!, completed!])).toEqual([PHONE, result]);
});

test('failure messages are encrypted too, and the codec client still sees them', async () => {
  const workflowId = `codec-e2e-fail-${Date.now()}`;
  const err = await client.workflow.execute(failForCaller, { taskQueue, workflowId, args: [input] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toBe(`numéro ${PHONE} injoignable`);

  const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const failure = events.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
  expect(failure?.message).not.toContain(PHONE);
  expect(failure?.encodedAttributes).toBeTruthy();
  assertNoClearText(events);
  const [attrs] = await decodeViaServer([failure!.encodedAttributes!]);
  expect(attrs).toMatchObject({ message: `numéro ${PHONE} injoignable` });
});
