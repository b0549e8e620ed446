/**
 * The workflow respects the API's verdicts: a 5xx the API calls unsafe to repeat (`Retry-Safe: false`,
 * `error.retryable: false`, e.g. 502 messaging_outcome_unknown) is the step's answer and takes on_fail after one
 * request; a 5xx it calls safe (or a proxy's 5xx saying nothing) is retried with the same key. Before, every 5xx
 * was retried: a 502 messaging_outcome_unknown was sent four times.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { retryVerdict } from '../../activities/backend/call-backend';
import { dataConverter } from '../../lib/codec/data-converter';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputUpdate, type SessionView } from '../../workflows/session-api';
import { startBackendStub, type BackendStub } from '../support/backend-stub';
import { menuActionMachine } from '../support/menu-action-machine';

jest.setTimeout(120_000);

test('the verdict: Retry-Safe header first, then error.retryable, retried when the answer says nothing', () => {
  const h = (v?: string) => ({ headers: new Headers(v === undefined ? {} : { 'retry-safe': v }) });
  const unsafe = { error: { code: 'messaging_outcome_unknown', message: 'x', retryable: false } };
  expect(retryVerdict(h(), unsafe)).toEqual({ retryable: false, code: 'messaging_outcome_unknown' });
  expect(retryVerdict(h('false'), { error: { code: 'odoo_outcome_unknown' } })).toEqual({ retryable: false, code: 'odoo_outcome_unknown' });
  expect(retryVerdict(h('true'), unsafe)).toEqual({ retryable: true, code: 'messaging_outcome_unknown' });
  expect(retryVerdict(h(), { error: 'injected by the fault proxy' })).toEqual({ retryable: true });
  expect(retryVerdict(h(), null)).toEqual({ retryable: true });
});

describe('on the dev server', () => {
  let machine: CompiledMachine;
  let backend: BackendStub;
  let worker: Worker;
  let running: Promise<void>;
  let native: NativeConnection;
  let connection: Connection;
  let client: Client;
  const taskQueue = `verdicts-${process.pid}`;

  beforeAll(async () => {
    machine = menuActionMachine({
      name: 'verdicts', noinputTimeoutSec: 5, thingId: 7,
      prompts: { menu: 'Tapez 1.', success: 'Fait.', failure: 'Pas fait.' },
    });
    backend = await startBackendStub();
    native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    worker = await createSessionWorker({ connection: native, taskQueue, backendUrl: backend.url });
    running = worker.run();
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    client = new Client({ connection, dataConverter: dataConverter() });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await backend?.close();
  });

  beforeEach(() => {
    backend.requests.length = 0;
  });

  async function press1(): Promise<SessionView> {
    const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID(), caller: '+33612345678' }, { taskQueue });
    return (await handle.executeUpdate(inputUpdate, { args: [{ eventId: crypto.randomUUID(), kind: 'dtmf', digits: '1' }] })) as SessionView;
  }

  test('a 502 the API calls unsafe to repeat is sent once and takes on_fail', async () => {
    backend.answer('PUT /things/7/confirm', { status: 502, body: { error: { code: 'messaging_outcome_unknown', message: 'may have been sent', retryable: false } } });
    const view = await press1();
    expect(view.prompts[0]).toBe('Pas fait.');
    expect(backend.requests).toHaveLength(1);
  });

  test('a 503 the API calls safe is repeated with the same key until it succeeds', async () => {
    backend.answer(
      'PUT /things/7/confirm',
      { status: 503, body: { error: { code: 'odoo_unconfirmed', message: 'not visible yet', retryable: true } } },
      { status: 200, body: {} },
    );
    const view = await press1();
    expect(view.prompts[0]).toBe('Fait.');
    expect(backend.requests).toHaveLength(2);
    expect(new Set(backend.requests.map((r) => r.idempotencyKey)).size).toBe(1);
  });
});
