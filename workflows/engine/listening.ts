/**
 * What listening states (prompt_and_listen, listen) share: the listen command, routes, DTMF accumulation,
 * collect, and the no-input / no-match counters of the visit.
 */
import type { CompiledState } from '../../lib/machine/model';
import { COLLECT_MODES, storeCollected, type CollectSource } from './collect';
import { startAction } from './actions';
import { isSealedRef } from './sealed';
import { candidatesFor, resolveDtmf, resolveText, type Candidate } from './intents';
import { AUTO_OUTCOMES, applySet, exhaust, globalString, maxNoinput, maxNomatch, recordOutcome, transition, type ListenInput, type Run } from './run';
import type { ListenSpec } from './types';

/** A key sequence never grows past this (a caller leaning on the keypad): it is then taken as finished. */
export const MAX_DTMF_KEYS = 32;

export function terminatorOf(run: Run): string {
  return globalString(run, 'dtmf_terminator', '#');
}

export function listenSpec(run: Run, state: CompiledState): ListenSpec {
  const cands = candidatesFor(run.machine, state);
  const hints: string[] = [];
  for (const c of cands) for (const u of c.utterances) if (!hints.includes(u)) hints.push(u);
  const spec: ListenSpec = {
    timeoutSec: state.noinputTimeoutSec,
    allowDtmf: state.collect ? state.collect.allowDtmf : run.machine.globals['allow_dtmf'] !== false,
    choices: cands.map((c) => ({ id: c.id, label: c.label, dtmf: [...c.dtmf] })),
    hints,
  };
  if (state.collect) {
    spec.collect = { mode: state.collect.mode, terminator: terminatorOf(run) };
    if (state.collect.length !== undefined) spec.collect.length = state.collect.length;
  }
  return spec;
}

/** Wait for the caller: one listen command. */
export function listenNow(run: Run, state: CompiledState): void {
  run.commands.push({ kind: 'listen', spec: listenSpec(run, state) });
  run.s.waiting = 'input';
  run.s.dtmfBuffer = '';
}

function takeRoute(run: Run, state: CompiledState, c: Candidate, input: 'dtmf' | 'speech' | 'text'): void {
  run.trace.push({ kind: 'route', state: state.name, route: c.id, input });
  recordOutcome(run, c.route.outcome);
  applySet(run, c.route.set);
  transition(run, c.route.next, 'route');
}

function takeFallback(run: Run, state: CompiledState, kind: 'noinput' | 'nomatch', declared?: string): boolean {
  if (!state.fallback) return false;
  recordOutcome(run, declared ?? state.fallback.outcome ?? AUTO_OUTCOMES[kind]);
  applySet(run, state.fallback.set);
  transition(run, state.fallback.next, 'fallback');
  return true;
}

/** A no-input or no-match in this visit: re-prompt while below max, then the block's next, fallback, exhaustedNext. */
export function countFailure(run: Run, state: CompiledState, kind: 'noinput' | 'nomatch', reprompt: () => void): void {
  const count = ++run.s.counters[kind];
  run.trace.push({ kind, state: state.name, count });
  const block = state[kind];
  if (block) {
    if (count < block.max) return reprompt();
    if (block.next !== undefined) {
      recordOutcome(run, block.outcome ?? AUTO_OUTCOMES[kind]);
      return transition(run, block.next, kind);
    }
    if (takeFallback(run, state, kind, block.outcome)) return;
    return exhaust(run, kind, run.s.state, block.outcome);
  }
  if (takeFallback(run, state, kind)) return;
  // No block, no fallback: as if the block were { max: globals.max_noinput (max_nomatch) } with no next.
  if (count < (kind === 'noinput' ? maxNoinput(run) : maxNomatch(run))) return reprompt();
  exhaust(run, kind);
}

/** Anything that is not a route and not a valid value. */
function unmatched(run: Run, state: CompiledState, reprompt: () => void): void {
  // A plain `next` without collect takes any answer (e.g. "say the code again" → back to the code question).
  if (state.next !== undefined && !state.collect) {
    transition(run, state.next, 'next');
    return;
  }
  countFailure(run, state, 'nomatch', reprompt);
}

function collectValue(run: Run, state: CompiledState, text: string, source: CollectSource, reprompt: () => void): void {
  const collect = state.collect;
  if (!collect) return unmatched(run, state, reprompt);
  const ctx = { nowIso: run.clock.nowIso, timezone: run.machine.timezone, ...(collect.length !== undefined ? { length: collect.length } : {}) };
  const result = COLLECT_MODES[collect.mode](text, source, ctx);
  const entries = result.ok ? storeCollected(collect, result.value) : [];
  const proposed = { ...run.s.ctx, ...Object.fromEntries(entries) };
  const missing = collect.required.filter((k) => proposed[k] === undefined || proposed[k] === null || proposed[k] === '');
  if (result.ok && missing.length === 0) {
    for (const [k, v] of entries) {
      run.s.ctx[k] = v;
      run.trace.push({ kind: 'collected', state: state.name, key: k });
    }
    if (collect.mode === 'otp') run.s.oneTimeKeys = entries.map(([k]) => k);
    if (state.action) return startAction(run, state);
    if (state.next !== undefined) return transition(run, state.next, 'collected');
    return exhaust(run, 'next');
  }
  // Invalid value: the collect's own retry counter if it has one, else a no-match of the visit.
  if (collect.retry) {
    const count = ++run.s.counters.retry;
    run.trace.push({ kind: 'invalid', state: state.name, mode: collect.mode, count });
    if (count < collect.retry.max) return reprompt();
    if (collect.retry.onFailNext !== undefined) {
      recordOutcome(run, collect.retry.outcome ?? AUTO_OUTCOMES.retry);
      return transition(run, collect.retry.onFailNext, 'retry_exhausted');
    }
    return exhaust(run, 'retry', run.s.state, collect.retry.outcome);
  }
  run.trace.push({ kind: 'invalid', state: state.name, mode: collect.mode, count: run.s.counters.nomatch + 1 });
  countFailure(run, state, 'nomatch', reprompt);
}

/**
 * A lone terminator nobody routes: the caller confirming keys the previous state already took. Not a wrong answer
 * (no counter, no visit), but the question is asked again: the channel skipped its prompt as answered by this key
 * (barge-in), so without it the caller would wait in silence for the no-input timeout.
 */
function askAgain(run: Run, state: CompiledState, reprompt: () => void): void {
  run.trace.push({ kind: 'ignored', state: state.name, input: 'dtmf', reason: 'terminator with no keys typed' });
  reprompt();
}

/** A finished key sequence in a collect state: a route key first ("0" or "0#"), else a value. */
function completeDtmf(run: Run, state: CompiledState, sequence: string, terminated: boolean, reprompt: () => void): void {
  run.s.dtmfBuffer = '';
  const cands = candidatesFor(run.machine, state);
  const hit = resolveDtmf(cands, sequence) ?? (terminated ? resolveDtmf(cands, sequence + terminatorOf(run)) : undefined);
  if (hit) return takeRoute(run, state, hit, 'dtmf');
  collectValue(run, state, sequence, 'dtmf', reprompt);
}

export function onListeningInput(run: Run, state: CompiledState, input: ListenInput, reprompt: () => void): void {
  const collectsDtmf = state.collect !== undefined && state.collect.allowDtmf;
  // Speech-to-text that heard nothing is silence, not a wrong answer.
  const blank = (input.kind === 'speech' || input.kind === 'text') && input.text.trim() === '';
  if (input.kind === 'noinput' || blank) {
    // Keys typed then silence (no terminator): the silence ends the sequence.
    if (collectsDtmf && run.s.dtmfBuffer !== '') return completeDtmf(run, state, run.s.dtmfBuffer, false, reprompt);
    return countFailure(run, state, 'noinput', reprompt);
  }
  if (input.kind === 'dtmf') {
    if (collectsDtmf) {
      const term = terminatorOf(run);
      const length = state.collect?.length;
      for (const key of input.digits) {
        if (key === term) {
          // A terminator with nothing typed is the caller confirming keys the previous state already took (a voice
          // channel delivers "123456#" key by key, and the sixth key completed the code): not a wrong answer.
          if (run.s.dtmfBuffer === '' && !resolveDtmf(candidatesFor(run.machine, state), term)) {
            if (run.s.rules?.ignoreLoneTerminator && input.digits === term) return askAgain(run, state, reprompt);
            run.trace.push({ kind: 'ignored', state: state.name, input: 'dtmf', reason: 'terminator with no keys typed' });
            continue;
          }
          return completeDtmf(run, state, run.s.dtmfBuffer, true, reprompt);
        }
        run.s.dtmfBuffer += key;
        const full = run.s.dtmfBuffer.length >= (length ?? MAX_DTMF_KEYS);
        if (full) return completeDtmf(run, state, run.s.dtmfBuffer, false, reprompt);
      }
      return; // Sequence not finished: keep listening, nothing to do.
    }
    const cands = candidatesFor(run.machine, state);
    // Outside collect a single key is the input; several keys in one event are tried whole, then by the first key.
    const first = input.digits.charAt(0);
    const hit = resolveDtmf(cands, input.digits) ?? (input.digits.length > 1 ? resolveDtmf(cands, first) : undefined);
    if (hit) return takeRoute(run, state, hit, 'dtmf');
    if (run.s.rules?.ignoreLoneTerminator && input.digits === terminatorOf(run)) return askAgain(run, state, reprompt);
    return unmatched(run, state, reprompt);
  }
  // A code the portal sealed is a value, never a route (its random text must not match an utterance).
  if (input.kind === 'text' && state.collect?.mode === 'otp' && isSealedRef(input.text.trim())) {
    return collectValue(run, state, input.text, input.kind, reprompt);
  }
  const cands = candidatesFor(run.machine, state);
  // The portal's buttons send the choice id as text.
  const byId = input.kind === 'text' ? cands.find((c) => c.id === input.text) : undefined;
  const hit = byId ?? resolveText(cands, input.text);
  if (hit) return takeRoute(run, state, hit, input.kind);
  if (state.collect) return collectValue(run, state, input.text, input.kind, reprompt);
  unmatched(run, state, reprompt);
}
