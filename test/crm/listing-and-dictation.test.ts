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
