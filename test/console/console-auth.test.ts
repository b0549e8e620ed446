/**
 * The operators' console login: a token from `ivr operators add` becomes an HttpOnly SameSite=Strict cookie that
 * opens the operator routes in a browser, with the portal's CSRF rules for requests that have an effect; a revoked
 * or re-issued operator, an expired or forged cookie, a cross-site page and too many attempts are all refused.
 */
import { call } from '../api/stack';
import { startSecurityStack, type SecurityStack } from '../security/api-support';

/** The `name=value` of a Set-Cookie answer for the console cookie, and its attributes. */
function consoleCookie(headers: Headers): { pair: string; value: string; attrs: string } | null {
  const c = headers.getSetCookie().find((h) => h.startsWith('care_console='));
  if (!c) return null;
  const [pair, ...attrs] = c.split(';');
  return { pair: pair!, value: pair!.slice('care_console='.length), attrs: attrs.map((a) => a.trim()).join('; ') };
}

async function login(s: SecurityStack, token: string, headers: Record<string, string> = {}) {
  return call(s.url, 'POST', '/console/api/login', { body: { token }, headers: { origin: s.url, ...headers } });
}

describe('console login', () => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack({ ODOO_PUBLIC_URL: 'https://odoo.cabinet.example' });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  test('a wrong token is a 401 without cookie; a good one sets an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const bad = await login(s, 'op_this-is-not-a-token-of-this-api-000000');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_operator_token');
    expect(consoleCookie(bad.headers)?.value ?? '').toBe('');

    const token = await s.operatorToken('amelie');
    const ok = await login(s, token);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ name: 'amelie', odoo_url: 'https://odoo.cabinet.example' });
    const c = consoleCookie(ok.headers)!;
    expect(c.attrs).toBe('Path=/; HttpOnly; SameSite=Strict; Max-Age=43200');
    expect(c.value).toMatch(/^v1\.[0-9a-f]{64}\.\d+\.[A-Za-z0-9_-]+$/);
    expect(c.value).not.toContain(token);
    expect(c.value).not.toContain(token.slice(3));

    const me = await call(s.url, 'GET', '/console/api/me', { headers: { cookie: c.pair } });
    expect(me.body).toEqual({ name: 'amelie', odoo_url: 'https://odoo.cabinet.example' });
    expect((await call(s.url, 'GET', '/console/api/me')).status).toBe(401);
  });

  test('the cookie opens the operator routes, audited under the operator’s name; a write needs a same-origin JSON request', async () => {
    const c = consoleCookie((await login(s, await s.operatorToken('bruno'))).headers)!;
    const list = await call(s.url, 'GET', '/crm/contacts?limit=2', { headers: { cookie: c.pair } });
    expect(list.status).toBe(200);
    const [row] = await s.store.listOperatorAudit({ operator: 'bruno', limit: 1 });
    expect(row).toMatchObject({ operator: 'bruno', route: 'GET /crm/contacts', status: 200 });

    const preview = { text: 'Je suis Lina Martin, mon e-mail est lina.martin@exemple.com', dry_run: true };
    const noOrigin = await call(s.url, 'POST', '/crm/text-contacts', { body: preview, headers: { cookie: c.pair } });
    expect([noOrigin.status, noOrigin.body.error.code]).toEqual([403, 'cross_origin']);
    const foreign = await call(s.url, 'POST', '/crm/text-contacts', { body: preview, headers: { cookie: c.pair, origin: 'https://elsewhere.example' } });
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'cross_origin']);
    const form = await call(s.url, 'POST', '/crm/text-contacts', { raw: 'text=x', headers: { cookie: c.pair, origin: s.url, 'content-type': 'text/plain' } });
    expect([form.status, form.body.error.code]).toEqual([415, 'json_required']);
    const same = await call(s.url, 'POST', '/crm/text-contacts', { body: preview, headers: { cookie: c.pair, origin: s.url } });
    expect(same.status).toBe(200);
    expect(same.body.contact).toMatchObject({ firstname: 'Lina', lastname: 'Martin', email: 'lina.martin@exemple.com' });

    // A bearer token keeps working as before, and is not held to the cookie's rules (scripts send no Origin).
    const bearer = await call(s.url, 'POST', '/crm/text-contacts', { body: preview, token: await s.operatorToken('script') });
    expect(bearer.status).toBe(200);
  });

  test('revoking the operator or giving it a new token ends its console login at once', async () => {
    const first = await s.operatorToken('chloe');
    const c = consoleCookie((await login(s, first)).headers)!;
    expect((await call(s.url, 'GET', '/crm/leads', { headers: { cookie: c.pair } })).status).toBe(200);
    await s.operatorToken('chloe'); // re-issued: the first token, and the login made with it, stop working
    const reissued = await call(s.url, 'GET', '/crm/leads', { headers: { cookie: c.pair } });
    expect([reissued.status, reissued.body.error.code]).toEqual([401, 'login_expired']);

    const c2 = consoleCookie((await login(s, await s.operatorToken('chloe'))).headers)!;
    expect((await call(s.url, 'GET', '/console/api/me', { headers: { cookie: c2.pair } })).status).toBe(200);
    expect(await s.store.revokeOperator('chloe', s.clock.now())).toBe(true);
    const revoked = await call(s.url, 'GET', '/console/api/me', { headers: { cookie: c2.pair } });
    expect([revoked.status, revoked.body.error.code]).toEqual([401, 'login_expired']);
    // The refused cookie is forgotten by the browser.
    expect(consoleCookie(revoked.headers)?.attrs).toMatch(/Max-Age=0/);
    expect((await login(s, first)).status).toBe(401);
  });

  test('an expired or forged cookie is refused', async () => {
    const c = consoleCookie((await login(s, await s.operatorToken('denis'))).headers)!;
    const [v, hash, exp, mac] = c.value.split('.');
    const later = `care_console=${v}.${hash}.${Number(exp) + 86_400}.${mac}`;
    expect((await call(s.url, 'GET', '/console/api/me', { headers: { cookie: later } })).status).toBe(401);
    const other = `care_console=${v}.${'0'.repeat(64)}.${exp}.${mac}`;
    expect((await call(s.url, 'GET', '/crm/contacts', { headers: { cookie: other } })).status).toBe(401);
    s.clock.advance(12 * 3600 * 1000 + 1000);
    const expired = await call(s.url, 'GET', '/console/api/me', { headers: { cookie: c.pair } });
    expect([expired.status, expired.body.error.code]).toEqual([401, 'login_expired']);
  });

  test('login from another site or as a form is refused; logout forgets the cookie; both are audited', async () => {
    const token = await s.operatorToken('emma');
    const cross = await login(s, token, { origin: 'https://evil.example' });
    expect([cross.status, cross.body.error.code]).toEqual([403, 'cross_origin']);
    const form = await call(s.url, 'POST', '/console/api/login', { raw: `token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([form.status, form.body.error.code]).toEqual([415, 'json_required']);

    const c = consoleCookie((await login(s, token)).headers)!;
    const out = await call(s.url, 'POST', '/console/api/logout', { body: {}, headers: { cookie: c.pair, origin: s.url } });
    expect(out.status).toBe(200);
    expect(consoleCookie(out.headers)).toMatchObject({ value: '', attrs: expect.stringContaining('Max-Age=0') });
    const rows = await s.store.listOperatorAudit({ operator: 'emma', limit: 5 });
    expect(rows.map((r) => r.route)).toEqual(expect.arrayContaining(['POST /console/api/login', 'POST /console/api/logout']));
    expect(JSON.stringify(rows) + s.logs.join('\n')).not.toContain(token);
  });

  test('the contacts and leads routes page with offset and next_offset, documented in /openapi.json', async () => {
    const token = await s.operatorToken('felix');
    const first = await call(s.url, 'GET', '/crm/contacts?limit=1', { token });
    expect(first.body).toMatchObject({ count: 1, offset: 0, next_offset: 1 });
    const second = await call(s.url, 'GET', '/crm/contacts?limit=1&offset=1', { token });
    expect(second.body.offset).toBe(1);
    expect(second.body.contacts[0].id).not.toBe(first.body.contacts[0].id);
    const all = await call(s.url, 'GET', '/crm/contacts?limit=50', { token });
    expect(all.body.next_offset).toBeNull();
    const last = await call(s.url, 'GET', `/crm/contacts?limit=1&offset=${all.body.count - 1}`, { token });
    expect(last.body).toMatchObject({ count: 1, next_offset: null });
    const leads = await call(s.url, 'GET', '/crm/leads?limit=50&offset=0', { token });
    expect(leads.body).toMatchObject({ offset: 0, next_offset: null });
    const bad = await call(s.url, 'GET', '/crm/leads?offset=-1', { token });
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', fields: [{ path: 'query.offset' }] });
    const o = await call(s.url, 'GET', '/openapi.json');
    expect(o.body.paths['/crm/contacts'].get.parameters.map((x: { name: string }) => x.name)).toContain('offset');
    expect(o.body.paths['/crm/leads'].get.parameters.map((x: { name: string }) => x.name)).toContain('offset');
  });
});

describe('console login limits', () => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack({ RATE_CONSOLE_LOGIN_PER_IP: 3, RATE_CONSOLE_LOGIN_WINDOW_SEC: 600, API_PUBLIC_URL: 'https://console.cabinet.example' });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  test('attempts per address are limited (429 with Retry-After, even for a good token); over https the cookie is Secure', async () => {
    const token = await s.operatorToken('gaby');
    const ok = await login(s, token);
    expect(consoleCookie(ok.headers)?.attrs).toMatch(/; Secure$/);
    for (let i = 0; i < 2; i++) expect((await login(s, `op_wrong-guess-${i}-000000000000000000000`)).status).toBe(401);
    const limited = await login(s, token);
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    s.clock.advance(601_000);
    expect((await login(s, token)).status).toBe(200);
  });
});
