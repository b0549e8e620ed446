/**
 * Contract of the voice → CRM mapping (seed 000 §6) against Odoo: the capture activities' records, deduplication,
 * consent fields and notes, read back from the server.
 *
 * - Default (`npm test`): the simulator, Odoo 16 to 19, with and without the `phonenumbers` library (session
 *   JSON-RPC), and Odoo 19 over JSON-2.
 * - `IVR_CONTRACT=real` with ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_PASSWORD (or ODOO_API_KEY): that server.
 *   Everything the suite creates is deleted again, the x_consent_* fields included when the suite created them.
 */
import crypto from 'node:crypto';
import { disableLeadEnrichment, ensureCustomFields } from '../../cli/commands/odoo-setup';
import { createCrmCreateLead } from '../../activities/crm/create-lead';
import { createCrmCreatePartner } from '../../activities/crm/create-partner';
import { createCrmFindDuplicate } from '../../activities/crm/find-duplicate';
import { createCrmLogConsent } from '../../activities/crm/log-consent';
import { createOdooClient, MissingError, odooConfigFromEnv, type OdooClient, type OdooConfigInput } from '../../lib/odoo/client';
import { startOdooSimulator } from '../../sim/odoo/server';

const REAL = process.env.IVR_CONTRACT === 'real';

interface Target {
  label: string;
  connect(): Promise<{ config: OdooConfigInput; stop(): Promise<void> }>;
}

function targets(): Target[] {
  if (REAL) {
    return [{
      label: `real Odoo at ${process.env.ODOO_URL ?? '(ODOO_URL unset)'}`,
      async connect() {
        // odooConfigFromEnv names every missing variable
        return { config: { ...odooConfigFromEnv(), retries: 1 }, stop: async () => undefined };
      },
    }];
  }
  const out: Target[] = [];
  for (const version of [16, 17, 18, 19] as const) {
    for (const phonenumbers of [true, false]) {
      out.push({
        label: `simulated Odoo ${version}${phonenumbers ? '' : ' without phonenumbers'} over session`,
        async connect() {
          const sim = await startOdooSimulator({ version, phonenumbers });
          return { config: { url: sim.url, db: sim.db, login: 'admin', password: 'admin', transport: 'session', retries: 1, backoffBaseMs: 5 }, stop: () => sim.stop() };
        },
      });
    }
  }
  out.push({
    label: 'simulated Odoo 19 over JSON-2',
    async connect() {
      const sim = await startOdooSimulator({ version: 19 });
      return { config: { url: sim.url, db: sim.db, apiKey: sim.issueApiKey(), transport: 'json2', retries: 1, backoffBaseMs: 5 }, stop: () => sim.stop() };
    },
  });
  return out;
}

describe.each(targets().map((t) => [t.label, t] as const))('CRM mapping contract: %s', (_label, target) => {
  let odoo: OdooClient;
  let stop: () => Promise<void> = async () => undefined;
  let createdFields: string[] = [];
  const created: Array<[string, number]> = [];
  const tag = crypto.randomUUID().slice(0, 8);
  // unique per run so a real database's own contacts are never matched
  const email = `contract.${tag}@exemple.com`;
  const digits = String(parseInt(tag, 16) % 10_000_000).padStart(7, '0');
  const phone = `+26132${digits}`;
  const contact = { firstname: 'Lina', lastname: `Contract ${tag}`, email, phone };
  const captureRef = `crm-capture-contract-${tag}`;

  beforeAll(async () => {
    const c = await target.connect();
    stop = c.stop;
    odoo = createOdooClient(c.config);
  });

  afterAll(async () => {
    for (const [model, id] of created.reverse()) {
      await odoo?.callKw(model, 'unlink', [[id]]).catch((e: unknown) => {
        if (!(e instanceof MissingError)) throw e;
      });
    }
    if (createdFields.length) {
      const ids = await odoo.callKw<number[]>('ir.model.fields', 'search', [[['model', '=', 'res.partner'], ['name', 'in', createdFields]]]);
      if (ids.length) await odoo.callKw('ir.model.fields', 'unlink', [ids]);
    }
    await odoo?.close();
    await stop();
  });

  test('odoo-setup creates the consent fields once, with their types', async () => {
    const first = await ensureCustomFields(odoo);
    createdFields = first.filter((f) => f.status === 'created').map((f) => f.name);
    expect(first.every((f) => f.status === 'created' || f.status === 'present')).toBe(true);
    const second = await ensureCustomFields(odoo);
    expect(second.map((f) => f.status)).toEqual(['present', 'present', 'present']);
    const fields = await odoo.fields('res.partner');
    expect(fields.x_consent_whatsapp?.type).toBe('boolean');
    expect(fields.x_consent_sms?.type).toBe('boolean');
    expect(fields.x_consent_log?.type).toBe('text');
  });

  test('partner: seed 000 mapping, mobile only where the server has it, one record per capture', async () => {
    const createPartner = createCrmCreatePartner({ odoo });
    const { id } = await createPartner({ captureRef, contact, source: 'phone' });
    created.push(['res.partner', id]);
    expect((await createPartner({ captureRef, contact, source: 'phone' })).id).toBe(id);
    const fields = await odoo.fields('res.partner');
    const [row] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[id], ['name', 'email', 'phone', 'email_normalized', ...(fields.mobile ? ['mobile'] : [])]]);
    expect(row).toMatchObject({ name: `Lina Contract ${tag}`, email, phone, email_normalized: email });
    if (fields.mobile) expect(row!.mobile).toBe(phone);
    else expect(row).not.toHaveProperty('mobile');
  });

  test('duplicates are found by e-mail in any case, then by phone in another spelling', async () => {
    const find = createCrmFindDuplicate({ odoo });
    const partnerId = created.find(([m]) => m === 'res.partner')![1];
    const names = { firstname: contact.firstname, lastname: contact.lastname };
    expect(await find({ captureRef: 'crm-capture-other', email: email.toUpperCase(), phone: null })).toEqual({ partnerId, by: 'email', needsCheck: [] });
    expect(await find({ captureRef: 'crm-capture-other', email: null, phone, ...names })).toEqual({ partnerId, by: 'phone', needsCheck: [] });
    // the same number under another last name is someone else's: no match, the phone flagged
    expect(await find({ captureRef: 'crm-capture-other', email: null, phone, firstname: 'Jeanne', lastname: 'Martin' })).toEqual({ partnerId: null, by: null, needsCheck: ['phone'] });
    expect(await find({ captureRef, email: null, phone: null })).toEqual({ partnerId, by: 'capture', needsCheck: [] });
    // stored by hand in the national spelling
    const national = `+26133${digits}`;
    const other = await odoo.callKw<number>('res.partner', 'create', [{ name: `Other ${tag}`, phone: `033 ${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)}` }]);
    created.push(['res.partner', other]);
    expect(await find({ captureRef: 'crm-capture-other', email: null, phone: national, firstname: 'Other', lastname: tag })).toEqual({ partnerId: other, by: 'phone', needsCheck: [] });
    expect(await find({ captureRef: 'crm-capture-other', email: `nobody.${tag}@exemple.com`, phone: `+26134${digits}` })).toBeNull();
  });

  test('lead: linked to the partner, escaped description with source and transcript, one per capture', async () => {
    const createLead = createCrmCreateLead({ odoo });
    const partnerId = created.find(([m]) => m === 'res.partner')![1];
    const input = { captureRef, partnerId, contact, transcript: 'Je suis <b>Lina</b> & co', source: 'phone' as const, callId: `call-${tag}` };
    const { id } = await createLead(input);
    created.push(['crm.lead', id]);
    expect((await createLead(input)).id).toBe(id);
    const [row] = await odoo.callKw<Array<Record<string, unknown>>>('crm.lead', 'read', [[id], ['name', 'contact_name', 'email_from', 'phone', 'partner_id', 'description', 'type']]);
    expect(row).toMatchObject({ contact_name: `Lina Contract ${tag}`, email_from: email, phone, type: 'lead' });
    expect((row!.partner_id as [number, string])[0]).toBe(partnerId);
    const description = String(row!.description);
    expect(description).toContain('Capté par interface vocale');
    expect(description).toContain('&lt;b&gt;Lina&lt;/b&gt; &amp; co');
    expect(description).not.toContain('<b>');
  });

  test('lead: other contact data for a matched partner go on the lead, the partner is left as it is', async () => {
    const createLead = createCrmCreateLead({ odoo });
    const partnerId = created.find(([m]) => m === 'res.partner')![1];
    const other = { ...contact, email: `other.${tag}@exemple.com`, phone: `+26134${digits}` };
    const { id } = await createLead({ captureRef: `${captureRef}-other`, partnerId, contact: other, transcript: null, source: 'phone', callId: null, needsCheck: ['email', 'phone'] });
    created.push(['crm.lead', id]);
    const [partner] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[partnerId], ['email', 'phone']]);
    expect(partner).toMatchObject({ email, phone });
    const [lead] = await odoo.callKw<Array<Record<string, unknown>>>('crm.lead', 'read', [[id], ['description']]);
    expect(String(lead!.description)).toContain(other.email);
  });

  test('lead: a repeated capture within the window updates the newest open lead (not on a retry twice), the partner is left as it is', async () => {
    const createLead = createCrmCreateLead({ odoo });
    const partnerId = created.find(([m]) => m === 'res.partner')![1];
    const newest = [...created].reverse().find(([m]) => m === 'crm.lead')![1];
    const input = {
      captureRef: `${captureRef}-again`, partnerId, contact, transcript: 'encore une fois', source: 'phone' as const, callId: null,
      dedupHours: 24, at: new Date().toISOString(),
    };
    expect(await createLead(input)).toEqual({ id: newest, created: false, updated: true });
    expect(await createLead(input)).toEqual({ id: newest, created: false, updated: true });
    const [lead] = await odoo.callKw<Array<Record<string, unknown>>>('crm.lead', 'read', [[newest], ['description']]);
    expect(String(lead!.description).split(`[capture:${captureRef}-again]`)).toHaveLength(2);
    const [partner] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[partnerId], ['email', 'phone']]);
    expect(partner).toMatchObject({ email, phone });
    // outside the window (0: off) a capture adds its own lead
    const fresh = await createLead({ ...input, captureRef: `${captureRef}-fresh`, dedupHours: 0 });
    created.push(['crm.lead', fresh.id]);
    expect(fresh).toMatchObject({ created: true, updated: false });
    expect(fresh.id).not.toBe(newest);
  });

  test('listings: partner_share tells internal users\' partners (false) from customers (true)', async () => {
    const partnerId = created.find(([m]) => m === 'res.partner')![1];
    expect((await odoo.fields('res.partner')).partner_share).toBeDefined();
    const [customer] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[partnerId], ['partner_share']]);
    expect(customer!.partner_share).toBe(true);
    const [internal] = await odoo.callKw<Array<{ partner_id: [number, string] }>>('res.users', 'search_read', [[['share', '=', false]]], { fields: ['partner_id'], limit: 1 });
    const [staff] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[internal!.partner_id[0]], ['partner_share']]);
    expect(staff!.partner_share).toBe(false);
    const listed = await odoo.callKw<number[]>('res.partner', 'search', [[['partner_share', '=', true], ['id', 'in', [partnerId, internal!.partner_id[0]]]]]);
    expect(listed).toEqual([partnerId]);
  });

  test('lead enrichment: the setting and the cron odoo-setup turns off are where it looks (dry run, nothing changed)', async () => {
    const before = await disableLeadEnrichment(odoo, { dryRun: true });
    expect(['off', 'would_turn_off', 'absent']).toContain(before.status);
    if (!REAL) expect(before).toEqual({ status: 'would_turn_off', setting: null, cron_active: true });
    expect(await disableLeadEnrichment(odoo, { dryRun: true })).toEqual(before);
  });

  test('consent: fields and one note per statement, not repeated on a retry', async () => {
    const log = createCrmLogConsent({ odoo });
    const partnerId = created.find(([m]) => m === 'res.partner')![1];
    const input = {
      captureRef, partnerId, at: '2026-11-21T10:00:00.000Z', callId: `call-${tag}`, sessionId: null,
      consents: [{ channel: 'whatsapp' as const, granted: true, source: 'speech' as const, wording: "J'accepte d'être contactée par WhatsApp", wording_version: 'spoken' }],
    };
    expect(await log(input)).toEqual({ logged: ['whatsapp'], fieldsWritten: true });
    await log(input);
    const [row] = await odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[partnerId], ['x_consent_whatsapp', 'x_consent_sms', 'x_consent_log']]);
    expect(row!.x_consent_whatsapp).toBe(true);
    expect(row!.x_consent_sms).toBe(false);
    expect(String(row!.x_consent_log).split('\n')).toEqual([expect.stringContaining(`2026-11-21T10:00:00.000Z | whatsapp | accordé | source=parole | formulation=spoken`)]);
    const notes = await odoo.callKw<Array<Record<string, unknown>>>('mail.message', 'search_read', [[
      ['model', '=', 'res.partner'], ['res_id', '=', partnerId], ['body', 'ilike', `${captureRef}:consent:whatsapp`],
    ]], { fields: ['body'] });
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.body)).toContain('Consentement WhatsApp accordé');
  });
});
