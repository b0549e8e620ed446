/**
 * `ivr operators add|list|revoke` work on the very store the API opens (API_STORE_DIR here; DATABASE_URL the same
 * way): the token printed as the last line of `add` opens /crm on an API started on that store, `revoke` closes it,
 * and the embedded store refuses a second process while the API holds it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { testConfig } from '../../api/config';
import { startApiServer, type RunningApi } from '../../api/server';
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

describe('ivr operators', () => {
  let dir: string;
  let odooSim: OdooSimulator;
  let env: NodeJS.ProcessEnv;
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
    return startApiServer({
      port: 0, host: '127.0.0.1', routers: [router],
      config: testConfig({ ...KEYS, API_STORE_DIR: env.API_STORE_DIR! }),
      odoo: createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', retries: 0 }),
      brevo: { config: brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: 'http://127.0.0.1:9', BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'rdv@cabinet.example' }) },
      log: createLogger('api', { level: 'silent' }),
    });
  };

  test('add prints the token last; it opens /crm; revoke closes it; the embedded store has one user at a time', async () => {
    const added = await ivr(env, 'operators', 'add', 'alice');
    expect(added.code).toBe(0);
    const token = added.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
    expect((await ivr(env, 'operators', 'add', 'alice')).code).toBe(1);
    const listed = await ivr(env, 'operators', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'alice', status: 'active' })]);
    expect(listed.stdout).not.toContain(token);

    let api = await startApi();
    try {
      expect((await call(api.url, 'GET', '/crm/ping', { token })).status).toBe(200);
      const busy = await ivr(env, 'operators', 'revoke', 'alice');
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/in use by process \d+/);
    } finally {
      await api.stop();
    }
    const revoked = await ivr(env, 'operators', 'revoke', 'alice');
    expect(revoked.code).toBe(0);
    api = await startApi();
    try {
      const r = await call(api.url, 'GET', '/crm/ping', { token });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    } finally {
      await api.stop();
    }
  }, 240_000);

  test('bad use answers a usage line and exit 2', async () => {
    const r = await ivr(env, 'operators', 'add');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: ivr operators add <name>/);
    expect((await ivr(env, 'operators', 'add', 'no spaces please')).code).toBe(2);
  }, 120_000);
});
