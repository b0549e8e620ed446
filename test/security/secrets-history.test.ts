/**
 * Secrets are never workflow state: a portal session of machines/rdv-ivr.yaml logs in by OTP on the dev server,
 * against the real API (Odoo and Brevo simulators), then lists its appointments with the session token. Its whole
 * history, decrypted with the product's payload keys (what the codec server shows an operator), must not contain
 * the session token or the code: only sealed references, which the payload keys cannot open.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { dataConverter, payloadCodec } from '../../lib/codec/data-converter';
import { checkMachineSource, loadMachine } from '../../lib/machine/loader';
import { seal, sealKeyFromEnv } from '../../lib/secrets/seal';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputSignal, inputUpdate, sessionWorkflowId, viewQuery, type CallerInput, type SessionView } from '../../workflows/session-api';
import { lastCode, startStack, type Stack } from '../api/stack';

const PHONE = '+33612345678';
const machine = loadMachine(path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml'));
const taskQueue = `secrets-history-${process.pid}`;

let stack: Stack;
let proxy: http.Server;
let proxyUrl: string;
/** Session tokens the API handed out, seen on the wire between the worker and the API. */
const issuedTokens: string[] = [];
/** `METHOD /path` of every request that reached the API through the proxy. */
const forwarded: string[] = [];
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let connection: Connection;
let client: Client;

/** Forwards to the API and notes every session_token it answers with (the test must know what to look for). */
function startRecordingProxy(target: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      forwarded.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(target + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) })
        .then(async (answer) => {
          const text = await answer.text();
          const token = /"session_token"\s*:\s*"([^"]+)"/.exec(text)?.[1];
          if (token) issuedTokens.push(token);
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  stack = await startStack();
  proxy = await startRecordingProxy(stack.api.url);
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const address = process.env.TEMPORAL_ADDRESS!;
  native = await NativeConnection.connect({ address });
  // The worker's default seal key (SECRET_SEAL_KEY, else the development key), as `ivr simulate` runs it.
  worker = await createSessionWorker({ connection: native, taskQueue, backendUrl: proxyUrl });
  running = worker.run();
  connection = await Connection.connect({ address });
  client = new Client({ connection, dataConverter: dataConverter() });
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await connection?.close();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await stack?.stop();
});

type Typed = { kind: 'dtmf'; digits: string } | { kind: 'text'; text: string };
const send = (handle: WorkflowHandle, input: Typed): Promise<SessionView> => {
  const event: CallerInput = { eventId: crypto.randomUUID(), ...input };
  return handle.executeUpdate(inputUpdate, { args: [event] });
};

/**
 * Every text of the history as an operator reads it through the codec server: payloads decrypted with the payload
 * keys and decoded, plus the plain strings of the events (summaries, details, failure messages).
 */
async function decodedHistoryTexts(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const codec = payloadCodec();
  const texts: string[] = [];
  const pending: Promise<void>[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      texts.push(v);
      return;
    }
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'data' in o) {
      pending.push(
        codec.decode([o as Payload]).then(([clear]) => {
          const encoding = Buffer.from(clear?.metadata?.encoding ?? new Uint8Array()).toString();
          const data = Buffer.from(clear?.data ?? new Uint8Array()).toString('utf8');
          texts.push(encoding === 'json/plain' ? JSON.stringify(JSON.parse(data)) : data);
        }),
      );
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(history.events ?? []);
  await Promise.all(pending);
  return texts;
}

/** Logs in as the caller of the fixtures; `typeCode` sends the code the way the channel does. */
async function loginThenListAppointments(typeCode: (handle: WorkflowHandle, code: string) => Promise<SessionView>) {
  const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID(), caller: PHONE }, { taskQueue });
  let view = await send(handle, { kind: 'dtmf', digits: '1' });
  expect(view.state).toBe('ivr.auth.phone_capture');
  view = await send(handle, { kind: 'text', text: PHONE });
  expect(view.state).toBe('ivr.auth.verify_otp');
  const code = lastCode(stack.brevoSim, PHONE);
  const tokensBefore = issuedTokens.length;
  view = await typeCode(handle, code);
  expect(view.state).toBe('ivr.auth.consent');
  expect(issuedTokens.length).toBe(tokensBefore + 1);
  const token = issuedTokens.at(-1)!;
  expect(view.ctx.portal_session_token).toBe('•••');
  view = await send(handle, { kind: 'dtmf', digits: '1' });
  expect(view.state).toBe('ivr.auth.preferred_channel');
  // Saving the preferences and listing the appointments are bearer calls: the API authenticated the sealed token.
  view = await send(handle, { kind: 'text', text: "par SMS s'il vous plaît" });
  expect(view.state).toBe('ivr.appointments.list.router');
  expect(view.prompts.join(' ')).toContain('1 rendez-vous à venir');
  await handle.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'hangup' });
  expect(await handle.result()).toMatchObject({ outcome: 'hangup' });
  return { workflowId: handle.workflowId, token, code };
}

test('a portal login by OTP leaves neither the session token nor the code in the decrypted history', async () => {
  // The portal knows it is asking for a code (view.listen.collect.mode) and seals it for this session.
  const sealKey = sealKeyFromEnv(process.env);
  const { workflowId, token, code } = await loginThenListAppointments((handle, c) => send(handle, { kind: 'text', text: seal(sealKey, handle.workflowId, c) }));

  const texts = await decodedHistoryTexts(workflowId);
  const all = texts.join('\n');
  // The decryption worked: the session's own state names and its sealed references are there in clear.
  expect(all).toContain('ivr.appointments.list.router');
  expect(all).toMatch(/"session_token":"sealed:v1:[A-Za-z0-9_-]{39,}"/);
  expect(all).toMatch(/"Authorization":"Bearer sealed:v1:[A-Za-z0-9_-]{39,}"/);
  expect(token.length).toBeGreaterThan(20);
  expect(texts.filter((t) => t.includes(token))).toEqual([]);
  expect(texts.filter((t) => t.includes(code))).toEqual([]);
  // Nor do the payload keys open a reference: unsealing needs the workers' seal key and this workflow id.
  expect(all).not.toContain(Buffer.from(token).toString('base64'));
}, 120_000);

test('a code typed in clear (voice keys, ivr simulate) is in the caller input and the verify request only, never in later state', async () => {
  const { workflowId, token, code } = await loginThenListAppointments((handle, c) => send(handle, { kind: 'dtmf', digits: `${c}#` }));
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const codec = payloadCodec();
  const where: string[] = [];
  for (const event of history.events ?? []) {
    const kind = Object.keys(event).find((k) => k.endsWith('EventAttributes')) ?? '?';
    const payloads: Payload[] = [];
    const walk = (v: unknown): void => {
      if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
      if (Array.isArray(v)) return v.forEach(walk);
      const o = v as Record<string, unknown>;
      if (o.metadata && typeof o.metadata === 'object' && 'data' in o) payloads.push(o as Payload);
      else Object.values(o).forEach(walk);
    };
    walk(event);
    const clear = await codec.decode(payloads);
    const text = clear.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
    if (text.includes(token)) where.push(`token in ${kind}`);
    if (text.includes(code)) where.push(`code in ${kind}${text.includes('/auth/verify-otp') ? ' (verify request)' : ''}`);
  }
  // The residual: the keys the caller typed (update input) and the request that checks them; no result, no view,
  // no later activity input carries the code, and nothing carries the token.
  expect(where).toEqual([
    'code in workflowExecutionUpdateAcceptedEventAttributes',
    'code in activityTaskScheduledEventAttributes (verify request)',
  ]);
}, 120_000);

/** A portal page opened with a session token: one bearer call, then a prompt that says how it went. */
function meMachine() {
  const yaml = `
machine: secrets_me
version: "1"
locale: fr-FR
timezone: Europe/Paris
entry: s.me
globals:
  exhausted_next: s.bye
  noinput_timeout_sec: 5
states:
  s.me:
    type: action_then_prompt
    action:
      call: "GET /portal/me"
      headers:
        Authorization: "Bearer {{ctx.portal_session_token}}"
      on_success: { prompt: "Profil lu.", next: s.bye }
      on_fail: { prompt: "Accès refusé.", next: s.bye }
  s.bye:
    type: prompt_end
    prompt: "Au revoir."
`;
  const checked = checkMachineSource('secrets-me.yaml', yaml);
  if (!checked.machine) throw new Error(`test machine: ${JSON.stringify(checked.diagnostics)}`);
  return checked.machine;
}

test("a sealed token copied from session A's history is refused in session B before reaching the API", async () => {
  const sealKey = sealKeyFromEnv(process.env);
  const a = await loginThenListAppointments((handle, c) => send(handle, { kind: 'text', text: seal(sealKey, handle.workflowId, c) }));
  const refOfA = /"session_token":"(sealed:v1:[A-Za-z0-9_-]+)"/.exec((await decodedHistoryTexts(a.workflowId)).join('\n'))?.[1];
  expect(refOfA).toBeDefined();

  const runMe = async (portalSessionToken: string, callId = crypto.randomUUID()) => {
    const before = forwarded.length;
    const handle = await startSessionWorkflow(client, { machine: meMachine(), channel: 'web', callId, ctx: { portal_session_token: portalSessionToken } }, { taskQueue });
    await handle.result();
    return { prompts: (await handle.query(viewQuery)).prompts, calls: forwarded.slice(before) };
  };

  // Session B holds A's reference: the activity refuses it, the machine takes on_fail, the API sees nothing.
  const b = await runMe(refOfA!);
  expect(b.calls).toEqual([]);
  expect(b.prompts).toEqual(['Accès refusé.', 'Au revoir.']);
  // Control: the same token sealed for B's own workflow id opens the portal (the API authenticates it).
  const callId = crypto.randomUUID();
  const own = await runMe(seal(sealKey, sessionWorkflowId('web', callId), a.token), callId);
  expect(own.calls).toEqual(['GET /portal/me']);
  expect(own.prompts).toEqual(['Profil lu.', 'Au revoir.']);
}, 120_000);
