/**
 * The session workflow on the real Temporal dev server: inputs by update and signal, de-duplication by event id,
 * durable no-input timers, backend actions with idempotency keys and retries, hang-up during an action, and the
 * search attributes operators filter by.
 */
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { inputSignal, inputUpdate, viewQuery, type CallerInput } from '../../workflows/session-api';
import type { BackendStub } from '../support/backend-stub';
import { startSessionRig, type SessionRig } from '../support/session-rig';
import { menuActionMachine } from '../support/menu-action-machine';


let machine: CompiledMachine;
let rig: SessionRig;
let backend: BackendStub;
let client: Client;
const taskQueue = `session-test-${process.pid}`;

beforeAll(async () => {
  machine = menuActionMachine({
    name: 'session_test',
    version: '1.2.0',
    noinputTimeoutSec: 1,
    thingId: 42,
    prompts: { menu: 'Dites confirmer ou tapez 1.', success: "C'est confirmé.", failure: 'Échec de la confirmation.' },
  });
  rig = await startSessionRig(taskQueue);
  ({ backend, client } = rig);
}, 120_000);

afterAll(async () => {
  await rig?.stop();
});

beforeEach(() => {
  backend.requests.length = 0;
});

async function start(caller = '+33612345678'): Promise<WorkflowHandle> {
  return startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID(), caller }, { taskQueue });
}

const dtmf = (digits: string, eventId: string = crypto.randomUUID()): CallerInput => ({ eventId, kind: 'dtmf', digits });

test('an update applies the input, runs the action with an idempotency key, and returns the next view', async () => {
  backend.answer('PUT /things/42/confirm', { status: 200, body: { ok: true } });
  const handle = await start();
  const first = await handle.query(viewQuery);
  expect(first.state).toBe('s.menu');
  expect(first.lastPrompt).toBe('Dites confirmer ou tapez 1.');

  const view = await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
  expect(view.ended).toEqual({ outcome: 'completed', state: 's.bye' });
  expect(view.prompts).toEqual(["C'est confirmé.", 'Au revoir.']);
  expect(backend.requests).toHaveLength(1);
  const [request] = backend.requests;
  expect(request).toMatchObject({ method: 'PUT', path: '/things/42/confirm', body: { channel: 'web' } });
  expect(request!.idempotencyKey).toMatch(new RegExp(`^${handle.workflowId}:`));
  expect(await handle.result()).toMatchObject({ outcome: 'completed', state: 's.bye', turns: 1 });
});

test('5xx answers are retried with the same idempotency key; the machine sees one success', async () => {
  backend.answer('PUT /things/42/confirm', { status: 503 }, { status: 500 }, { status: 200, body: { ok: true } });
  const handle = await start();
  const view = await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
  expect(view.prompts[0]).toBe("C'est confirmé.");
  expect(backend.requests).toHaveLength(3);
  expect(new Set(backend.requests.map((r) => r.idempotencyKey)).size).toBe(1);
});

test('an idempotent backend action is scheduled with the long budget (outlives an API restart, waits ≤ 3 s)', async () => {
  backend.answer('PUT /things/42/confirm', { status: 200, body: {} });
  const handle = await start();
  await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
  await handle.result();
  const history = await handle.fetchHistory();
  const scheduled = history.events!.map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a);
  expect(scheduled.map((a) => a!.activityType?.name)).toEqual(['callBackend']);
  const [attrs] = scheduled;
  expect(Number(attrs!.startToCloseTimeout?.seconds)).toBe(25);
  expect(Number(attrs!.scheduleToCloseTimeout?.seconds)).toBe(60);
  const retry = attrs!.retryPolicy!;
  expect({
    initialMs: Number(retry.initialInterval?.seconds ?? 0) * 1000 + (retry.initialInterval?.nanos ?? 0) / 1e6,
    backoff: retry.backoffCoefficient,
    maximumS: Number(retry.maximumInterval?.seconds),
    attempts: retry.maximumAttempts ?? 0,
  }).toEqual({ initialMs: 500, backoff: 2, maximumS: 3, attempts: 0 });
});

test('a 4xx answer is not retried and takes on_fail', async () => {
  backend.answer('PUT /things/42/confirm', { status: 404, body: { code: 'appointment_not_found' } });
  const handle = await start();
  const view = await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
  expect(view.prompts[0]).toBe('Échec de la confirmation.');
  expect(backend.requests).toHaveLength(1);
});

test('an input delivered twice with the same event id is applied once', async () => {
  backend.answer('PUT /things/42/confirm', { status: 200, body: {} });
  const handle = await start();
  const event = dtmf('1', 'fs-core-uuid:1234');
  await handle.signal(inputSignal, event);
  await handle.signal(inputSignal, event);
  const result = await handle.result();
  expect(result.turns).toBe(1);
  expect(backend.requests).toHaveLength(1);
});

test('silence runs the durable no-input timer: re-prompt once, then noinput.next', async () => {
  const handle = await start();
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'completed', state: 's.bye', turns: 0 });
  const trace = await handle.query(viewQuery);
  expect(trace.ended?.state).toBe('s.bye');
});

test('a hang-up during an action lets the action finish once and ends the session as hung up', async () => {
  backend.answer('PUT /things/42/confirm', { status: 200, body: {}, delayMs: 800 });
  const handle = await start();
  await handle.signal(inputSignal, dtmf('1'));
  // Wait until the action is in flight, then hang up.
  for (let i = 0; i < 100 && backend.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await handle.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'hangup' });
  const result = await handle.result();
  expect(result.outcome).toBe('hangup');
  expect(backend.requests).toHaveLength(1);
});

test('operators can find the session by state, machine, channel and caller hash, never the number', async () => {
  backend.answer('PUT /things/42/confirm', { status: 200, body: {} });
  const handle = await start('+33699887766');
  await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
  await handle.result();
  const description = await handle.describe();
  const attrs = description.typedSearchAttributes;
  const get = (name: string) => attrs.getAll().find((p) => p.key.name === name)?.value;
  expect(get('IvrState')).toBe('s.bye');
  expect(get('IvrOutcome')).toBe('completed');
  expect(get('IvrMachine')).toBe('session_test');
  expect(get('IvrMachineVersion')).toBe('1.2.0');
  expect(get('IvrChannel')).toBe('web');
  expect(get('IvrCallerHash')).toMatch(/^[0-9a-f]{16}$/);
  expect(JSON.stringify(attrs.getAll())).not.toContain('699887766');
  expect(handle.workflowId).toMatch(/^web-/);
});

describe('replay against the current code', () => {
  // Imported lazily: the replay module bundles workflow code like the worker does.
  const load = () => import('../../workers/replay');

  test('a recorded session replays cleanly', async () => {
    backend.answer('PUT /things/42/confirm', { status: 200, body: {} });
    const handle = await start();
    await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
    await handle.result();
    const history = await handle.fetchHistory();
    const { replayHistory } = await load();
    expect(await replayHistory(history, handle.workflowId)).toEqual({ workflowId: handle.workflowId, ok: true });
  });

  test('a history the current code would not produce is reported as a divergence with its event', async () => {
    backend.answer('PUT /things/42/confirm', { status: 200, body: {} });
    const handle = await start();
    await handle.executeUpdate(inputUpdate, { args: [dtmf('1')] });
    await handle.result();
    const history = await handle.fetchHistory();
    // Pretend an older interpreter scheduled another activity at this point.
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes);
    scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'legacyCallBackend' };
    const { replayHistory } = await load();
    const outcome = await replayHistory(history, handle.workflowId);
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.kind).toBe('nondeterminism');
    expect(outcome.error?.message).toMatch(/legacyCallBackend|callBackend/);
    expect(outcome.error?.eventId).toBe(Number(scheduled!.eventId));
  });
});
