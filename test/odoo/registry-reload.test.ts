import { createOdooClient, RegistryReloading, type OdooClient } from '../../lib/odoo/client';
import { ensureCustomFields } from '../../cli/commands/odoo-setup';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';

const fast = { retries: 2, backoffBaseMs: 40, backoffMaxMs: 300, timeoutMs: 5_000 };

async function untilReloading(sim: OdooSimulator, model: string) {
  for (let i = 0; i < 500 && !sim.reloading(model); i++) await new Promise((r) => setTimeout(r, 2));
  expect(sim.reloading(model)).toBe(true);
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the simulator plays the registry reload after a field creation', () => {
  let sim: OdooSimulator;
  let setup: OdooClient;
  beforeAll(async () => {
    sim = await startOdooSimulator({ version: 19, registryReloadMs: 1_500 });
    setup = createOdooClient({ url: sim.url, db: sim.db, apiKey: sim.issueApiKey(), ...fast });
  });
  afterAll(async () => {
    await setup.close();
    await sim.stop();
  });

  test('JSON-2: HTTP 500 with KeyError body; JSON-RPC: HTTP 200 with error data builtins.KeyError; the creator answers after', async () => {
    const key = sim.issueApiKey();
    const created = ensureCustomFields(setup, { fields: [{ name: 'x_reload_a', ttype: 'boolean', label: 'A' }] });
    await untilReloading(sim, 'res.partner');
    const j2 = await post(`${sim.url}/json/2/res.partner/search`, { domain: [] }, { Authorization: `bearer ${key}`, 'X-Odoo-Database': sim.db });
    expect(j2.status).toBe(500);
    expect(j2.body).toMatchObject({ name: 'builtins.KeyError', message: "'res.partner.image_1024'", arguments: ['res.partner.image_1024'] });
    const rpc = await post(`${sim.url}/jsonrpc`, { jsonrpc: '2.0', method: 'call', id: 7, params: { service: 'object', method: 'execute_kw', args: [sim.db, 2, 'admin', 'res.partner', 'search', [[]]] } });
    expect(rpc.status).toBe(200);
    expect(rpc.body).toMatchObject({ id: 7, error: { message: 'Odoo Server Error', data: { name: 'builtins.KeyError', message: "'res.partner.image_1024'" } } });
    // another model is not touched
    const other = await post(`${sim.url}/json/2/crm.lead/search_count`, { domain: [] }, { Authorization: `bearer ${key}`, 'X-Odoo-Database': sim.db });
    expect(other.status).toBe(200);
    expect(await created).toEqual([{ name: 'x_reload_a', status: 'created' }]);
    expect(sim.reloading('res.partner')).toBe(false);
  });

  test.each(['json2', 'session', 'jsonrpc'] as const)('over %s the client maps it to RegistryReloading and does not repeat a create', async (transport) => {
    const creds = transport === 'session' ? { login: 'admin', password: 'admin' } : { login: 'admin', apiKey: sim.issueApiKey() };
    const client = createOdooClient({ url: sim.url, db: sim.db, transport, ...creds, ...fast, checkFields: false });
    await client.callKw('res.partner', 'search_count', [[]]); // log in before the window
    sim.resetCalls();
    const created = ensureCustomFields(setup, { fields: [{ name: `x_reload_${transport}`, ttype: 'boolean', label: 'B' }] });
    await untilReloading(sim, 'res.partner');
    const err = await client.callKw('res.partner', 'create', [{ name: 'Pendant la mise à jour' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryReloading);
    expect(err).toMatchObject({ odooName: 'builtins.KeyError', attempts: 1 });
    expect(sim.calls.filter((c) => c.model === 'res.partner' && c.method === 'create')).toHaveLength(1);
    await created;
    await client.close();
  });
});

test('a read or write during the reload is retried until the reload is over; ensureCustomFields is safe beside live traffic', async () => {
  const sim = await startOdooSimulator({ version: 19, registryReloadMs: 300 });
  const setup = createOdooClient({ url: sim.url, db: sim.db, apiKey: sim.issueApiKey(), ...fast });
  const api = createOdooClient({ url: sim.url, db: sim.db, apiKey: sim.issueApiKey(), ...fast, backoffBaseMs: 100, backoffMaxMs: 1_000, checkFields: false });
  await api.callKw('res.partner', 'search_count', [[]]);
  sim.resetCalls();
  const created = ensureCustomFields(setup);
  await untilReloading(sim, 'res.partner');
  const [count, wrote] = await Promise.all([
    api.callKw<number>('res.partner', 'search_count', [[]]),
    api.callKw<boolean>('res.partner', 'write', [[3], { comment: 'vu' }]),
  ]);
  expect(typeof count).toBe('number');
  expect(wrote).toBe(true);
  expect(sim.calls.some((c) => c.model === 'res.partner' && !c.ok)).toBe(true); // the reload was hit, then passed
  expect((await created).map((o) => o.status)).toEqual(['created', 'created', 'created']);
  await Promise.all([setup.close(), api.close()]);
  await sim.stop();
});
