import { drive, dtmf, entered, last, machine, noinput, route, says, speech } from './helpers';

const bye = { type: 'prompt_end' as const, prompt: 'Au revoir.' };
const retry = { type: 'prompt_and_listen' as const, prompt: 'Je n’ai pas compris.', routes: [route('yes', 'bye')] };

describe('no-input / no-match counters of a visit', () => {
  const withBlocks = machine({
    states: {
      ask: {
        type: 'prompt_and_listen',
        prompt: 'Oui ou non ?',
        routes: [route('yes', 'bye'), route('no', 'bye')],
        noinput: { max: 2, next: 'retry' },
        nomatch: { max: 2, next: 'retry' },
      },
      retry,
      bye,
    },
  });

  test('no-input once re-prompts in the same visit, twice goes to the block next', () => {
    const steps = drive(withBlocks, [noinput, noinput]);
    expect(says(steps[1]!)).toEqual(['Oui ou non ?']);
    expect(steps[1]!.session).toMatchObject({ state: 'ask', counters: { noinput: 1, nomatch: 0 }, visits: { ask: 1 } });
    expect(steps[1]!.trace).toEqual([{ kind: 'noinput', state: 'ask', count: 1 }]);
    expect(last(steps).session.state).toBe('retry');
    expect(last(steps).trace).toContainEqual({ kind: 'enter', state: 'retry', from: 'ask', via: 'noinput' });
  });

  test('no-match twice goes to the block next; counters are separate (1 no-input + 1 no-match stays)', () => {
    expect(last(drive(withBlocks, [speech('peut-être'), speech('bof')])).session.state).toBe('retry');
    const mixed = last(drive(withBlocks, [noinput, speech('bof')]));
    expect(mixed.session).toMatchObject({ state: 'ask', counters: { noinput: 1, nomatch: 1 } });
  });

  test('counters are per visit: re-entering the state (even from itself) starts again at 0', () => {
    const loop = machine({
      states: {
        ask: { type: 'prompt_and_listen', prompt: 'Code ?', routes: [route('repeat', 'ask')], noinput: { max: 2, next: 'bye' } },
        bye,
      },
    });
    const s = last(drive(loop, [noinput, dtmf('9'), noinput]));
    expect(s.session).toMatchObject({ state: 'ask', counters: { noinput: 1 }, visits: { ask: 2 } });
  });

  test('a block without next goes to the fallback (with its set), else to exhaustedNext', () => {
    const m = machine({
      states: {
        ask: { type: 'prompt_and_listen', prompt: 'Q', routes: [route('yes', 'bye')], noinput: { max: 1 }, fallback: { next: 'bye', set: { channel: 'whatsapp' } } },
        ask2: { type: 'prompt_and_listen', prompt: 'Q2', routes: [route('yes', 'bye')], nomatch: { max: 1 } },
        bye,
        lost: { type: 'prompt_end', prompt: 'Perdu.' },
      },
      exhaustedNext: 'lost',
    });
    const s = last(drive(m, [noinput]));
    expect(s.session.ctx['channel']).toBe('whatsapp');
    expect(s.trace).toContainEqual({ kind: 'enter', state: 'bye', from: 'ask', via: 'fallback' });
    const s2 = last(drive({ ...m, entry: 'ask2' }, [speech('bof')]));
    expect(s2.trace).toContainEqual({ kind: 'enter', state: 'lost', from: 'ask2', via: 'exhausted' });
  });

  describe('a state with no block', () => {
    test('with a fallback: the first no-input (or no-match) goes to it at once', () => {
      const m = machine({
        states: { ask: { type: 'prompt_and_listen', prompt: 'Q', routes: [route('yes', 'bye')], fallback: { next: 'bye' } }, bye },
      });
      expect(entered(drive(m, [noinput]))).toEqual(['ask', 'bye']);
      expect(entered(drive(m, [speech('bof')]))).toEqual(['ask', 'bye']);
    });

    test('without fallback: behaves as { max: globals.max_noinput }, then exhaustedNext', () => {
      const m = machine({
        states: { ask: { type: 'prompt_and_listen', prompt: 'Q', routes: [route('yes', 'bye')] }, bye, lost: { type: 'prompt_end', prompt: 'Perdu.' } },
        exhaustedNext: 'lost',
        globals: { max_noinput: 3 },
      });
      const steps = drive(m, [noinput, noinput, noinput]);
      for (const i of [1, 2]) {
        expect(says(steps[i]!)).toEqual(['Q']);
        expect(steps[i]!.session).toMatchObject({ state: 'ask', counters: { noinput: i } });
      }
      expect(last(steps).session.state).toBe('lost');
      expect(last(steps).trace).toContainEqual({ kind: 'enter', state: 'lost', from: 'ask', via: 'exhausted' });
    });

    test('without fallback nor exhaustedNext: the session ends as noinput_exhausted', () => {
      const m = machine({ states: { ask: { type: 'prompt_and_listen', prompt: 'Q', routes: [route('yes', 'bye')] }, bye } });
      const steps = drive(m, [speech('bof'), speech('bof')]);
      expect(steps[1]!.session).toMatchObject({ state: 'ask', counters: { nomatch: 1 } });
      const s = last(steps);
      expect(s.session.ended).toEqual({ outcome: 'noinput_exhausted', state: 'ask', declared: { name: 'nomatch_exhausted', goal: false } });
      expect(s.commands).toEqual([{ kind: 'end', outcome: 'noinput_exhausted' }]);
    });
  });

  test('a listening state with a plain next (no collect) takes any unmatched answer as next, but not silence', () => {
    const m = machine({
      states: {
        again: { type: 'prompt_and_listen', prompt: 'Dites le code à nouveau.', routes: [route('text:renvoyer', 'bye')], next: 'code' },
        code: { type: 'prompt_and_listen', prompt: 'Le code ?', routes: [route('yes', 'bye')] },
        bye,
      },
    });
    expect(last(drive(m, [speech('un deux trois')])).trace).toContainEqual({ kind: 'enter', state: 'code', from: 'again', via: 'next' });
    expect(last(drive(m, [speech('renvoyer le code')])).session.state).toBe('bye');
    expect(last(drive(m, [noinput])).session).toMatchObject({ state: 'again', counters: { noinput: 1 } });
  });

  test('blank speech counts as a no-input, not a no-match', () => {
    expect(last(drive(withBlocks, [speech('  ')])).session.counters).toEqual({ noinput: 1, nomatch: 0, retry: 0 });
  });
});

describe('max_visits', () => {
  const m = machine({
    states: {
      verify: { type: 'prompt_and_listen', prompt: 'Code ?', routes: [route('no', 'retry')], maxVisits: { max: 2, next: 'agent' } },
      retry: { type: 'prompt_and_listen', prompt: 'Encore ?', routes: [route('yes', 'verify')] },
      agent: { type: 'prompt_end', prompt: 'Un conseiller.' },
    },
  });

  test('the (max+1)-th entry goes to max_visits.next instead', () => {
    const steps = drive(m, [dtmf('2'), dtmf('1'), dtmf('2'), dtmf('1')]);
    expect(steps[2]!.session.state).toBe('verify');
    const s = last(steps);
    expect(s.trace).toContainEqual({ kind: 'enter', state: 'agent', from: 'verify', via: 'max_visits' });
    expect(s.session.visits).toEqual({ verify: 3, retry: 2, agent: 1 });
    expect(s.session.ended?.state).toBe('agent');
  });

  test('a redirect loop without listening is cut and ends as error', () => {
    const loopy = machine({
      states: {
        a: { type: 'prompt_and_listen', prompt: 'A', routes: [route('yes', 'b')] },
        b: { type: 'handoff', handoff: { enabled: false, queueId: 'q', onFail: { next: 'c' } } },
        c: { type: 'handoff', handoff: { enabled: false, queueId: 'q', onFail: { next: 'b' } } },
      },
    });
    const s = last(drive(loopy, [dtmf('1')]));
    expect(s.session.ended?.outcome).toBe('error');
    expect(s.trace.some((e) => e.kind === 'error' && /more than 50 transitions/.test(e.message))).toBe(true);
  });
});

describe('global routes', () => {
  const m = machine({
    states: {
      entry: { type: 'prompt_and_listen', prompt: 'Q', routes: [route('yes', 'bye')] },
      slots: { type: 'prompt_and_listen', prompt: 'Créneaux', routes: [route('none_of_these', 'none')] },
      bye,
      none: { type: 'prompt_end', prompt: 'Aucun.' },
      agent: { type: 'prompt_end', prompt: 'Conseiller.' },
    },
    globalRoutes: [route('operator', 'agent')],
  });

  test('a global route is a candidate in every listening state and is offered as a choice', () => {
    const steps = drive(m, [dtmf('0')]);
    const listen = steps[0]!.commands.find((c) => c.kind === 'listen');
    expect(listen?.kind === 'listen' && listen.spec.choices.map((c) => c.id)).toEqual(['yes', 'operator']);
    expect(last(steps).session.state).toBe('agent');
  });

  test('on a collision the state wins: "0" is none_of_these in slots and the global operator route is out there', () => {
    const slots = { ...m, entry: 'slots' };
    expect(last(drive(slots, [dtmf('0')])).session.state).toBe('none');
    expect(last(drive(slots, [speech('un conseiller svp')])).session).toMatchObject({ state: 'slots', counters: { nomatch: 1 } });
    const listen = drive(slots, [])[0]!.commands.find((c) => c.kind === 'listen');
    expect(listen?.kind === 'listen' && listen.spec.choices.map((c) => c.id)).toEqual(['none_of_these']);
  });
});

describe('machine defects at run time', () => {
  test('a route to a state that does not exist ends as error, naming it', () => {
    const m = machine({ states: { a: { type: 'prompt_and_listen', prompt: 'A', routes: [route('yes', 'ghost')] } } });
    const s = last(drive(m, [dtmf('1')]));
    expect(s.session.ended?.outcome).toBe('error');
    expect(s.trace).toContainEqual({ kind: 'error', state: 'a', message: 'state "ghost" does not exist (transition from "a" via route); fix the machine file' });
  });
});
