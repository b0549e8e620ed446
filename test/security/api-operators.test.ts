/**
 * Issue 9, item 1: `/crm/*` needed no login. Every CRM route now asks for an operator token; portal session tokens
 * and operator tokens never open each other's routes; operator reads and writes are in the audit log (who, route,
 * record ids, count, when) without the data or the query.
 */
import { call, login } from '../api/stack';
import { startSecurityStack, type SecurityStack } from './api-support';

const CLAIRE = '+33612345678';

describe('operator credentials on /crm', () => {
  let s: SecurityStack;
  beforeAll(async () => {
    s = await startSecurityStack();
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  test('without a token, listing, searching by number and writing a consent answer 401 and touch nothing', async () => {
    const reads = s.odooSim.callCount('res.partner');
    for (const p of ['/crm/contacts?limit=50', '/crm/contacts?q=0612345678', '/crm/leads?limit=50']) {
      const r = await call(s.url, 'GET', p);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(r.body.error.code).toBe('unauthorized');
      expect(JSON.stringify(r.body)).not.toMatch(/@|\+33/);
    }
    const w = await call(s.url, 'POST', '/crm/text-contacts', {
      body: { dry_run: false, contact: { firstname: 'Claire', lastname: 'Martin', phone: CLAIRE }, consent: { whatsapp: true } },
    });
    expect(w.status).toBe(401);
    expect(s.odooSim.callCount('res.partner')).toBe(reads);
    const form = new FormData();
    form.append('audio', new Blob([Buffer.from('RIFF')]), 'a.wav');
    expect((await fetch(`${s.url}/crm/voice-contacts`, { method: 'POST', body: form })).status).toBe(401);
  });

  test('a portal session token never opens an operator route, an operator token never opens the portal', async () => {
    const { token: session } = await login(s.url, s.brevoSim, CLAIRE);
    expect((await call(s.url, 'GET', '/portal/me', { token: session })).status).toBe(200);
    const crm = await call(s.url, 'GET', '/crm/contacts', { token: session });
    expect(crm.status).toBe(401);
    expect(crm.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');

    const operator = await s.operatorToken('alice');
    for (const p of ['/portal/me', '/appointments']) {
      const r = await call(s.url, 'GET', p, { token: operator });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    expect((await call(s.url, 'GET', '/crm/contacts', { token: operator })).status).toBe(200);
  });

  test('operator reads are audited: who, route, record ids, count, when; never the data nor the query', async () => {
    const token = await s.operatorToken('bob');
    s.logs.length = 0;
    const r = await call(s.url, 'GET', '/crm/contacts?limit=5&q=Martin', { token });
    expect(r.status).toBe(200);
    const ids = (r.body.contacts as Array<{ id: number }>).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    const [row] = await s.store.listOperatorAudit({ operator: 'bob', limit: 1 });
    expect(row).toMatchObject({ operator: 'bob', method: 'GET', route: 'GET /crm/contacts', status: 200, action: 'read', records: { 'res.partner': ids }, recordCount: ids.length });
    expect(row!.at.getTime()).toBe(s.clock.now().getTime());
    const line = s.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.audit === true);
    expect(line).toMatchObject({ operator: 'bob', route: 'GET /crm/contacts', count: ids.length });
    const everything = JSON.stringify(row) + s.logs.join('\n');
    expect(everything).not.toMatch(/Martin|@|\+33|06\d{8}/);
    expect(everything).not.toContain(token);
  });

  test('a revoked operator token and a malformed one answer 401 invalid_token', async () => {
    const token = await s.operatorToken('carol');
    expect((await call(s.url, 'GET', '/crm/leads', { token })).status).toBe(200);
    expect(await s.store.revokeOperator('carol', s.clock.now())).toBe(true);
    const revoked = await call(s.url, 'GET', '/crm/leads', { token });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const malformed = await call(s.url, 'GET', '/crm/leads', { headers: { authorization: 'Bearer not-a-token' } });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  test('the CRM routes are declared in the route table: operator security and their schemas in /openapi.json', async () => {
    const o = await call(s.url, 'GET', '/openapi.json');
    expect(o.body.components.securitySchemes.operator).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [p, m] of [['/crm/contacts', 'get'], ['/crm/leads', 'get'], ['/crm/text-contacts', 'post'], ['/crm/voice-contacts', 'post']] as const) {
      const op = o.body.paths[p]?.[m];
      expect([p, op?.security]).toEqual([p, [{ operator: [] }]]);
      expect(op.responses['401']).toBeDefined();
    }
    expect(Object.keys(o.body.paths['/crm/voice-contacts'].post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(o.body.paths['/crm/voice-contacts'].post.requestBody.content['multipart/form-data'].schema.required).toContain('audio');
    expect(o.body.paths['/crm/contacts'].get.parameters.map((x: { name: string }) => x.name)).toEqual(['limit', 'offset', 'q']);
  });

  test('CRM validation errors have the API shape and paths', async () => {
    const token = await s.operatorToken('erin');
    const r = await call(s.url, 'GET', '/crm/contacts?limit=500', { token });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', fields: [{ path: 'query.limit' }], request_id: expect.any(String) });
  });

  test('only the hash of an operator token is stored', async () => {
    const token = await s.operatorToken('dave');
    const rows = await s.store.db.query<Record<string, unknown>>('SELECT * FROM operators');
    expect(JSON.stringify(rows.rows)).not.toContain(token);
    expect(JSON.stringify(rows.rows)).not.toContain(token.slice(3));
  });
});
