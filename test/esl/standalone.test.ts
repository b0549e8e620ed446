/** The standalone simulator's control API, driven over HTTP while an adapter watches the event socket. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { EslConnection, type EslEvent } from '../../lib/esl';
import { createLogger } from '../../lib/log';
import { startEslSimulator, type EslSimulator } from '../../sim/esl';
import { runStandalone, startControlServer } from '../../sim/esl/standalone';
import { toneWav } from './support';

let sim: EslSimulator;
let control: http.Server;
let base: string;

beforeEach(async () => {
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
  control = await startControlServer(sim, 0);
  const a = control.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterEach(async () => {
  await new Promise<void>((r) => control.close(() => r()));
  await sim.stop();
});

async function until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function post(p: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

test('place a call, press keys, speak into a recording, hang up: all through the control API', async () => {
  const esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: createLogger('t', { level: 'silent' }) });
  await esl.connect();
  await esl.subscribe(['CHANNEL_PARK', 'DTMF']);
  const events: EslEvent[] = [];
  esl.on('event', (e) => events.push(e));
  const placed = await post('/calls', { caller: '0612345678', destination: '5000' });
  expect(placed.status).toBe(201);
  const uuid = String(placed.json.uuid);
  // Events reach the socket 5–60 ms after they are fired: wait for them rather than for a fixed time.
  await until(() => events.some((e) => e.name === 'CHANNEL_PARK' && e.uniqueId === uuid));
  expect((await post(`/calls/${uuid}/dtmf`, { digits: '42' })).status).toBe(200);
  await until(() => events.filter((e) => e.name === 'DTMF').length >= 2);
  expect(events.filter((e) => e.name === 'DTMF').map((e) => e.headers['DTMF-Digit'])).toEqual(['4', '2']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esl-ctl-'));
  fs.writeFileSync(path.join(dir, 'hello.wav'), toneWav(500, 8000));
  expect((await post(`/calls/${uuid}/speak`, { wavPath: path.join(dir, 'hello.wav') })).status).toBe(200);
  const rec = await esl.execute(uuid, 'record', `${path.join(dir, 'out.wav')} 10 200 1`);
  expect(rec.variables.silence_hits_exhausted).toBe('true');
  expect(fs.statSync(path.join(dir, 'out.wav')).size).toBe(44 + 2 * 8000 * 1.5);
  const list = (await (await fetch(`${base}/calls`)).json()) as { calls: Array<{ uuid: string; apps: Array<{ app: string }> }> };
  expect(list.calls.find((c) => c.uuid === uuid)?.apps.map((a) => a.app)).toEqual(['set', 'answer', 'park', 'record']);
  expect((await post(`/calls/${uuid}/hangup`, { cause: 'NORMAL_CLEARING' })).status).toBe(200);
  expect(await esl.api(`uuid_exists ${uuid}`)).toBe('false');
  await esl.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('bad requests get 400/404 with what was wrong', async () => {
  const bad = await post('/calls', { caller: '' });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.json.issues)).toMatch(/caller|destination/);
  expect((await post('/calls/nope/dtmf', { digits: '1' })).status).toBe(404);
  const placed = await post('/calls', { caller: '0612345678', destination: '5000' });
  expect((await post(`/calls/${String(placed.json.uuid)}/dtmf`, { digits: '1x' })).status).toBe(400);
  expect((await post(`/calls/${String(placed.json.uuid)}/speak`, { wavPath: '/no/such.wav' })).status).toBe(400);
});

test('runStandalone refuses a missing password with usage, and serves until stopped', async () => {
  const saved = process.env.ESL_PASSWORD;
  delete process.env.ESL_PASSWORD;
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await runStandalone(['--port', '0'])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/--password/);
    const ac = new AbortController();
    const running = runStandalone(['--port', '0', '--password', 'pw', '--control-port', '0'], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    expect(String(out.mock.calls.at(-1)?.[0])).toMatch(/event-socket simulator on 127\.0\.0\.1:\d+, control API on http:\/\/127\.0\.0\.1:\d+/);
    ac.abort();
    expect(await running).toBe(0);
  } finally {
    err.mockRestore();
    out.mockRestore();
    if (saved !== undefined) process.env.ESL_PASSWORD = saved;
  }
});

test('runStandalone takes --event-delay-ms MIN-MAX or one number, and refuses anything else with usage', async () => {
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await runStandalone(['--port', '0', '--password', 'pw', '--event-delay-ms', 'fast'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/--event-delay-ms: use MIN-MAX in ms/);
    expect(await runStandalone(['--port', '0', '--password', 'pw', '--event-delay-ms', '60-5'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/MIN must not exceed MAX/);
    for (const delay of ['5-60', '0']) {
      const ac = new AbortController();
      const running = runStandalone(['--port', '0', '--password', 'pw', '--event-delay-ms', delay], { signal: ac.signal });
      await until(() => out.mock.calls.some((c) => String(c[0]).includes('event-socket simulator on')));
      out.mockClear();
      ac.abort();
      expect(await running).toBe(0);
    }
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
});
