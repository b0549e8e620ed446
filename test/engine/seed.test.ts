/** Journeys through machines/rdv-ivr.yaml (the seed machine) as the loader compiles it. */
import path from 'node:path';
import { loadMachine } from '../../lib/machine/loader';
import { Journey } from './journey';

const machine = loadMachine(path.join(__dirname, '../../machines/rdv-ivr.yaml'));

const appointments = [
  { id: 31, label: 'Soins à domicile' },
  { id: 32, label: 'Visio' },
];

/** Up to the appointment list: phone, OTP, consent, channel, saved preferences. */
function signIn(j: Journey) {
  j.dtmf('1');
  expect(j.state).toBe('ivr.auth.phone_capture');
  j.say('zéro six douze trente-quatre cinquante-six soixante-dix-huit');
  expect(j.state).toBe('ivr.auth.request_otp');
  expect(j.pendingAction().request).toMatchObject({ method: 'PUT', path: '/auth/request-otp', body: { phone_e164: '+33612345678', channel: 'sms', call_id: 'call-1' } });
  j.ok({ challenge_id: 'ch-9' });
  expect(j.state).toBe('ivr.auth.verify_otp');
  expect(j.said().join(' ')).toContain('Un code à six chiffres vient de vous être envoyé par SMS.');
  j.dtmf('654');
  j.dtmf('321');
  expect(j.pendingAction().request.body).toMatchObject({ otp: '654321', challenge_id: 'ch-9', phone_e164: '+33612345678' });
  j.ok({ session_token: 'tok-1', partner_id: 7 });
  expect(j.state).toBe('ivr.auth.consent');
  j.say("oui d'accord");
  expect(j.session.ctx['consent_ok']).toBe(true);
  j.say('par SMS');
  expect(j.session.ctx['preferred_channel']).toBe('sms');
  expect(j.pendingAction().request.headers).toEqual({ Authorization: 'Bearer tok-1' });
  j.ok({ ok: true });
  expect(j.state).toBe('ivr.appointments.list.upcoming');
  expect(j.pendingAction().request).toMatchObject({ method: 'GET', path: '/appointments', query: { scope: 'upcoming' } });
  j.ok({ count: 2, appointments, summary_voice: 'Lundi 4 mars à 9h, soins à domicile. Mardi 5 mars à 14h, visio.' });
  expect(j.state).toBe('ivr.appointments.list.router');
  expect(j.lastSaid()).toContain('Vous avez 2 rendez-vous à venir. Lundi 4 mars à 9h');
}

describe('seed machine journeys (machines/rdv-ivr.yaml)', () => {
  test('C0→C2→C7: sign in, confirm the first appointment, decline the extras, goodbye', () => {
    const j = new Journey(machine);
    expect(j.state).toBe('ivr.entry');
    expect(j.lastSaid()).toMatch(/^Bonjour et bienvenue\./);
    signIn(j);
    j.say('je confirme');
    expect(j.pendingAction().request.path).toBe('/appointments/31/confirm');
    j.ok({ ok: true });
    expect(j.state).toBe('ivr.confirmation');
    j.say('non');
    expect(j.session.ended).toEqual({ outcome: 'completed', state: 'ivr.goodbye', screen: 'C7', declared: { name: 'confirmed', goal: true } });
    expect(j.lastSaid()).toBe('Merci. Au revoir.');
  });

  test('no appointment: the seed #if says so', () => {
    const j = new Journey(machine);
    j.dtmf('1');
    j.dtmf('0612345678#');
    j.ok({ challenge_id: 'c' });
    j.say('un deux trois quatre cinq six');
    j.ok({ session_token: 't', partner_id: 1 });
    j.dtmf('1');
    j.dtmf('3');
    j.ok({});
    j.ok({ count: 0, appointments: [] });
    expect(j.lastSaid()).toMatch(/^Vous n'avez aucun rendez-vous à venir\./);
  });

  test('C5→C4: reschedule with preferences, a date window, three slots, choose the second', () => {
    const j = new Journey(machine);
    signIn(j);
    j.say('deuxième');
    expect(j.session.ctx['appt_selected_id']).toBe(32);
    j.ok({ voice_detail: 'Visio mardi 5 mars à 14h.' });
    expect(j.state).toBe('ivr.appointment.detail.router');
    j.say('je voudrais le déplacer');
    expect(j.state).toBe('ivr.reschedule.preferences');
    j.say("plutôt l'après-midi");
    expect(j.session.ctx['pref_time_window']).toBe('afternoon');
    j.say('en visio');
    j.say('lundi prochain');
    const submit = j.pendingAction();
    expect(submit.request.path).toBe('/appointments/32/preferences');
    expect(submit.request.body).toMatchObject({ date_from: '2030-03-11', time_window: 'afternoon', mode: 'video' });
    j.ok({ ok: true });
    j.ok({
      slots: [
        { id: 's1', voice_label: 'lundi 11 mars à 14h' },
        { id: 's2', voice_label: 'mardi 12 mars à 15h' },
        { id: 's3', voice_label: 'jeudi 14 mars à 16h30' },
      ],
    });
    expect(j.state).toBe('ivr.slots.choose');
    expect(j.lastSaid()).toContain('Troisième : jeudi 14 mars à 16h30.');
    j.say('deux');
    expect(j.pendingAction().request.body).toMatchObject({ slot_id: 's2' });
    j.ok({ ok: true });
    expect(j.state).toBe('ivr.confirmation');
  });

  test('C6: cancel with a reason and no comment, then no new appointment', () => {
    const j = new Journey(machine);
    signIn(j);
    j.say('annuler');
    j.say('pour raison de santé');
    expect(j.session.ctx['cancel_reason']).toBe('health');
    j.say('non merci');
    const cancel = j.pendingAction();
    expect(cancel.request.path).toBe('/appointments/31/cancel');
    expect(cancel.request.body).toMatchObject({ reason: 'health', comment: null });
    j.ok({ ok: true });
    expect(j.state).toBe('ivr.cancel.after');
    j.say('non');
    expect(j.session.ended?.state).toBe('ivr.goodbye');
  });

  test('operator from a state without its own operator route (global route), handoff vars carry no phone', () => {
    const j = new Journey(machine);
    signIn(j);
    j.say('déplacer');
    j.say('le matin');
    expect(j.state).toBe('ivr.reschedule.mode');
    j.say('je veux parler à un conseiller');
    expect(j.state).toBe('ivr.handoff.to_agent');
    const h = j.steps.at(-1)!.commands.find((c) => c.kind === 'handoff');
    expect(h?.kind === 'handoff' && h.queueId).toBe('care_queue_1');
    const vars = h?.kind === 'handoff' ? h.vars : {};
    expect(vars).toMatchObject({ call_id: 'call-1', session_id: 'sess-1', partner_id: '7', from_state: 'ivr.reschedule.mode' });
    expect(JSON.stringify(vars)).not.toContain('+33612345678');
    expect(JSON.stringify(vars)).not.toContain('tok-1');
    j.send({ kind: 'handoff_result', ok: false });
    expect(j.state).toBe('ivr.portal.send_link');
  });

  test('entry: two no-matches → retry menu; its fallback ends the call politely', () => {
    const j = new Journey(machine);
    j.say('bonjour madame');
    j.say('euh');
    expect(j.state).toBe('ivr.entry.retry');
    j.silence();
    expect(j.session.ended?.state).toBe('ivr.goodbye');
  });

  test('OTP: wrong length twice → retry state; wrong code from the backend → retry; max_visits bounds the loop', () => {
    const j = new Journey(machine);
    j.dtmf('1');
    j.dtmf('0612345678#');
    j.ok({ challenge_id: 'c' });
    j.dtmf('12#');
    j.say('un deux');
    expect(j.state).toBe('ivr.auth.verify_otp.retry');
    j.dtmf('111111');
    j.fail(401);
    j.dtmf('222222');
    j.fail(401);
    expect(j.state).toBe('ivr.auth.verify_otp.retry');
    expect(j.session.visits['ivr.auth.verify_otp.retry']).toBe(3);
    j.dtmf('333333');
    j.fail(401);
    expect(j.state).toBe('ivr.auth.request_otp.fail_menu');
  });

  test('hang-up while the OTP is being verified ends the session; the late result changes nothing', () => {
    const j = new Journey(machine);
    j.dtmf('1');
    j.dtmf('0612345678#');
    j.ok({ challenge_id: 'c' });
    j.dtmf('123456');
    const stepId = j.pendingAction().stepId;
    j.send({ kind: 'hangup' });
    expect(j.session.ended).toEqual({ outcome: 'hangup', state: 'ivr.auth.verify_otp', screen: 'C1', declared: { name: 'caller_hung_up', goal: false } });
    const before = j.session;
    const late = j.send({ kind: 'action_result', stepId, ok: true, status: 200, body: {} });
    expect(late.commands).toEqual([]);
    expect(j.session).toEqual(before);
  });
});
