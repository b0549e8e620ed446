import { createOdooClient } from '../../lib/odoo/client';
import { partnerPhoneDomain, phoneMatches, phoneSpellings } from '../../lib/odoo/phone-search';
import { startOdooSimulator } from '../../sim/odoo/server';

test('spellings of a French and a Malagasy number', () => {
  expect(phoneSpellings('+33612345678')).toEqual(expect.arrayContaining(['+33612345678', '0033612345678', '06 12 34 56 78', '0612345678', '+33 6 12 34 56 78']));
  expect(phoneSpellings('+261321234567')).toEqual(expect.arrayContaining(['+261321234567', '032 12 345 67', '0321234567']));
  expect(() => phoneSpellings('0612345678')).toThrow(/E\.164/);
});

test('phoneMatches reads national text in the number’s own country', () => {
  expect(phoneMatches('06 12 34 56 78', '+33612345678')).toBe(true);
  expect(phoneMatches('+33 6 12 34 56 78', '+33612345678')).toBe(true);
  expect(phoneMatches('06 12 34 56 79', '+33612345678')).toBe(false);
  expect(phoneMatches(false, '+33612345678')).toBe(false);
});

describe.each([
  [19, true],
  [19, false],
  [17, true],
  [17, false],
] as const)('Odoo %i, phonenumbers library %s', (version, phonenumbers) => {
  test('finds the partner whatever spelling the number was stored in, and not the others', async () => {
    const sim = await startOdooSimulator({ version, phonenumbers });
    const client = createOdooClient({ url: sim.url, db: sim.db, login: 'admin', password: 'admin', retries: 0 });
    const stored = ['06 12 34 56 78', '+33 6 12 34 56 78', '0033612345678', '06.12.34.56.78', '+33612345678'];
    const ids: number[] = [];
    for (const phone of stored) ids.push(await client.callKw<number>('res.partner', 'create', [{ name: `Claire ${phone}`, phone }]));
    const other = await client.callKw<number>('res.partner', 'create', [{ name: 'Autre', phone: '06 12 34 56 79' }]);
    const fields = await client.fields('res.partner');
    const found = await client.callKw<Array<{ id: number; phone: string }>>('res.partner', 'search_read', [partnerPhoneDomain('+33612345678', fields), ['phone']]);
    const confirmed = found.filter((p) => phoneMatches(p.phone, '+33612345678')).map((p) => p.id).sort((a, b) => a - b);
    expect(confirmed).toEqual(ids);
    expect(found.map((p) => p.id)).not.toContain(other);
    await client.close();
    await sim.stop();
  });
});
