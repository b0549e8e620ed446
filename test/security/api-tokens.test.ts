/**
 * Issue 9, item 8: a malformed bearer token answered 400, so a client could not tell "log in again". Missing
 * tokens answer 401 with `WWW-Authenticate: Bearer`; malformed, unknown, expired and revoked ones 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3), on portal and operator routes alike.
 */
import { call, login } from '../api/stack';
import { startSecurityStack, type SecurityStack } from './api-support';

const INVALID = 'Bearer error="invalid_token"';

describe('bearer token answers', () => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack({ SESSION_TTL_SEC: 600 });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  test.each([
    ['portal', 'GET', '/portal/me'],
    ['appointments', 'GET', '/appointments'],
    ['operator', 'GET', '/crm/contacts'],
  ] as const)('%s route: missing → Bearer; malformed or unknown → invalid_token', async (_kind, method, path) => {
    const missing = await call(s.url, method, path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    for (const authorization of ['Bearer not-a-token', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'Bearer a b c', `Bearer ${'A'.repeat(43)}`, `Bearer op_${'B'.repeat(43)}`]) {
      const r = await call(s.url, method, path, { headers: { authorization } });
      expect([authorization, r.status, r.headers.get('www-authenticate')]).toEqual([authorization, 401, INVALID]);
      expect(r.body.error.code).toBe('unauthorized');
    }
  });

  test('an expired session answers 401 invalid_token (code session_expired)', async () => {
    const { token } = await login(s.url, s.brevoSim, '+33612345678');
    expect((await call(s.url, 'GET', '/portal/me', { token })).status).toBe(200);
    s.clock.advance(601_000);
    const r = await call(s.url, 'GET', '/portal/me', { token });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(INVALID);
    expect(r.body.error.code).toBe('session_expired');
  });

  test('routes without authentication ignore an Authorization header', async () => {
    const r = await call(s.url, 'PUT', '/auth/request-otp', { body: { phone_e164: '+33612345678' }, headers: { authorization: 'Bearer not-a-token' } });
    expect(r.status).toBe(200);
  });
});
