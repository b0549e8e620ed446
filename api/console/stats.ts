/**
 * Per-state figures over many sessions: how often each state is entered, how often its listeners hear nothing or
 * nothing understood, how long callers stay, and how many hang up there. Pure: built from the sessions' timelines
 * (timeline.ts); the console's stats route and `ivr stats` print the same numbers.
 */
import type { SessionTimeline } from './timeline';

export interface StateFigures {
  state: string;
  visits: number;
  /** Caller turns answered in this state (inputs, silences and hang-ups). */
  turns: number;
  /** Share of those turns that were silences (0…1); null when the state had no turn. */
  noinputRate: number | null;
  /** Share that were not understood or not a valid value (no-match, invalid collect). */
  nomatchRate: number | null;
  /** Time spent per visit, in ms, over the visits whose end is known. */
  p50Ms: number | null;
  p95Ms: number | null;
  hangups: number;
}

export interface StatsReport {
  sessions: number;
  states: StateFigures[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const rate = (n: number, of: number): number | null => (of === 0 ? null : Math.round((n / of) * 1000) / 1000);

export function stateFigures(timelines: readonly SessionTimeline[]): StatsReport {
  const acc = new Map<string, { visits: number; turns: number; noinput: number; nomatch: number; spent: number[]; hangups: number }>();
  const of = (state: string) => {
    let a = acc.get(state);
    if (!a) acc.set(state, (a = { visits: 0, turns: 0, noinput: 0, nomatch: 0, spent: [], hangups: 0 }));
    return a;
  };
  for (const t of timelines) {
    for (const p of t.path) {
      const a = of(p.state);
      a.visits++;
      if (p.spentMs !== null) a.spent.push(p.spentMs);
    }
    for (const turn of t.turns) {
      const a = of(turn.state);
      a.turns++;
      if (turn.result === 'noinput') a.noinput++;
      if (turn.result === 'nomatch' || turn.result === 'invalid') a.nomatch++;
    }
    if (t.hangupState !== null) of(t.hangupState).hangups++;
  }
  const states = [...acc.entries()].map(([state, a]) => {
    const spent = [...a.spent].sort((x, y) => x - y);
    return {
      state, visits: a.visits, turns: a.turns, noinputRate: rate(a.noinput, a.turns), nomatchRate: rate(a.nomatch, a.turns),
      p50Ms: percentile(spent, 50), p95Ms: percentile(spent, 95), hangups: a.hangups,
    };
  });
  states.sort((x, y) => y.visits - x.visits || x.state.localeCompare(y.state));
  return { sessions: timelines.length, states };
}

const pct = (r: number | null) => (r === null ? '–' : `${Math.round(r * 100)}%`);
const secs = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)}s`);

/** The figures as a text table (what `ivr stats` prints). */
export function statsTable(report: StatsReport): string {
  const head = ['state', 'visits', 'turns', 'no-input', 'no-match', 'p50', 'p95', 'hang-ups'];
  const rows = report.states.map((s) => [s.state, String(s.visits), String(s.turns), pct(s.noinputRate), pct(s.nomatchRate), secs(s.p50Ms), secs(s.p95Ms), String(s.hangups)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line), '', `${report.sessions} session(s) read`].join('\n');
}
