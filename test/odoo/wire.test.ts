/**
 * Byte-level answers of the simulator per transport and version, checked against the facts observed on real
 * Odoo (shared field notes): envelope members and order, error codes, `data.name`, HTTP statuses and headers.
 * Only `debug` (a traceback) is masked.
 */
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';

const maskDebug = (s: string) => s.replace(/"debug": "(?:[^"\\]|\\.)*"/g, '"debug": "…"');

async function post(sim: OdooSimulator, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(sim.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const rpc = (params: unknown, id: unknown = 1) => ({ jsonrpc: '2.0', method: 'call', params, id });

async function login(sim: OdooSimulator): Promise<string> {
  const r = await post(sim, '/web/session/authenticate', rpc({ db: sim.db, login: 'admin', password: 'admin' }));
  const m = /session_id=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
  if (!m) throw new Error('no session cookie');
  return `session_id=${m[1]}`;
}

describe.each([16, 17, 18, 19] as const)('session JSON-RPC on Odoo %i', (version) => {
  let sim: OdooSimulator;
  let cookie: string;
  const code = version >= 19 ? 0 : 200;
  beforeAll(async () => {
    sim = await startOdooSimulator({ version });
    cookie = await login(sim);
  });
  afterAll(() => sim.stop());

  test('success envelope, Connection: close, create(dict) → id and create(list) → ids', async () => {
    const one = await post(sim, '/web/dataset/call_kw/res.partner/create', rpc({ model: 'res.partner', method: 'create', args: [{ name: 'Lina' }], kwargs: {} }, 2), { Cookie: cookie });
    expect(one.headers.get('connection')).toBe('close');
    expect(one.text).toMatch(/^\{"jsonrpc": "2\.0", "id": 2, "result": \d+\}$/);
    const many = await post(sim, '/web/dataset/call_kw', rpc({ model: 'res.partner', method: 'create', args: [[{ name: 'A' }, { name: 'B' }]], kwargs: {} }, 3), { Cookie: cookie });
    expect(many.text).toMatch(/^\{"jsonrpc": "2\.0", "id": 3, "result": \[\d+, \d+\]\}$/);
  });

  test(`ValidationError comes back with HTTP 200 and code ${code}`, async () => {
    const r = await post(sim, '/web/dataset/call_kw', rpc({ model: 'res.partner', method: 'create', args: [{ email: 'x@exemple.fr' }], kwargs: {} }, 4), { Cookie: cookie });
    expect(r.status).toBe(200);
    const msg = version >= 18 ? 'The operation cannot be completed: Contacts require a name' : 'The operation cannot be completed: Contacts require a name.';
    expect(maskDebug(r.text)).toBe(
      `{"jsonrpc": "2.0", "id": 4, "error": {"code": ${code}, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.ValidationError", "debug": "…", "message": "${msg}", "arguments": ["${msg}"], "context": {}}}}`,
    );
  });

  test('no cookie → code 100 Odoo Session Expired', async () => {
    const r = await post(sim, '/web/dataset/call_kw', rpc({ model: 'res.partner', method: 'search', args: [[]], kwargs: {} }, 5));
    expect(maskDebug(r.text)).toBe(
      '{"jsonrpc": "2.0", "id": 5, "error": {"code": 100, "message": "Odoo Session Expired", "data": {"name": "odoo.http.SessionExpiredException", "debug": "…", "message": "Session expired", "arguments": ["Session expired"], "context": {}}}}',
    );
  });

  test('unknown model, unknown method, private method, bad domain field, wrong password', async () => {
    const call = (params: unknown) => post(sim, '/web/dataset/call_kw', rpc(params, 6), { Cookie: cookie }).then((r) => JSON.parse(r.text) as { id: unknown; error: { code: number; data: { name: string; message: string } } });
    const unknownModel = await call({ model: 'x.nothing', method: 'search', args: [[]], kwargs: {} });
    if (version >= 18) {
      expect([unknownModel.id, unknownModel.error.code, unknownModel.error.data.name]).toEqual([null, 404, 'werkzeug.exceptions.NotFound']);
    } else {
      expect(unknownModel.error.data.name).toBe('builtins.KeyError');
    }
    expect((await call({ model: 'res.partner', method: 'frobnicate', args: [[]], kwargs: {} })).error.data.name).toBe('builtins.AttributeError');
    expect((await call({ model: 'res.partner', method: '_compute_display_name', args: [[1]], kwargs: {} })).error.data.name).toBe('odoo.exceptions.AccessError');
    expect((await call({ model: 'res.partner', method: 'search_read', args: [[['nope', '=', 1]]], kwargs: {} })).error.data.name).toBe('builtins.ValueError');
    const noModel = await call({ method: 'search_read', args: [], kwargs: {} });
    expect([noModel.error.data.name, noModel.error.data.message]).toEqual(['builtins.TypeError', "DataSet.call_kw() missing 1 required positional argument: 'model'"]);
    const denied = await post(sim, '/web/session/authenticate', rpc({ db: sim.db, login: 'admin', password: 'wrong' }, 8));
    expect(maskDebug(denied.text)).toBe(
      `{"jsonrpc": "2.0", "id": 8, "error": {"code": ${code}, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.AccessDenied", "debug": "…", "message": "Access Denied", "arguments": ["Access Denied"], "context": {}}}}`,
    );
  });

  test('read of a missing id is [], many2one reads as [id, name] or false', async () => {
    const r = await post(sim, '/web/dataset/call_kw', rpc({ model: 'res.partner', method: 'read', args: [[999999], ['name']], kwargs: {} }), { Cookie: cookie });
    expect(r.text).toBe('{"jsonrpc": "2.0", "id": 1, "result": []}');
    const u = await post(sim, '/web/dataset/call_kw', rpc({ model: 'res.users', method: 'read', args: [[2], ['partner_id', 'tz']], kwargs: {} }), { Cookie: cookie });
    expect(JSON.parse(u.text).result).toEqual([{ id: 2, partner_id: [3, 'Administrator'], tz: 'Europe/Paris' }]);
  });

  test('malformed bodies: not JSON → 400 "Invalid JSON data"; not an object → "Invalid JSON-RPC data"', async () => {
    const bad = await post(sim, '/web/dataset/call_kw', '{"jsonrpc": ', { Cookie: cookie });
    expect([bad.status, bad.text]).toEqual([400, 'Invalid JSON data']);
    const arr = await post(sim, '/web/dataset/call_kw', '[1, 2]', { Cookie: cookie });
    expect([arr.status, arr.text]).toEqual([400, 'Invalid JSON-RPC data']);
  });

  test('destroy answers without result, then the cookie is expired', async () => {
    const c = await login(sim);
    const d = await post(sim, '/web/session/destroy', rpc({}, 9), { Cookie: c });
    expect(d.text).toBe('{"jsonrpc": "2.0", "id": 9}');
    const after = await post(sim, '/web/dataset/call_kw', rpc({ model: 'res.partner', method: 'search', args: [[]], kwargs: {} }), { Cookie: c });
    expect(JSON.parse(after.text).error.code).toBe(100);
  });

  test('/web/database/list and version_info', async () => {
    expect((await post(sim, '/web/database/list', rpc({}))).text).toBe('{"jsonrpc": "2.0", "id": 1, "result": ["odoo"]}');
    expect(JSON.parse((await post(sim, '/web/webclient/version_info', rpc({}))).text).result.server_version_info[0]).toBe(version);
  });

  test(`JSON-2 is ${version >= 19 ? 'served' : 'an HTML 404'}`, async () => {
    const key = sim.issueApiKey();
    const r = await post(sim, '/json/2/res.partner/search', { domain: [] }, { Authorization: `bearer ${key}` });
    expect(r.status).toBe(version >= 19 ? 200 : 404);
    expect(r.headers.get('content-type')).toBe(version >= 19 ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
  });
});

describe('/jsonrpc external API', () => {
  let sim: OdooSimulator;
  let key: string;
  beforeAll(async () => {
    sim = await startOdooSimulator({ version: 17 });
    key = sim.issueApiKey();
  });
  afterAll(() => sim.stop());
  const call = (service: string, method: string, args: unknown[]) => post(sim, '/jsonrpc', rpc({ service, method, args })).then((r) => JSON.parse(r.text) as { result?: unknown; error?: { code: number; data: { name: string } } });

  test('common.version, authenticate with password or key, false on a bad secret', async () => {
    expect((await call('common', 'version', [])).result).toEqual({ server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 });
    expect((await call('common', 'authenticate', ['odoo', 'admin', 'admin', {}])).result).toBe(2);
    expect((await call('common', 'authenticate', ['odoo', 'admin', key, {}])).result).toBe(2);
    expect((await call('common', 'authenticate', ['odoo', 'admin', 'nope', {}])).result).toBe(false);
  });

  test('execute_kw with the key; AccessDenied with a bad one; UserError for an unknown model', async () => {
    expect((await call('object', 'execute_kw', ['odoo', 2, key, 'res.partner', 'search_count', [[['id', '=', 3]]]])).result).toBe(1);
    const denied = await call('object', 'execute_kw', ['odoo', 2, 'bad', 'res.partner', 'search_count', [[]]]);
    expect([denied.error?.code, denied.error?.data.name]).toEqual([200, 'odoo.exceptions.AccessDenied']);
    expect((await call('object', 'execute_kw', ['odoo', 2, key, 'x.nothing', 'search', [[]]])).error?.data.name).toBe('odoo.exceptions.UserError');
  });
});

describe('JSON-2 on Odoo 19', () => {
  let sim: OdooSimulator;
  let key: string;
  beforeAll(async () => {
    sim = await startOdooSimulator({ version: 19 });
    key = sim.issueApiKey();
  });
  afterAll(() => sim.stop());
  const j2 = (path: string, body: unknown, headers: Record<string, string> = {}) => post(sim, `/json/2/${path}`, body, { Authorization: `bearer ${key}`, 'X-Odoo-Database': 'odoo', ...headers });

  test('bare results: create {vals_list} → [id], search_read → list, do_decline {ids} → true', async () => {
    const created = await j2('res.partner/create', { vals_list: [{ name: 'Lina' }] });
    expect(created.status).toBe(200);
    expect(created.text).toMatch(/^\[\d+\]$/);
    const pid = (JSON.parse(created.text) as number[])[0]!;
    const ev = await j2('calendar.event/create', { vals_list: [{ name: 'RDV', start: '2030-03-04 09:00:00', stop: '2030-03-04 10:00:00', partner_ids: [[6, 0, [pid]]] }] });
    const eventId = (JSON.parse(ev.text) as number[])[0]!;
    const att = JSON.parse((await j2('calendar.attendee/search_read', { domain: [['event_id', '=', eventId]], fields: ['state'] })).text) as Array<{ id: number; state: string }>;
    expect(att).toEqual([{ id: expect.any(Number), state: 'needsAction' }]);
    const declined = await j2('calendar.attendee/do_decline', { ids: [att[0]!.id] });
    expect([declined.status, declined.text]).toEqual([200, 'true']);
  });

  test('error statuses and bodies', async () => {
    const validation = await j2('res.partner/create', { vals_list: [{ email: 'x@y.z' }] });
    expect(validation.status).toBe(422);
    expect(maskDebug(validation.text)).toBe(
      '{"name": "odoo.exceptions.ValidationError", "debug": "…", "message": "The operation cannot be completed: Contacts require a name", "arguments": ["The operation cannot be completed: Contacts require a name"], "context": {}}',
    );
    expect((await j2('x.nothing/search', { domain: [] })).status).toBe(404);
    expect((await j2('res.partner/search', { domain: [], bogus: 1 })).status).toBe(422);
    expect((await j2('res.partner/search', { ids: [1], domain: [] })).status).toBe(422);
    const missing = await j2('res.partner/write', { ids: [999999], vals: { name: 'x' } });
    expect([missing.status, JSON.parse(missing.text).name]).toEqual([404, 'odoo.exceptions.MissingError']);
    const unauth = await post(sim, '/json/2/res.partner/search', { domain: [] }, { Authorization: 'bearer wrong' });
    expect([unauth.status, unauth.headers.get('www-authenticate'), JSON.parse(unauth.text).name]).toEqual([401, 'Bearer', 'werkzeug.exceptions.Unauthorized']);
    const nokey = await post(sim, '/json/2/res.partner/search', { domain: [] });
    expect([nokey.status, JSON.parse(nokey.text).message]).toEqual([401, 'User not authenticated, use an API Key with a Bearer Authorization header.']);
    const wrongDb = await j2('res.partner/search', { domain: [] }, { 'X-Odoo-Database': 'other' });
    expect([wrongDb.status, wrongDb.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    const textPlain = await j2('res.partner/search', '{"domain": []}', { 'Content-Type': 'text/plain' });
    expect([textPlain.status, textPlain.headers.get('content-type')]).toEqual([415, 'text/html; charset=utf-8']);
    const badJson = await j2('res.partner/search', '{"domain": ');
    expect([badJson.status, JSON.parse(badJson.text).name]).toEqual([400, 'werkzeug.exceptions.BadRequest']);
  });

  test('searchCount and searchRead hooks evaluate domains like the server', async () => {
    await j2('res.partner/create', { vals_list: [{ name: 'Hook Test', email: 'hook@exemple.fr' }] });
    expect(sim.searchCount('res.partner', [['email', '=', 'hook@exemple.fr']])).toBe(1);
    expect(sim.searchRead('res.partner', [['email', '=', 'hook@exemple.fr']], ['name', 'company_id'])).toEqual([{ id: expect.any(Number), name: 'Hook Test', company_id: false }]);
    expect(() => sim.searchCount('res.partner', [['nope', '=', 1]])).toThrow('Invalid field res.partner.nope');
  });

  test('the call log counts what reached the ORM', async () => {
    sim.resetCalls();
    await j2('res.partner/create', { vals_list: [{ name: 'Un' }] });
    await j2('res.partner/create', { vals_list: [{ email: 'no-name@exemple.fr' }] });
    expect(sim.callCount('res.partner', 'create')).toBe(1);
    expect(sim.calls.filter((c) => !c.ok)).toEqual([{ transport: 'json2', model: 'res.partner', method: 'create', ok: false }]);
  });
});
