/**
 * The API's administration socket (api/admin-socket.ts) takes anything a local client sends without dying: a
 * request that is not JSON, not the protocol, or larger than the bound gets an error answer, and the API serves the
 * next request and /healthz as before. A socket file left by an API that stopped is replaced at start.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../../api/config';
import { adminSocketPath, askAdminSocket, MAX_REQUEST_BYTES } from '../../api/admin-socket';
import { startApiServer, type RunningApi } from '../../api/server';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { createLogger } from '../../lib/log';
import { createOdooClient } from '../../lib/odoo/client';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';

const KEYS = { OTP_HASH_KEY: 'test-otp-hash-key-0123', SESSION_KEY: 'test-session-key-01234' };

/** Sends raw bytes on a fresh connection and returns everything the API answered before closing. */
function raw(file: string, data: string | Buffer, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = net.createConnection(file, () => {
      s.write(data);
      if (opts.end) s.end();
    });
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

describe('administration socket', () => {
  let dir: string;
  let storeDir: string;
  let api: RunningApi;
  let file: string;
  let odooSim: OdooSimulator;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-admin-sock-'));
    storeDir = path.join(dir, 'store');
    file = adminSocketPath(storeDir);
    // A socket file left behind by an API killed outright, in a folder others could read.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.dirname(file), 0o755);
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(file)}, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fs.lstatSync(file).isSocket()).toBe(true);
    odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '..', '..', 'sim/odoo/fixtures/demo.json') });
    api = await startApiServer({
      port: 0, host: '127.0.0.1',
      config: testConfig({ ...KEYS, API_STORE_DIR: storeDir }),
      odoo: createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', retries: 0 }),
      brevo: { config: brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: 'http://127.0.0.1:9', BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'rdv@cabinet.example' }) },
      log: createLogger('api', { level: 'silent' }),
    });
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await odooSim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const healthy = async () => (await fetch(`${api.url}/healthz`)).status;

  test('the socket is 0600 in a 0700 folder, and serves the protocol', async () => {
    expect(fs.lstatSync(file).isSocket()).toBe(true);
    expect(fs.lstatSync(file).mode & 0o777).toBe(0o600);
    expect(fs.lstatSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const added = await askAdminSocket(storeDir, { v: 1, op: 'add', name: 'carol' });
    expect(added).toEqual({ ok: true, op: 'add', name: 'carol', token: expect.stringMatching(/^op_/) });
    // A request whose client ends its side without a newline is still one request.
    const ended = JSON.parse(await raw(file, '{"v":1,"op":"list"}', { end: true }));
    expect(ended).toEqual({ ok: true, op: 'list', operators: [expect.objectContaining({ name: 'carol', status: 'active' })] });
  }, 60_000);

  test.each([
    ['not JSON', 'hello\n', 'invalid_request', /not JSON/],
    ['an unknown op', '{"v":1,"op":"drop"}\n', 'invalid_request', /invalid request: op/],
    ['a name that is not one', '{"v":1,"op":"add","name":"../../etc"}\n', 'invalid_request', /name: an operator name is/],
    ['an extra field', '{"v":1,"op":"list","token":"x"}\n', 'invalid_request', /invalid request/],
    ['another version', '{"v":2,"op":"list"}\n', 'invalid_request', /v:/],
    ['JSON that is not an object', '[1,2,3]\n', 'invalid_request', /invalid request/],
  ])('%s gets an error answer and the API lives on', async (_what, request, code, message) => {
    const answer = JSON.parse(await raw(file, request));
    expect(answer).toEqual({ ok: false, code, message: expect.stringMatching(message) });
    expect(await healthy()).toBe(200);
  }, 60_000);

  test('an oversized request gets too_large, without a newline and with one far away; the API lives on', async () => {
    const big = Buffer.alloc(MAX_REQUEST_BYTES * 4, 0x61);
    expect(JSON.parse(await raw(file, big, { end: true }))).toEqual({ ok: false, code: 'too_large', message: expect.stringMatching(/larger than 4096 bytes/) });
    expect(JSON.parse(await raw(file, Buffer.concat([big, Buffer.from('\n')])))).toMatchObject({ ok: false, code: 'too_large' });
    // A client that connects and goes away at once, and one that sends half a request and goes away.
    await raw(file, '', { end: true });
    const s = net.createConnection(file, () => s.destroy());
    await new Promise((r) => s.on('close', r));
    expect(await healthy()).toBe(200);
    expect(await askAdminSocket(storeDir, { v: 1, op: 'list' })).toMatchObject({ ok: true, op: 'list' });
  }, 60_000);

  test('stop removes the socket; the client then says no API serves it', async () => {
    await api.stop();
    expect(fs.existsSync(file)).toBe(false);
    await expect(askAdminSocket(storeDir, { v: 1, op: 'list' })).rejects.toThrow(/no administration socket at .*operators\.sock/);
    api = undefined as unknown as RunningApi;
  }, 60_000);
});
