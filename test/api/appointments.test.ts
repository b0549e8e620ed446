import { call, login, startStack, type Stack } from './stack';

const LINA = '+261321234567'; // partner 7: event 31 (2030-03-04 09:00 UTC, home), past 21
const CLAIRE = '+33612345678'; // partner 8: event 32 (2030-03-06 13:00 UTC, video), past 22
const PAUL = '+33698765432'; // partner 9: event 33 (2030-03-11 08:00 UTC, clinic), nothing past

/** Unfolds an iCalendar text and returns its VEVENT properties. */
function parseIcs(text: string): Record<string, string> {
  const lines = text.replace(/\r\n[ \t]/g, '').split(/\r\n/);
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  const start = lines.indexOf('BEGIN:VEVENT');
  const end = lines.indexOf('END:VEVENT');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const props: Record<string, string> = {};
  for (const l of lines.slice(start + 1, end)) {
    const i = l.indexOf(':');
    props[l.slice(0, i).split(';')[0]!] = l.slice(i + 1);
  }
  return props;
}

describe('appointments over HTTP on the Odoo simulator', () => {
  let s: Stack;
  let lina: string;
  let claire: string;
  let paul: string;
  beforeAll(async () => {
    s = await startStack(new Date('2030-03-01T09:00:00Z')); // a Friday, 10:00 in Paris
    // two more upcoming appointments for Paul so that his list has three
    s.odooSim.load({
      'calendar.event': [
        { id: 34, name: 'Soins', start: '2030-03-12 09:00:00', stop: '2030-03-12 10:00:00', partner_ids: [9], location: '12 rue des Lilas, Lyon', user_id: 2 },
        { id: 35, name: 'Visio', start: '2030-03-13 13:30:00', stop: '2030-03-13 14:00:00', partner_ids: [9], videocall_location: 'https://meet.exemple.fr/35', user_id: 2 },
      ],
    });
    lina = (await login(s.api.url, s.brevoSim, LINA)).token;
    claire = (await login(s.api.url, s.brevoSim, CLAIRE)).token;
    paul = (await login(s.api.url, s.brevoSim, PAUL)).token;
  });
  afterAll(() => s.stop());

  test('lists with a spoken summary for one, many and none', async () => {
    const one = await call(s.api.url, 'GET', '/appointments?scope=upcoming', { token: claire });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      appointments: [{ id: 32, start: '2030-03-06T13:00:00.000Z', stop: '2030-03-06T13:30:00.000Z', mode: 'video', location: null, state: 'pending', voice_label: 'mercredi 6 mars à 14h, en visio' }],
      count: 1,
      summary_voice: 'Vous avez un rendez-vous : mercredi 6 mars à 14h, en visio.',
    });
    const many = await call(s.api.url, 'GET', '/appointments?scope=upcoming', { token: paul });
    expect(many.body.count).toBe(3);
    expect(many.body.appointments.map((a: { id: number }) => a.id)).toEqual([33, 34, 35]);
    expect(many.body.summary_voice).toBe(
      'Vous avez 3 rendez-vous. Premier : lundi 11 mars à 9h, au cabinet. Deuxième : mardi 12 mars à 10h, à domicile. Troisième : mercredi 13 mars à 14h30, en visio.',
    );
    const none = await call(s.api.url, 'GET', '/appointments?scope=past', { token: paul });
    expect(none.body).toEqual({ appointments: [], count: 0, summary_voice: "Vous n'avez aucun rendez-vous passé." });
    const past = await call(s.api.url, 'GET', '/appointments?scope=past', { token: claire });
    expect(past.body.appointments.map((a: { id: number }) => a.id)).toEqual([22]);
  });

  test('detail carries the spoken detail', async () => {
    const r = await call(s.api.url, 'GET', '/appointments/33', { token: paul });
    expect(r.status).toBe(200);
    expect(r.body.voice_detail).toBe("Votre rendez-vous du lundi 11 mars à 9h, au cabinet, d'une durée d'une heure, est en attente de votre confirmation.");
  });

  test("another person's appointment answers 404 with no data, and nothing is changed", async () => {
    const calls = s.odooSim.callCount('calendar.attendee', 'do_accept');
    for (const [method, path] of [['GET', '/appointments/31'], ['PUT', '/appointments/31/confirm'], ['GET', '/appointments/31/proposals'], ['GET', '/appointments/31/ics']] as const) {
      const r = await call(s.api.url, method, path, { token: claire, ...(method === 'PUT' ? { body: {} } : {}) });
      expect(r.status).toBe(404);
      expect(Object.keys(r.body.error).sort()).toEqual(['code', 'message', 'request_id']);
      expect(JSON.stringify(r.body)).not.toMatch(/Domicile|2030|Lina/);
    }
    expect((await call(s.api.url, 'GET', '/appointments/999999', { token: claire })).status).toBe(404);
    expect(s.odooSim.callCount('calendar.attendee', 'do_accept')).toBe(calls);
  });

  test('confirm: the partner attendee is accepted in Odoo', async () => {
    const r = await call(s.api.url, 'PUT', '/appointments/32/confirm', { token: claire, body: { call_id: 'c-1' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: 32, state: 'confirmed' });
    const att = s.odooSim.records('calendar.attendee').find((a) => a.event_id === 32 && a.partner_id === 8);
    expect(att?.state).toBe('accepted');
    expect((await call(s.api.url, 'GET', '/appointments/32', { token: claire })).body.state).toBe('confirmed');
  });

  test('idempotent replay: same key and body → the stored answer and one Odoo write; another body → 422', async () => {
    const before = s.odooSim.callCount('calendar.attendee', 'do_accept');
    const first = await call(s.api.url, 'PUT', '/appointments/33/confirm', { token: paul, key: 'wf-1:confirm', body: { call_id: 'c-2' } });
    const second = await call(s.api.url, 'PUT', '/appointments/33/confirm', { token: paul, key: 'wf-1:confirm', body: { call_id: 'c-2' } });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replay')).toBe('true');
    expect(s.odooSim.callCount('calendar.attendee', 'do_accept')).toBe(before + 1);
    const other = await call(s.api.url, 'PUT', '/appointments/33/confirm', { token: paul, key: 'wf-1:confirm', body: { call_id: 'c-3' } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  test('cancel with reason and comment: attendee declined, note on the event, gone from upcoming; concurrent duplicates act once', async () => {
    const declines = s.odooSim.callCount('calendar.attendee', 'do_decline');
    const notes = s.odooSim.records('mail.message').length;
    const body = { reason: 'health', comment: 'Je suis grippée', call_id: 'call-77', session_id: 'sess-77' };
    const answers = await Promise.all([1, 2, 3].map(() => call(s.api.url, 'PUT', '/appointments/31/cancel', { token: lina, key: 'wf-2:cancel', body })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.every((a) => a.body.state === 'cancelled')).toBe(true);
    expect(s.odooSim.callCount('calendar.attendee', 'do_decline')).toBe(declines + 1);
    const att = s.odooSim.records('calendar.attendee').find((a) => a.event_id === 31 && a.partner_id === 7);
    expect(att?.state).toBe('declined');
    const msgs = s.odooSim.records('mail.message').slice(notes).filter((m) => m.model === 'calendar.event' && m.res_id === 31);
    expect(msgs).toHaveLength(1);
    expect(String(msgs[0]!.body)).toContain('Motif : santé');
    expect(String(msgs[0]!.body)).toContain('Je suis grippée');
    expect(String(msgs[0]!.body)).toContain('call-77');
    const up = await call(s.api.url, 'GET', '/appointments?scope=upcoming', { token: lina });
    expect(up.body.count).toBe(0);
    expect(up.body.summary_voice).toBe("Vous n'avez aucun rendez-vous à venir.");
  });

  test('callback: a call activity for the responsible user, due today before the cut-off', async () => {
    const r = await call(s.api.url, 'PUT', '/appointments/32/callback', { token: claire, body: { reason: 'portal_callback', call_id: 'c-5' } });
    expect(r.status).toBe(200);
    expect(r.body.due_date).toBe('2030-03-01');
    const act = s.odooSim.records('mail.activity').find((a) => a.id === r.body.activity_id);
    expect(act).toMatchObject({ res_id: 32, user_id: 2, date_deadline: '2030-03-01' });
    const callType = s.odooSim.records('ir.model.data').find((x) => x.name === 'mail_activity_data_call');
    expect(act?.activity_type_id).toBe(callType?.res_id);
  });

  test('ics: an email with an .ics attachment that parses to the appointment', async () => {
    const before = s.brevoSim.outbox.length;
    const r = await call(s.api.url, 'GET', '/appointments/33/ics', { token: paul });
    expect(r.status).toBe(200);
    expect(s.brevoSim.outbox.length).toBe(before + 1);
    const mail = s.brevoSim.outbox.at(-1)!;
    expect(mail.channel).toBe('email');
    expect(mail.to).toEqual(['paul.durand@exemple.fr']);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.name).toMatch(/\.ics$/);
    const ev = parseIcs(mail.attachments[0]!.content.toString('utf8'));
    expect(ev.DTSTART).toBe('20300311T080000Z');
    expect(ev.DTEND).toBe('20300311T090000Z');
    expect(ev.UID).toContain('appointment-33@');
    expect(ev.LOCATION).toBe('Cabinet');
    // the activity retries the GET (no Idempotency-Key on a GET): the invitation is not mailed twice
    expect((await call(s.api.url, 'GET', '/appointments/33/ics', { token: paul })).status).toBe(200);
    expect(s.brevoSim.outbox.length).toBe(before + 1);
  });

  test('send-ics (what the machine calls): a write whose replay with the same Idempotency-Key mails once', async () => {
    const before = s.brevoSim.outbox.length;
    const first = await call(s.api.url, 'PUT', '/appointments/33/send-ics', { token: paul, key: 'wf-1:12' });
    expect(first.status).toBe(200);
    expect(s.brevoSim.outbox.length).toBe(before + 1);
    expect(s.brevoSim.outbox.at(-1)!.attachments[0]!.name).toMatch(/\.ics$/);
    const replay = await call(s.api.url, 'PUT', '/appointments/33/send-ics', { token: paul, key: 'wf-1:12' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(s.brevoSim.outbox.length).toBe(before + 1);
  });

  test('proposals: three slots by preference; refused ones are never proposed again; a refused slot cannot be selected', async () => {
    const prefs = await call(s.api.url, 'PUT', '/appointments/33/preferences', { token: paul, body: { date_from: '2030-03-04', date_to: '2030-03-08', time_window: 'afternoon', mode: 'clinic', call_id: 'c-6' } });
    expect(prefs.status).toBe(200);
    const first = await call(s.api.url, 'GET', '/appointments/33/proposals', { token: paul });
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(3);
    for (const slot of first.body.slots) {
      expect(slot.mode).toBe('clinic');
      expect(slot.voice_label).toMatch(/^(lundi|mardi|mercredi|jeudi|vendredi) \d+ mars à 1[3-7]h(30)?, au cabinet$/);
      expect(slot.start >= '2030-03-04' && slot.start < '2030-03-09').toBe(true);
    }
    // the same request gives the same proposals (deterministic)
    expect((await call(s.api.url, 'GET', '/appointments/33/proposals', { token: paul })).body.slots).toEqual(first.body.slots);
    const refused = await call(s.api.url, 'PUT', '/appointments/33/propose-slots', { token: paul, body: { reason: 'none_of_these' } });
    expect(refused.body.refused).toBe(3);
    const second = await call(s.api.url, 'GET', '/appointments/33/proposals', { token: paul });
    const firstIds = new Set(first.body.slots.map((x: { id: string }) => x.id));
    expect(second.body.slots.some((x: { id: string }) => firstIds.has(x.id))).toBe(false);
    const bad = await call(s.api.url, 'PUT', '/appointments/33/select-slot', { token: paul, body: { slot_id: first.body.slots[0].id } });
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe('slot_not_proposed');
  });

  test('select-slot moves the event in Odoo (one write under a replayed key)', async () => {
    const p = await call(s.api.url, 'GET', '/appointments/34/proposals', { token: paul });
    const chosen = p.body.slots[1];
    const writes = s.odooSim.callCount('calendar.event', 'write');
    const r1 = await call(s.api.url, 'PUT', '/appointments/34/select-slot', { token: paul, key: 'wf-3:select', body: { slot_id: chosen.id } });
    const r2 = await call(s.api.url, 'PUT', '/appointments/34/select-slot', { token: paul, key: 'wf-3:select', body: { slot_id: chosen.id } });
    expect(r1.status).toBe(200);
    expect(r2.body).toEqual(r1.body);
    expect(s.odooSim.callCount('calendar.event', 'write')).toBe(writes + 1);
    const ev = s.odooSim.records('calendar.event').find((e) => e.id === 34)!;
    expect(ev.start).toBe(chosen.start.slice(0, 19).replace('T', ' '));
    expect(ev.stop).toBe(chosen.stop.slice(0, 19).replace('T', ' '));
  });

  test('a slot taken meanwhile by another event is refused', async () => {
    const p = await call(s.api.url, 'GET', '/appointments/35/proposals', { token: paul });
    const chosen = p.body.slots[0];
    s.odooSim.load({ 'calendar.event': [{ id: 90, name: 'Autre', start: chosen.start.slice(0, 19).replace('T', ' '), stop: chosen.stop.slice(0, 19).replace('T', ' '), partner_ids: [7], user_id: 2 }] });
    const r = await call(s.api.url, 'PUT', '/appointments/35/select-slot', { token: paul, body: { slot_id: chosen.id } });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('slot_taken');
  });

  test('consent: stored with proof in the log, posted on the partner, shown by /portal/me', async () => {
    const r = await call(s.api.url, 'PUT', '/portal/preferences', { token: claire, body: { consent_ok: 'true', preferred_channel: 'email', consent_wording_version: 'v1', call_id: 'call-c', session_id: 'sess-c' } });
    expect(r.status).toBe(200);
    const log = await s.store.db.query<Record<string, unknown>>('SELECT * FROM consent_log WHERE id = $1', [r.body.consent_id]);
    expect(log.rows[0]).toMatchObject({ partner_id: 8, consent_ok: true, channel: 'voice', wording_version: 'v1', wording_hash: r.body.wording_hash, call_id: 'call-c', session_id: 'sess-c' });
    const note = s.odooSim.records('mail.message').filter((m) => m.model === 'res.partner' && m.res_id === 8).at(-1);
    expect(String(note?.body)).toContain(r.body.wording_hash);
    const me = await call(s.api.url, 'GET', '/portal/me', { token: claire });
    expect(me.body.preferred_channel).toBe('email');
    expect(me.body.consent).toMatchObject({ consent_ok: true, wording_version: 'v1', channel: 'voice' });
    const unknown = await call(s.api.url, 'PUT', '/portal/preferences', { token: claire, body: { consent_ok: true, consent_wording_version: 'v9' } });
    expect(unknown.status).toBe(400);
  });

  test('share-link: a read-only link by the stored channel, that opens without a session', async () => {
    const r = await call(s.api.url, 'PUT', '/appointments/32/share-link', { token: claire, body: { channel: '' } });
    expect(r.status).toBe(200);
    expect(r.body.channel).toBe('email'); // stored preference from the consent test
    const mail = s.brevoSim.outbox.at(-1)!;
    const token = /\/portal\/shared\/([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    const view = await call(s.api.url, 'GET', `/portal/shared/${token}`);
    expect(view.status).toBe(200);
    expect(view.body).toEqual({ start: '2030-03-06T13:00:00.000Z', stop: '2030-03-06T13:30:00.000Z', mode: 'video', state: 'confirmed', voice_label: 'mercredi 6 mars à 14h, en visio' });
  });

  test('agent/notify records a handoff note', async () => {
    const r = await call(s.api.url, 'PUT', '/agent/notify', { token: claire, body: { reason: 'operator', state: 'ivr.slots.choose', call_id: 'call-h' } });
    expect(r.status).toBe(200);
    const row = await s.store.db.query<Record<string, unknown>>('SELECT * FROM agent_notes WHERE id = $1', [r.body.note_id]);
    expect(row.rows[0]).toMatchObject({ partner_id: 8, reason: 'operator', state: 'ivr.slots.choose', call_id: 'call-h' });
  });
});
