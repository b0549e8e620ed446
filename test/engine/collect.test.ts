import type { SessionState } from '../../workflows/engine/types';
import { step } from '../../workflows/engine';
import { clock, drive, dtmf, last, machine, noinput, ok, route, says, speech, text } from './helpers';

const bye = { type: 'prompt_end' as const, prompt: 'Au revoir.' };
const agent = { type: 'prompt_end' as const, prompt: 'Conseiller.' };

describe('collect phone', () => {
  const m = machine({
    states: {
      capture: {
        type: 'prompt_and_listen',
        prompt: 'Dites votre numéro, ou tapez-le puis dièse.',
        collect: { mode: 'phone', required: ['phone_e164'] },
        routes: [route('operator', 'agent'), route('repeat', 'capture')],
        next: 'otp',
      },
      otp: { type: 'prompt_and_listen', prompt: 'Le code ?', routes: [] },
      agent,
    },
  });

  test('the listen command announces the collect mode and the terminator', () => {
    const listen = drive(m, [])[0]!.commands.find((c) => c.kind === 'listen');
    expect(listen?.kind === 'listen' && listen.spec.collect).toEqual({ mode: 'phone', terminator: '#' });
  });

  test('spoken number → E.164 in ctx.phone_e164, then next', () => {
    const s = last(drive(m, [speech('zéro six douze trente-quatre cinquante-six soixante-dix-huit')]));
    expect(s.session.ctx['phone_e164']).toBe('+33612345678');
    expect(s.trace).toContainEqual({ kind: 'collected', state: 'capture', key: 'phone_e164' });
    expect(s.trace).toContainEqual({ kind: 'enter', state: 'otp', from: 'capture', via: 'collected' });
  });

  test('a Madagascan number with its country code is accepted', () => {
    expect(last(drive(m, [text('+261 32 12 34 567')])).session.ctx['phone_e164']).toBe('+261321234567');
  });

  test('DTMF keys accumulate across events until the terminator', () => {
    const steps = drive(m, [dtmf('06'), dtmf('1234'), dtmf('5678#')]);
    expect(steps[1]!.commands).toEqual([]);
    expect(steps[2]!.session).toMatchObject({ state: 'capture', dtmfBuffer: '061234', waiting: 'input' });
    expect(last(steps).session.ctx['phone_e164']).toBe('+33612345678');
    expect(last(steps).session.state).toBe('otp');
  });

  test('keys then silence: the silence ends the sequence', () => {
    expect(last(drive(m, [dtmf('0612345678'), noinput])).session.ctx['phone_e164']).toBe('+33612345678');
  });

  test('a route key in a collect state: "0#" reaches the operator; "conseiller" too', () => {
    expect(last(drive(m, [dtmf('0'), dtmf('#')])).session.state).toBe('agent');
    expect(last(drive(m, [speech('je veux un conseiller')])).session.state).toBe('agent');
  });

  test('an invalid number is a no-match of the visit (no retry block): re-prompt, buffer cleared', () => {
    const s = last(drive(m, [dtmf('123#')]));
    expect(s.session).toMatchObject({ state: 'capture', dtmfBuffer: '', counters: { nomatch: 1 } });
    expect(s.trace).toContainEqual({ kind: 'invalid', state: 'capture', mode: 'phone', count: 1 });
    expect(says(s)).toEqual(['Dites votre numéro, ou tapez-le puis dièse.']);
  });
});

describe('collect otp', () => {
  const m = machine({
    states: {
      verify: {
        type: 'prompt_and_listen',
        prompt: 'Veuillez donner le code.',
        collect: { mode: 'otp', length: 6, retry: { max: 2, onFailNext: 'retry' } },
        routes: [route('operator', 'agent')],
        action: {
          call: 'PUT /auth/verify-otp',
          endpoint: 'verify_otp',
          body: { phone_e164: '{{ctx.phone_e164}}', otp: '{{ctx.otp}}' },
          onSuccess: { set: { partner_id: '{{resp.partner_id}}' }, next: 'bye' },
          onFail: { next: 'retry' },
        },
      },
      retry: { type: 'prompt_and_listen', prompt: 'Code incorrect.', routes: [] },
      agent,
      bye,
    },
  });

  test.each([
    ['un deux trois quatre cinq six', '123456'],
    ['douze trente-quatre cinquante-six', '123456'],
    ['zéro zéro sept, un deux trois', '007123'],
    ['123456', '123456'],
  ])('speech "%s" → %s, then the action runs with it', (said, code) => {
    const s = last(drive(m, [speech(said)], { phone_e164: '+33612345678' }));
    // The code travels in the verify request only: it is not session state once the request is built.
    expect(s.session.ctx).not.toHaveProperty('otp');
    expect(s.trace).toContainEqual({ kind: 'collected', state: 'verify', key: 'otp' });
    const action = s.commands.find((c) => c.kind === 'action');
    expect(action?.kind === 'action' && action.request.body).toEqual({ phone_e164: '+33612345678', otp: code });
    expect(action?.kind === 'action' && action.mutating).toBe(true);
    expect(s.session.waiting).toBe('action');
  });

  test('DTMF completes at `length` digits without a terminator; extra keys in the same event are dropped', () => {
    const steps = drive(m, [dtmf('123'), dtmf('4567')]);
    expect(steps[1]!.commands).toEqual([]);
    const action = last(steps).commands.find((c) => c.kind === 'action');
    expect(action?.kind === 'action' && action.request.body).toMatchObject({ otp: '123456' });
    expect(last(steps).session.ctx).not.toHaveProperty('otp');
    expect(last(steps).session.dtmfBuffer).toBe('');
  });

  test('a wrong number of digits counts a retry; retry.max reached → on_fail_next', () => {
    const steps = drive(m, [speech('un deux trois'), dtmf('12#')]);
    expect(steps[1]!.trace).toContainEqual({ kind: 'invalid', state: 'verify', mode: 'otp', count: 1 });
    expect(steps[1]!.session.counters.retry).toBe(1);
    expect(says(steps[1]!)).toEqual(['Veuillez donner le code.']);
    expect(last(steps).trace).toContainEqual({ kind: 'enter', state: 'retry', from: 'verify', via: 'retry_exhausted' });
  });

  test('after a valid code the action result decides: on_success sets from resp, on_fail goes on', () => {
    const s1 = last(drive(m, [dtmf('123456'), ok('1', { partner_id: 7, session_token: 't' })]));
    expect(s1.session).toMatchObject({ state: 'bye', ctx: { partner_id: 7 } });
    const s2 = last(drive(m, [dtmf('123456'), { kind: 'action_result', stepId: '1', ok: false, status: 401, error: 'bad code' }]));
    expect(s2.trace).toContainEqual({ kind: 'enter', state: 'retry', from: 'verify', via: 'on_fail' });
  });
});

describe('collect date_nl', () => {
  const m = machine({
    states: {
      when: {
        type: 'prompt_and_listen',
        prompt: 'À partir de quelle date ?',
        collect: { mode: 'date_nl', into: { from: 'pref_date_from', to: 'pref_date_to' } },
        next: 'bye',
      },
      bye,
    },
  });

  test('"lundi prochain" (said on Wednesday 2030-03-06, Paris) → a window from Monday the 11th', () => {
    const s = last(drive(m, [speech('lundi prochain')]));
    expect(s.session.ctx['pref_date_from']).toBe('2030-03-11');
    expect(typeof s.session.ctx['pref_date_to']).toBe('string');
    expect(String(s.session.ctx['pref_date_to']) >= '2030-03-11').toBe(true);
    expect(s.trace.filter((e) => e.kind === 'collected').map((e) => e.kind === 'collected' && e.key)).toEqual(['pref_date_from', 'pref_date_to']);
  });

  test('"dès que possible" gives a window starting no earlier than today', () => {
    const s = last(drive(m, [speech('dès que possible')]));
    expect(String(s.session.ctx['pref_date_from']) >= '2030-03-06').toBe(true);
    expect(s.session.state).toBe('bye');
  });

  test('no date in the answer is a no-match; DTMF is not a date', () => {
    expect(last(drive(m, [speech('je ne comprends pas la question')])).session).toMatchObject({ state: 'when', counters: { nomatch: 1 } });
    expect(last(drive(m, [dtmf('12#')])).session).toMatchObject({ state: 'when', counters: { nomatch: 1 } });
  });
});

describe('collect free_speech_or_no', () => {
  const m = machine({
    states: {
      comment: {
        type: 'prompt_and_listen',
        prompt: 'Un commentaire ?',
        collect: { mode: 'free_speech_or_no', allowDtmf: false, into: 'cancel_comment' },
        next: 'bye',
      },
      bye,
      agent,
    },
    globalRoutes: [route('operator', 'agent')],
  });

  test('free speech is stored as said', () => {
    const said = 'Je préfère être rappelée le matin';
    expect(last(drive(m, [speech(said)])).session.ctx['cancel_comment']).toBe(said);
  });

  test('"non" stores null; a long comment containing "non" is kept', () => {
    const s = last(drive(m, [speech('non merci')]));
    expect(s.session.ctx).toHaveProperty('cancel_comment', null);
    expect(s.session.state).toBe('bye');
    const long = "non, je voulais juste dire que l'infirmière était très bien";
    expect(last(drive(m, [speech(long)])).session.ctx['cancel_comment']).toBe(long);
  });

  test('a global route still applies before the free text', () => {
    expect(last(drive(m, [speech('un conseiller')])).session.state).toBe('agent');
  });

  test('without allow_dtmf, keys are single keys for routes, not a value', () => {
    const steps = drive(m, [dtmf('0')]);
    expect(last(steps).session.state).toBe('agent');
    const s = step(m, steps[0]!.session, dtmf('5'), clock);
    expect(s.session).toMatchObject({ state: 'comment', counters: { nomatch: 1 } });
  });
});

describe('a terminator with nothing typed', () => {
  // Voice delivers "999999#" key by key: the sixth key completes the code, the '#' reaches the next visit alone.
  test('is ignored in a collect state, not counted as a wrong value', async () => {
    const { loadMachine } = await import('../../lib/machine/loader');
    const { startSession, step } = await import('../../workflows/engine');
    const path = await import('node:path');
    const m = loadMachine(path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml'));
    const clock = { nowIso: '2026-11-21T20:00:00Z' };
    const start = startSession(m, { call_id: 'c', session_id: 's', channel: 'voice' }, clock);
    let session: SessionState = { ...start.session, state: 'ivr.auth.verify_otp.retry', waiting: 'input' };
    const hash = step(m, session, { kind: 'dtmf', digits: '#' }, clock);
    expect(hash.session.counters.retry).toBe(0);
    expect(hash.trace).toContainEqual(expect.objectContaining({ kind: 'ignored', reason: 'terminator with no keys typed' }));
    // Recorded before the rule: nothing said again. With it, the code question is asked again.
    expect(hash.commands).toEqual([]);
    const again = step(m, { ...session, rules: { ignoreLoneTerminator: true } }, { kind: 'dtmf', digits: '#' }, clock);
    expect(again.session.counters.retry).toBe(0);
    expect(again.commands.map((c) => c.kind)).toEqual(['say', 'listen']);
    session = hash.session;
    for (const key of ['1', '2', '#']) session = step(m, session, { kind: 'dtmf', digits: key }, clock).session;
    expect(session.state).toBe('ivr.auth.verify_otp.retry');
    expect(session.counters.retry).toBe(1);
  });

  // The code's sixth key completed it and verify_otp moved on to consent: the '#' the caller was asked to press
  // lands on the consent question, a state that collects nothing.
  test('is ignored in a state without collect when the session adopted the rule; counted as before without it', async () => {
    const { loadMachine } = await import('../../lib/machine/loader');
    const { startSession, step } = await import('../../workflows/engine');
    const path = await import('node:path');
    const m = loadMachine(path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml'));
    const clock = { nowIso: '2026-11-21T20:00:00Z' };
    const at = (rules?: { ignoreLoneTerminator: boolean }): SessionState => ({
      ...startSession(m, { call_id: 'c', session_id: 's', channel: 'voice' }, clock, rules).session, state: 'ivr.auth.consent', waiting: 'input',
    });
    const adopted = step(m, at({ ignoreLoneTerminator: true }), { kind: 'dtmf', digits: '#' }, clock);
    expect(adopted.session).toMatchObject({ state: 'ivr.auth.consent', counters: { nomatch: 0 } });
    expect(adopted.trace).toContainEqual({ kind: 'ignored', state: 'ivr.auth.consent', input: 'dtmf', reason: 'terminator with no keys typed' });
    expect(adopted.trace).not.toContainEqual(expect.objectContaining({ kind: 'nomatch' }));
    // The question again (its prompt was skipped as answered by the key), and listening for the answer.
    expect(adopted.commands.map((c) => c.kind)).toEqual(['say', 'listen']);
    expect(adopted.commands[0]).toMatchObject({ text: expect.stringContaining('acceptez-vous') });
    // The consent's own keys still work after it.
    expect(step(m, adopted.session, { kind: 'dtmf', digits: '1' }, clock).session.state).not.toBe('ivr.auth.consent');
    // Sessions recorded before the rule (and any other key) keep the old reading: a no-match, which at consent
    // asks again as a new visit (one of its three).
    const visits = (s: SessionState) => s.visits['ivr.auth.consent'] ?? 0;
    for (const [rules, key] of [[undefined, '#'], [{ ignoreLoneTerminator: true }, '7']] as const) {
      const before = at(rules);
      const after = step(m, before, { kind: 'dtmf', digits: key }, clock);
      expect(after.trace).toContainEqual(expect.objectContaining({ kind: 'nomatch' }));
      expect(visits(after.session)).toBe(visits(before) + 1);
      expect(after.commands.length).toBeGreaterThan(0);
    }
    expect(visits(adopted.session)).toBe(visits(at({ ignoreLoneTerminator: true })));
  });
});
