/**
 * The console's sessions API on the real dev server: five real sessions of one machine version (silence, no-match,
 * success, hang-up, a failed backend call), listed with the filters, each page's path, turns and outcome, the per-state figures, and the
 * operator check and validation in front of it all.
 */
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { consoleRouter } from '../../api/console/router';
import { ensureOperator } from '../../api/services/operators';
import { piiHash } from '../../lib/log';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { inputSignal, type CallerInput } from '../../workflows/session-api';
import { call, startStack, type Stack } from '../api/stack';
import type { BackendStub } from '../support/backend-stub';
import { startSessionRig, type SessionRig } from '../support/session-rig';
import { outcomesMachine, OUTCOMES_MACHINE_YAML } from '../outcomes/machine';

const taskQueue = `console-test-${process.pid}`;
// A version of its own: this file's sessions are told apart from every other test's by IvrMachineVersion. A name
// of its own too: the per-state figures read every recent session of a machine, and another test's sessions
// whose worker is gone could only be read after each one's query timed out.
const version = `9.${process.pid}.${Date.now() % 100000}`;
const machineName = `outcomes_console_${process.pid}`;
const caller = `+3361${String(process.pid).padStart(7, '0').slice(-7)}`;

let machine: CompiledMachine;
let rig: SessionRig;
let backend: BackendStub;
let client: Client;
let stack: Stack;
let base: string;
let token: string;
const ids: Record<'silence' | 'nomatch' | 'success' | 'hangup' | 'failed', string> = { silence: '', nomatch: '', success: '', hangup: '', failed: '' };

const get = (path: string, auth: string | null = token) => call(base, 'GET', path, auth ? { token: auth } : {});
type Input = CallerInput extends infer T ? (T extends CallerInput ? Omit<T, 'eventId'> : never) : never;
const send = (h: WorkflowHandle, input: Input) => h.signal(inputSignal, { eventId: crypto.randomUUID(), ...input } as CallerInput);

beforeAll(async () => {
  const yaml = OUTCOMES_MACHINE_YAML.replace('version: "1.0.0"', `version: "${version}"`).replace('machine: outcomes_test', `machine: ${machineName}`);
  machine = outcomesMachine(yaml);
  rig = await startSessionRig(taskQueue);
  ({ backend, client } = rig);
  stack = await startStack(new Date());
  const api = await stack.server({ routers: [consoleRouter({ client, temporalUiUrl: 'http://ui.example:8233' })] });
  base = api.url;
  ({ token } = await ensureOperator(api.deps, 'console-test'));

  const start = (m = machine) => startSessionWorkflow(client, { machine: m, channel: 'web', callId: crypto.randomUUID(), caller }, { taskQueue });
  backend.answer('POST /things/42/book', { status: 200, body: { ok: true } });
  // The same machine and version booking another thing, which the backend refuses: on_fail to the end.
  backend.answer('POST /things/43/book', { status: 409, body: { code: 'slot_taken' } });
  const refusing = outcomesMachine(yaml.replace('/things/42/book', '/things/43/book'));
  const [silence, nomatch, success, hangup, failed] = await Promise.all([start(), start(), start(), start(), start(refusing)]);
  await send(nomatch!, { kind: 'text', text: 'je voudrais un taxi pour Jean Dupont' });
  await send(nomatch!, { kind: 'text', text: 'un taxi jaune' });
  await send(success!, { kind: 'dtmf', digits: '1' });
  await send(hangup!, { kind: 'hangup', cause: 'NORMAL_CLEARING' });
  await send(failed!, { kind: 'dtmf', digits: '1' });
  await Promise.all([silence, nomatch, success, hangup, failed].map((h) => h!.result()));
  Object.assign(ids, { silence: silence!.workflowId, nomatch: nomatch!.workflowId, success: success!.workflowId, hangup: hangup!.workflowId, failed: failed!.workflowId });
  // Visibility is eventually consistent: wait until the list shows the five ended.
  for (let i = 0; i < 100; i++) {
    const r = await get(`/console/api/sessions?machine_version=${version}&status=closed`);
    if (r.body?.sessions?.length === 5 && r.body.sessions.every((s: { outcome: string | null }) => s.outcome)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  await stack?.stop();
});

test('401 without an operator, with a wrong token, and for the page and the figures too', async () => {
  for (const path of ['/console/api/sessions', `/console/api/sessions/${ids.success}`, '/console/api/stats']) {
    expect((await get(path, null)).status).toBe(401);
    expect((await get(path, 'op_not-a-real-token-at-all-00000')).status).toBe(401);
  }
});

test('a bad filter is a 400 naming the field', async () => {
  const r = await get('/console/api/sessions?state=x%22%20OR%20WorkflowId%3D%22y');
  expect(r.status).toBe(400);
  expect(r.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['query.state']);
  expect((await get('/console/api/sessions?status=sleeping')).status).toBe(400);
  expect((await get('/console/api/sessions?limit=0')).status).toBe(400);
  expect((await get('/console/api/sessions/not-a-session')).status).toBe(400);
  expect((await get('/console/api/stats?since_hours=-1')).status).toBe(400);
  // A token Temporal cannot read: the caller starts again from the first page.
  const forged = await get('/console/api/sessions?page_token=AAAAAAAAAAAA');
  expect(forged.status).toBe(400);
  expect(forged.body.error.message).toContain('page_token');
});

test('the list: every session of the version, with its row, filtered by outcome, goal, state, channel, caller hash', async () => {
  const all = await get(`/console/api/sessions?machine_version=${version}`);
  expect(all.status).toBe(200);
  expect(all.body.sessions.map((s: { workflowId: string }) => s.workflowId).sort()).toEqual(Object.values(ids).sort());
  const row = all.body.sessions.find((s: { workflowId: string }) => s.workflowId === ids.success);
  expect(row).toMatchObject({
    channel: 'web', machine: machineName, machineVersion: version, state: 'bye', outcome: 'booked', goal: 'reached',
    callerHash: piiHash(caller), status: 'completed',
  });
  expect(row.runId).toMatch(/^[0-9a-f-]{36}$/);
  expect(Date.parse(row.closedAt)).toBeGreaterThanOrEqual(Date.parse(row.startedAt));

  const only = async (q: string) => (await get(`/console/api/sessions?machine_version=${version}&${q}`)).body.sessions.map((s: { workflowId: string }) => s.workflowId).sort();
  expect(await only('outcome=noinput_exhausted')).toEqual([ids.silence]);
  expect(await only('goal=reached')).toEqual([ids.success]);
  expect(await only('goal=not_reached')).toEqual([ids.silence, ids.nomatch, ids.hangup, ids.failed].sort());
  expect(await only('outcome=backend_failed')).toEqual([ids.failed]);
  expect(await only('state=menu')).toEqual([ids.hangup]);
  expect(await only('channel=voice')).toEqual([]);
  expect(await only(`caller_hash=${piiHash(caller)}&outcome=caller_hung_up`)).toEqual([ids.hangup]);
  expect(await only('status=running')).toEqual([]);

  // Paging: two by two, with the token of the previous page, until there is none.
  const first = await get(`/console/api/sessions?machine_version=${version}&limit=2`);
  expect(first.body.sessions).toHaveLength(2);
  expect(first.body.nextPageToken).toEqual(expect.any(String));
  const paged = [...first.body.sessions];
  for (let token = first.body.nextPageToken, n = 0; token && n < 5; n++) {
    const page = await get(`/console/api/sessions?machine_version=${version}&limit=2&page_token=${token}`);
    expect(page.status).toBe(200);
    paged.push(...page.body.sessions);
    token = page.body.nextPageToken;
  }
  expect(paged.map((s: { workflowId: string }) => s.workflowId).sort()).toEqual(Object.values(ids).sort());
  // A token pages only the list it came from.
  const elsewhere = await get(`/console/api/sessions?machine_version=${version}&goal=reached&limit=2&page_token=${first.body.nextPageToken}`);
  expect(elsewhere.status).toBe(400);
  expect(elsewhere.body.error.fields).toEqual([{ path: 'query.page_token', message: 'not a token of this list' }]);
});

test('the page of a successful session: graph, path with times, the turn, the outcome, the Temporal UI link', async () => {
  const r = await get(`/console/api/sessions/${ids.success}`);
  expect(r.status).toBe(200);
  const p = r.body;
  expect(p).toMatchObject({ workflowId: ids.success, status: 'completed', channel: 'web', machine: machineName, currentState: 'bye', screen: 'C2', outcome: 'booked', goal: 'reached', failure: null, traceError: null });
  expect(p.temporalUrl).toBe(`http://ui.example:8233/namespaces/default/workflows/${ids.success}/${p.runId}`);
  expect(p.graph.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['book', 'bye', 'menu']);
  expect(p.graph.edges).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'menu', to: 'book', input: true })]));
  expect(p.path.map((s: { state: string }) => s.state)).toEqual(['menu', 'book', 'bye']);
  for (const s of p.path) expect(Date.parse(s.enteredAt)).not.toBeNaN();
  expect(p.path[2].spentMs).toEqual(expect.any(Number));
  expect(p.turns).toHaveLength(1);
  expect(p.turns[0]).toMatchObject({
    state: 'menu', prompt: ['Pour réserver, dites réserver ou tapez 1.'], heard: { kind: 'dtmf', value: '1' }, result: 'route:book',
    actions: [{ endpoint: null, ok: true, status: 200 }], next: 'bye',
  });
  expect(p.turns[0].latencyMs).toEqual(expect.any(Number));
});

test('the page of a no-match session masks the words heard that are not the machine’s', async () => {
  const p = (await get(`/console/api/sessions/${ids.nomatch}`)).body;
  expect(p.outcome).toBe('nomatch_exhausted');
  expect(p.turns.map((t: { result: string }) => t.result)).toEqual(['nomatch', 'nomatch']);
  expect(JSON.stringify(p)).not.toContain('Dupont');
  expect(p.turns[0].heard).toEqual({ kind: 'text', value: '•••nt' });
  expect(p.path.map((s: { state: string }) => s.state)).toEqual(['menu', 'bye']);
});

test('the page of a session whose backend call failed: the action refused, backend_failed, goal not reached', async () => {
  const p = (await get(`/console/api/sessions/${ids.failed}`)).body;
  expect(p).toMatchObject({ outcome: 'backend_failed', goal: 'not_reached', currentState: 'bye', failure: null });
  expect(p.path.map((s: { state: string }) => s.state)).toEqual(['menu', 'book', 'bye']);
  expect(p.turns).toHaveLength(1);
  expect(p.turns[0]).toMatchObject({ state: 'menu', heard: { kind: 'dtmf', value: '1' }, actions: [{ ok: false, status: 409 }], next: 'bye' });
});

test('the pages of a silent and a hung-up session', async () => {
  const silent = (await get(`/console/api/sessions/${ids.silence}`)).body;
  expect(silent.outcome).toBe('noinput_exhausted');
  expect(silent.turns.map((t: { result: string; heard: { kind: string } }) => [t.result, t.heard.kind])).toEqual([['noinput', 'timeout'], ['noinput', 'timeout']]);
  const hung = (await get(`/console/api/sessions/${ids.hangup}`)).body;
  expect(hung).toMatchObject({ outcome: 'caller_hung_up', currentState: 'menu' });
  expect(hung.turns).toEqual([expect.objectContaining({ state: 'menu', result: 'hangup', heard: { kind: 'hangup', value: null } })]);
  expect((await get('/console/api/sessions/web-00000000-0000-0000-0000-000000000000')).status).toBe(404);
});

test('per-state figures of the five sessions', async () => {
  // The figures of one machine read every recent session of it: this file's machine has its own name.
  const r = await get(`/console/api/stats?machine=${machineName}&since_hours=1&limit=200`);
  expect(r.status).toBe(200);
  expect(r.body.sessions).toBe(5);
  const byState = Object.fromEntries(r.body.states.map((s: { state: string }) => [s.state, s]));
  // menu: five visits, seven turns (two silences, two answers not understood, a key, a hang-up, a key).
  expect(byState.menu).toMatchObject({ visits: 5, turns: 7, noinputRate: 0.286, nomatchRate: 0.286, hangups: 1 });
  expect(byState.menu.p50Ms).toEqual(expect.any(Number));
  // book: the two sessions that pressed 1; bye: every session but the hung-up one.
  expect(byState.book).toMatchObject({ visits: 2, turns: 0, hangups: 0 });
  expect(byState.bye).toMatchObject({ visits: 4, turns: 0, hangups: 0 });
});
