/**
 * Issue 9, item 5: codes were sent to any number (satellite +882, Somalia +252, premium ranges), limits were fixed
 * windows (twice the limit fits across a boundary), verify-otp had no per-address limit, and a session could not be
 * ended before it expired.
 */
import { call, lastCode, login } from '../api/stack';
import { startSecurityStack, type SecurityStack } from './api-support';

const otp = (url: string, phone: string, headers: Record<string, string> = {}) =>
  call(url, 'PUT', '/auth/request-otp', { body: { phone_e164: phone, channel: 'sms' }, headers });

describe('SMS pumping and session end', () => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack({ RATE_OTP_PER_PHONE: 3, RATE_OTP_PHONE_WINDOW_SEC: 900, RATE_OTP_PER_IP: 1000, RATE_VERIFY_PER_IP: 4, RATE_VERIFY_IP_WINDOW_SEC: 600 });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  test('satellite, international-network, premium and non-allowed countries are refused before any send', async () => {
    const sent = s.brevoSim.outbox.length;
    const cases: Array<[string, string]> = [
      ['+8821612345678', 'international_network'],
      ['+252612345678', 'country_not_allowed'],
      ['+14155550123', 'country_not_allowed'],
      ['+33899123456', 'number_type_not_allowed'], // premium rate
      ['+33812345678', 'number_type_not_allowed'], // shared cost
      ['+33800123456', 'number_type_not_allowed'], // toll free
    ];
    for (const [phone, reason] of cases) {
      const r = await otp(s.url, phone);
      expect([phone, r.status, r.body.error?.code, r.body.error?.reason]).toEqual([phone, 422, 'destination_not_allowed', reason]);
      const link = await call(s.url, 'PUT', '/portal/send-otp-link', { body: { phone_e164: phone } });
      expect([phone, link.status, link.body.error?.code]).toEqual([phone, 422, 'destination_not_allowed']);
    }
    expect(s.brevoSim.outbox.length).toBe(sent);
  });

  test('France, its overseas departments and territories, and Madagascar are allowed', async () => {
    for (const phone of ['+33698765432', '+262692123456', '+590690123456', '+594694123456', '+596696123456', '+687751234', '+68987123456', '+261321234567']) {
      const r = await otp(s.url, phone);
      expect([phone, r.status]).toEqual([phone, 200]);
    }
  });

  test('the allowlist is configurable', async () => {
    const api = await startSecurityStack({ OTP_ALLOWED_COUNTRIES: ['MG'] });
    try {
      expect((await otp(api.url, '+33698765432')).body.error.reason).toBe('country_not_allowed');
      expect((await otp(api.url, '+261341234567')).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  test('sliding window per number: no burst fits across a window boundary', async () => {
    const phone = '+33644000001';
    // One minute before the boundary a fixed 15-minute window would have reset at.
    s.clock.t = new Date(Math.ceil(s.clock.now().getTime() / 900_000) * 900_000 + 900_000 - 60_000);
    for (let i = 0; i < 3; i++) expect((await otp(s.url, phone)).status).toBe(200);
    s.clock.advance(120_000); // across the old boundary
    const fourth = await otp(s.url, phone);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('rate_limited');
    // Room again once the first code is 15 minutes old, not before.
    expect(Number(fourth.headers.get('retry-after'))).toBe(780);
    s.clock.advance(779_000);
    expect((await otp(s.url, phone)).status).toBe(429);
    s.clock.advance(1_000);
    expect((await otp(s.url, phone)).status).toBe(200);
  });

  test('parallel sends cannot exceed the limit', async () => {
    const phone = '+33644000002';
    const all = await Promise.all(Array.from({ length: 8 }, () => otp(s.url, phone)));
    expect(all.filter((r) => r.status === 200)).toHaveLength(3);
    expect(all.filter((r) => r.status === 429)).toHaveLength(5);
  });

  test('sliding window per address, from X-Forwarded-For behind a trusted proxy', async () => {
    const api = await startSecurityStack({ RATE_OTP_PER_IP: 2, RATE_OTP_IP_WINDOW_SEC: 3600 });
    try {
      const from = { 'x-forwarded-for': '203.0.113.7' };
      expect((await otp(api.url, '+33633000001', from)).status).toBe(200);
      expect((await otp(api.url, '+33633000002', from)).status).toBe(200);
      expect((await otp(api.url, '+33633000003', from)).status).toBe(429);
      expect((await otp(api.url, '+33633000003', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  test('verify-otp is limited per address across challenges', async () => {
    const from = { 'x-forwarded-for': '198.51.100.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await otp(s.url, `+3363300001${i}`);
      const v = await call(s.url, 'PUT', '/auth/verify-otp', { body: { phone_e164: `+3363300001${i}`, otp: '000000', challenge_id: c.body.challenge_id }, headers: from });
      statuses.push(v.status);
    }
    expect(statuses.slice(0, 4).every((st) => st === 401 || st === 404)).toBe(true);
    expect(statuses[4]).toBe(429);
  });

  test('POST /auth/logout revokes the session token: any later use answers 401 invalid_token', async () => {
    const { token } = await login(s.url, s.brevoSim, '+33612345678');
    expect((await call(s.url, 'GET', '/portal/me', { token })).status).toBe(200);
    const out = await call(s.url, 'POST', '/auth/logout', { token });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ revoked: true });
    for (const [m, p] of [['GET', '/portal/me'], ['GET', '/appointments'], ['POST', '/auth/logout']] as const) {
      const r = await call(s.url, m, p, { token });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    expect(lastCode(s.brevoSim, '+33612345678')).toMatch(/^\d{6}$/);
  });
});
