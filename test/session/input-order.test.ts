/**
 * What an operator reads first in the Temporal UI is the session's input, decoded through the codec server: the
 * call's own facts come first and the frozen machine last, for every way a session starts.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../lib/codec/data-converter';
import { loadMachine } from '../../lib/machine/loader';
import { machineLast, startSessionWorkflow } from '../../sessions/start';
import type { SessionInput } from '../../workflows/session-api';

let connection: Connection;
let client: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  client = new Client({ connection, dataConverter: dataConverter() });
});

afterAll(async () => {
  await connection?.close();
});

test('the recorded input lists channel, call id and caller before the machine', async () => {
  const machine = loadMachine(path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml'));
  // Built machine first, as callers do: the start reorders it.
  const input: SessionInput = { machine, channel: 'voice', callId: crypto.randomUUID(), caller: '+33612345678' };
  // No worker polls this queue: only the start is recorded, which is all this test reads.
  const handle = await startSessionWorkflow(client, input, { taskQueue: `input-order-${process.pid}` });
  try {
    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const [clear] = await dataConverter().payloadCodecs![0]!.decode([payload!]);
    const keys = Object.keys(JSON.parse(Buffer.from(clear!.data!).toString('utf8')) as object);
    expect(keys[0]).toBe('channel');
    expect(keys.at(-1)).toBe('machine');
    expect(keys).toEqual(expect.arrayContaining(['callId', 'caller']));
  } finally {
    await handle.terminate('test done');
  }
});

test('machineLast keeps every field and only moves the machine', () => {
  const machine = loadMachine(path.join(__dirname, '..', '..', 'machines', 'voice-crm.yaml'));
  const input: SessionInput = { machine, channel: 'web', callId: 'c-1', ctx: { a: 1 }, globals: { noinput_timeout_sec: 3 } };
  const moved = machineLast(input);
  expect(moved).toEqual(input);
  expect(Object.keys(moved)).toEqual(['channel', 'callId', 'ctx', 'globals', 'machine']);
});
