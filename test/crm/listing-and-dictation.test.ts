/**
 * Contact listings show customers, not internal users (issue 13, item 5), and the Malagasy mobile of seed 000
 * dictated in groups (issue 13, item 9) goes through the HTTP routes in every form the product sends it.
 */
import crypto from 'node:crypto';
import { capturedPartners, getJson, postJson, startHarness, type Harness } from './harness';

const SPOKEN = 'plus deux cent soixante et un, trente-deux, quarante-cinq, six cent soixante-dix-huit, quatre-vingt-dix';
const E164 = '+261324567890';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ version: 19 });
}, 120_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  for (const lead of h.odooSim.records('crm.lead')) h.odooSim.database.unlink('crm.lead', [lead.id as number]);
  for (const p of capturedPartners(h.odooSim)) h.odooSim.database.unlink('res.partner', [p.id as number]);
  h.openai.reset();
  h.openai.setChatAnswer({ firstname: null, lastname: null, email: null, phone: null });
});

const key = () => ({ 'idempotency-key': crypto.randomUUID() });

describe('listings', () => {
  test('the Administrator (an internal user) is not listed; customers and portal users are', async () => {
    const admin = h.odooSim.records('res.partner').find((p) => p.name === 'Administrator')!;
    expect(admin.partner_share).toBe(false);
    await postJson(h.baseUrl, '/crm/text-contacts', { text: "Je m'appelle Lina Andrianina, mon email lina@exemple.com." }, key());
    h.odooSim.load({
      'res.partner': [{ id: 900, name: 'Paul Portail', email: 'paul@exemple.fr' }, { id: 901, name: 'Inès Interne', email: 'ines@cabinet.fr' }],
      'res.users': [{ id: 900, name: 'Paul Portail', login: 'paul', partner_id: 900, share: true }, { id: 901, name: 'Inès Interne', login: 'ines', partner_id: 901, share: false }],
    });
    try {
      const all = await getJson(h.baseUrl, '/crm/contacts?limit=50');
      expect(all.status).toBe(200);
      const names = all.body.contacts.map((c: { name: string }) => c.name);
      expect(names).toEqual(expect.arrayContaining(['Lina Andrianina', 'Paul Portail']));
      expect(names).not.toContain('Administrator');
      expect(names).not.toContain('Inès Interne');
      // a search does not bring them back either
      const searched = await getJson(h.baseUrl, '/crm/contacts?q=admin');
      expect(searched.body.contacts).toEqual([]);
    } finally {
      h.odooSim.database.unlink('res.users', [900, 901]);
      h.odooSim.database.unlink('res.partner', [900, 901]);
    }
  });

  test('an internal user archived: the person is a customer again', async () => {
    h.odooSim.load({
      'res.partner': [{ id: 910, name: 'Ancienne Salariée', email: 'ancienne@exemple.fr' }],
      'res.users': [{ id: 910, name: 'Ancienne Salariée', login: 'ancienne', partner_id: 910, share: false }],
    });
    try {
      expect((await getJson(h.baseUrl, '/crm/contacts?q=ancienne')).body.contacts).toEqual([]);
      h.odooSim.database.write('res.users', [910], { active: false }, { uid: 2 });
      expect((await getJson(h.baseUrl, '/crm/contacts?q=ancienne')).body.contacts).toHaveLength(1);
    } finally {
      h.odooSim.database.unlink('res.users', [910]);
      h.odooSim.database.unlink('res.partner', [910]);
    }
  });
});

describe('the Malagasy mobile of seed 000, dictated in groups', () => {
  test('a dictation is captured with the number in E.164', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', { text: `Je m'appelle Lina Andrianina, mon téléphone ${SPOKEN}.` }, key());
    expect(r.status).toBe(201);
    expect(r.body.extracted.phone).toBe(E164);
    expect(capturedPartners(h.odooSim)[0]).toMatchObject({ phone: E164 });
  });

  test('previewed, then corrected by the number alone', async () => {
    const preview = await postJson(h.baseUrl, '/crm/text-contacts', { dry_run: true, text: `Je m'appelle Lina Andrianina, mon téléphone ${SPOKEN}.` });
    expect(preview.status).toBe(200);
    expect(preview.body.contact.phone).toBe(E164);
    const corrected = await postJson(h.baseUrl, '/crm/text-contacts', {
      dry_run: true, field: 'phone', text: SPOKEN, draft: { firstname: 'Lina', lastname: 'Andrianina', email: null, phone: null },
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body.contact.phone).toBe(E164);
  });

  test('a confirmed contact whose phone is the words as heard is read like a dictation, not refused for its length', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', {
      dry_run: false, contact: { firstname: 'Lina', lastname: 'Andrianina', email: null, phone: SPOKEN },
    }, key());
    expect(r.status).toBe(201);
    expect(r.body.extracted.phone).toBe(E164);
  });

  test('words that are no number are still a clear 400 on the phone field', async () => {
    const r = await postJson(h.baseUrl, '/crm/text-contacts', {
      dry_run: false, contact: { firstname: 'Lina', lastname: 'Andrianina', email: null, phone: 'je ne sais plus mon numéro' },
    }, key());
    expect(r.status).toBe(400);
    expect(r.body.error.fields[0].path).toBe('body.contact.phone');
  });
});

describe('the read-back built for the phone', () => {
  const preview = (text: string, default_phone?: string) =>
    postJson(h.baseUrl, '/crm/text-contacts', { dry_run: true, text, ...(default_phone !== undefined ? { default_phone } : {}) });

  test('a dictation without a phone gets the call\'s own number, said as such, field by field', async () => {
    const r = await preview("Je m'appelle Lina Andrianina, mon email lina@exemple.com.", '+33698765432');
    expect(r.status).toBe(200);
    expect(r.body.contact.phone).toBe('+33698765432');
    expect(r.body.phone_from_caller).toBe(true);
    expect(r.body.readback_fields).toMatch(/^Nom : Lina Andrianina\. Email : lina arobase exemple point com\. Téléphone : le numéro de cet appel, 06 98 76 54 32\.$/);
  });

  test('a dictated phone wins over the caller id; a hidden caller id is ignored', async () => {
    const said = await preview(`Je m'appelle Lina Andrianina, mon téléphone ${SPOKEN}.`, '+33698765432');
    expect(said.body.contact.phone).toBe(E164);
    expect(said.body.phone_from_caller).toBe(false);
    expect(said.body.readback_fields).not.toContain('cet appel');
    const hidden = await preview("Je m'appelle Lina Andrianina, mon email lina@exemple.com.", 'anonymous');
    expect(hidden.status).toBe(200);
    expect(hidden.body.contact.phone).toBeNull();
    expect(hidden.body.readback_fields).toContain('Téléphone : aucun.');
  });
});
