import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccessDenied, createOdooClient, MissingError, NotFound, odooConfigFromEnv, OdooProtocolError, OdooUnavailable,
  UnknownField, ValidationError, type OdooClient,
} from '../../lib/odoo/client';
import { backoffDelay } from '../../lib/odoo/http';
import { toNamedArgs } from '../../lib/odoo/transports/json2';
import { SessionJsonRpcTransport } from '../../lib/odoo/transports/session-jsonrpc';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';

const fast = { retries: 2, backoffBaseMs: 5, backoffMaxMs: 20, timeoutMs: 2_000 };

describe('transport choice (auto)', () => {
  const sims: OdooSimulator[] = [];
  afterAll(() => Promise.all(sims.map((s) => s.stop())));

  test.each([
    [19, 'key', 'json2'],
    [18, 'key', 'jsonrpc'],
    [16, 'key', 'jsonrpc'],
    [19, 'password', 'session'],
  ] as const)('Odoo %i with a %s → %s', async (version, secret, expected) => {
    const sim = await startOdooSimulator({ version });
    sims.push(sim);
    const creds = secret === 'key' ? { apiKey: sim.issueApiKey(), login: 'admin' } : { login: 'admin', password: 'admin' };
    const client = createOdooClient({ url: sim.url, db: sim.db, ...creds, ...fast });
    expect((await client.transport()).name).toBe(expected);
    expect(await client.serverVersion()).toEqual({ major: version, label: `${version}.0` });
    expect(await client.callKw('res.partner', 'search_count', [[['id', '=', 3]]])).toBe(1);
    expect(sim.calls.at(-1)?.transport).toBe(expected);
    await client.close();
  });
});

test('an API key without login on a server below 19 says the login is needed', async () => {
  const sim = await startOdooSimulator({ version: 17 });
  const client = createOdooClient({ url: sim.url, db: sim.db, apiKey: sim.issueApiKey(), ...fast });
  await expect(client.callKw('res.partner', 'search', [[]])).rejects.toThrow('is 17.0, without JSON-2: the /jsonrpc transport needs a login (set ODOO_LOGIN)');
  await sim.stop();
});

describe('retries, timeouts and unavailability', () => {
  let sim: OdooSimulator;
  let client: OdooClient;
  beforeAll(async () => {
    sim = await startOdooSimulator({ version: 19 });
    client = createOdooClient({ url: sim.url, db: sim.db, apiKey: sim.issueApiKey(), ...fast, timeoutMs: 300 });
    await client.fields('res.partner'); // the create/write field check reads fields_get once; keep it out of the counts
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  beforeEach(() => sim.resetCalls());

  test('a read survives two 500s', async () => {
    sim.failNext({ kind: 'http500', times: 2 });
    expect(await client.callKw('res.partner', 'search', [[['id', '=', 3]]])).toEqual([3]);
    expect(sim.callCount('res.partner', 'search')).toBe(1);
  });

  test('a read gives up after the bounded retries with OdooUnavailable', async () => {
    sim.failNext({ kind: 'http500', times: 3 });
    const err = await client.callKw('res.partner', 'search', [[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooUnavailable);
    expect((err as OdooUnavailable).attempts).toBe(3);
    expect((err as OdooUnavailable).message).toContain('HTTP 500 after 3 attempts');
  });

  test('a create is not repeated after a 500 or a timeout (it may have run), but is after a 503/502', async () => {
    sim.failNext({ kind: 'http500' });
    await expect(client.callKw('res.partner', 'create', [{ name: 'Once' }])).rejects.toThrow(/not retried because the call may have changed data/);
    sim.failNext({ kind: 'delay', ms: 600 });
    const timedOut = await client.callKw('res.partner', 'create', [{ name: 'Slow' }]).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(OdooUnavailable);
    expect((timedOut as OdooUnavailable).message).toContain('no answer within 300 ms');
    await new Promise((r) => setTimeout(r, 400)); // the slow create lands after the client gave up
    expect(sim.callCount('res.partner', 'create')).toBe(1);
    sim.failNext({ kind: 'http502' });
    const id = await client.callKw<number>('res.partner', 'create', [{ name: 'After 502' }]);
    expect(typeof id).toBe('number');
    expect(sim.callCount('res.partner', 'create')).toBe(2);
  });

  test('a dropped connection on a read is retried', async () => {
    sim.failNext({ kind: 'drop' });
    expect(await client.callKw('res.partner', 'search_count', [[['id', '=', 3]]])).toBe(1);
  });

  test('business errors are never retried', async () => {
    await expect(client.callKw('res.partner', 'create', [{ email: 'x@exemple.fr' }])).rejects.toBeInstanceOf(ValidationError);
    expect(sim.calls.filter((c) => c.method === 'create')).toHaveLength(1);
  });

  test('nothing listening → OdooUnavailable naming the attempts', async () => {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const dead = createOdooClient({ url: `http://127.0.0.1:${port}`, db: 'odoo', login: 'admin', password: 'admin', ...fast });
    const err = await dead.callKw('res.partner', 'search', [[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooUnavailable);
    expect((err as OdooUnavailable).message).toMatch(/ECONNREFUSED after 3 attempts/);
  });

  test('backoff is jittered and bounded', () => {
    const policy = { timeoutMs: 1, retries: 5, backoffBaseMs: 100, backoffMaxMs: 1000 };
    expect(backoffDelay(1, policy, () => 1)).toBe(200);
    expect(backoffDelay(8, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe('protocol errors', () => {
  test('an HTML page where JSON-RPC is due is an OdooProtocolError', async () => {
    const srv = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>login</html>');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const client = createOdooClient({ url, db: 'odoo', login: 'admin', password: 'admin', ...fast });
    await expect(client.callKw('res.partner', 'search', [[]])).rejects.toBeInstanceOf(OdooProtocolError);
    await new Promise<void>((r) => srv.close(() => r()));
  });
});

describe('session transport', () => {
  test('logs in once, re-logs in once after expiry, and surfaces a second refusal', async () => {
    const sim = await startOdooSimulator({ version: 17 });
    const t = new SessionJsonRpcTransport({ url: sim.url, db: sim.db, login: 'admin', password: 'admin', policy: { ...fast } });
    await Promise.all([t.callKw('res.partner', 'search', [[]], {}), t.callKw('res.partner', 'search', [[]], {})]);
    expect(t.logins).toBe(1);
    sim.expireSessions();
    expect(await t.callKw('res.partner', 'search_count', [[['id', '=', 3]]], {})).toBe(1);
    expect(t.logins).toBe(2);
    await t.destroyServerSessionKeepingCookie();
    expect(await t.callKw('res.partner', 'search_count', [[['id', '=', 3]]], {})).toBe(1);
    expect(t.logins).toBe(3);
    await t.close();
    expect(sim.sessionCount()).toBe(0);
    const bad = new SessionJsonRpcTransport({ url: sim.url, db: sim.db, login: 'admin', password: 'nope', policy: { ...fast } });
    await expect(bad.callKw('res.partner', 'search', [[]], {})).rejects.toBeInstanceOf(AccessDenied);
    await sim.stop();
  });
});

test('a slow login (password hashing) is paid once, not per call', async () => {
  const sim = await startOdooSimulator({ version: 18, authenticateDelayMs: 300 });
  const client = createOdooClient({ url: sim.url, db: sim.db, login: 'admin', password: 'admin', ...fast });
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 10 }, () => client.callKw('res.partner', 'search_count', [[]])));
  for (let i = 0; i < 10; i++) await client.callKw('res.partner', 'search_count', [[]]);
  // The login's delay was paid (a lower bound holds on any machine) and by one login only: one session for 20 calls.
  expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  expect(sim.sessionCount()).toBe(1);
  await client.close();
  await sim.stop();
});

describe('fields checked against fields_get', () => {
  test('mobile is refused on 19 with the field and version named, accepted on 18', async () => {
    const s19 = await startOdooSimulator({ version: 19 });
    const s18 = await startOdooSimulator({ version: 18 });
    const c19 = createOdooClient({ url: s19.url, db: s19.db, apiKey: s19.issueApiKey(), ...fast });
    const c18 = createOdooClient({ url: s18.url, db: s18.db, login: 'admin', password: 'admin', ...fast });
    const err = await c19.callKw('res.partner', 'create', [{ name: 'Lina', mobile: '+261321234567' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownField);
    expect((err as UnknownField).field).toBe('mobile');
    expect((err as UnknownField).message).toContain("field 'mobile' does not exist on res.partner in Odoo 19.0");
    expect(s19.callCount('res.partner', 'create')).toBe(0);
    expect(typeof (await c18.callKw('res.partner', 'create', [{ name: 'Lina', mobile: '+261321234567' }]))).toBe('number');
    expect((await c19.fields('res.partner')).mobile).toBeUndefined();
    expect((await c18.fields('res.partner')).mobile).toEqual(expect.objectContaining({ type: 'char' }));
    // a custom field created over RPC becomes writable at once (cache dropped)
    const modelId = (await c19.callKw<number[]>('ir.model', 'search', [[['model', '=', 'res.partner']]]))[0];
    await c19.callKw('ir.model.fields', 'create', [{ name: 'x_consent_sms', field_description: 'Consentement SMS', model_id: modelId, ttype: 'boolean', state: 'manual' }]);
    expect(typeof (await c19.callKw('res.partner', 'create', [{ name: 'Claire', x_consent_sms: true }]))).toBe('number');
    await Promise.all([c19.close(), c18.close(), s19.stop(), s18.stop()]);
  });
});

describe('error mapping over each transport', () => {
  let sim: OdooSimulator;
  beforeAll(async () => {
    sim = await startOdooSimulator({ version: 19 });
  });
  afterAll(() => sim.stop());

  test.each(['session', 'jsonrpc', 'json2'] as const)('%s', async (transport) => {
    const client = createOdooClient({ url: sim.url, db: sim.db, login: 'admin', password: 'admin', apiKey: sim.issueApiKey(), transport, ...fast });
    const v = await client.callKw('res.partner', 'create', [{ email: 'x@exemple.fr' }]).catch((e: unknown) => e);
    expect(v).toBeInstanceOf(ValidationError);
    expect(v).toMatchObject({ transport, model: 'res.partner', method: 'create', odooName: 'odoo.exceptions.ValidationError' });
    await expect(client.callKw('res.partner', 'write', [[999999], { name: 'x' }])).rejects.toBeInstanceOf(MissingError);
    await expect(client.callKw('x.nothing', 'search', [[]])).rejects.toBeInstanceOf(NotFound);
    await expect(client.callKw('res.partner', 'frobnicate', [[3]])).rejects.toBeInstanceOf(NotFound);
    await client.close();
  });
});

describe('JSON-2 argument translation', () => {
  test.each([
    ['search_read', [[['active', '=', true]], ['name']], { limit: 5 }, { domain: [['active', '=', true]], fields: ['name'], limit: 5 }, false],
    ['read', [[7], ['name']], {}, { ids: [7], fields: ['name'] }, false],
    ['create', [{ name: 'x' }], {}, { vals_list: [{ name: 'x' }] }, true],
    ['create', [[{ name: 'x' }, { name: 'y' }]], {}, { vals_list: [{ name: 'x' }, { name: 'y' }] }, false],
    ['write', [[7, 8], { name: 'x' }], {}, { ids: [7, 8], vals: { name: 'x' } }, false],
    ['unlink', [[7]], {}, { ids: [7] }, false],
    ['do_accept', [[2]], {}, { ids: [2] }, false],
    ['message_post', [[7]], { body: 'Note' }, { ids: [7], body: 'Note' }, true],
    ['search', [[], 0, 10, 'id desc'], {}, { domain: [], offset: 0, limit: 10, order: 'id desc' }, false],
  ] as const)('%s', (method, args, kwargs, body, unwrap) => {
    expect(toNamedArgs('res.partner', method, [...args], { ...kwargs })).toEqual({ body, unwrapSingle: unwrap });
  });

  test('extra positional arguments are refused with a hint', () => {
    expect(() => toNamedArgs('res.partner', 'unlink', [[7], true], {})).toThrow(/named arguments only/);
    expect(() => toNamedArgs('res.partner', 'write', [{ name: 'x' }], {})).toThrow(/first argument must be the record ids/);
  });
});

describe('configuration from the environment', () => {
  test('names every missing or wrong variable', () => {
    expect(() => odooConfigFromEnv({ ODOO_URL: 'not a url', ODOO_TRANSPORT: 'soap' })).toThrow(/ODOO_URL[\s\S]*ODOO_DB[\s\S]*ODOO_TRANSPORT/);
    expect(() => odooConfigFromEnv({ ODOO_URL: 'http://odoo:8069', ODOO_DB: 'odoo' })).toThrow(/ODOO_PASSWORD: set ODOO_PASSWORD or ODOO_API_KEY/);
    expect(() => odooConfigFromEnv({ ODOO_URL: 'http://odoo:8069', ODOO_DB: 'odoo', ODOO_PASSWORD: 'x' })).toThrow(/login: a login is needed/);
  });

  test('reads a complete configuration', () => {
    expect(odooConfigFromEnv({ ODOO_URL: 'http://odoo:8069/', ODOO_DB: 'prod', ODOO_API_KEY: 'k', ODOO_TIMEOUT_MS: '5000' })).toMatchObject({
      url: 'http://odoo:8069', db: 'prod', apiKey: 'k', transport: 'auto', timeoutMs: 5000, retries: 2,
    });
  });
});
