/**
 * The capture on Odoo 17 without the `phonenumbers` library (phone_sanitized holds the text as typed): mobile is
 * written (the field exists before 19), a partner stored with a national spelling is found by phone, and consent
 * is logged in the x_consent_* fields created by odoo-setup and as a chatter note.
 */
import crypto from 'node:crypto';
import { ensureCustomFields } from '../../cli/commands/odoo-setup';
import { createCrmCreateLead } from '../../activities/crm/create-lead';
import { createCrmCreatePartner } from '../../activities/crm/create-partner';
import { capturedPartners, postJson, startHarness, type Harness } from './harness';

const SEED = "Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567.";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ version: 17, phonenumbers: false });
  // before any capture: a running process caches res.partner's fields (see api/crm/README.md)
  const fields = await ensureCustomFields(h.odoo);
  expect(fields.map((f) => f.status)).toEqual(['created', 'created', 'created']);
}, 120_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  for (const lead of h.odooSim.records('crm.lead')) h.odooSim.database.unlink('crm.lead', [lead.id as number]);
  for (const p of capturedPartners(h.odooSim)) h.odooSim.database.unlink('res.partner', [p.id as number]);
  if (h.odooSim.records('res.partner').some((r) => r.id === 500)) h.odooSim.database.unlink('res.partner', [500]);
  h.odooSim.resetCalls();
  h.openai.setChatAnswer({ firstname: null, lastname: null, email: null, phone: null });
});
const key = () => crypto.randomUUID();

test('Odoo 17: mobile = phone on the partner', async () => {
  const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: SEED }, { 'idempotency-key': key() });
  expect(r.status).toBe(201);
  const [p] = capturedPartners(h.odooSim);
  expect(p).toMatchObject({ name: 'Lina Andrianina', email: 'lina@exemple.com', phone: '+261321234567', mobile: '+261321234567' });
});

test('a partner stored with a national spelling on a server without phonenumbers is found by phone', async () => {
  // a phone match needs the names to agree (lib/crm/matching.ts): the stored name carries the same last name
  h.odooSim.load({ 'res.partner': [{ id: 500, name: 'Lina ANDRIANINA', phone: '032 12 345 67', type: 'contact' }] });
  expect(h.odooSim.records('res.partner').find((r) => r.id === 500)!.phone_sanitized).toBe('032 12 345 67');
  const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: "C'est Lina Andrianina, mon téléphone +261 32 12 34 567." }, { 'idempotency-key': key() });
  expect(r.status).toBe(200);
  expect(r.body.partner).toEqual({ id: 500, created: false, matched_by: 'phone' });
  expect(h.odooSim.callCount('res.partner', 'create')).toBe(0);
  expect(h.odooSim.records('crm.lead')[0]).toMatchObject({ partner_id: 500 });
});

test('consent said in the dictation and consent sent with the request are logged (fields + note), once', async () => {
  const k = key();
  const body = { text: `${SEED} J'accepte d'être contactée par WhatsApp.`, call_id: 'call-9', consent: { sms: false } };
  const r = await postJson(h.baseUrl, '/crm/text-contacts', body, { 'idempotency-key': k });
  expect(r.status).toBe(201);
  expect(r.body.consents).toEqual(expect.arrayContaining([
    { channel: 'sms', granted: false, source: 'request' }, { channel: 'whatsapp', granted: true, source: 'speech' },
  ]));
  const p = h.odooSim.records('res.partner').find((x) => x.id === r.body.partner.id)!;
  expect(p.x_consent_whatsapp).toBe(true);
  expect(p.x_consent_sms).toBe(false);
  const log = String(p.x_consent_log).split('\n');
  expect(log).toHaveLength(2);
  expect(log.find((l) => l.includes('| whatsapp |'))).toMatch(/^\d{4}-\d\d-\d\dT.* \| whatsapp \| accordé \| source=parole \| formulation=spoken \| texte="J'accepte d'être contactée par WhatsApp" \| preuve=capture crm-capture-.*, appel call-9/);
  expect(log.find((l) => l.includes('| sms |'))).toContain('refusé | source=requête | formulation=crm-contact-v1');
  const notes = h.odooSim.records('mail.message').filter((m) => m.model === 'res.partner' && m.res_id === p.id);
  expect(notes.map((n) => String(n.body).replace(/<[^>]+>/g, '').split(' le ')[0]).sort()).toEqual(['Consentement SMS refusé', 'Consentement WhatsApp accordé']);
  // replaying the same capture writes nothing more
  const again = await postJson(h.baseUrl, '/crm/text-contacts', body, { 'idempotency-key': k });
  expect(again.body).toEqual(r.body);
  expect(h.odooSim.records('mail.message').filter((m) => m.model === 'res.partner' && m.res_id === p.id)).toHaveLength(2);
});

test('create steps are idempotent per capture id: a second attempt returns the first record', async () => {
  const createPartner = createCrmCreatePartner({ odoo: h.odoo });
  const createLead = createCrmCreateLead({ odoo: h.odoo });
  const captureRef = `crm-capture-${key()}`;
  const contact = { firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567' };
  const p1 = await createPartner({ captureRef, contact, source: 'text' });
  const p2 = await createPartner({ captureRef, contact, source: 'text' });
  expect(p2.id).toBe(p1.id);
  const leadInput = { captureRef, partnerId: p1.id, contact, transcript: SEED, source: 'text' as const, callId: null };
  const l1 = await createLead(leadInput);
  const l2 = await createLead(leadInput);
  expect(l2.id).toBe(l1.id);
  // another capture whose id starts like this one is a different capture
  const l3 = await createLead({ ...leadInput, captureRef: `${captureRef}-2` });
  expect(l3.id).not.toBe(l1.id);
  expect(h.odooSim.callCount('res.partner', 'create')).toBe(1);
  expect(h.odooSim.callCount('crm.lead', 'create')).toBe(2);
});
