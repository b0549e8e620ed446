/**
 * The voice CRM's SMS link (machines/voice-crm.yaml, crm.email.link) is sent to a caller who is usually not a client
 * yet. Opening it joins the call itself while it runs: the page shows the call's screen and the address typed there
 * reaches the call's own session, once. The link of a number with no call behind it is still 404 unknown_number,
 * and leaving the page never ends the call.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { loadMachine } from '../../lib/machine/loader';
import { machineStartingAt, startSessionWorkflow } from '../../sessions/start';
import type { LocalStack } from '../../stack/local-stack';
import { traceQuery } from '../../workflows/session-api';
import { lastLinkToken, PortalClient, startPortalStack } from './support';

jest.setTimeout(120_000);

let stack: LocalStack;
const TASK_QUEUE_TAG = 'join';

beforeAll(async () => {
  stack = await startPortalStack(TASK_QUEUE_TAG);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const NEW_PERSON = '+261349876501'; // no partner has it in the simulator's fixtures

async function sendLink(sessionId: string): Promise<string> {
  const sent = await fetch(`${stack.apiUrl}/portal/send-otp-link`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone_e164: NEW_PERSON, channel_preference: 'sms', session_id: sessionId }),
  });
  expect(sent.status).toBe(200);
  return lastLinkToken(stack.brevoSim!);
}

/** A voice CRM call waiting for the typed address (no telephony node: its prompts are not played). */
async function callWaitingForTheAddress(): Promise<string> {
  const uuid = crypto.randomUUID();
  const machine = machineStartingAt(loadMachine(path.join(__dirname, '../../machines/voice-crm.yaml')), 'crm.email.typed');
  const handle = await startSessionWorkflow(
    stack.client,
    { machine, channel: 'voice', callId: uuid, caller: NEW_PERSON, ctx: { contact_draft: { firstname: 'Lina', lastname: 'Andrianina', email: null, phone: NEW_PERSON } } },
    { taskQueue: `portal-${TASK_QUEUE_TAG}-${process.pid}` },
  );
  return handle.workflowId;
}

test('the link of a new person joins the running call: the typed address reaches the call, and leaving the page keeps the call', async () => {
  const sessionId = await callWaitingForTheAddress();
  const token = await sendLink(sessionId);
  const browser = new PortalClient(stack.apiUrl);
  const joined = await browser.send('POST', '/portal/api/link', { token });
  expect(joined.status).toBe(200);
  expect(joined.body.view).toMatchObject({ state: 'crm.email.typed' });
  const typed = await browser.type('lina.andrianina@exemple.com');
  expect(typed.status).toBe(200);
  const { events } = await stack.client.workflow.getHandle(sessionId).query(traceQuery, 0);
  expect(events).toContainEqual(expect.objectContaining({ kind: 'collected', state: 'crm.email.typed', key: 'correction' }));
  // Leaving the page is not hanging up the phone.
  expect((await browser.send('POST', '/portal/api/logout', {})).status).toBe(200);
  expect((await stack.client.workflow.getHandle(sessionId).describe()).status.name).toBe('RUNNING');
  // Once only.
  const again = await new PortalClient(stack.apiUrl).send('POST', '/portal/api/link', { token });
  expect(again.status).toBe(410);
  await stack.client.workflow.getHandle(sessionId).terminate('test over');
});

test('the link of a new person whose call has ended says so; with no call behind it, it stays unknown_number', async () => {
  const sessionId = await callWaitingForTheAddress();
  const token = await sendLink(sessionId);
  await stack.client.workflow.getHandle(sessionId).terminate('the caller hung up');
  const ended = await new PortalClient(stack.apiUrl).send('POST', '/portal/api/link', { token });
  expect(ended.status).toBe(410);
  expect(ended.body.error.reason).toBe('call_ended');

  const orphan = await sendLink('web-not-a-call');
  const refused = await new PortalClient(stack.apiUrl).send('POST', '/portal/api/link', { token: orphan });
  expect(refused.status).toBe(404);
  expect(refused.body.error.code).toBe('unknown_number');
});
