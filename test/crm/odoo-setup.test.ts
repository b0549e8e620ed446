/**
 * `ivr odoo-setup` as a command: reads ODOO_* from the environment, creates the consent fields once, says so.
 * Also the CRM routes' own environment settings.
 */
import { crmConfigFromEnv } from '../../api/crm/config';
import { command } from '../../cli/commands/odoo-setup';
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
  out = [];
  expect(await command.run([])).toBe(0);
  expect(out.join('')).toBe('res.partner.x_consent_whatsapp: created\nres.partner.x_consent_sms: created\nres.partner.x_consent_log: created\n');
  const before = sim.records('ir.model.fields').length;
  out = [];
  expect(await command.run(['--json'])).toBe(0);
  expect(JSON.parse(out.join(''))).toEqual({ model: 'res.partner', fields: [
    { name: 'x_consent_whatsapp', status: 'present' }, { name: 'x_consent_sms', status: 'present' }, { name: 'x_consent_log', status: 'present' },
  ] });
  expect(sim.records('ir.model.fields')).toHaveLength(before);
  expect(sim.records('ir.model.fields').filter((f) => String(f.name).startsWith('x_consent')).map((f) => [f.name, f.ttype, f.state])).toEqual([
    ['x_consent_whatsapp', 'boolean', 'manual'], ['x_consent_sms', 'boolean', 'manual'], ['x_consent_log', 'text', 'manual'],
  ]);
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
    });
    expect(crmConfigFromEnv({ STT_MAX_SECONDS: '30', CRM_USE_LLM: 'false', CRM_DEFAULT_REGION: 'MG' })).toMatchObject({
      limits: { maxAudioSeconds: 30 }, useLlm: false, defaultRegion: 'MG',
    });
    expect(() => crmConfigFromEnv({ CRM_MAX_AUDIO_BYTES: '5000000' })).toThrow(/CRM_MAX_AUDIO_BYTES: at most 1400000/);
  });
});
