/**
 * `ivr odoo-setup`: creates on res.partner the custom fields the voice → CRM capture writes consent into
 * (x_consent_whatsapp, x_consent_sms booleans and x_consent_log text), as `ir.model.fields` with state 'manual'
 * over RPC — no Odoo module to install. Idempotent: present fields are left as they are (a field with the right
 * name but another type is reported, not changed). Also turns off Odoo's automatic lead enrichment, which would send
 * each captured lead to an outside service (disableLeadEnrichment). Reads ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_PASSWORD / ODOO_API_KEY.
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

/** crm_iap_enrich's setting (res.config.settings `lead_enrich_auto`), unset meaning 'auto'. */
export const LEAD_ENRICH_PARAM = 'crm.iap.lead.enrich.setting';
/** The cron that sends leads to Odoo's outside enrichment service (IAP). */
export const LEAD_ENRICH_CRON = { module: 'crm_iap_enrich', name: 'ir_cron_lead_enrichment' } as const;

export type EnrichmentOutcome = {
  /** off: nothing to change; turned_off: changed now; would_turn_off: --dry-run; absent: no CRM lead enrichment on this server */
  status: 'off' | 'turned_off' | 'would_turn_off' | 'absent';
  setting: string | null;
  cron_active: boolean | null;
};

/**
 * Turns off Odoo's automatic lead enrichment (crm_iap_enrich), which sends every new lead's e-mail domain to an
 * outside service: the setting `crm.iap.lead.enrich.setting` = 'manual' (what Settings → CRM → "Enrich leads on
 * demand only" stores; a lead create then triggers no enrichment) and its cron archived (what that setting's
 * save does). The leads a capture creates are also marked `iap_enrich_done`. Idempotent.
 */
export async function disableLeadEnrichment(odoo: Pick<OdooClient, 'callKw'>, opts: { dryRun?: boolean } = {}): Promise<EnrichmentOutcome> {
  const [xml] = await odoo.callKw<Array<{ res_id: number }>>('ir.model.data', 'search_read', [[
    ['module', '=', LEAD_ENRICH_CRON.module], ['name', '=', LEAD_ENRICH_CRON.name],
  ]], { fields: ['res_id'], limit: 1 });
  const [cron] = xml
    ? await odoo.callKw<Array<{ id: number; active: boolean }>>('ir.cron', 'search_read', [[['id', '=', xml.res_id]]], {
      fields: ['active'], limit: 1, context: { active_test: false },
    })
    : [];
  const raw = await odoo.callKw<unknown>('ir.config_parameter', 'get_param', [], { key: LEAD_ENRICH_PARAM });
  const setting = typeof raw === 'string' ? raw : null;
  // without the module there is no cron; the setting alone (unset) does nothing
  if (!cron) return { status: 'absent', setting, cron_active: null };
  if (setting === 'manual' && !cron.active) return { status: 'off', setting, cron_active: false };
  if (opts.dryRun) return { status: 'would_turn_off', setting, cron_active: cron.active };
  // named arguments: JSON-2 takes no positional ones
  if (setting !== 'manual') await odoo.callKw('ir.config_parameter', 'set_param', [], { key: LEAD_ENRICH_PARAM, value: 'manual' });
  if (cron.active) await odoo.callKw('ir.cron', 'write', [[cron.id], { active: false }]);
  return { status: 'turned_off', setting: 'manual', cron_active: false };
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
      const enrichment = await disableLeadEnrichment(odoo, { dryRun: values['dry-run'] });
      if (values.json) process.stdout.write(`${JSON.stringify({ model: 'res.partner', fields: outcome, lead_enrichment: enrichment })}\n`);
      else {
        for (const o of outcome) process.stdout.write(`res.partner.${o.name}: ${o.status.replace('_', ' ')}${o.ttype ? ` (is ${o.ttype})` : ''}\n`);
        process.stdout.write(`lead enrichment (${LEAD_ENRICH_PARAM}): ${enrichment.status.replace(/_/g, ' ')}\n`);
      }
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
