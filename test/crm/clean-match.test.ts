/**
 * A capture never changes the person it matched (issue 13, observed on Odoo 19): a lead with partner_id and another
 * email_from/phone writes them onto the partner, so the lead carries the captured data in its description instead;
 * a phone shared with someone of another name is not a match. The simulator writes the lead's data back like Odoo.
 */
import crypto from 'node:crypto';
import { namesAgree, normalizeName } from '../../lib/crm/matching';
import { capturedPartners, postJson, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ version: 19, phonenumbers: false });
}, 120_000);
afterAll(async () => {
  await h?.close();
});
const CLAIRE = 600;
beforeEach(() => {
  for (const lead of h.odooSim.records('crm.lead')) h.odooSim.database.unlink('crm.lead', [lead.id as number]);
  for (const p of capturedPartners(h.odooSim)) h.odooSim.database.unlink('res.partner', [p.id as number]);
  if (h.odooSim.records('res.partner').some((r) => r.id === CLAIRE)) h.odooSim.database.unlink('res.partner', [CLAIRE]);
  h.odooSim.load({ 'res.partner': [{ id: CLAIRE, name: 'Claire Dubois', email: 'claire.dubois@exemple.fr', phone: '06 12 34 56 78', type: 'contact' }] });
  h.odooSim.resetCalls();
  h.openai.setChatAnswer({ firstname: null, lastname: null, email: null, phone: null });
});
const key = () => crypto.randomUUID();
const claire = () => h.odooSim.records('res.partner').find((r) => r.id === CLAIRE)!;

test('names agree on the last name, accents, case and order aside', () => {
  expect(normalizeName("Lefèvre-d'Aubigné")).toBe('lefevre d aubigne');
  expect(namesAgree({ firstname: 'Claire', lastname: 'DUBOIS' }, 'Claire Dubois')).toBe(true);
  expect(namesAgree({ firstname: 'Hélène', lastname: 'Lefevre' }, 'Lefèvre Hélène')).toBe(true);
  expect(namesAgree({ firstname: 'Jeanne', lastname: 'Martin' }, 'Claire Dubois')).toBe(false);
  expect(namesAgree({ firstname: 'Claire', lastname: 'Bois' }, 'Claire Dubois')).toBe(false);
  expect(namesAgree({ firstname: 'Claire', lastname: null }, 'Claire Dubois')).toBe(false);
});

test('another person with the same mobile is not attached to the partner, and the partner is unchanged', async () => {
  const r = await postJson(h.baseUrl, '/crm/text-contacts', {
    text: "Je m'appelle Jeanne Martin, mon email jeanne.martin@exemple.fr, mon téléphone 06 12 34 56 78.",
  }, { 'idempotency-key': key() });
  expect(r.status).toBe(201);
  expect(r.body.partner.id).not.toBe(CLAIRE);
  expect(r.body.partner).toMatchObject({ created: true, matched_by: null });
  expect(r.body.needs_check).toContain('phone');
  expect(claire()).toMatchObject({ name: 'Claire Dubois', email: 'claire.dubois@exemple.fr', phone: '06 12 34 56 78' });
});

test('a phone match with the same name and a new e-mail: partner unchanged, the e-mail on the lead, flagged', async () => {
  const r = await postJson(h.baseUrl, '/crm/text-contacts', {
    text: "Je m'appelle Claire Dubois, mon email claire.d@exemple.fr, mon téléphone 06 12 34 56 78.",
  }, { 'idempotency-key': key() });
  expect(r.status).toBe(200);
  expect(r.body.partner).toEqual({ id: CLAIRE, created: false, matched_by: 'phone' });
  expect(r.body.needs_check).toEqual(['email']);
  // without phonenumbers a differently spelled number would be written back too: the partner keeps its own
  expect(claire()).toMatchObject({ email: 'claire.dubois@exemple.fr', phone: '06 12 34 56 78' });
  const [lead] = h.odooSim.records('crm.lead');
  expect(lead).toMatchObject({ partner_id: CLAIRE, email_from: 'claire.dubois@exemple.fr', iap_enrich_done: true });
  expect(String(lead!.description)).toContain('claire.d@exemple.fr');
  expect(String(lead!.description)).toContain('À vérifier : e-mail');
});

test('an e-mail match with a different phone leaves the partner as it is', async () => {
  const r = await postJson(h.baseUrl, '/crm/text-contacts', {
    text: "Je m'appelle Claire Dubois, mon email claire.dubois@exemple.fr, mon téléphone 07 81 23 45 67.",
  }, { 'idempotency-key': key() });
  expect(r.status).toBe(200);
  expect(r.body.partner).toEqual({ id: CLAIRE, created: false, matched_by: 'email' });
  expect(r.body.needs_check).toEqual(['phone']);
  expect(claire()).toMatchObject({ email: 'claire.dubois@exemple.fr', phone: '06 12 34 56 78' });
});
