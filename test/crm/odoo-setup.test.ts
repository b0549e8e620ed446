/**
 * `ivr odoo-setup` as a command: reads ODOO_* from the environment, creates the consent fields once, says so.
 * Also the CRM routes' own environment settings.
 */
import { crmConfigFromEnv } from '../../api/crm/config';
import { command, disableLeadEnrichment, LEAD_ENRICH_PARAM } from '../../cli/commands/odoo-setup';
import { createOdooClient } from '../../lib/odoo/client';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';

let sim: OdooSimulator;
const saved = { ...process.env };
let out: string[] = [];
let err: string[] = [];
let restore: Array<() => void> = [];

beforeAll(async () => {
  sim = await startOdooSimulator({ version: 18 });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  out = [];
  err = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  restore = [() => o.mockRestore(), () => e.mockRestore()];
});
afterEach(() => {
  for (const r of restore) r();
  process.env = { ...saved };
});

function useSimulator() {
  Object.assign(process.env, { ODOO_URL: sim.url, ODOO_DB: sim.db, ODOO_LOGIN: 'admin', ODOO_PASSWORD: 'admin' });
  delete process.env.ODOO_API_KEY;
  delete process.env.ODOO_TRANSPORT;
}

test('creates the three fields, then finds them present (idempotent)', async () => {
  useSimulator();
  expect(await command.run(['--dry-run', '--json'])).toBe(0);
  expect(JSON.parse(out.join('')).fields.map((f: { status: string }) => f.status)).toEqual(['would_create', 'would_create', 'would_create']);
  expect(JSON.parse(out.join('')).lead_enrichment).toEqual({ status: 'would_turn_off', setting: null, cron_active: true });
  out = [];
  expect(await command.run([])).toBe(0);
  expect(out.join('')).toBe('res.partner.x_consent_whatsapp: created\nres.partner.x_consent_sms: created\nres.partner.x_consent_log: created\nlead enrichment (crm.iap.lead.enrich.setting): turned off\n');
  const before = sim.records('ir.model.fields').length;
  out = [];
  expect(await command.run(['--json'])).toBe(0);
  expect(JSON.parse(out.join(''))).toEqual({ model: 'res.partner', fields: [
    { name: 'x_consent_whatsapp', status: 'present' }, { name: 'x_consent_sms', status: 'present' }, { name: 'x_consent_log', status: 'present' },
  ], lead_enrichment: { status: 'off', setting: 'manual', cron_active: false } });
  expect(sim.records('ir.model.fields')).toHaveLength(before);
  expect(sim.records('ir.model.fields').filter((f) => String(f.name).startsWith('x_consent')).map((f) => [f.name, f.ttype, f.state])).toEqual([
    ['x_consent_whatsapp', 'boolean', 'manual'], ['x_consent_sms', 'boolean', 'manual'], ['x_consent_log', 'text', 'manual'],
  ]);
});

test('lead enrichment: a lead create triggers the enrichment cron until odoo-setup turns it off', async () => {
  const sim2 = await startOdooSimulator({ version: 19 });
  try {
    const odoo = createOdooClient({ url: sim2.url, db: sim2.db, login: 'admin', password: 'admin' });
    try {
      await odoo.callKw('crm.lead', 'create', [{ name: 'avant' }]);
      expect(sim2.records('ir.cron.trigger')).toHaveLength(1);
      expect(await disableLeadEnrichment(odoo)).toEqual({ status: 'turned_off', setting: 'manual', cron_active: false });
      await odoo.callKw('crm.lead', 'create', [{ name: 'après' }]);
      expect(sim2.records('ir.cron.trigger')).toHaveLength(1);
      expect(sim2.records('ir.cron')[0]).toMatchObject({ active: false });
      expect(await odoo.callKw('ir.config_parameter', 'get_param', [], { key: LEAD_ENRICH_PARAM })).toBe('manual');
      expect(await disableLeadEnrichment(odoo)).toEqual({ status: 'off', setting: 'manual', cron_active: false });
    } finally {
      await odoo.close();
    }
  } finally {
    await sim2.stop();
  }
});

test('missing configuration and wrong credentials fail with what to fix', async () => {
  delete process.env.ODOO_URL;
  expect(await command.run([])).toBe(2);
  expect(err.join('')).toContain('ODOO_URL');
  useSimulator();
  process.env.ODOO_PASSWORD = 'wrong';
  err = [];
  expect(await command.run([])).toBe(1);
  expect(err.join('')).toMatch(/AccessDenied|Access Denied|login/i);
  expect(await command.run(['--bogus'])).toBe(2);
});

describe('CRM route settings from the environment', () => {
  test('defaults, overrides, and a refused audio limit', () => {
    expect(crmConfigFromEnv({})).toEqual({
      limits: { maxAudioBytes: 1048576, maxAudioSeconds: 60, captureWaitMs: 25000 }, defaultRegion: 'FR', useLlm: true, taskQueue: 'ivr-sessions',
      leadDedupHours: 24,
    });
    expect(crmConfigFromEnv({ CRM_LEAD_DEDUP_HOURS: '0' }).leadDedupHours).toBe(0);
    expect(() => crmConfigFromEnv({ CRM_LEAD_DEDUP_HOURS: '-1' })).toThrow(/CRM_LEAD_DEDUP_HOURS/);
    expect(crmConfigFromEnv({ STT_MAX_SECONDS: '30', CRM_USE_LLM: 'false', CRM_DEFAULT_REGION: 'MG' })).toMatchObject({
      limits: { maxAudioSeconds: 30 }, useLlm: false, defaultRegion: 'MG',
    });
    expect(() => crmConfigFromEnv({ CRM_MAX_AUDIO_BYTES: '5000000' })).toThrow(/CRM_MAX_AUDIO_BYTES: at most 1400000/);
  });
});
