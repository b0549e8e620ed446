import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../lib/log';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { createOdooClient } from '../../lib/odoo/client';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo/index';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';
import { testConfig } from '../../api/config';
import { startApiServer, type RunningApi } from '../../api/server';
import { call, FakeClock, lastCode, login } from './stack';

describe('the API across a restart, and what it logs', () => {
  let odooSim: OdooSimulator;
  let brevoSim: BrevoSimulator;
  let dir: string;
  const lines: string[] = [];
  const clock = new FakeClock(new Date('2030-03-01T09:00:00Z'));

  const start = (): Promise<RunningApi> =>
    startApiServer({
      port: 0, host: '127.0.0.1', clock,
      config: testConfig({ API_STORE_DIR: dir }),
      odoo: createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', retries: 0 }),
      brevo: { config: brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: brevoSim.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'rdv@cabinet.example' }) },
      log: createLogger('api', { level: 'debug', destination: { write: (s: string) => void lines.push(s) } }),
    });

  beforeAll(async () => {
    odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '../../sim/odoo/fixtures/demo.json') });
    brevoSim = await startBrevoSimulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-restart-'));
  });
  afterAll(async () => {
    await odooSim.stop();
    await brevoSim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('sessions, pending codes and idempotency records survive; logs carry no personal data', async () => {
    const phone = '+33612345678';
    const first = await start();
    const { token } = await login(first.url, brevoSim, phone);
    const pending = await call(first.url, 'PUT', '/auth/request-otp', { body: { phone_e164: phone, channel: 'sms', purpose: 'portal_login', role: 'client' } });
    const code = lastCode(brevoSim, phone);
    const confirm = await call(first.url, 'PUT', '/appointments/32/confirm', { token, key: 'wf-r:confirm', body: {} });
    expect(confirm.status).toBe(200);
    const accepts = odooSim.callCount('calendar.attendee', 'do_accept');
    await first.stop();

    const second = await start();
    try {
      expect((await call(second.url, 'GET', '/portal/me', { token })).body.id).toBe(8);
      const replay = await call(second.url, 'PUT', '/appointments/32/confirm', { token, key: 'wf-r:confirm', body: {} });
      expect(replay.headers.get('idempotent-replay')).toBe('true');
      expect(replay.body).toEqual(confirm.body);
      expect(odooSim.callCount('calendar.attendee', 'do_accept')).toBe(accepts);
      const v = await call(second.url, 'PUT', '/auth/verify-otp', { body: { phone_e164: phone, otp: code, challenge_id: pending.body.challenge_id } });
      expect(v.status).toBe(200);

      const text = lines.join('');
      expect(text).toContain('"path":"/auth/verify-otp"');
      for (const secret of [phone, phone.slice(1), '612345678', code, token, v.body.session_token, 'Claire', 'claire.martin']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await second.stop();
    }
  });
});
