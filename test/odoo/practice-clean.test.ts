import { Practice } from '../../api/odoo/practice';
import type { OdooPort } from '../../api/ports';
import { callKw } from '../../sim/odoo/methods';
import { OdooDatabase } from '../../sim/odoo/orm';
import type { OdooVersion } from '../../sim/odoo/models';

// What the practice writes must stay clean on a real Odoo: notes readable, no mail from Odoo itself.
function portOn(db: OdooDatabase): OdooPort {
  return {
    callKw: async <T>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => callKw(db, model, method, args, kwargs, 2) as T,
    fields: async (model: string) => db.fieldsGet(model, null, null) as unknown as Awaited<ReturnType<OdooPort['fields']>>,
    serverVersion: async () => ({ major: db.version, label: `${db.version}.0` }),
  };
}

const opts = { clinicLocation: 'Cabinet', defaultMode: 'clinic' as const, practiceTimezone: 'Europe/Paris' };
const now = new Date('2030-03-01T09:00:00Z');

function setup(version: OdooVersion) {
  const db = new OdooDatabase({ version, phonenumbers: true, now: () => now });
  const kw = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => callKw(db, model, method, args, kwargs, 2);
  const partner = kw('res.partner', 'create', [{ name: 'Claire Dubois', email: 'claire.dubois@exemple.fr', phone: '+33612345678' }]) as number;
  const event = kw('calendar.event', 'create', [{ name: 'Séance kiné', start: '2030-03-05 09:00:00', stop: '2030-03-05 10:00:00', partner_ids: [[6, 0, [partner]]] }]) as number;
  return { db, kw, partner, event, practice: new Practice(portOn(db), opts) };
}

describe.each([16, 17, 18, 19] as const)('practice writes on Odoo %i', (version) => {
  test('a note posted as HTML is stored as HTML, not escaped', async () => {
    const { kw, event, practice } = setup(version);
    await practice.postNote('calendar.event', event, '<p>Annulation demandée sur le portail</p>');
    const msgs = kw('mail.message', 'search_read', [[['model', '=', 'calendar.event'], ['res_id', '=', event]]], { fields: ['body'] }) as Array<{ body: string }>;
    expect(msgs.map((m) => m.body)).toEqual(['<p>Annulation demandée sur le portail</p>']);
  });

  test('moving an appointment queues no mail from Odoo itself', async () => {
    const { db, kw, partner, event, practice } = setup(version);
    const appt = await practice.getAppointment(partner, event);
    await practice.moveAppointment(appt, new Date('2030-03-06T09:00:00Z'), new Date('2030-03-06T10:00:00Z'), appt.mode);
    expect((kw('calendar.event', 'read', [[event], ['start']]) as Array<{ start: string }>)[0]!.start).toBe('2030-03-06 09:00:00');
    expect(db.ids('mail.mail')).toEqual([]);
  });
});

describe('the simulator behaves as Odoo does', () => {
  test('a calendar.event write that moves the start queues the attendee mail unless no_mail_to_attendees', () => {
    const { db, kw, event } = setup(19);
    kw('calendar.event', 'write', [[event], { start: '2030-03-07 09:00:00', stop: '2030-03-07 10:00:00' }]);
    const mails = kw('mail.mail', 'search_read', [[]], { fields: ['subject', 'email_to', 'model', 'res_id'] }) as Array<Record<string, unknown>>;
    // the organizer (Administrator, the writer) gets none; the client does
    expect(mails.map((m) => [m.subject, m.email_to, m.res_id])).toEqual([['Séance kiné: Date updated', 'claire.dubois@exemple.fr', event]]);
    kw('calendar.event', 'write', [[event], { start: '2030-03-08 09:00:00', stop: '2030-03-08 10:00:00' }], { context: { no_mail_to_attendees: true } });
    kw('calendar.event', 'write', [[event], { location: 'Cabinet' }]);
    expect(db.ids('mail.mail')).toHaveLength(1);
  });

  test('message_post: body_is_html keeps HTML on 17+; a plain str body is escaped', () => {
    const { kw, partner } = setup(19);
    const flagged = kw('res.partner', 'message_post', [[partner]], { body: '<b>Motif</b>', body_is_html: true }) as number;
    const plain = kw('res.partner', 'message_post', [[partner]], { body: '<b>Motif</b>' }) as number;
    const body = (id: number) => (kw('mail.message', 'read', [[id], ['body']]) as Array<{ body: string }>)[0]!.body;
    expect(body(flagged)).toBe('<b>Motif</b>');
    expect(body(plain)).toBe('<p>&lt;b&gt;Motif&lt;/b&gt;</p>');
  });

  test.each([true, false])('crm.lead with partner_id writes a different email/phone onto the partner (phonenumbers: %s)', (phonenumbers) => {
    const db = new OdooDatabase({ version: 19, phonenumbers, now: () => now });
    const kw = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => callKw(db, model, method, args, kwargs, 2);
    const claire = kw('res.partner', 'create', [{ name: 'Claire Dubois', email: 'claire.dubois@exemple.fr', phone: '06 12 34 56 78' }]) as number;
    const read = () => (kw('res.partner', 'read', [[claire], ['email', 'phone']]) as Array<Record<string, unknown>>)[0];
    // same data, other spelling: nothing changes with the library (same number); without it the text differs
    kw('crm.lead', 'create', [{ name: 'L1', partner_id: claire, email_from: 'Claire.Dubois@exemple.fr', phone: '+33612345678' }]);
    expect(read()).toEqual({ id: claire, email: 'claire.dubois@exemple.fr', phone: phonenumbers ? '06 12 34 56 78' : '+33612345678' });
    // empty values are filled from the partner, never written back
    const l2 = kw('crm.lead', 'create', [{ name: 'L2', partner_id: claire }]) as number;
    expect((kw('crm.lead', 'read', [[l2], ['email_from']]) as Array<Record<string, unknown>>)[0]!.email_from).toBe('claire.dubois@exemple.fr');
    kw('crm.lead', 'create', [{ name: 'L3', partner_id: claire, email_from: 'jeanne.martin@exemple.fr', phone: '+33699999999' }]);
    expect(read()).toEqual({ id: claire, email: 'jeanne.martin@exemple.fr', phone: '+33699999999' });
  });
});
