import { startSession, step } from '../../workflows/engine';
import { clock, drive, dtmf, entered, failed, hangup, last, machine, ok, route, says, speech, text } from './helpers';

const m = machine({
  states: {
    entry: {
      type: 'prompt_and_listen',
      prompt: 'Bonjour. Dites "rendez-vous" ou tapez 1.',
      routes: [route('take_appointment', 'list', { intent_seen: 'take' }), route('operator', 'agent')],
    },
    list: {
      type: 'action_then_prompt',
      action: {
        call: 'GET /appointments',
        endpoint: 'list_appointments',
        query: { scope: 'upcoming' },
        headers: { Authorization: 'Bearer {{ctx.token}}' },
        onSuccess: { set: { appt_list: '{{resp.appointments}}' }, prompt: 'Vous avez {{resp.count}} rendez-vous.', next: 'router' },
      },
    },
    router: { type: 'listen', routes: [route('choose_first', 'bye', { appt_selected_id: '{{ctx.appt_list[0].id}}' })] },
    agent: {
      type: 'handoff',
      handoff: { enabled: true, queueId: 'care_queue_1', prompt: 'Je vous mets en relation.', onFail: { prompt: 'Indisponible.', next: 'bye' } },
    },
    agent_off: { type: 'handoff', handoff: { enabled: false, queueId: 'q', onFail: { prompt: 'Fermé.', next: 'bye' } } },
    bye: { type: 'prompt_end', prompt: 'Merci. Au revoir.' },
  },
});

describe('prompt_and_listen', () => {
  test('start says the prompt with barge-in and listens with the routes as choices, DTMF keys and hints', () => {
    const s = startSession(m, { call_id: 'c1' }, clock);
    expect(s.session).toMatchObject({ state: 'entry', waiting: 'input', visits: { entry: 1 }, lastPrompt: 'Bonjour. Dites "rendez-vous" ou tapez 1.' });
    expect(s.commands[0]).toEqual({ kind: 'say', text: 'Bonjour. Dites "rendez-vous" ou tapez 1.', bargeIn: true });
    const listen = s.commands[1];
    expect(listen?.kind).toBe('listen');
    if (listen?.kind !== 'listen') return;
    expect(listen.spec.choices).toEqual([
      { id: 'take_appointment', label: 'rendez-vous', dtmf: ['1'] },
      { id: 'operator', label: 'conseiller', dtmf: ['0'] },
    ]);
    expect(listen.spec.hints).toEqual(['rendez-vous', 'rdv', 'prendre rendez-vous', 'conseiller', 'agent', 'humain']);
    expect(listen.spec).toMatchObject({ timeoutSec: 5, allowDtmf: true });
    expect(listen.spec.collect).toBeUndefined();
    expect(s.trace).toEqual([{ kind: 'enter', state: 'entry', via: 'start' }]);
  });

  test('a route applies its set and moves on; speech, DTMF and portal text (choice id) all select it', () => {
    for (const input of [dtmf('1'), speech('Je veux un RDV'), text('take_appointment')]) {
      const steps = drive(m, [input], { token: 'tok' });
      const s = last(steps);
      expect(s.session.state).toBe('list');
      expect(s.session.ctx['intent_seen']).toBe('take');
      expect(s.trace[0]).toEqual({ kind: 'route', state: 'entry', route: 'take_appointment', input: input.kind });
    }
  });

  test('several keys in one event outside collect: the first key decides', () => {
    expect(last(drive(m, [dtmf('12')])).session.state).toBe('list');
  });
});

describe('action_then_prompt and listen', () => {
  test('the action is issued on entry with a step id, then on_success sets, says and goes to the listen state', () => {
    const steps = drive(m, [dtmf('1')], { token: 'tok' });
    const action = last(steps).commands.find((c) => c.kind === 'action');
    expect(action).toEqual({
      kind: 'action',
      stepId: '1',
      endpoint: 'list_appointments',
      mutating: false,
      request: { method: 'GET', path: '/appointments', query: { scope: 'upcoming' }, headers: { Authorization: 'Bearer tok' } },
    });
    expect(last(steps).session).toMatchObject({ waiting: 'action', pendingStepId: '1' });
    const after = step(m, last(steps).session, ok('1', { count: 2, appointments: [{ id: 31 }, { id: 32 }] }), clock);
    expect(after.session.ctx['appt_list']).toEqual([{ id: 31 }, { id: 32 }]);
    expect(says(after)).toEqual(['Vous avez 2 rendez-vous.']);
    expect(after.session.state).toBe('router');
    expect(after.commands.map((c) => c.kind)).toEqual(['say', 'listen']);
    // The listen state's route reads the cached list.
    const chosen = step(m, after.session, speech('le premier'), clock);
    expect(chosen.session.ctx['appt_selected_id']).toBe(31);
    expect(chosen.session.state).toBe('bye');
  });

  test('a listen state re-prompts with the last prompt said (the question came from the previous state)', () => {
    const steps = drive(m, [dtmf('1'), ok('1', { count: 1, appointments: [] }), speech('bof')]);
    expect(says(last(steps))).toEqual(['Vous avez 1 rendez-vous.']);
    expect(last(steps).session).toMatchObject({ state: 'router', counters: { nomatch: 1 } });
  });
});

describe('handoff', () => {
  test('enabled: says the prompt, asks for a transfer with ids only, ends as handoff on success', () => {
    const steps = drive(m, [dtmf('0')], { call_id: 'c1', session_id: 's1', partner_id: 7, phone_e164: '+33612345678', otp: '123456', portal_session_token: 'secret' });
    const s = last(steps);
    expect(says(s)).toEqual(['Je vous mets en relation.']);
    const h = s.commands.find((c) => c.kind === 'handoff');
    expect(h).toEqual({
      kind: 'handoff',
      queueId: 'care_queue_1',
      vars: { machine: 'test_machine', machine_version: '0.0.1', state: 'agent', from_state: 'entry', call_id: 'c1', session_id: 's1', partner_id: '7' },
    });
    expect(s.session.waiting).toBe('handoff');
    const done = step(m, s.session, { kind: 'handoff_result', ok: true }, clock);
    expect(done.session.ended).toEqual({ outcome: 'handoff', state: 'agent', declared: { name: 'handed_off', goal: true } });
    expect(done.commands).toEqual([{ kind: 'end', outcome: 'handoff' }]);
  });

  test('a failed transfer says on_fail.prompt and goes to on_fail.next', () => {
    const s = last(drive(m, [dtmf('0'), { kind: 'handoff_result', ok: false }]));
    expect(says(s)).toEqual(['Indisponible.', 'Merci. Au revoir.']);
    expect(s.trace.find((e) => e.kind === 'enter')).toEqual({ kind: 'enter', state: 'bye', from: 'agent', via: 'handoff_failed' });
  });

  test('disabled: on_fail at once, no transfer asked', () => {
    const m2 = { ...m, entry: 'agent_off' };
    const s = startSession(m2, {}, clock);
    expect(s.commands.some((c) => c.kind === 'handoff')).toBe(false);
    expect(says(s)).toEqual(['Fermé.', 'Merci. Au revoir.']);
    expect(s.session.ended?.outcome).toBe('completed');
  });
});

describe('prompt_end', () => {
  test('says the prompt without barge-in and ends completed', () => {
    const s = startSession({ ...m, entry: 'bye' }, {}, clock);
    expect(s.commands).toEqual([
      { kind: 'say', text: 'Merci. Au revoir.', bargeIn: false },
      { kind: 'end', outcome: 'completed' },
    ]);
    expect(s.session).toMatchObject({ ended: { outcome: 'completed', state: 'bye' }, waiting: 'nothing' });
  });
});

describe('hang-up and stray inputs', () => {
  test('hang-up while listening ends with outcome hangup', () => {
    const s = last(drive(m, [hangup]));
    expect(s.commands).toEqual([{ kind: 'end', outcome: 'hangup' }]);
    expect(s.session.ended).toEqual({ outcome: 'hangup', state: 'entry', declared: { name: 'caller_hung_up', goal: false } });
  });

  test('hang-up while an action is in flight ends at once; its late result is ignored', () => {
    const steps = drive(m, [dtmf('1'), hangup, ok('1', { count: 0 })]);
    expect(steps[2]!.session.ended).toEqual({ outcome: 'hangup', state: 'list', declared: { name: 'caller_hung_up', goal: false } });
    expect(last(steps).commands).toEqual([]);
    expect(last(steps).trace).toEqual([{ kind: 'ignored', state: 'list', input: 'action_result', reason: 'session already ended (hangup)' }]);
  });

  test('speech during an action, a result for another step, a second start are ignored and traced', () => {
    const steps = drive(m, [dtmf('1'), speech('conseiller'), failed('7'), { kind: 'start' }, { kind: 'handoff_result', ok: true }]);
    for (const s of steps.slice(2)) {
      expect(s.commands).toEqual([]);
      expect(s.trace).toHaveLength(1);
      expect(s.trace[0]?.kind).toBe('ignored');
      expect(s.session).toEqual(steps[1]!.session);
    }
    // The right result still works afterwards.
    expect(step(m, last(steps).session, ok('1', { count: 0, appointments: [] }), clock).session.state).toBe('router');
  });

  test('the input session is never mutated', () => {
    const s0 = startSession(m, { token: 'x' }, clock);
    const frozen = JSON.stringify(s0.session);
    step(m, s0.session, dtmf('1'), clock);
    step(m, s0.session, hangup, clock);
    expect(JSON.stringify(s0.session)).toBe(frozen);
  });

  test('entered() sees the whole journey', () => {
    expect(entered(drive(m, [dtmf('1'), ok('1', { count: 1, appointments: [{ id: 5 }] }), dtmf('1')]))).toEqual(['entry', 'list', 'router', 'bye']);
  });
});
