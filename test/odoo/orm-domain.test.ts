import path from 'node:path';
import { pyError } from './py-error';
import { OdooDatabase } from '../../sim/odoo/orm';
import { PyException } from '../../sim/odoo/exceptions';
import { loadFixtureFile } from '../../sim/odoo/server';

const ctx = { uid: 2 };

function fresh(version: 16 | 17 | 18 | 19 = 19, phonenumbers = true) {
  const db = new OdooDatabase({ version, phonenumbers });
  const p = (vals: Record<string, unknown>) => db.create('res.partner', vals, ctx);
  const ids = {
    lina: p({ name: 'Lina Andrianina', email: 'Lina@Exemple.com ', phone: '+261 32 12 345 67', country_id: 133 }),
    claire: p({ name: 'Claire Martin', email: 'claire@exemple.fr', phone: '06 12 34 56 78', country_id: 75 }),
    acme: p({ name: 'ACME', is_company: true }),
    archived: p({ name: 'Ancien Client', active: false }),
  };
  return { db, ids };
}


describe('domain evaluation', () => {
  const { db, ids } = fresh();
  const search = (domain: unknown, opts = {}) => db.search('res.partner', domain, opts);

  test('implicit & and Polish-notation | and !', () => {
    expect(search([['name', 'ilike', 'a'], ['is_company', '=', true], ['id', '>', 3]])).toEqual([ids.acme]);
    expect(search(['|', ['name', '=', 'ACME'], ['email', '=ilike', 'CLAIRE@exemple.fr']]).sort()).toEqual([ids.claire, ids.acme].sort());
    expect(search(['!', ['name', 'ilike', 'in']])).not.toContain(ids.lina);
    expect(search(['&', '|', ['name', 'like', 'Lina'], ['name', 'like', 'Claire'], '!', ['email', 'ilike', 'claire']])).toEqual([ids.lina]);
  });

  test('like is case-sensitive, ilike is not, =like anchors with % and _ wildcards', () => {
    expect(search([['name', 'like', 'lina']])).toEqual([]);
    expect(search([['name', 'ilike', 'lina']])).toEqual([ids.lina]);
    expect(search([['name', '=like', 'Cl_ire%']])).toEqual([ids.claire]);
    expect(search([['name', '=like', 'laire%']])).toEqual([]);
  });

  test('False comparisons and NULL rules of != and not ilike', () => {
    const noEmail = search([['email', '=', false]]);
    expect(noEmail).toContain(ids.acme);
    expect(noEmail).not.toContain(ids.lina);
    expect(search([['email', '!=', 'claire@exemple.fr']])).toContain(ids.acme);
    expect(search([['email', 'not ilike', 'exemple']])).toContain(ids.acme);
    expect(search([['email', 'not ilike', 'exemple']])).not.toContain(ids.lina);
  });

  test('in / not in, numeric comparisons, id', () => {
    expect(search([['id', 'in', [ids.lina, ids.claire]]]).sort()).toEqual([ids.lina, ids.claire].sort());
    expect(search([['id', 'not in', [ids.lina]], ['id', '>=', ids.lina]])).not.toContain(ids.lina);
    expect(search([['id', '>', ids.acme]])).toEqual([]);
  });

  test('archived records are hidden unless the domain names active', () => {
    expect(search([['name', '=', 'Ancien Client']])).toEqual([]);
    expect(search([['name', '=', 'Ancien Client'], ['active', '=', false]])).toEqual([ids.archived]);
    expect(search([['name', '=', 'Ancien Client'], ['active', 'in', [true, false]]])).toEqual([ids.archived]);
  });

  test('dotted paths through many2one and many2many membership', () => {
    const ev = db.create('calendar.event', { name: 'RDV', start: '2030-01-07 09:00:00', stop: '2030-01-07 10:00:00', partner_ids: [[6, 0, [ids.lina, ids.claire]]] }, ctx);
    expect(db.search('calendar.event', [['partner_ids', 'in', [ids.lina]]])).toEqual([ev]);
    expect(db.search('calendar.event', [['partner_ids', 'in', [ids.acme]]])).toEqual([]);
    expect(db.search('calendar.attendee', [['partner_id.email', '=', 'claire@exemple.fr']]).length).toBe(1);
    expect(db.search('calendar.attendee', [['event_id.partner_ids.country_id.code', '=', 'MG']]).length).toBe(2);
    expect(db.search('calendar.attendee', [['partner_id', 'ilike', 'lina']]).length).toBe(1);
    expect(db.search('res.partner', [['country_id', '=', false]])).toContain(ids.acme);
  });

  test('order, limit and offset', () => {
    const all = search([['id', 'in', [ids.lina, ids.claire, ids.acme]]], { order: 'name asc' });
    expect(all).toEqual([ids.acme, ids.claire, ids.lina]);
    expect(search([['id', 'in', [ids.lina, ids.claire, ids.acme]]], { order: 'id desc', limit: 2, offset: 1 })).toEqual([ids.claire, ids.lina]);
  });

  test('a bad field raises ValueError with Odoo wording per version', () => {
    expect(pyError(() => search([['nope', '=', 1]])).message).toBe("Invalid field res.partner.nope in condition ('nope', '=', 1)");
    const old = new OdooDatabase({ version: 17, phonenumbers: true });
    const e = pyError(() => old.search('res.partner', [['partner_id.x', '=', false]]));
    expect(e.pyName).toBe('builtins.ValueError');
    expect(e.message).toBe("Invalid field res.partner.partner_id in leaf ('partner_id.x', '=', False)");
    expect(pyError(() => search([['name', 'equals', 1]])).message).toBe("Invalid leaf ('name', 'equals', 1)");
    expect(pyError(() => search(['|', ['name', '=', 'x']])).pyName).toBe('builtins.ValueError');
  });

  test('child_of follows parent_id', () => {
    const child = db.create('res.partner', { name: 'Employé', parent_id: ids.acme }, ctx);
    expect(search([['id', 'child_of', ids.acme]]).sort()).toEqual([ids.acme, child].sort());
    expect(db.displayName('res.partner', child)).toBe('ACME, Employé');
  });
});

describe('computed fields and phone search', () => {
  test('email_normalized and phone_sanitized with the phonenumbers library', () => {
    const { db, ids } = fresh(19, true);
    const [lina, claire] = db.read('res.partner', [ids.lina, ids.claire], ['email_normalized', 'phone_sanitized']);
    expect(lina).toEqual({ id: ids.lina, email_normalized: 'lina@exemple.com', phone_sanitized: '+261321234567' });
    expect(claire!.phone_sanitized).toBe('+33612345678');
  });

  test('without the library phone_sanitized keeps the raw text and phone_mobile_search misses national storage', () => {
    const { db, ids } = fresh(19, false);
    expect(db.read('res.partner', [ids.claire], ['phone_sanitized'])[0]!.phone_sanitized).toBe('06 12 34 56 78');
    expect(db.search('res.partner', [['phone_mobile_search', 'ilike', '+33612345678']])).toEqual([]);
    expect(db.search('res.partner', [['phone_mobile_search', 'ilike', '0612345678']])).toEqual([ids.claire]);
    expect(db.search('res.partner', [['phone_mobile_search', 'ilike', '+261321234567']])).toEqual([ids.lina]);
  });

  test('mobile exists up to 18 and not in 19', () => {
    expect(new OdooDatabase({ version: 18, phonenumbers: true }).fieldsOf('res.partner').mobile).toBeDefined();
    const db19 = new OdooDatabase({ version: 19, phonenumbers: true });
    expect(db19.fieldsOf('res.partner').mobile).toBeUndefined();
    expect(pyError(() => db19.create('res.partner', { name: 'X', mobile: '0600000000' }, ctx)).message).toBe("Invalid field 'mobile' on model 'res.partner'");
  });
});

describe('create/write/unlink and x2many commands', () => {
  test('an event creates one attendee per partner and follows partner changes', () => {
    const { db, ids } = fresh();
    const ev = db.create('calendar.event', { name: 'RDV', start: '2030-01-07 09:00:00', stop: '2030-01-07 10:30:00', partner_ids: [[6, 0, [ids.lina]]] }, ctx);
    const attendees = () => db.read('calendar.attendee', db.search('calendar.attendee', [['event_id', '=', ev]]), ['partner_id', 'state']);
    expect(attendees()).toEqual([{ id: expect.any(Number), partner_id: [ids.lina, 'Lina Andrianina'], state: 'needsAction' }]);
    expect(db.read('calendar.event', [ev], ['duration'])[0]!.duration).toBe(1.5);
    db.write('calendar.event', [ev], { partner_ids: [[4, ids.claire]] }, ctx);
    expect(attendees().map((a) => (a.partner_id as [number, string])[0]).sort()).toEqual([ids.lina, ids.claire].sort());
    db.write('calendar.event', [ev], { partner_ids: [[3, ids.lina]] }, ctx);
    expect(attendees().map((a) => (a.partner_id as [number, string])[0])).toEqual([ids.claire]);
    db.write('calendar.event', [ev], { partner_ids: [[5]] }, ctx);
    expect(attendees()).toEqual([]);
    db.write('calendar.event', [ev], { partner_ids: [ids.lina, ids.acme] }, ctx);
    expect(attendees().length).toBe(2);
    db.unlink('calendar.event', [ev]);
    expect(db.search('calendar.attendee', [['event_id', '=', ev]])).toEqual([]);
  });

  test('without partner_ids Odoo invites the organizer', () => {
    const { db } = fresh();
    const ev = db.create('calendar.event', { name: 'Interne', start: '2030-01-07 09:00:00', stop: '2030-01-07 10:00:00' }, ctx);
    expect(db.read('calendar.event', [ev], ['partner_ids'])[0]!.partner_ids).toEqual([3]);
  });

  test('one2many commands 0, 1, 2 on resource.calendar attendances', () => {
    const { db } = fresh();
    const cal = db.create('resource.calendar', { name: 'Cabinet', tz: 'Europe/Paris', attendance_ids: [[0, 0, { name: 'Lundi', dayofweek: '0', hour_from: 8, hour_to: 12 }], [0, 0, { name: 'Mardi', dayofweek: '1', hour_from: 8, hour_to: 12 }]] }, ctx);
    const lines = () => db.read('resource.calendar', [cal], ['attendance_ids'])[0]!.attendance_ids as number[];
    expect(lines().length).toBe(2);
    const [first, second] = lines();
    db.write('resource.calendar', [cal], { attendance_ids: [[1, first, { hour_to: 11.5 }], [2, second]] }, ctx);
    expect(lines()).toEqual([first]);
    expect(db.read('resource.calendar.attendance', [first!], ['hour_to', 'calendar_id'])[0]).toEqual({ id: first, hour_to: 11.5, calendar_id: [cal, 'Cabinet'] });
  });

  test('Odoo validation messages', () => {
    const { db, ids } = fresh();
    const noName = pyError(() => db.create('res.partner', { email: 'x@y.z' }, ctx));
    expect([noName.pyName, noName.message]).toEqual(['odoo.exceptions.ValidationError', 'The operation cannot be completed: Contacts require a name']);
    expect(pyError(() => new OdooDatabase({ version: 16, phonenumbers: true }).create('res.partner', {}, ctx)).message).toBe('The operation cannot be completed: Contacts require a name.');
    const backwards = pyError(() => db.create('calendar.event', { name: 'RDV', start: '2030-01-07 10:00:00', stop: '2030-01-07 09:00:00', partner_ids: [ids.lina] }, ctx));
    expect(backwards.pyName).toBe('odoo.exceptions.ValidationError');
    expect(backwards.message).toMatch(/^The ending date and time cannot be earlier than the starting date and time\./);
    expect(db.search('calendar.attendee', [])).toEqual([]); // nothing of the failed create remains
    const missing = pyError(() => db.write('res.partner', [999], { name: 'x' }, ctx));
    expect([missing.pyName, missing.message]).toEqual(['odoo.exceptions.MissingError', 'Record does not exist or has been deleted.\n(Record: res.partner(999,), User: 2)']);
    expect(pyError(() => db.unlink('res.partner', [998, 999])).message).toContain('res.partner(998, 999)');
    expect(db.read('res.partner', [999], ['name'])).toEqual([]);
    expect(pyError(() => db.create('calendar.event', { name: 'RDV', start: '2030-01-07T09:00:00Z', stop: '2030-01-07 10:00:00' }, ctx)).message)
      .toBe("time data '2030-01-07T09:00:00' does not match format '%Y-%m-%d %H:%M:%S'");
    expect(pyError(() => db.create('calendar.event', { start: '2030-01-07 09:00:00', stop: '2030-01-07 10:00:00' }, ctx)).message).toContain('Field: Meeting Subject (name)');
  });

  test('a failed write leaves the record as it was', () => {
    const { db, ids } = fresh();
    expect(() => db.write('res.partner', [ids.lina], { email: 'new@exemple.com', name: false }, ctx)).toThrow(PyException);
    expect(db.read('res.partner', [ids.lina], ['email', 'name'])[0]).toEqual({ id: ids.lina, email: 'Lina@Exemple.com ', name: 'Lina Andrianina' });
  });

  test('custom x_ fields through ir.model.fields join the model', () => {
    const { db, ids } = fresh();
    const modelId = db.search('ir.model', [['model', '=', 'res.partner']])[0]!;
    db.create('ir.model.fields', { name: 'x_consent_sms', field_description: 'Consentement SMS', model_id: modelId, ttype: 'boolean', state: 'manual' }, ctx);
    db.write('res.partner', [ids.lina], { x_consent_sms: true }, ctx);
    expect(db.read('res.partner', [ids.lina], ['x_consent_sms'])[0]!.x_consent_sms).toBe(true);
    expect(db.fieldsGet('res.partner', ['x_consent_sms'], ['type', 'string'])).toEqual({ x_consent_sms: { type: 'boolean', string: 'Consentement SMS' } });
    expect(pyError(() => db.create('ir.model.fields', { name: 'consent', field_description: 'C', model_id: modelId, ttype: 'char', state: 'manual' }, ctx)).pyName).toBe('odoo.exceptions.ValidationError');
  });

  test('html fields are sanitized like Odoo (plain text wrapped in a paragraph)', () => {
    const { db } = fresh();
    const lead = db.create('crm.lead', { name: 'Prospect', description: 'Capté par interface vocale' }, ctx);
    expect(db.read('crm.lead', [lead], ['description', 'type'])[0]).toEqual({ id: lead, description: '<p>Capté par interface vocale</p>', type: 'lead' });
  });
});

describe('fixtures', () => {
  const demo = loadFixtureFile(path.join(__dirname, '../../sim/odoo/fixtures/demo.json'));

  test('the demo fixture loads with implied attendees and working hours in Europe/Paris', () => {
    const db = new OdooDatabase({ version: 19, phonenumbers: true });
    db.loadFixtures(demo);
    const cal = db.read('resource.calendar', [2], ['tz', 'attendance_ids'])[0]!;
    expect(cal.tz).toBe('Europe/Paris');
    const lines = db.read('resource.calendar.attendance', cal.attendance_ids as number[], ['dayofweek', 'hour_from', 'hour_to']);
    expect(lines.length).toBe(10);
    expect(new Set(lines.map((l) => `${String(l.hour_from)}-${String(l.hour_to)}`))).toEqual(new Set(['8-12', '13-18']));
    expect(db.search('calendar.attendee', [['partner_id', '=', 7]]).length).toBe(2);
    expect(db.search('calendar.event', [['partner_ids', 'in', [7]], ['start', '>', '2029-01-01 00:00:00']])).toEqual([31]);
    expect(db.read('res.partner', [7], ['phone_sanitized'])[0]!.phone_sanitized).toBe('+261321234567');
    expect(db.read('res.company', [1], ['country_id'])[0]!.country_id).toEqual([75, 'France']);
  });

  test('fixture errors name the model, record and field', () => {
    const db = new OdooDatabase({ version: 19, phonenumbers: true });
    expect(() => db.loadFixtures({ 'res.partner': [{ id: 7, name: 'X', mobile: '06' }] })).toThrow("fixture res.partner[0]: field 'mobile' does not exist on res.partner in Odoo 19");
    expect(() => db.loadFixtures({ 'calendar.event': [{ id: 1, name: 'X', start: '2030-01-01 09:00:00', stop: '2030-01-01 10:00:00', partner_ids: [42] }] }))
      .toThrow('fixture calendar.event id 1: partner_ids points at res.partner id 42, which does not exist');
    expect(() => db.loadFixtures({ 'no.model': [{ id: 1 }] })).toThrow(/unknown model 'no.model'/);
  });

  test('attendees listed by the fixture replace the implied ones', () => {
    const db = new OdooDatabase({ version: 19, phonenumbers: true });
    db.loadFixtures({
      'res.partner': [{ id: 7, name: 'Lina' }],
      'calendar.event': [{ id: 31, name: 'RDV', start: '2030-03-04 09:00:00', stop: '2030-03-04 10:00:00', partner_ids: [7] }],
      'calendar.attendee': [{ id: 5, event_id: 31, partner_id: 7, state: 'accepted' }],
    });
    expect(db.read('calendar.attendee', db.search('calendar.attendee', []), ['state'])).toEqual([{ id: 5, state: 'accepted' }]);
  });
});
