/**
 * `ivr operators add|list|revoke` work on the very store the API opens (API_STORE_DIR here; DATABASE_URL the same
 * way): the token printed as the last line of `add` opens /crm on an API started on that store, `revoke` closes it.
 * While an API holds the embedded store (one process at a time), the same commands reach it through its
 * administration socket in the store's folder, with the same output and exit codes, and are audited; a store held
 * by a process that serves no socket is a clear error.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import { testConfig } from '../../api/config';
import { startApiServer, type RunningApi } from '../../api/server';
import { ApiStore } from '../../api/store/store';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { createLogger } from '../../lib/log';
import { createOdooClient } from '../../lib/odoo/client';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';
import { call } from '../api/stack';

const ROOT = path.join(__dirname, '..', '..');
const KEYS = { OTP_HASH_KEY: 'test-otp-hash-key-0123', SESSION_KEY: 'test-session-key-01234' };

function ivr(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/ivr.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const lastLine = (out: string) => out.trim().split('\n').at(-1)!;

describe('ivr operators', () => {
  let dir: string;
  let odooSim: OdooSimulator;
  let env: NodeJS.ProcessEnv;
  let logs: string[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-operators-'));
    odooSim = await startOdooSimulator({ fixtures: path.join(ROOT, 'sim/odoo/fixtures/demo.json') });
    env = { ...KEYS, API_STORE_DIR: path.join(dir, 'store'), DATABASE_URL: '', LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await odooSim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const startApi = (): Promise<RunningApi> => {
    const router = express.Router();
    router.get('/crm/ping', (_req, res) => void res.json({ ok: true }));
    logs = [];
    const destination = new Writable({ write(chunk: Buffer, _enc, done) { logs.push(chunk.toString('utf8')); done(); } });
    return startApiServer({
      port: 0, host: '127.0.0.1', routers: [router],
      config: testConfig({ ...KEYS, API_STORE_DIR: env.API_STORE_DIR! }),
      odoo: createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', retries: 0 }),
      brevo: { config: brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: 'http://127.0.0.1:9', BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'rdv@cabinet.example' }) },
      log: createLogger('api', { level: 'info', destination }),
    });
  };

  test('with the store free, and with an API holding it: same output, same exit codes, tokens open and close /crm on that API', async () => {
    // Store free: the command opens it itself.
    const added = await ivr(env, 'operators', 'add', 'alice');
    expect(added.code).toBe(0);
    const token = lastLine(added.stdout);
    expect(token).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
    const dupFree = await ivr(env, 'operators', 'add', 'alice');
    expect(dupFree.code).toBe(1);
    const listed = await ivr(env, 'operators', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'alice', status: 'active' })]);
    expect(listed.stdout).not.toContain(token);

    const api = await startApi();
    let bobToken = '';
    try {
      const sock = path.join(env.API_STORE_DIR!, '.admin', 'operators.sock');
      expect(fs.statSync(sock).isSocket()).toBe(true);
      expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(sock)).mode & 0o777).toBe(0o700);
      expect((await call(api.url, 'GET', '/crm/ping', { token })).status).toBe(200);

      // Store held by the API: the same commands go through its administration socket.
      const viaApi = await ivr(env, 'operators', 'add', 'bob');
      expect(viaApi.code).toBe(0);
      expect(viaApi.stderr).toBe('');
      bobToken = lastLine(viaApi.stdout);
      expect(bobToken).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
      expect(viaApi.stdout.replace(/bob/g, 'alice').replace(bobToken, token)).toBe(added.stdout);
      expect((await call(api.url, 'GET', '/crm/ping', { token: bobToken })).status).toBe(200);

      const dupHeld = await ivr(env, 'operators', 'add', 'alice');
      expect(dupHeld.code).toBe(dupFree.code);
      expect(dupHeld.stderr).toBe(dupFree.stderr);

      const list = await ivr(env, 'operators', 'list', '--json');
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'alice', status: 'active' }), expect.objectContaining({ name: 'bob', status: 'active' })]);
      const text = await ivr(env, 'operators', 'list');
      expect(text.stdout).toMatch(/^bob +active/m);

      const revoked = await ivr(env, 'operators', 'revoke', 'bob');
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toBe("Operator 'bob' revoked: its token answers 401 from now on.\n");
      const r = await call(api.url, 'GET', '/crm/ping', { token: bobToken });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      const again = await ivr(env, 'operators', 'revoke', 'bob');
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/no active operator named 'bob'/);

      // Audited in the API's log: who asked and what, never the token.
      const joined = logs.join('');
      expect(joined).toMatch(/"askedBy":"cli via admin socket","action":"operators add bob"/);
      expect(joined).toMatch(/"action":"operators revoke bob","status":200/);
      expect(joined).not.toContain(bobToken);
    } finally {
      await api.stop();
    }
    expect(fs.existsSync(path.join(env.API_STORE_DIR!, '.admin', 'operators.sock'))).toBe(false);

    // Store free again: revoking reads the same store; the audit rows name who asked, without the token.
    expect((await ivr(env, 'operators', 'revoke', 'alice')).code).toBe(0);
    const store = await ApiStore.open({ dataDir: env.API_STORE_DIR! });
    try {
      const viaSocket = await store.listOperatorAudit({ operator: 'cli via admin socket' });
      expect(viaSocket.map((a) => `${a.route} ${a.status}`)).toEqual(expect.arrayContaining(['operators add bob 200', 'operators add alice 409', 'operators list 200', 'operators revoke bob 200', 'operators revoke bob 404']));
      const direct = await store.listOperatorAudit({ operator: 'cli on the store' });
      expect(direct.map((a) => a.route)).toEqual(expect.arrayContaining(['operators add alice', 'operators revoke alice']));
      expect(JSON.stringify([...viaSocket, ...direct])).not.toMatch(/op_[A-Za-z0-9_-]{43}/);
    } finally {
      await store.close();
    }
  }, 300_000);

  test('a store held by a process that serves no administration socket is a clear error', async () => {
    const held = path.join(dir, 'held');
    fs.mkdirSync(held, { recursive: true });
    // This test process is alive and serves nothing: exactly a foreign holder.
    fs.writeFileSync(path.join(held, '.ivr-store.lock'), String(process.pid));
    const r = await ivr({ ...env, API_STORE_DIR: held }, 'operators', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
    expect(r.stderr).toMatch(/administration socket did not answer either: there is no administration socket at .*operators\.sock/);
    expect(r.stdout).toBe('');
  }, 120_000);

  test('bad use answers a usage line and exit 2', async () => {
    const r = await ivr(env, 'operators', 'add');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: ivr operators add <name>/);
    expect((await ivr(env, 'operators', 'add', 'no spaces please')).code).toBe(2);
  }, 120_000);
});
