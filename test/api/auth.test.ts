import { call, lastCode, login, startStack, type Stack } from './stack';

const CLAIRE = '+33612345678'; // partner 8 in the demo fixture
const PAUL = '+33698765432'; // partner 9, stored as "06 98 76 54 32"

describe('OTP and sessions over HTTP', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.stop());

  const request = (phone: string, extra: Record<string, unknown> = {}, base = s.api.url) =>
    call(base, 'PUT', '/auth/request-otp', { body: { phone_e164: phone, channel: 'sms', purpose: 'portal_login', role: 'client', ...extra } });
  const verify = (phone: string, otp: string, challenge_id: string) => call(s.api.url, 'PUT', '/auth/verify-otp', { body: { phone_e164: phone, otp, challenge_id } });

  test('happy path: the SMS carries the code, verify opens a session for the partner, the code is stored only hashed', async () => {
    const before = s.brevoSim.outbox.length;
    const r = await request(CLAIRE, { call_id: 'call-1', session_id: 'sess-1' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ challenge_id: expect.stringMatching(/^otp_/), expires_in: 600, channel: 'sms', delivery: 'sent' });
    expect(s.brevoSim.outbox.length).toBe(before + 1);
    const sms = s.brevoSim.outbox.at(-1)!;
    expect(sms.content).toMatch(/^Votre code de connexion : \d{6}\. Il expire dans 10 minutes\./);
    const code = lastCode(s.brevoSim, CLAIRE);
    const rows = await s.store.db.query<Record<string, unknown>>('SELECT * FROM otp_challenges WHERE id = $1', [r.body.challenge_id]);
    expect(JSON.stringify(rows.rows)).not.toContain(code);
    const v = await verify(CLAIRE, code, r.body.challenge_id);
    expect(v.status).toBe(200);
    expect(v.body).toEqual({ session_token: expect.any(String), partner_id: 8, expires_in: 3600 });
    const me = await call(s.api.url, 'GET', '/portal/me', { token: v.body.session_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: 8, name: 'Claire Martin', phone: '+33•••••••78', email: 'c•••@e•••.fr' });
  });

  test('a replayed verify-otp returns the same session, and the store keeps it sealed', async () => {
    const r = await request(CLAIRE);
    const body = { phone_e164: CLAIRE, otp: lastCode(s.brevoSim, CLAIRE), challenge_id: r.body.challenge_id };
    const first = await call(s.api.url, 'PUT', '/auth/verify-otp', { key: 'wf-a:verify', body });
    const replay = await call(s.api.url, 'PUT', '/auth/verify-otp', { key: 'wf-a:verify', body });
    expect(first.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const row = await s.store.getIdempotency('wf-a:verify');
    expect(row?.responseBody).toMatch(/^v1\./);
    expect(row?.responseBody).not.toContain(first.body.session_token);
  });

  test('a national spelling stored in Odoo still finds the partner', async () => {
    expect((await login(s.api.url, s.brevoSim, PAUL)).partnerId).toBe(9);
  });

  test('brute force: four wrong codes count down, the fifth locks, then even the right code is refused', async () => {
    const r = await request(CLAIRE);
    const code = lastCode(s.brevoSim, CLAIRE);
    const wrong = code === '000000' ? '111111' : '000000';
    for (const left of [4, 3, 2, 1]) {
      const v = await verify(CLAIRE, wrong, r.body.challenge_id);
      expect(v.status).toBe(401);
      expect(v.body.error).toMatchObject({ code: 'invalid_code', attempts_left: left });
    }
    expect((await verify(CLAIRE, wrong, r.body.challenge_id)).status).toBe(423);
    const after = await verify(CLAIRE, code, r.body.challenge_id);
    expect(after.status).toBe(423);
    expect(after.body.error.code).toBe('locked');
  });

  test('parallel guesses cannot exceed the attempt limit', async () => {
    const r = await request(CLAIRE);
    const code = lastCode(s.brevoSim, CLAIRE);
    const wrong = code === '999999' ? '888888' : '999999';
    const answers = await Promise.all(Array.from({ length: 8 }, () => verify(CLAIRE, wrong, r.body.challenge_id)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(4);
    expect(answers.filter((a) => a.status === 423)).toHaveLength(4);
  });

  test('an expired code answers 410 expired', async () => {
    const r = await request(CLAIRE);
    const code = lastCode(s.brevoSim, CLAIRE);
    s.clock.advance(601_000);
    const v = await verify(CLAIRE, code, r.body.challenge_id);
    expect(v.status).toBe(410);
    expect(v.body.error).toMatchObject({ code: 'expired', reason: 'expired' });
  });

  test('a code works once', async () => {
    const r = await request(CLAIRE);
    const code = lastCode(s.brevoSim, CLAIRE);
    // as a recognizer may write it: "12 34 56"
    expect((await verify(CLAIRE, code.replace(/(\d\d)(?=\d)/g, '$1 '), r.body.challenge_id)).status).toBe(200);
    const again = await verify(CLAIRE, code, r.body.challenge_id);
    expect(again.status).toBe(410);
    expect(again.body.error.reason).toBe('used');
  });

  test('a new code replaces the previous one', async () => {
    const first = await request(CLAIRE);
    const firstCode = lastCode(s.brevoSim, CLAIRE);
    const second = await request(CLAIRE);
    const secondCode = lastCode(s.brevoSim, CLAIRE);
    const old = await verify(CLAIRE, firstCode, first.body.challenge_id);
    expect(old.status).toBe(410);
    expect(old.body.error.reason).toBe('replaced');
    expect((await verify(CLAIRE, secondCode, second.body.challenge_id)).status).toBe(200);
  });

  test('a code for another number does not open its session', async () => {
    const r = await request(CLAIRE);
    const v = await verify(PAUL, lastCode(s.brevoSim, CLAIRE), r.body.challenge_id);
    expect(v.status).toBe(410);
    expect(v.body.error.reason).toBe('unknown');
  });

  test('a number that matches no partner gets a code, then 404 unknown_number after the right code', async () => {
    const stranger = '+33756789012';
    const r = await request(stranger);
    expect(r.status).toBe(200);
    const v = await verify(stranger, lastCode(s.brevoSim, stranger), r.body.challenge_id);
    expect(v.status).toBe(404);
    expect(v.body.error.code).toBe('unknown_number');
  });

  test('only clients log in here', async () => {
    const r = await request(CLAIRE, { role: 'agent' });
    expect(r.status).toBe(400);
    expect(r.body.error.fields[0].path).toBe('body.role');
  });

  test('sends are rate-limited per number, with Retry-After', async () => {
    const api = await s.server({ config: { RATE_OTP_PER_PHONE: 2, RATE_OTP_PHONE_WINDOW_SEC: 900 } });
    const phone = '+33622334455';
    expect((await request(phone, {}, api.url)).status).toBe(200);
    expect((await request(phone, {}, api.url)).status).toBe(200);
    const before = s.brevoSim.outbox.length;
    const third = await request(phone, {}, api.url);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(s.brevoSim.outbox.length).toBe(before);
    // another number from the same address is not affected
    expect((await request('+33622334466', {}, api.url)).status).toBe(200);
  });

  test('sends are rate-limited per client address', async () => {
    const api = await s.server({ config: { RATE_OTP_PER_IP: 3, RATE_OTP_IP_WINDOW_SEC: 3600 } });
    s.clock.advance(3600_000); // a fresh window: earlier tests sent from this address too
    const phones = ['+33633000001', '+33633000002', '+33633000003', '+33633000004'];
    const statuses = [];
    for (const p of phones) statuses.push((await request(p, {}, api.url)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  test('the orchestrator address can be exempt from the per-address limit', async () => {
    const api = await s.server({ config: { RATE_OTP_PER_IP: 1, RATE_IP_EXEMPT: ['127.0.0.1', '::ffff:127.0.0.1'] } });
    expect((await request('+33644000001', {}, api.url)).status).toBe(200);
    expect((await request('+33644000002', {}, api.url)).status).toBe(200);
  });

  test('a session expires with its TTL', async () => {
    const { token } = await login(s.api.url, s.brevoSim, CLAIRE);
    s.clock.advance(3601_000);
    const me = await call(s.api.url, 'GET', '/portal/me', { token });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('session_expired');
  });

  test('magic link: sent by SMS, exchanged once for a session bound to the same session id', async () => {
    const r = await call(s.api.url, 'PUT', '/portal/send-otp-link', { body: { phone_e164: '06 98 76 54 32', channel_preference: 'sms_or_whatsapp', call_id: 'call-9', session_id: 'sess-9' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sent: true, channel: 'sms' });
    const sms = s.brevoSim.outbox.at(-1)!;
    const token = /\/portal\/link\/([A-Za-z0-9_-]+)/.exec(sms.content ?? '')?.[1];
    expect(token).toBeDefined();
    // Opening the link (GET) shows the portal page and spends nothing; the page posts the token to exchange it.
    const page = await fetch(`${s.api.url}/portal/link/${token}`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const ex = await call(s.api.url, 'POST', '/portal/link/exchange', { body: { token } });
    expect(ex.status).toBe(200);
    expect(ex.body).toMatchObject({ partner_id: 9, session_id: 'sess-9' });
    expect((await call(s.api.url, 'GET', '/portal/me', { token: ex.body.session_token })).body.id).toBe(9);
    const again = await call(s.api.url, 'POST', '/portal/link/exchange', { body: { token } });
    expect(again.status).toBe(410);
  });

  test('missing or unknown bearer token → 401', async () => {
    expect((await call(s.api.url, 'GET', '/appointments')).status).toBe(401);
    const r = await call(s.api.url, 'GET', '/appointments', { token: 'x'.repeat(43) });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });
});
