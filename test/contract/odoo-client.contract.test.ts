/**
 * Contract of the Odoo client, the same suite for the simulator and for a real server.
 *
 * - Default (`npm test`): runs against the simulator, Odoo 16 to 19, every transport each version serves.
 * - `IVR_CONTRACT=real` with ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_PASSWORD and/or ODOO_API_KEY: runs against
 *   that server, over session JSON-RPC (password), /jsonrpc (key or password) and JSON-2 (key); narrow with
 *   IVR_CONTRACT_TRANSPORTS=session,jsonrpc,json2. Everything the suite creates is deleted again.
 */
import {
  AccessDenied, AccessError, createOdooClient, MissingError, NotFound, UnknownField, ValidationError,
  type OdooClient, type OdooConfigInput,
} from '../../lib/odoo/client';
import { SessionJsonRpcTransport } from '../../lib/odoo/transports/session-jsonrpc';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';

type TransportName = 'session' | 'jsonrpc' | 'json2';
const REAL = process.env.IVR_CONTRACT === 'real';

interface Target {
  label: string;
  transport: TransportName;
  /** Resolves the connection settings (starts a simulator in simulator mode). */
  connect(): Promise<{ config: OdooConfigInput; badConfig: OdooConfigInput; stop(): Promise<void> }>;
}

function realTargets(): Target[] {
  const env = process.env;
  const missing = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN'].filter((k) => !env[k]);
  if (!env.ODOO_PASSWORD && !env.ODOO_API_KEY) missing.push('ODOO_PASSWORD or ODOO_API_KEY');
  const wanted = (env.IVR_CONTRACT_TRANSPORTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const available: TransportName[] = [
    ...(env.ODOO_PASSWORD ? (['session'] as const) : []),
    ...(env.ODOO_PASSWORD || env.ODOO_API_KEY ? (['jsonrpc'] as const) : []),
    ...(env.ODOO_API_KEY ? (['json2'] as const) : []),
  ];
  const transports = (wanted.length ? available.filter((t) => wanted.includes(t)) : available);
  if (missing.length) {
    // one failing suite that says exactly what to set
    return [{
      label: 'real Odoo (misconfigured)', transport: 'session',
      connect: () => Promise.reject(new Error(`IVR_CONTRACT=real needs ${missing.join(', ')} in the environment`)),
    }];
  }
  return transports.map((transport) => ({
    label: `real Odoo at ${env.ODOO_URL}`,
    transport,
    async connect() {
      const base = { url: env.ODOO_URL!, db: env.ODOO_DB!, login: env.ODOO_LOGIN!, transport, retries: 1 };
      const secret = transport === 'session' ? { password: env.ODOO_PASSWORD! } : transport === 'json2' ? { apiKey: env.ODOO_API_KEY! } : env.ODOO_API_KEY ? { apiKey: env.ODOO_API_KEY } : { password: env.ODOO_PASSWORD! };
      const config: OdooConfigInput = { ...base, ...secret };
      const probe = createOdooClient(config);
      try {
        const v = await probe.serverVersion();
        if (transport === 'json2' && v.major < 19) {
          throw new Error(`JSON-2 needs Odoo 19+, this server is ${v.label}: set IVR_CONTRACT_TRANSPORTS=session,jsonrpc`);
        }
      } catch (e) {
        throw new Error(`Cannot use the Odoo at ${env.ODOO_URL} (db ${env.ODOO_DB}) for the contract suite: ${(e as Error).message}`);
      } finally {
        await probe.close();
      }
      const badConfig: OdooConfigInput = { ...base, ...(transport === 'session' ? { password: 'wrong-password-for-contract' } : { apiKey: 'wrong-api-key-for-contract', password: undefined }) };
      return { config, badConfig, stop: async () => undefined };
    },
  }));
}

function simulatorTargets(): Target[] {
  const out: Target[] = [];
  for (const version of [16, 17, 18, 19] as const) {
    const transports: TransportName[] = version >= 19 ? ['session', 'jsonrpc', 'json2'] : ['session', 'jsonrpc'];
    for (const transport of transports) {
      out.push({
        label: `simulated Odoo ${version}`,
        transport,
        async connect() {
          const sim: OdooSimulator = await startOdooSimulator({ version });
          const key = sim.issueApiKey();
          const base = { url: sim.url, db: sim.db, login: 'admin', transport, retries: 1, backoffBaseMs: 5 };
          const config: OdooConfigInput = transport === 'session' ? { ...base, password: 'admin' } : { ...base, apiKey: key };
          const badConfig: OdooConfigInput = transport === 'session' ? { ...base, password: 'wrong' } : { ...base, apiKey: 'wrong-key' };
          return { config, badConfig, stop: () => sim.stop() };
        },
      });
    }
  }
  return out;
}

const targets = REAL ? realTargets() : simulatorTargets();
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe.each(targets.map((t) => [`${t.label} over ${t.transport}`, t] as const))('Odoo client contract: %s', (_name, target) => {
  let client: OdooClient;
  let badConfig: OdooConfigInput;
  let stop: () => Promise<void> = async () => undefined;
  let major = 0;
  const created: Array<[string, number]> = [];

  async function make<T extends number | number[]>(model: string, vals: Record<string, unknown> | Array<Record<string, unknown>>): Promise<T> {
    const r = await client.callKw<T>(model, 'create', [vals]);
    for (const id of Array.isArray(r) ? r : [r]) created.push([model, id]);
    return r;
  }

  beforeAll(async () => {
    const c = await target.connect();
    stop = c.stop;
    badConfig = c.badConfig;
    client = createOdooClient(c.config);
    major = (await client.serverVersion()).major;
  });

  afterAll(async () => {
    // delete what this suite created, newest first (events before their partners)
    for (const [model, id] of created.reverse()) {
      await client?.callKw(model, 'unlink', [[id]]).catch((e: unknown) => {
        if (!(e instanceof MissingError)) throw e;
      });
    }
    await client?.close();
    await stop();
  });

  test('authenticates, reports the version and searches', async () => {
    expect(major).toBeGreaterThanOrEqual(16);
    expect((await client.transport()).name).toBe(target.transport);
    expect(await client.callKw<number>('res.partner', 'search_count', [[]])).toBeGreaterThan(0);
  });

  test('search_read honours domain, fields, order and limit', async () => {
    const tag = unique();
    await make('res.partner', [{ name: `Contract B ${tag}` }, { name: `Contract A ${tag}` }, { name: `Contract C ${tag}` }]);
    const rows = await client.callKw<Array<Record<string, unknown>>>('res.partner', 'search_read', [[['name', 'ilike', tag]], ['name']], { order: 'name desc', limit: 2 });
    expect(rows.map((r) => r.name)).toEqual([`Contract C ${tag}`, `Contract B ${tag}`]);
    expect(Object.keys(rows[0]!).sort()).toEqual(['id', 'name']);
  });

  test('create/read/write/unlink round trip on res.partner', async () => {
    const tag = unique();
    const id = await make<number>('res.partner', { name: `Contract ${tag}`, email: ` Contract.${tag}@Example.invalid` });
    expect(typeof id).toBe('number');
    const [read] = await client.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[id], ['name', 'email_normalized', 'company_id']]);
    expect(read).toEqual({ id, name: `Contract ${tag}`, email_normalized: `contract.${tag}@example.invalid`, company_id: expect.anything() });
    expect(await client.callKw('res.partner', 'write', [[id], { name: `Contract ${tag} renamed` }])).toBe(true);
    expect(await client.callKw('res.partner', 'search', [[['email_normalized', '=', `contract.${tag}@example.invalid`]]])).toEqual([id]);
    expect(await client.callKw('res.partner', 'unlink', [[id]])).toBe(true);
    expect(await client.callKw('res.partner', 'read', [[id], ['name']])).toEqual([]);
    await expect(client.callKw('res.partner', 'write', [[id], { name: 'gone' }])).rejects.toBeInstanceOf(MissingError);
    await expect(client.callKw('res.partner', 'unlink', [[id]])).rejects.toBeInstanceOf(MissingError);
  });

  test('archived records are hidden unless the context says active_test: false', async () => {
    const tag = unique();
    const id = await make<number>('res.partner', { name: `Contract Archived ${tag}` });
    await client.callKw('res.partner', 'action_archive', [[id]]);
    expect(await client.callKw('res.partner', 'search', [[['name', '=', `Contract Archived ${tag}`]]])).toEqual([]);
    expect(await client.callKw('res.partner', 'search', [[['name', '=', `Contract Archived ${tag}`]]], { context: { active_test: false } })).toEqual([id]);
  });

  test('validation errors: partner without name, event ending before it starts', async () => {
    const noName = await client.callKw('res.partner', 'create', [{ email: `noname.${unique()}@example.invalid` }]).catch((e: unknown) => e);
    expect(noName).toBeInstanceOf(ValidationError);
    expect(noName).toMatchObject({ odooName: 'odoo.exceptions.ValidationError', model: 'res.partner', method: 'create', transport: target.transport });
    await expect(client.callKw('calendar.event', 'create', [{ name: `Contract ${unique()}`, start: '2030-01-07 10:00:00', stop: '2030-01-07 09:00:00' }]))
      .rejects.toBeInstanceOf(ValidationError);
  });

  test('an event with partners gets one attendee each; many2one reads as [id, name]; attendee answers', async () => {
    const tag = unique();
    const partner = await make<number>('res.partner', { name: `Contract Attendee ${tag}` });
    const event = await make<number>('calendar.event', { name: `Contract RDV ${tag}`, start: '2030-03-04 09:00:00', stop: '2030-03-04 10:00:00', partner_ids: [[6, 0, [partner]]] });
    const attendees = await client.callKw<Array<{ id: number; partner_id: [number, string] | false; state: string }>>(
      'calendar.attendee', 'search_read', [[['event_id', '=', event]], ['partner_id', 'state']],
    );
    expect(attendees).toEqual([{ id: expect.any(Number), partner_id: [partner, `Contract Attendee ${tag}`], state: 'needsAction' }]);
    expect(await client.callKw('calendar.attendee', 'do_decline', [[attendees[0]!.id]])).toBeTruthy();
    expect(await client.callKw('calendar.attendee', 'search_count', [[['event_id', '=', event], ['state', '=', 'declined']]])).toBe(1);
    const [ev] = await client.callKw<Array<{ start: string; user_id: unknown }>>('calendar.event', 'read', [[event], ['start', 'user_id']]);
    expect(ev!.start).toBe('2030-03-04 09:00:00');
    expect(ev!.user_id).toEqual([expect.any(Number), expect.any(String)]);
  });

  test('unknown model and method are NotFound, a private method is AccessError', async () => {
    await expect(client.callKw('x.contract.nothing', 'search', [[]])).rejects.toBeInstanceOf(NotFound);
    await expect(client.callKw('res.partner', 'contract_no_such_method', [[1]])).rejects.toBeInstanceOf(NotFound);
    await expect(client.callKw('res.partner', '_compute_display_name', [[1]])).rejects.toBeInstanceOf(AccessError);
  });

  test('wrong credentials are AccessDenied', async () => {
    const bad = createOdooClient(badConfig);
    await expect(bad.callKw('res.partner', 'search_count', [[]])).rejects.toBeInstanceOf(AccessDenied);
    await bad.close();
  });

  test('fields follow the server version (mobile gone in 19)', async () => {
    const fields = await client.fields('res.partner');
    for (const f of ['name', 'email', 'phone', 'email_normalized', 'phone_sanitized']) expect(fields[f]).toBeDefined();
    expect(fields.phone_mobile_search).toEqual(expect.objectContaining({ type: 'char' }));
    expect(fields.company_id).toEqual(expect.objectContaining({ type: 'many2one', relation: 'res.company' }));
    if (major >= 19) {
      expect(fields.mobile).toBeUndefined();
      await expect(client.callKw('res.partner', 'create', [{ name: `Contract ${unique()}`, mobile: '+33612345678' }])).rejects.toBeInstanceOf(UnknownField);
    } else {
      expect(fields.mobile).toEqual(expect.objectContaining({ type: 'char' }));
      expect(typeof (await make<number>('res.partner', { name: `Contract ${unique()}`, mobile: '+33612345678' }))).toBe('number');
    }
  });

  if (target.transport === 'session') {
    test('an expired session is renewed by exactly one new login', async () => {
      const t = await client.transport();
      if (!(t instanceof SessionJsonRpcTransport)) throw new Error(`expected the session transport, got ${t.name}`);
      await client.callKw('res.partner', 'search_count', [[]]);
      const before = t.logins;
      await t.destroyServerSessionKeepingCookie();
      expect(await client.callKw<number>('res.partner', 'search_count', [[]])).toBeGreaterThan(0);
      expect(t.logins).toBe(before + 1);
    });
  }
});
