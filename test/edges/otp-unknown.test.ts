/**
 * Finding 2 at the API: Brevo takes the OTP SMS but answers after the client's timeout. The API answers 202
 * `delivery: "unknown"` with the challenge (not a 502), stores it under the Idempotency-Key so a repeat replays it
 * (one SMS, one code), and the code of the late SMS opens the session. Asking again (a new request: the caller said
 * "renvoyer") sends a new code that replaces the first one.
 */
import path from 'node:path';
import { testConfig } from '../../api/config';
import { startApiServer, type RunningApi } from '../../api/server';
import { ApiStore } from '../../api/store/store';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { createOdooClient } from '../../lib/odoo/client';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';
import { call, silent } from '../api/stack';

let odooSim: OdooSimulator;
let brevoSim: BrevoSimulator;
let store: ApiStore;
let api: RunningApi;
const PHONE = '+33612345678';

beforeAll(async () => {
  odooSim = await startOdooSimulator({ fixtures: path.join(__dirname, '../../sim/odoo/fixtures/demo.json') });
  brevoSim = await startBrevoSimulator();
  store = await ApiStore.open({ dataDir: 'memory://' });
  const brevoBase = brevoConfigFromEnv({ BREVO_API_KEY: 'test', BREVO_BASE_URL: brevoSim.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>', BREVO_TIMEOUT_MS: '300' });
  api = await startApiServer({
    port: 0, host: '127.0.0.1', store, log: silent,
    odoo: createOdooClient({ url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin' }),
    brevo: { config: { ...brevoBase, backoffBaseMs: 10 } },
    config: testConfig({ RATE_OTP_PER_PHONE: 1000, RATE_OTP_PER_IP: 1000 }),
  });
});

afterAll(async () => {
  await api?.stop();
  await store?.close();
  await odooSim?.stop();
  await brevoSim?.stop();
});

const codesSent = () => brevoSim.outbox.filter((m) => m.channel === 'sms' && /code de connexion/.test(m.content ?? ''));

test('a late Brevo answer: 202 delivery unknown, replayed under the key, one SMS whose code works; a resend replaces it', async () => {
  const before = codesSent().length;
  brevoSim.delayNext(800); // accepted first, answered after the client's 300 ms
  const first = await call(api.url, 'PUT', '/auth/request-otp', { key: 'wf-otp:3', body: { phone_e164: PHONE } });
  expect(first.status).toBe(202);
  expect(first.body).toMatchObject({ delivery: 'unknown', challenge_id: expect.stringMatching(/^otp_/) });
  expect(first.headers.get('retry-safe')).toBeNull();
  // the activity's repeat (same key) is the same answer: no second code
  const again = await call(api.url, 'PUT', '/auth/request-otp', { key: 'wf-otp:3', body: { phone_e164: PHONE } });
  expect(again.status).toBe(202);
  expect(again.body.challenge_id).toBe(first.body.challenge_id);
  // the simulator accepts the message before it holds the answer: it is in the outbox already
  expect(codesSent().length).toBe(before + 1);
  const code = /(\d{6})/.exec(codesSent().at(-1)!.content!)![1]!;

  // "renvoyer": a new request sends a new code and the first one no longer works
  const resend = await call(api.url, 'PUT', '/auth/request-otp', { key: 'wf-otp:5', body: { phone_e164: PHONE } });
  expect(resend.status).toBe(200);
  expect(resend.body.delivery).toBe('sent');
  const old = await call(api.url, 'PUT', '/auth/verify-otp', { body: { phone_e164: PHONE, otp: code, challenge_id: first.body.challenge_id } });
  expect(old.status).toBe(410);
  const fresh = /(\d{6})/.exec(codesSent().at(-1)!.content!)![1]!;
  const ok = await call(api.url, 'PUT', '/auth/verify-otp', { body: { phone_e164: PHONE, otp: fresh, challenge_id: resend.body.challenge_id } });
  expect(ok.status).toBe(200);
});

test('without a resend, the code of the late SMS opens the session', async () => {
  brevoSim.delayNext(800);
  const r = await call(api.url, 'PUT', '/auth/request-otp', { key: 'wf-otp:7', body: { phone_e164: PHONE } });
  expect(r.status).toBe(202);
  const code = /(\d{6})/.exec(codesSent().at(-1)!.content!)![1]!;
  const ok = await call(api.url, 'PUT', '/auth/verify-otp', { body: { phone_e164: PHONE, otp: code, challenge_id: r.body.challenge_id } });
  expect(ok.status).toBe(200);
});
