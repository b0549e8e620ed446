/**
 * The portal's first screen in one round trip: a start is one Update-with-Start (the workflow starts and its
 * `firstView` update answers once the session waits), never a start followed by queries; and a start never attaches
 * to a session already running under its id.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import path from 'node:path';
import { loadMachine } from '../../lib/machine/loader';
import { startSessionWithFirstView } from '../../sessions/start';
import type { LocalStack } from '../../stack/local-stack';
import { viewQuery } from '../../workflows/session-api';
import { PortalClient, startPortalStack } from './support';

jest.setTimeout(120_000);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startPortalStack('first-view');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const workflowIdOf = (browser: PortalClient) => `web-${browser.cookie.split('=')[1]!.split('.')[0]}`;

test('the start answers the first screen from the firstView update sent with the start, in the run that started', async () => {
  const browser = new PortalClient(stack.apiUrl);
  const r = await browser.start();
  expect(r.status).toBe(200);
  expect(r.body.view).toMatchObject({ state: 'ivr.entry', screen: 'C0', ended: null, turn: 0 });
  const handle = stack.client.workflow.getHandle(workflowIdOf(browser));
  // The answer is the session's own view once it waits (nothing missing from what a query reads now).
  const now = await handle.query(viewQuery);
  expect(r.body.view.prompts).toEqual(now.prompts);
  expect(r.body.view.choices.map((c: { id: string }) => c.id)).toEqual(now.listen!.choices.map((c) => c.id));
  const { events } = await handle.fetchHistory();
  const accepted = events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const completed = events!.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes);
  expect(accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name)).toEqual(['firstView']);
  expect(completed).toHaveLength(1);
  // Accepted in the run's first workflow task: the update travelled with the start, not after it.
  const firstTaskCompleted = events!.findIndex((e) => e.workflowTaskCompletedEventAttributes);
  const acceptedAt = events!.indexOf(accepted[0]!);
  expect(acceptedAt).toBeGreaterThan(firstTaskCompleted);
  expect(events!.slice(0, acceptedAt).filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
});

test('a restart is a new session with its own first screen; the old one ends as an ordinary hang-up', async () => {
  const browser = new PortalClient(stack.apiUrl);
  await browser.start();
  const first = workflowIdOf(browser);
  const again = await browser.start(true);
  expect(again.body).toMatchObject({ resumed: false, view: { state: 'ivr.entry', turn: 0 } });
  const second = workflowIdOf(browser);
  expect(second).not.toBe(first);
  const old = await stack.client.workflow.getHandle(first).result();
  // An ordinary end, not a failed channel (a cause the session does not know reads as one).
  expect(old).toMatchObject({ outcome: 'hangup', declaredOutcome: 'caller_hung_up' });
  expect(old.failure).toBeUndefined();
});

test('a start never attaches to a session already running under its id (conflict policy FAIL)', async () => {
  const machine = loadMachine(path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml'));
  const callId = crypto.randomUUID();
  const input = { machine, channel: 'web' as const, callId };
  const view = await startSessionWithFirstView(stack.client, input, { taskQueue: stack.taskQueue });
  expect(view).toMatchObject({ state: 'ivr.entry', listening: true, turn: 0 });
  await expect(startSessionWithFirstView(stack.client, input, { taskQueue: stack.taskQueue })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  await stack.client.workflow.getHandle(`web-${callId}`).terminate('test over');
});
