import { startSession, step } from '../../workflows/engine';
import type { Command, Step } from '../../workflows/engine';
import { clock, drive, dtmf, failed, last, machine, ok, route, says } from './helpers';

const bye = { type: 'prompt_end' as const, prompt: 'Au revoir.' };

function actionOf(s: Step): Extract<Command, { kind: 'action' }> {
  const a = s.commands.find((c): c is Extract<Command, { kind: 'action' }> => c.kind === 'action');
  if (!a) throw new Error(`no action command in ${JSON.stringify(s.commands)}`);
  return a;
}

describe('request building', () => {
  const m = machine({
    states: {
      cancel: {
        type: 'action_then_prompt',
        action: {
          call: 'PUT /appointments/{id}/cancel',
          endpoint: 'cancel_appointment',
          path: { id: '{{ctx.appt_selected_id}}' },
          query: { dry: false, n: '{{ctx.count}}' },
          headers: { Authorization: 'Bearer {{ctx.portal_session_token}}' },
          body: { reason: '{{ctx.cancel_reason}}', comment: '{{ctx.cancel_comment}}', ids: '{{ctx.ids}}', note: 'motif: {{ctx.cancel_reason}}' },
          onSuccess: { prompt: 'Votre rendez-vous est annulé.', next: 'bye' },
        },
      },
      bye,
    },
  });

  test('templates fill path (URL-encoded), query and headers as strings, body with raw values', () => {
    const s = startSession(
      m,
      { appt_selected_id: '31/../admin?x=1', count: 2, portal_session_token: 'tok', cancel_reason: 'health', cancel_comment: null, ids: [1, 2] },
      clock,
    );
    expect(actionOf(s)).toEqual({
      kind: 'action',
      stepId: '1',
      endpoint: 'cancel_appointment',
      mutating: true,
      request: {
        method: 'PUT',
        path: '/appointments/31%2F..%2Fadmin%3Fx%3D1/cancel',
        query: { dry: 'false', n: '2' },
        headers: { Authorization: 'Bearer tok' },
        body: { reason: 'health', comment: null, ids: [1, 2], note: 'motif: health' },
      },
    });
    expect(s.trace).toContainEqual({ kind: 'action', state: 'cancel', stepId: '1', endpoint: 'cancel_appointment' });
  });

  test('step ids grow with every action of the session (idempotency keys must differ)', () => {
    const loop = machine({
      states: {
        a: { type: 'action_then_prompt', action: { call: 'GET /x', onSuccess: { next: 'b' } } },
        b: { type: 'action_then_prompt', action: { call: 'POST /y', onSuccess: { next: 'a' } } },
      },
    });
    const steps = drive(loop, [ok('1', {}), ok('2', {}), ok('3', {})]);
    expect(steps.map((s) => actionOf(s).stepId)).toEqual(['1', '2', '3', '4']);
    expect(steps.map((s) => actionOf(s).mutating)).toEqual([false, true, false, true]);
  });
});

describe('results', () => {
  const list = machine({
    states: {
      entry: { type: 'prompt_and_listen', prompt: 'Menu', routes: [route('yes', 'list'), route('no', 'persist')] },
      list: {
        type: 'action_then_prompt',
        action: {
          call: 'GET /appointments',
          onSuccess: {
            set: { appt_list: '{{resp.appointments}}' },
            prompt:
              '{{#if resp.count == 0}} Vous n\'avez aucun rendez-vous à venir. {{else}} Vous avez {{resp.count}} rendez-vous à venir. {{resp.summary_voice}} {{/if}}',
            next: 'router',
          },
          onFail: { prompt: 'Je n’arrive pas à accéder à vos rendez-vous.', next: 'agent' },
        },
      },
      persist: { type: 'action_then_prompt', action: { call: 'GET /portal/me', onSuccess: { prompt: 'Merci.', next: 'bye' } } },
      router: { type: 'listen', routes: [route('yes', 'bye')] },
      agent: { type: 'prompt_end', prompt: 'Conseiller.' },
      oops: { type: 'prompt_end', prompt: 'Une erreur est survenue.' },
      bye,
    },
    exhaustedNext: 'oops',
  });

  test('on_success: set with the raw response value, prompt rendered with resp (seed #if), next', () => {
    const none = last(drive(list, [dtmf('1'), ok('1', { count: 0, appointments: [] })]));
    expect(says(none)).toEqual(["Vous n'avez aucun rendez-vous à venir."]);
    expect(none.session.ctx['appt_list']).toEqual([]);
    const two = last(drive(list, [dtmf('1'), ok('1', { count: 2, appointments: [{ id: 1 }, { id: 2 }], summary_voice: 'Lundi, mardi.' })]));
    expect(says(two)).toEqual(['Vous avez 2 rendez-vous à venir. Lundi, mardi.']);
    expect(two.session).toMatchObject({ state: 'router', waiting: 'input', ctx: { appt_list: [{ id: 1 }, { id: 2 }] } });
    expect(two.trace[0]).toEqual({ kind: 'action', state: 'list', stepId: '1', ok: true, status: 200 });
  });

  test('on_fail: prompt then on_fail.next', () => {
    const s = last(drive(list, [dtmf('1'), failed('1', 503)]));
    expect(says(s)).toEqual(['Je n’arrive pas à accéder à vos rendez-vous.', 'Conseiller.']);
    expect(s.trace).toContainEqual({ kind: 'enter', state: 'agent', from: 'list', via: 'on_fail' });
  });

  test('no on_fail: the machine exhaustedNext', () => {
    const s = last(drive(list, [dtmf('2'), failed('1', 404)]));
    expect(s.trace).toContainEqual({ kind: 'enter', state: 'oops', from: 'persist', via: 'exhausted' });
  });

  test('no on_fail and no exhaustedNext: the session ends as error with a reason', () => {
    const s = last(drive({ ...list, exhaustedNext: undefined } as typeof list, [dtmf('2'), failed('1')]));
    expect(s.session.ended).toEqual({ outcome: 'error', state: 'persist', declared: { name: 'error', goal: false } });
    expect(s.trace.some((e) => e.kind === 'error')).toBe(true);
  });

  test('a stale result (another step id) is ignored; the right one still lands', () => {
    const steps = drive(list, [dtmf('1'), ok('0', { count: 9 })]);
    expect(last(steps).trace).toEqual([{ kind: 'ignored', state: 'list', input: 'action_result', reason: 'stale result for step 0; waiting for step 1' }]);
    expect(last(steps).session).toEqual(steps[1]!.session);
    const good = step(list, last(steps).session, ok('1', { count: 0, appointments: [] }), clock);
    expect(good.session.state).toBe('router');
    // And a duplicate delivery of the same result afterwards changes nothing.
    const dup = step(list, good.session, ok('1', { count: 0, appointments: [] }), clock);
    expect(dup.session).toEqual(good.session);
    expect(dup.trace[0]?.kind).toBe('ignored');
  });
});

describe('prompt_from_action', () => {
  test('an action_then_prompt state with prompt_from_action says its prompt after success with resp in scope', () => {
    const m = machine({
      states: {
        detail: {
          type: 'action_then_prompt',
          promptFromAction: true,
          prompt: '{{resp.voice_detail}} Vous pouvez dire "agenda".',
          action: { call: 'GET /appointments/{id}', path: { id: '{{ctx.appt_selected_id}}' }, onSuccess: { next: 'bye' } },
        },
        bye,
      },
    });
    const s0 = startSession(m, { appt_selected_id: 31 }, clock);
    expect(says(s0)).toEqual([]);
    expect(actionOf(s0).request.path).toBe('/appointments/31');
    const s1 = step(m, s0.session, ok('1', { voice_detail: 'Soins lundi à 9h.' }), clock);
    expect(says(s1)[0]).toBe('Soins lundi à 9h. Vous pouvez dire "agenda".');
  });

  test('a listening state with prompt_from_action renders from ctx on entry (ctx.slots[i].voice_label)', () => {
    const m = machine({
      states: {
        choose: {
          type: 'prompt_and_listen',
          promptFromAction: true,
          prompt: 'Premier : {{ctx.slots[0].voice_label}}. Troisième : {{ctx.slots[2].voice_label}}.',
          routes: [route('choose_first', 'bye', { slot_selected_id: '{{ctx.slots[0].id}}' })],
        },
        bye,
      },
    });
    const slots = [
      { id: 'a', voice_label: 'lundi à 9h' },
      { id: 'b', voice_label: 'mardi à 10h' },
      { id: 'c', voice_label: 'jeudi à 14h' },
    ];
    const s = startSession(m, { slots }, clock);
    expect(says(s)).toEqual(['Premier : lundi à 9h. Troisième : jeudi à 14h.']);
    expect(step(m, s.session, dtmf('1'), clock).session.ctx['slot_selected_id']).toBe('a');
  });

  test('an action_then_prompt prompt without prompt_from_action is said before the action (a filler)', () => {
    const m = machine({
      states: { a: { type: 'action_then_prompt', prompt: 'Un instant.', action: { call: 'GET /x', onSuccess: { next: 'bye' } } }, bye },
    });
    expect(startSession(m, {}, clock).commands.map((c) => c.kind)).toEqual(['say', 'action']);
  });
});

test('a listening prompt_from_action prompt sees the previous action response as resp', () => {
  const m = machine({
    states: {
      fetch: { type: 'action_then_prompt', action: { call: 'GET /slots', onSuccess: { set: { slots: '{{resp.slots}}' }, next: 'choose' }, onFail: { next: 'choose' } } },
      choose: {
        type: 'prompt_and_listen',
        promptFromAction: true,
        prompt: '{{#if resp.slots}}Premier : {{resp.slots[0].voice_label}}.{{else}}Aucun créneau.{{/if}}',
        routes: [route('choose_first', 'bye')],
      },
      bye,
    },
  });
  const s = last(drive(m, [ok('1', { slots: [{ id: 'a', voice_label: 'lundi à 9h' }] })]));
  expect(says(s)).toEqual(['Premier : lundi à 9h.']);
  expect(says(last(drive(m, [failed('1')])))).toEqual(['Aucun créneau.']);
});
