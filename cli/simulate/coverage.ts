/**
 * What a set of conversation scripts exercised in a machine: states entered, routes taken, and failure branches
 * (on_fail, no-input, no-match, fallback, collect retry exhausted, max_visits, handoff failure), from the sessions'
 * trace events. The universe comes from the compiled machine, so "not covered" names exactly what to write next.
 */
import { candidatesFor } from '../../workflows/engine/intents';
import { isListening } from '../../lib/machine/graph';
import type { CompiledMachine } from '../../lib/machine/model';
import type { TraceEvent, TransitionCause } from '../../workflows/engine/types';

export type BranchKind = 'on_fail' | 'noinput' | 'nomatch' | 'fallback' | 'retry_exhausted' | 'max_visits' | 'handoff_failed';

export interface CoverageReport {
  states: { total: number; covered: string[]; uncovered: string[] };
  routes: { total: number; covered: string[]; uncovered: string[] };
  branches: { total: number; covered: string[]; uncovered: string[] };
}

const BRANCH_OF_CAUSE: Partial<Record<TransitionCause, BranchKind>> = {
  on_fail: 'on_fail',
  noinput: 'noinput',
  nomatch: 'nomatch',
  fallback: 'fallback',
  retry_exhausted: 'retry_exhausted',
  max_visits: 'max_visits',
  handoff_failed: 'handoff_failed',
};

/** Every failure branch a state declares, as `state#kind`. */
function declaredBranches(machine: CompiledMachine): string[] {
  const out: string[] = [];
  for (const s of Object.values(machine.states)) {
    const has = (kind: BranchKind) => out.push(`${s.name}#${kind}`);
    if (s.action?.onFail || (s.action && machine.exhaustedNext)) has('on_fail');
    if (s.noinput) has('noinput');
    if (s.nomatch) has('nomatch');
    if (s.fallback) has('fallback');
    if (s.collect?.retry?.onFailNext) has('retry_exhausted');
    if (s.maxVisits) has('max_visits');
    if (s.type === 'handoff') has('handoff_failed');
  }
  return out;
}

export function computeCoverage(machine: CompiledMachine, traces: TraceEvent[][]): CoverageReport {
  const states = Object.keys(machine.states);
  // Routes exist where the session listens; global routes do not apply to action or end states.
  const routes = Object.values(machine.states)
    .filter((s) => isListening(s))
    .flatMap((s) => candidatesFor(machine, s).map((c) => `${s.name} → ${c.id}`));
  const branches = declaredBranches(machine);
  const seenStates = new Set<string>();
  const seenRoutes = new Set<string>();
  const seenBranches = new Set<string>();
  for (const trace of traces) {
    for (const e of trace) {
      if (e.kind === 'enter') {
        seenStates.add(e.state);
        const kind = BRANCH_OF_CAUSE[e.via];
        // The branch belongs to the state the session left.
        if (kind && e.from) seenBranches.add(`${e.from}#${kind}`);
      }
      if (e.kind === 'route') seenRoutes.add(`${e.state} → ${e.route}`);
      if (e.kind === 'noinput') seenBranches.add(`${e.state}#noinput`);
      if (e.kind === 'nomatch') seenBranches.add(`${e.state}#nomatch`);
      if (e.kind === 'action' && e.ok === false) seenBranches.add(`${e.state}#on_fail`);
    }
  }
  const split = (all: string[], seen: Set<string>) => ({
    total: all.length,
    covered: all.filter((x) => seen.has(x)),
    uncovered: all.filter((x) => !seen.has(x)),
  });
  return { states: split(states, seenStates), routes: split(routes, seenRoutes), branches: split(branches, seenBranches) };
}

export function formatCoverage(report: CoverageReport): string {
  const pct = (part: { total: number; covered: string[] }) =>
    part.total === 0 ? '100%' : `${Math.round((100 * part.covered.length) / part.total)}%`;
  const section = (title: string, part: CoverageReport['states']) =>
    [`${title}: ${part.covered.length}/${part.total} (${pct(part)})`, ...part.uncovered.map((x) => `  not covered: ${x}`)].join('\n');
  return [section('States', report.states), section('Routes', report.routes), section('Failure branches', report.branches)].join('\n');
}
