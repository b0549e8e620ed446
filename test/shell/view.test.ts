/** The view the `view` query and the portal's update answer, and the trace query, without Temporal. */
import type { CompiledMachine } from '../../lib/machine/model';
import type { ListenSpec, SessionState } from '../../workflows/engine/types';
import { detailsLine, ViewState } from '../../workflows/shell/view';

const machine = { states: { 's.menu': { screen: 'C0' } } } as unknown as CompiledMachine;
const session: SessionState = {
  state: 's.menu',
  ctx: { channel: 'web', caller: '+33612345678' },
  counters: { noinput: 0, nomatch: 0, retry: 0 },
  visits: {},
  dtmfBuffer: '',
  waiting: 'input',
  seq: 1,
  lastPrompt: 'Tapez 1.',
};
const spec: ListenSpec = { timeoutSec: 7, allowDtmf: true, choices: [], hints: ['confirmer'] };

test('the view shows the prompts since the last input, what may be answered, and masks personal ctx', () => {
  const view = new ViewState();
  view.said('s.menu', 'Bonjour.');
  view.said('s.menu', 'Tapez 1.');
  view.listened(spec);
  view.listening = true;
  expect(view.render(machine, session, 3)).toEqual({
    state: 's.menu',
    screen: 'C0',
    prompts: ['Bonjour.', 'Tapez 1.'],
    lastPrompt: 'Tapez 1.',
    waiting: 'input',
    listening: true,
    listen: spec,
    turn: 3,
    ended: undefined,
    ctx: { channel: 'web', caller: '•••78' },
  });
  expect(view.lastListen).toBe(spec);
});

test('a new turn clears the prompts shown, and a view already given keeps its own', () => {
  const view = new ViewState();
  view.said('s.menu', 'Tapez 1.');
  const given = view.render(machine, session, 0);
  view.said('s.menu', 'Encore.');
  view.newTurn();
  view.said('s.menu', 'Merci.');
  expect(given.prompts).toEqual(['Tapez 1.']);
  expect(view.render(machine, session, 1).prompts).toEqual(['Merci.']);
});

test('the trace holds the engine events and the prompts said, read from an index on', () => {
  const view = new ViewState();
  view.recordTrace([{ kind: 'enter', state: 's.menu', via: 'start' }]);
  view.said('s.menu', 'Tapez 1.');
  expect(view.traceSince(0)).toEqual({
    events: [{ kind: 'enter', state: 's.menu', via: 'start' }, { kind: 'say', state: 's.menu', text: 'Tapez 1.' }],
    next: 2,
  });
  expect(view.traceSince(1).events).toEqual([{ kind: 'say', state: 's.menu', text: 'Tapez 1.' }]);
  expect(view.traceSince(-5).next).toBe(2);
  expect(view.traceSince(9)).toEqual({ events: [], next: 2 });
});

test('the details line names the state, what it waits for and the start of the last prompt', () => {
  expect(detailsLine(session)).toBe('**s.menu** (input) — “Tapez 1.”');
  expect(detailsLine({ ...session, lastPrompt: undefined, waiting: 'action' })).toBe('**s.menu** (action)');
  expect(detailsLine({ ...session, lastPrompt: 'x'.repeat(200) })).toBe(`**s.menu** (input) — “${'x'.repeat(120)}”`);
});
