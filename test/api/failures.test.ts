import net from 'node:net';
import express from 'express';
import { ensureOperator } from '../../api/services/operators';
import { call, lastCode, login, startStack, type Stack } from './stack';

const CLAIRE = '+33612345678';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('bad requests and failing peers', () => {
  let s: Stack;
  let token: string;
  beforeAll(async () => {
    s = await startStack();
    token = (await login(s.api.url, s.brevoSim, CLAIRE)).token;
  });
  afterAll(() => s.stop());

  const count = async (table: string) => Number((await s.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);

  test('400 names every wrong field, and nothing is stored or sent', async () => {
    const challenges = await count('otp_challenges');
    const sent = s.brevoSim.outbox.length;
    const r = await call(s.api.url, 'PUT', '/auth/request-otp', { body: { phone_e164: '12', channel: 'fax', role: 'client' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.channel', 'body.phone_e164']);
    expect(await count('otp_challenges')).toBe(challenges);
    expect(s.brevoSim.outbox.length).toBe(sent);
  });

  test('params, query and headers are validated too', async () => {
    const p = await call(s.api.url, 'GET', '/appointments/abc', { token });
    expect(p.status).toBe(400);
    expect(p.body.error.fields[0].path).toBe('params.id');
    const q = await call(s.api.url, 'GET', '/appointments?scope=later', { token });
    expect(q.status).toBe(400);
    expect(q.body.error.fields[0].path).toBe('query.scope');
    // A credential that is not a bearer token is an authentication failure (401), not a bad request.
    const h = await call(s.api.url, 'GET', '/appointments', { headers: { authorization: 'Basic abc' } });
    expect(h.status).toBe(401);
    expect(h.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const k = await call(s.api.url, 'PUT', '/appointments/32/confirm', { token, headers: { 'idempotency-key': 'has space' } });
    expect(k.status).toBe(400);
    expect(k.body.error.fields[0].path).toBe('headers.idempotency-key');
    const c = await call(s.api.url, 'PUT', '/appointments/32/cancel', { token, body: { reason: 'bored' } });
    expect(c.status).toBe(400);
    expect(c.body.error.fields[0].path).toBe('body.reason');
  });

  test('unknown route → 404 JSON; invalid JSON → 400; too large → 413; no stack trace', async () => {
    const nf = await call(s.api.url, 'GET', '/nope');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('route_not_found');
    const bad = await call(s.api.url, 'PUT', '/auth/request-otp', { raw: '{"phone_e164": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const big = await call(s.api.url, 'PUT', '/auth/request-otp', { body: { phone_e164: CLAIRE, pad: 'x'.repeat(100_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    for (const r of [nf, bad, big]) expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  test('extra routers (e.g. the CRM routes) are served, with the API 404 after them; /crm needs an operator', async () => {
    const extra = express.Router();
    extra.post('/crm/ping', (req, res) => void res.json({ got: req.body }));
    extra.post('/extra/ping', (req, res) => void res.json({ got: req.body }));
    const api = await s.server({ routers: [extra] });
    expect((await call(api.url, 'POST', '/crm/ping', { body: { a: 1 } })).status).toBe(401);
    const operator = await ensureOperator(api.deps, 'failures-test');
    const r = await call(api.url, 'POST', '/crm/ping', { body: { a: 1 }, token: operator.token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ got: { a: 1 } });
    expect((await call(api.url, 'POST', '/extra/ping', { body: { b: 2 } })).body).toEqual({ got: { b: 2 } });
    expect((await call(api.url, 'GET', '/crm/nothing', { token: operator.token })).body.error.code).toBe('route_not_found');
  });

  test('healthz and openapi.json', async () => {
    const h = await call(s.api.url, 'GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.body).toEqual({ status: 'ok', store: { ok: true, driver: 'pglite' }, odoo: { reachable: true, version: '19.0' } });
    const o = await call(s.api.url, 'GET', '/openapi.json');
    expect(o.body.openapi).toBe('3.1.0');
    const cancel = o.body.paths['/appointments/{id}/cancel'].put;
    expect(cancel.requestBody.content['application/json'].schema.properties.reason.enum).toEqual(['personal', 'health', 'unavailable', 'other']);
    expect(cancel.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'Idempotency-Key']);
    expect(Object.keys(o.body.paths)).toHaveLength(21);
    expect(Object.keys(o.body.paths)).toContain('/auth/logout');
    expect(Object.keys(o.body.paths)).toContain('/appointments/{id}/send-ics');
  });

  test('Odoo down → 502 odoo_unavailable, and /healthz still answers', async () => {
    const api = await s.server({ odoo: { url: `http://127.0.0.1:${await closedPort()}` } });
    const r = await call(api.url, 'GET', '/appointments', { token });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('odoo_unavailable');
    const h = await call(api.url, 'GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.body.odoo.reachable).toBe(false);
  });

  test('Odoo slow → 504 odoo_timeout', async () => {
    const api = await s.server({ odoo: { timeoutMs: 300 } });
    await call(api.url, 'GET', '/appointments', { token }); // logs in first, so the delay hits the call itself
    s.odooSim.failNext({ kind: 'delay', ms: 1500 });
    const r = await call(api.url, 'GET', '/appointments', { token });
    expect(r.status).toBe(504);
    expect(r.body.error.code).toBe('odoo_timeout');
  });

  test('Odoo erroring (HTTP 502 from its proxy) → 502, then fine once it recovers', async () => {
    s.odooSim.failNext({ kind: 'http502', times: 1 });
    const r = await call(s.api.url, 'GET', '/appointments', { token });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('odoo_unavailable');
    expect((await call(s.api.url, 'GET', '/appointments', { token })).status).toBe(200);
  });

  test('a duplicate that outwaits the first request gets a retryable 503, then the stored answer; one Odoo write', async () => {
    const api = await s.server({ config: { IDEMPOTENCY_WAIT_MS: 100 } });
    await call(api.url, 'GET', '/appointments', { token }); // log in to Odoo first
    const accepts = s.odooSim.callCount('calendar.attendee', 'do_accept');
    s.odooSim.failNext({ kind: 'delay', ms: 700 });
    const first = call(api.url, 'PUT', '/appointments/32/confirm', { token, key: 'wf-11:confirm', body: {} });
    await new Promise((r) => setTimeout(r, 100));
    const dup = await call(api.url, 'PUT', '/appointments/32/confirm', { token, key: 'wf-11:confirm', body: {} });
    expect(dup.status).toBe(503);
    expect(dup.body.error.code).toBe('idempotency_in_progress');
    expect(dup.headers.get('retry-after')).toBe('1');
    expect((await first).status).toBe(200);
    const later = await call(api.url, 'PUT', '/appointments/32/confirm', { token, key: 'wf-11:confirm', body: {} });
    expect(later.body).toEqual({ id: 32, state: 'confirmed' });
    expect(s.odooSim.callCount('calendar.attendee', 'do_accept')).toBe(accepts + 1);
  });

  test('Brevo 429 then success: one message, not two', async () => {
    const before = s.brevoSim.outbox.length;
    s.brevoSim.failNext({ status: 429, resetSeconds: 0.05 });
    const r = await call(s.api.url, 'PUT', '/auth/request-otp', { key: 'wf-9:otp', body: { phone_e164: CLAIRE, channel: 'sms', purpose: 'portal_login', role: 'client' } });
    expect(r.status).toBe(200);
    const again = await call(s.api.url, 'PUT', '/auth/request-otp', { key: 'wf-9:otp', body: { phone_e164: CLAIRE, channel: 'sms', purpose: 'portal_login', role: 'client' } });
    expect(again.body).toEqual(r.body);
    expect(s.brevoSim.outbox.length).toBe(before + 1);
  });

  test('Brevo rate limit beyond the client budget → 503 with Retry-After; the activity retry with its key sends once', async () => {
    const before = s.brevoSim.outbox.length;
    s.brevoSim.failNext({ status: 429, times: 10, resetSeconds: 0.02 });
    const body = { phone_e164: CLAIRE, channel: 'sms', purpose: 'portal_login', role: 'client' };
    const r = await call(s.api.url, 'PUT', '/auth/request-otp', { key: 'wf-10:otp', body });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('messaging_rate_limited');
    expect(r.headers.get('retry-after')).toBeTruthy();
    expect(s.brevoSim.outbox.length).toBe(before);
    s.brevoSim.reset(); // Brevo's limit window has passed: clears the remaining injected 429s (and the outbox)
    const retry = await call(s.api.url, 'PUT', '/auth/request-otp', { key: 'wf-10:otp', body });
    expect(retry.status).toBe(200);
    expect(s.brevoSim.outbox.length).toBe(1);
    expect(lastCode(s.brevoSim, CLAIRE)).toMatch(/^\d{6}$/);
  });

  test('Brevo out of credits (402) → 503 messaging_unavailable', async () => {
    s.brevoSim.failNext({ status: 402 });
    const r = await call(s.api.url, 'PUT', '/auth/request-otp', { body: { phone_e164: CLAIRE, channel: 'sms', purpose: 'portal_login', role: 'client' } });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('messaging_unavailable');
  });
});
