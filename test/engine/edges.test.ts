/** Smaller rules of the engine (see workflows/engine/README.md, "Decisions beyond the model's header"). */
import { drive, dtmf, hangup, last, machine, noinput, route, speech, text } from './helpers';

const bye = { type: 'prompt_end' as const, prompt: 'Au revoir.' };

test('the DTMF terminator comes from globals.dtmf_terminator', () => {
  const m = machine({
    states: { p: { type: 'prompt_and_listen', prompt: 'Numéro', collect: { mode: 'phone' }, next: 'bye' }, bye },
    globals: { dtmf_terminator: '*' },
  });
  // '#' is an ordinary key here: the sequence is not finished.
  expect(last(drive(m, [dtmf('06#')])).session).toMatchObject({ state: 'p', waiting: 'input', dtmfBuffer: '06#' });
  expect(last(drive(m, [dtmf('0612345678*')])).session.ctx['phone_e164']).toBe('+33612345678');
});

test('a required key left empty makes the value invalid', () => {
  const m = machine({
    states: { p: { type: 'prompt_and_listen', prompt: 'Numéro', collect: { mode: 'phone', into: 'phone', required: ['phone_e164'] }, next: 'bye' }, bye },
  });
  const s = last(drive(m, [dtmf('0612345678#')]));
  expect(s.session).toMatchObject({ state: 'p', counters: { nomatch: 1 } });
  expect(s.session.ctx['phone']).toBeUndefined();
});

test('outside collect, a multi-key event equal to an intent sequence is taken whole before its first key', () => {
  const m = machine({
    states: { menu: { type: 'prompt_and_listen', prompt: 'Menu', routes: [route('yes', 'bye'), route('agenda', 'agenda')] }, bye, agenda: { type: 'prompt_end', prompt: 'Agenda.' } },
    intents: { yes: [['oui'], ['1']], agenda: [['agenda'], ['12']] },
  });
  expect(last(drive(m, [dtmf('12')])).session.ended?.state).toBe('agenda');
  expect(last(drive(m, [dtmf('13')])).session.ended?.state).toBe('bye');
});

test('a portal button sends the choice id, including when_text routes', () => {
  const m = machine({
    states: { c: { type: 'prompt_and_listen', prompt: 'Partager ?', routes: [route('text:partager', 'bye')] }, bye },
  });
  expect(last(drive(m, [text('text:partager')])).session.ended?.state).toBe('bye');
  expect(last(drive(m, [speech('text:partager')])).session.state).toBe('bye'); // "partager" is said in it too
  expect(last(drive(m, [text('operator')])).session).toMatchObject({ state: 'c', counters: { nomatch: 1 } });
});

test('hang-up during a transfer ends as hangup, not handoff', () => {
  const m = machine({ states: { h: { type: 'handoff', handoff: { enabled: true, queueId: 'q' } } } });
  const steps = drive(m, [hangup, { kind: 'handoff_result', ok: true }]);
  expect(steps[1]!.session.ended?.outcome).toBe('hangup');
  expect(last(steps).trace[0]?.kind).toBe('ignored');
});

test('a collect state with allow_dtmf: no-input with an empty buffer is a real no-input', () => {
  const m = machine({
    states: { p: { type: 'prompt_and_listen', prompt: 'Numéro', collect: { mode: 'phone' }, noinput: { max: 1, next: 'bye' }, next: 'bye' }, bye },
  });
  expect(last(drive(m, [noinput])).trace).toContainEqual({ kind: 'enter', state: 'bye', from: 'p', via: 'noinput' });
});

test('a machine whose entry is a listen state starts silent and listening', () => {
  const m = machine({ states: { l: { type: 'listen', routes: [route('yes', 'bye')] }, bye } });
  const s = drive(m, [])[0]!;
  expect(s.commands.map((c) => c.kind)).toEqual(['listen']);
  // Nothing was said yet: a re-prompt has nothing to repeat and only listens again.
  expect(last(drive(m, [speech('bof')])).commands.map((c) => c.kind)).toEqual(['listen']);
});

test('a key sequence without terminator or length is cut at 32 keys and judged then', () => {
  const m = machine({ states: { p: { type: 'prompt_and_listen', prompt: 'Numéro', collect: { mode: 'phone' }, next: 'bye' }, bye } });
  const steps = drive(m, [dtmf('1'.repeat(31)), dtmf('11')]);
  expect(steps[1]!.session.dtmfBuffer).toHaveLength(31);
  expect(last(steps).session).toMatchObject({ state: 'p', dtmfBuffer: '', counters: { nomatch: 1 } });
});
