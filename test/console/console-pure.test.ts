/**
 * The console's pure parts, without a server: the visibility query of the filters, the machine's graph, a session's
 * path and turns from a trace and its history facts, and the per-state figures.
 */
import { machineGraph } from '../../api/console/graph';
import { openPageToken, pageTokenKey, quoteValue, sessionFiltersSchema, signPageToken, sessionsQuery } from '../../api/console/query';
import { percentile, stateFigures, statsTable } from '../../api/console/stats';
import { heardOf, machinePhrases, sessionTimeline, type HistoryFacts } from '../../api/console/timeline';
import { layeredLayout } from '../../web/portal/src/console/session-views/layout';
import type { TraceEvent } from '../../workflows/engine/types';
import { outcomesMachine } from '../outcomes/machine';

describe('visibility query', () => {
  it('quotes and escapes every value, and adds only known attributes', () => {
    expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    const q = sessionsQuery({ state: 'ivr.auth.consent', goal: 'not_reached', channel: 'voice', caller_hash: '9f018810d6c08b78', status: 'running' });
    expect(q).toBe(
      'WorkflowType = "sessionWorkflow" AND IvrState = "ivr.auth.consent" AND IvrGoal = "not_reached" AND IvrChannel = "voice" AND IvrCallerHash = "9f018810d6c08b78" AND ExecutionStatus = "Running"',
    );
    expect(sessionsQuery({ status: 'closed' }, new Date('2030-01-01T00:00:00Z'))).toBe('WorkflowType = "sessionWorkflow" AND ExecutionStatus != "Running" AND StartTime >= "2030-01-01T00:00:00.000Z"');
  });

  it('refuses values that could change the query, unknown filters and out-of-range limits', () => {
    const bad = (q: Record<string, string>) => sessionFiltersSchema.safeParse(q).success;
    expect(bad({ state: 'x" OR WorkflowId="y' })).toBe(false);
    expect(bad({ outcome: 'a b' })).toBe(false);
    expect(bad({ caller_hash: '+33612345678' })).toBe(false);
    expect(bad({ goal: 'maybe' })).toBe(false);
    expect(bad({ limit: '500' })).toBe(false);
    expect(bad({ where: '1=1' })).toBe(false);
    expect(sessionFiltersSchema.parse({ machine_version: '1.1.0', limit: '20' })).toEqual({ machine_version: '1.1.0', limit: 20 });
  });
});

describe('page tokens', () => {
  it('open only for the query they were signed for, with the same key, unaltered', () => {
    const key = pageTokenKey('a-session-key-of-the-api-0123456789');
    const raw = Buffer.from([1, 2, 3, 250, 251]);
    const q = sessionsQuery({ goal: 'reached' });
    const token = signPageToken(key, q, raw);
    expect(sessionFiltersSchema.parse({ page_token: token }).page_token).toBe(token);
    expect(openPageToken(key, q, token)).toEqual(raw);
    expect(openPageToken(key, sessionsQuery({ goal: 'not_reached' }), token)).toBeNull();
    expect(openPageToken(pageTokenKey('another-key-entirely-0123456789'), q, token)).toBeNull();
    const [body, mac] = token.split('.');
    expect(openPageToken(key, q, `${body}A.${mac}`)).toBeNull();
    expect(openPageToken(key, q, body!)).toBeNull();
  });
});

describe('machine graph', () => {
  it('lists the states with type and screen, and labelled edges merged per pair', () => {
    const g = machineGraph(outcomesMachine());
    expect(g.entry).toBe('menu');
    expect(g.nodes).toEqual(expect.arrayContaining([{ id: 'bye', type: 'prompt_end', screen: 'C2', final: true }, { id: 'menu', type: 'prompt_and_listen', screen: 'C0', final: false }]));
    const menuToBook = g.edges.find((e) => e.from === 'menu' && e.to === 'book');
    expect(menuToBook).toMatchObject({ input: true, labels: ['book [1]'] });
    const bookToBye = g.edges.find((e) => e.from === 'book' && e.to === 'bye');
    expect(bookToBye?.labels).toEqual(['success ⇒ booked', 'failure']);
    expect(bookToBye?.input).toBe(false);
    expect(bookToBye?.kind).toBe('main');
    // Silence or no-match at the menu goes to the machine's exhausted_next: drawn only when a session took it.
    expect(g.edges.find((e) => e.from === 'menu' && e.to === 'bye')).toMatchObject({ kind: 'exhausted', labels: ['no-input exhausted', 'no-match exhausted'] });
  });
});

const T0 = Date.parse('2030-03-01T09:00:00Z');
const facts = (over: Partial<HistoryFacts>): HistoryFacts => ({ startedAt: T0, closedAt: null, triggers: [], actionResults: [], prompts: [], updatesCompleted: [], tasksCompleted: [], transcripts: [], ...over });

describe('session timeline', () => {
  const machine = outcomesMachine();
  const booked: TraceEvent[] = [
    { kind: 'enter', state: 'menu', via: 'start' },
    { kind: 'say', state: 'menu', text: 'Pour réserver, tapez 1.' },
    { kind: 'route', state: 'menu', route: 'book', input: 'dtmf' },
    { kind: 'enter', state: 'book', from: 'menu', via: 'route' },
    { kind: 'action', state: 'book', stepId: '1' },
    { kind: 'action', state: 'book', stepId: '1', ok: true, status: 200 },
    { kind: 'say', state: 'book', text: "C'est réservé." },
    { kind: 'outcome', state: 'book', outcome: 'booked', goal: true },
    { kind: 'enter', state: 'bye', from: 'book', via: 'on_success' },
    { kind: 'say', state: 'bye', text: 'Au revoir.' },
    { kind: 'end', state: 'bye', outcome: 'completed', declared: { name: 'booked', goal: true } },
  ];

  it('times each state by the step that entered it, and makes one row per caller input', () => {
    const t = sessionTimeline(booked, facts({
      closedAt: T0 + 5000,
      triggers: [{ eventId: 10, at: T0 + 2000, kind: 'input', input: { eventId: 'e1', kind: 'dtmf', digits: '1' } }],
      actionResults: [T0 + 3000],
      tasksCompleted: [{ eventId: 5, at: T0 + 100 }, { eventId: 12, at: T0 + 2050 }, { eventId: 16, at: T0 + 3100 }],
    }), machine);
    expect(t.path).toEqual([
      { state: 'menu', enteredAt: '2030-03-01T09:00:00.000Z', via: 'start', spentMs: 2000 },
      { state: 'book', enteredAt: '2030-03-01T09:00:02.000Z', via: 'route', spentMs: 1000 },
      { state: 'bye', enteredAt: '2030-03-01T09:00:03.000Z', via: 'on_success', spentMs: 2000 },
    ]);
    expect(t.turns).toEqual([{
      index: 1, at: '2030-03-01T09:00:02.000Z', state: 'menu', prompt: ['Pour réserver, tapez 1.'], heard: { kind: 'dtmf', value: '1' },
      result: 'route:book', actions: [{ endpoint: null, ok: true, status: 200 }], next: 'bye', latencyMs: 1100,
    }]);
    expect(t.hangupState).toBeNull();
  });

  it('a portal update answers at its completion; a silence is the session’s timer; a hang-up jumps the queue', () => {
    const trace: TraceEvent[] = [
      { kind: 'enter', state: 'menu', via: 'start' },
      { kind: 'say', state: 'menu', text: 'Tapez 1.' },
      { kind: 'noinput', state: 'menu', count: 1 },
      { kind: 'say', state: 'menu', text: 'Je n’ai rien entendu. Tapez 1.' },
      { kind: 'nomatch', state: 'menu', count: 1 },
      { kind: 'say', state: 'menu', text: 'Je n’ai pas compris.' },
      { kind: 'end', state: 'menu', outcome: 'hangup', declared: { name: 'caller_hung_up', goal: false } },
    ];
    const t = sessionTimeline(trace, facts({
      closedAt: T0 + 9000,
      triggers: [
        { eventId: 8, at: T0 + 1000, kind: 'timer' },
        { eventId: 12, at: T0 + 2000, kind: 'input', input: { eventId: 'u1', kind: 'text', text: 'appelez Jean Dupont' }, updateId: 'up1' },
        { eventId: 20, at: T0 + 8000, kind: 'input', input: { eventId: 'h', kind: 'hangup' } },
      ],
      updatesCompleted: [{ updateId: 'up1', at: T0 + 2300 }],
    }), machine);
    expect(t.turns.map((r) => [r.result, r.heard, r.at, r.latencyMs])).toEqual([
      ['noinput', { kind: 'timeout', value: null }, '2030-03-01T09:00:01.000Z', null],
      ['nomatch', { kind: 'text', value: '•••nt' }, '2030-03-01T09:00:02.000Z', 300],
      ['hangup', { kind: 'hangup', value: null }, '2030-03-01T09:00:08.000Z', null],
    ]);
    expect(t.turns[1]!.prompt).toEqual(['Je n’ai rien entendu. Tapez 1.']);
    expect(t.hangupState).toBe('menu');
    expect(t.path).toEqual([{ state: 'menu', enteredAt: '2030-03-01T09:00:00.000Z', via: 'start', spentMs: 9000 }]);
  });

  it('keys typed one event at a time in a collect state make one turn, at the key that ended the sequence', () => {
    const m = outcomesMachine(`
machine: keys_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: code
globals: { noinput_timeout_sec: 5, max_noinput: 2, max_nomatch: 2, exhausted_next: bye }
states:
  code:
    type: prompt_and_listen
    prompt: "Tapez votre code."
    collect: { mode: otp, length: 4, into: otp_code }
    next: bye
  bye:
    type: prompt_end
    prompt: "Au revoir."
    outcome: noinput_exhausted
`);
    const trace: TraceEvent[] = [
      { kind: 'enter', state: 'code', via: 'start' },
      { kind: 'say', state: 'code', text: 'Tapez votre code.' },
      { kind: 'collected', state: 'code', key: 'otp_code' },
      { kind: 'enter', state: 'bye', from: 'code', via: 'collected' },
      { kind: 'ignored', state: 'bye', input: 'dtmf', reason: 'not listening' },
    ];
    const key = (eventId: number, digits: string) => ({ eventId, at: T0 + eventId * 100, kind: 'input' as const, input: { eventId: `k${eventId}`, kind: 'dtmf' as const, digits } });
    const t = sessionTimeline(trace, facts({ triggers: [key(1, '1'), key(2, '2'), key(3, '34'), key(4, '#')] }), m);
    expect(t.turns.map((r) => [r.result, r.heard, r.at])).toEqual([
      ['collected:otp_code', { kind: 'dtmf', value: '•••' }, '2030-03-01T09:00:00.300Z'],
      ['ignored', { kind: 'dtmf', value: '•••' }, '2030-03-01T09:00:00.400Z'],
    ]);
    expect(t.path.map((p) => [p.state, p.enteredAt])).toEqual([['code', '2030-03-01T09:00:00.000Z'], ['bye', '2030-03-01T09:00:00.300Z']]);
  });

  it('masks what was heard as the session masks ctx: collected values by key, words unless the machine’s own', () => {
    const phrases = machinePhrases(machine);
    expect(phrases.has('réserver')).toBe(true);
    expect(heardOf({ eventId: 'a', kind: 'text', text: 'Réserver' }, 'route:book', phrases)).toEqual({ kind: 'text', value: 'Réserver' });
    expect(heardOf({ eventId: 'a', kind: 'dtmf', digits: '0612345678' }, 'collected:phone_e164', phrases)).toEqual({ kind: 'dtmf', value: '•••78' });
    expect(heardOf({ eventId: 'a', kind: 'text', text: '123456' }, 'collected:otp', phrases)).toEqual({ kind: 'text', value: '•••' });
    expect(heardOf({ eventId: 'a', kind: 'dtmf', digits: '9' }, 'nomatch', phrases)).toEqual({ kind: 'dtmf', value: '•••' });
    expect(heardOf({ eventId: 'a', kind: 'speech', text: 'mon nom est Martin' }, 'nomatch', phrases)).toEqual({ kind: 'speech', value: '•••in' });
    expect(heardOf(undefined, 'noinput', phrases)).toEqual({ kind: 'timeout', value: null });
  });
});

describe('per-state figures', () => {
  it('percentile is nearest-rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
    expect(percentile([7], 95)).toBe(7);
  });

  it('counts visits, rates over the turns of each state, times per visit and hang-ups', () => {
    const row = (state: string, result: string) => ({ index: 1, at: null, state, prompt: [], heard: { kind: 'dtmf' as const, value: null }, result, actions: [], next: null, latencyMs: null });
    const report = stateFigures([
      { path: [{ state: 'menu', enteredAt: '', via: 'start', spentMs: 1000 }, { state: 'bye', enteredAt: '', via: 'route', spentMs: 500 }], turns: [row('menu', 'noinput'), row('menu', 'route:book')], hangupState: null },
      { path: [{ state: 'menu', enteredAt: '', via: 'start', spentMs: 3000 }], turns: [row('menu', 'nomatch'), row('menu', 'invalid'), row('menu', 'hangup')], hangupState: 'menu' },
    ]);
    expect(report.sessions).toBe(2);
    expect(report.states[0]).toEqual({ state: 'menu', visits: 2, turns: 5, noinputRate: 0.2, nomatchRate: 0.4, p50Ms: 1000, p95Ms: 3000, hangups: 1 });
    expect(report.states[1]).toEqual({ state: 'bye', visits: 1, turns: 0, noinputRate: null, nomatchRate: null, p50Ms: 500, p95Ms: 500, hangups: 0 });
    const table = statsTable(report);
    expect(table.split('\n')[0]).toMatch(/^state\s+visits\s+turns\s+no-input\s+no-match\s+p50\s+p95\s+hang-ups$/);
    expect(table).toMatch(/menu\s+2\s+5\s+20%\s+40%\s+1\.0s\s+3\.0s\s+1/);
    expect(table).toMatch(/2 session\(s\) read$/);
  });
});

describe('diagram layout', () => {
  it('puts each state on the layer of its distance from the entry, unreachable ones last, back edges on the side', () => {
    const l = layeredLayout({
      entry: 'a',
      nodes: [{ id: 'a', screen: 'C0' }, { id: 'b', screen: 'C1' }, { id: 'c', screen: 'C1' }, { id: 'd', screen: null }, { id: 'orphan', screen: null }],
      edges: [{ from: 'a', to: 'b' }, { from: 'a', to: 'c' }, { from: 'b', to: 'd' }, { from: 'd', to: 'a' }, { from: 'c', to: 'c' }],
    });
    const layer = Object.fromEntries(l.nodes.map((n) => [n.id, n.layer]));
    expect(layer).toEqual({ a: 0, b: 1, c: 1, d: 2, orphan: 3 });
    const at = Object.fromEntries(l.nodes.map((n) => [n.id, n]));
    expect(at.b!.y).toBe(at.c!.y);
    expect(at.b!.x).not.toBe(at.c!.x);
    expect(at.d!.y).toBeGreaterThan(at.b!.y);
    // Every node fits in the drawing.
    for (const n of l.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x + l.nodeWidth).toBeLessThanOrEqual(l.width);
      expect(n.y + l.nodeHeight).toBeLessThanOrEqual(l.height);
    }
    expect(l.edges).toHaveLength(5);
    const down = l.edges.find((e) => e.from === 'a' && e.to === 'b')!;
    expect(down.d).toMatch(/^M [\d.]+ [\d.]+ C /);
    const back = l.edges.find((e) => e.from === 'd' && e.to === 'a')!;
    expect(back.d.startsWith(`M ${at.d!.x}`) || back.d.startsWith(`M ${at.d!.x + l.nodeWidth}`)).toBe(true);
  });
});
