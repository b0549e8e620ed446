import { call, login, startStack, type Stack } from './stack';

// The journey of seed 001 on each Odoo version the simulator speaks (fields and wire details differ by version).
// `phonenumbers: false`: the Python library is missing, so phone_sanitized holds the number as typed.
describe.each([
  [16, true],
  [17, true],
  [18, true],
  [19, true],
  [19, false],
] as const)('the appointment journey on Odoo %i (phonenumbers: %s)', (version, phonenumbers) => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack(new Date('2030-03-01T09:00:00Z'), {}, { version, phonenumbers });
  });
  afterAll(() => s.stop());

  test('login by a national-format phone, list, confirm, reschedule, callback, cancel', async () => {
    const { token, partnerId } = await login(s.api.url, s.brevoSim, '+33698765432');
    expect(partnerId).toBe(9);
    const list = await call(s.api.url, 'GET', '/appointments?scope=upcoming', { token });
    expect(list.body.appointments.map((a: { id: number }) => a.id)).toEqual([33]);
    expect((await call(s.api.url, 'PUT', '/appointments/33/confirm', { token, body: {} })).status).toBe(200);
    expect(s.odooSim.records('calendar.attendee').find((a) => a.event_id === 33)?.state).toBe('accepted');
    await call(s.api.url, 'PUT', '/appointments/33/preferences', { token, body: { date_from: '', date_to: '', time_window: 'morning', mode: 'home' } });
    const p = await call(s.api.url, 'GET', '/appointments/33/proposals', { token });
    expect(p.status).toBe(200);
    expect(p.body.slots[0].voice_label).toMatch(/à domicile$/);
    const sel = await call(s.api.url, 'PUT', '/appointments/33/select-slot', { token, body: { slot_id: p.body.slots[0].id } });
    expect(sel.status).toBe(200);
    expect(s.odooSim.records('calendar.event').find((e) => e.id === 33)?.start).toBe(p.body.slots[0].start.slice(0, 19).replace('T', ' '));
    expect((await call(s.api.url, 'PUT', '/appointments/33/callback', { token, body: {} })).status).toBe(200);
    const c = await call(s.api.url, 'PUT', '/appointments/33/cancel', { token, body: { reason: 'other', comment: 'non' } });
    expect(c.status).toBe(200);
    expect((await call(s.api.url, 'PUT', '/portal/preferences', { token, body: { consent_ok: true, preferred_channel: 'sms' } })).status).toBe(200);
  });
});
