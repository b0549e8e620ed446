/**
 * `ivr odoo-setup`: creates on res.partner the custom fields the voice → CRM capture writes consent into
 * (x_consent_whatsapp, x_consent_sms booleans and x_consent_log text), as `ir.model.fields` with state 'manual'
 * over RPC — no Odoo module to install. Idempotent: present fields are left as they are (a field with the right
 * name but another type is reported, not changed). Reads ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD / ODOO_API_KEY.
 * Processes that already cached res.partner's fields (API, workers) see new fields after a restart.
 */
import { parseArgs } from 'node:util';
import { createOdooClient, odooConfigFromEnv, type OdooClient } from '../../lib/odoo/client';
import { usageOf, type CliCommand } from '../command';

export interface CustomFieldSpec {
  name: string;
  ttype: 'boolean' | 'text' | 'char';
  label: string;
}

export const CRM_CUSTOM_FIELDS: readonly CustomFieldSpec[] = [
  { name: 'x_consent_whatsapp', ttype: 'boolean', label: 'Consentement WhatsApp' },
  { name: 'x_consent_sms', ttype: 'boolean', label: 'Consentement SMS' },
  { name: 'x_consent_log', ttype: 'text', label: 'Journal des consentements (RGPD)' },
];

export type FieldOutcome = { name: string; status: 'created' | 'present' | 'would_create' | 'wrong_type'; ttype?: string };

/** Makes sure every field exists on `model`; with dryRun, only says what it would create. */
export async function ensureCustomFields(
  odoo: Pick<OdooClient, 'callKw'>,
  opts: { model?: string; fields?: readonly CustomFieldSpec[]; dryRun?: boolean } = {},
): Promise<FieldOutcome[]> {
  const model = opts.model ?? 'res.partner';
  const specs = opts.fields ?? CRM_CUSTOM_FIELDS;
  const [modelId] = await odoo.callKw<number[]>('ir.model', 'search', [[['model', '=', model]]], { limit: 1 });
  if (modelId === undefined) throw new Error(`Odoo has no model ${model} (ir.model); is the right database selected (ODOO_DB)?`);
  const existing = await odoo.callKw<Array<{ name: string; ttype: string }>>('ir.model.fields', 'search_read', [[
    ['model_id', '=', modelId], ['name', 'in', specs.map((s) => s.name)],
  ]], { fields: ['name', 'ttype'] });
  const out: FieldOutcome[] = [];
  for (const spec of specs) {
    const have = existing.find((e) => e.name === spec.name);
    if (have) {
      out.push(have.ttype === spec.ttype ? { name: spec.name, status: 'present' } : { name: spec.name, status: 'wrong_type', ttype: have.ttype });
      continue;
    }
    if (opts.dryRun) {
      out.push({ name: spec.name, status: 'would_create' });
      continue;
    }
    await odoo.callKw('ir.model.fields', 'create', [{
      name: spec.name, field_description: spec.label, model_id: modelId, ttype: spec.ttype, state: 'manual',
    }]);
    out.push({ name: spec.name, status: 'created' });
  }
  return out;
}

export const command: CliCommand = {
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false }));
    } catch (err) {
      process.stderr.write(`ivr odoo-setup: ${err instanceof Error ? err.message : String(err)}\nUsage: ivr ${usageOf('odoo-setup')}\n`);
      return 2;
    }
    let odoo: OdooClient;
    try {
      odoo = createOdooClient(odooConfigFromEnv());
    } catch (err) {
      process.stderr.write(`ivr odoo-setup: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
    try {
      const outcome = await ensureCustomFields(odoo, { dryRun: values['dry-run'] });
      if (values.json) process.stdout.write(`${JSON.stringify({ model: 'res.partner', fields: outcome })}\n`);
      else for (const o of outcome) process.stdout.write(`res.partner.${o.name}: ${o.status.replace('_', ' ')}${o.ttype ? ` (is ${o.ttype})` : ''}\n`);
      const wrong = outcome.filter((o) => o.status === 'wrong_type');
      if (wrong.length) {
        process.stderr.write(`ivr odoo-setup: ${wrong.map((w) => w.name).join(', ')} exist with another type; rename or remove them in Odoo (Settings → Technical → Fields), then run again.\n`);
        return 1;
      }
      return 0;
    } catch (err) {
      process.stderr.write(`ivr odoo-setup: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      await odoo.close();
    }
  },
};
