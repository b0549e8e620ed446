/**
 * Each way a session ends shows its own outcome, on the real Temporal dev server: in the workflow's result and in
 * the IvrOutcome / IvrGoal search attributes operators filter by (read back with describe()).
 */
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { inputSignal, type CallerInput, type SessionResult } from '../../workflows/session-api';
import type { BackendStub } from '../support/backend-stub';
import { startSessionRig, type SessionRig } from '../support/session-rig';
import { outcomesMachine } from './machine';

let machine: CompiledMachine;
let rig: SessionRig;
let backend: BackendStub;
let client: Client;
const taskQueue = `outcomes-test-${process.pid}`;

beforeAll(async () => {
  machine = outcomesMachine();
  rig = await startSessionRig(taskQueue);
  ({ backend, client } = rig);
}, 120_000);

afterAll(async () => {
  await rig?.stop();
});

const start = (): Promise<WorkflowHandle> =>
  startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID(), caller: '+33612345678' }, { taskQueue });

type Input = CallerInput extends infer T ? (T extends CallerInput ? Omit<T, 'eventId'> : never) : never;
const send = (handle: WorkflowHandle, input: Input): Promise<void> =>
  handle.signal(inputSignal, { eventId: crypto.randomUUID(), ...input } as CallerInput);

/** The result, and the search attributes as the Temporal UI shows them. */
async function ending(handle: WorkflowHandle): Promise<{ result: SessionResult; attrs: Record<string, unknown> }> {
  const result = (await handle.result()) as SessionResult;
  const attrs = Object.fromEntries((await handle.describe()).typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
  return { result, attrs };
}

test('silence: the no-input counter runs out → noinput_exhausted, goal not reached', async () => {
  const { result, attrs } = await ending(await start());
  expect(result).toMatchObject({ outcome: 'completed', declaredOutcome: 'noinput_exhausted', goal: 'not_reached', state: 'bye' });
  expect(attrs).toMatchObject({ IvrOutcome: 'noinput_exhausted', IvrGoal: 'not_reached', IvrState: 'bye' });
}, 60_000);

test('no-match: answers not understood until the counter runs out → nomatch_exhausted', async () => {
  const handle = await start();
  await send(handle, { kind: 'text', text: 'je voudrais un taxi' });
  await send(handle, { kind: 'text', text: 'un taxi jaune' });
  const { result, attrs } = await ending(handle);
  expect(result).toMatchObject({ outcome: 'completed', declaredOutcome: 'nomatch_exhausted', goal: 'not_reached', state: 'bye', turns: 2 });
  expect(attrs).toMatchObject({ IvrOutcome: 'nomatch_exhausted', IvrGoal: 'not_reached' });
}, 60_000);

test('a failed backend call taken as on_fail to the end → backend_failed', async () => {
  backend.answer('POST /things/42/book', { status: 409, body: { code: 'slot_taken' } });
  const handle = await start();
  await send(handle, { kind: 'dtmf', digits: '1' });
  const { result, attrs } = await ending(handle);
  expect(result).toMatchObject({ outcome: 'completed', declaredOutcome: 'backend_failed', goal: 'not_reached', state: 'bye' });
  expect(attrs).toMatchObject({ IvrOutcome: 'backend_failed', IvrGoal: 'not_reached' });
}, 60_000);

test('hang-up: caller_hung_up, with the state and screen where it happened', async () => {
  const handle = await start();
  await send(handle, { kind: 'hangup', cause: 'NORMAL_CLEARING' });
  const { result, attrs } = await ending(handle);
  expect(result).toMatchObject({ outcome: 'hangup', declaredOutcome: 'caller_hung_up', goal: 'not_reached', state: 'menu', screen: 'C0' });
  expect(attrs).toMatchObject({ IvrOutcome: 'caller_hung_up', IvrGoal: 'not_reached', IvrState: 'menu' });
}, 60_000);

test('success: the outcome written on the branch → booked, goal reached', async () => {
  backend.answer('POST /things/42/book', { status: 200, body: { ok: true } });
  const handle = await start();
  await send(handle, { kind: 'dtmf', digits: '1' });
  const { result, attrs } = await ending(handle);
  expect(result).toMatchObject({ outcome: 'completed', declaredOutcome: 'booked', goal: 'reached', state: 'bye', screen: 'C2' });
  expect(attrs).toMatchObject({ IvrOutcome: 'booked', IvrGoal: 'reached' });
}, 60_000);

test('the outcome is written once, at the end: one search-attribute write carries IvrOutcome and IvrGoal', async () => {
  backend.answer('POST /things/42/book', { status: 200, body: { ok: true } });
  const handle = await start();
  await send(handle, { kind: 'dtmf', digits: '1' });
  await handle.result();
  const { events } = await handle.fetchHistory();
  const writes = (events ?? [])
    .map((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields)
    .filter((f): f is NonNullable<typeof f> => f != null)
    .map((f) => Object.keys(f).sort());
  expect(writes.filter((keys) => keys.includes('IvrOutcome'))).toEqual([['IvrGoal', 'IvrOutcome']]);
  expect(writes.filter((keys) => keys.includes('IvrGoal'))).toHaveLength(1);
}, 60_000);
