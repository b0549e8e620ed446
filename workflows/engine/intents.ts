/**
 * Intent resolution scoped to one state (see the header of lib/machine/model.ts): the state's own routes, then the
 * machine's global routes minus whatever collides with the state's routes (the state wins).
 */
import { containsWords, normalizeText } from '../../lib/french/normalize';
import type { CompiledMachine, CompiledState, Route } from '../../lib/machine/model';

/**
 * Lower case, accents stripped (NFD), punctuation turned into blanks, blanks collapsed: the same normalization the
 * French parsers use, so that a route and a collect mode never disagree on what was said.
 */
export function normalize(s: string): string {
  return normalizeText(s);
}

/** One route the caller can take in the current state, with what selects it. */
export interface Candidate {
  /** Intent name, or `text:<x>` for a `when_text` route. */
  id: string;
  /** What a button shows: the first utterance, or the text. */
  label: string;
  route: Route;
  /** Utterances as written (hints for speech-to-text). */
  utterances: string[];
  /** Same, normalized, aligned with `utterances`. */
  normalized: string[];
  dtmf: string[];
  global: boolean;
}

function candidateOf(machine: CompiledMachine, route: Route, global: boolean): Candidate {
  if ('intent' in route.when) {
    const intent = machine.intents[route.when.intent];
    const utterances = intent ? [...intent.utterances] : [];
    return {
      id: route.when.intent,
      label: utterances[0] ?? route.when.intent,
      route,
      utterances,
      normalized: utterances.map(normalize),
      dtmf: intent ? [...intent.dtmf] : [],
      global,
    };
  }
  const text = route.when.text;
  return { id: `text:${text}`, label: text, route, utterances: [text], normalized: [normalize(text)], dtmf: [], global };
}

/**
 * Candidates of a state, in priority order. A global route whose intent (or text) is already one of the state's
 * routes is dropped; otherwise only its colliding DTMF keys and utterances are masked, so that "conseiller" still
 * reaches an operator in a state that uses "0" for something else.
 */
export function candidatesFor(machine: CompiledMachine, state: CompiledState): Candidate[] {
  const own = state.routes.map((r) => candidateOf(machine, r, false));
  const ids = new Set(own.map((c) => c.id));
  const keys = new Set(own.flatMap((c) => c.dtmf));
  const words = new Set(own.flatMap((c) => c.normalized));
  const out = [...own];
  for (const route of machine.globalRoutes) {
    const c = candidateOf(machine, route, true);
    if (ids.has(c.id)) continue;
    const kept = c.utterances.map((u, i) => ({ u, n: c.normalized[i] ?? '' })).filter((x) => !words.has(x.n));
    const masked: Candidate = {
      ...c,
      utterances: kept.map((x) => x.u),
      normalized: kept.map((x) => x.n),
      dtmf: c.dtmf.filter((k) => !keys.has(k)),
    };
    if (masked.utterances.length === 0 && masked.dtmf.length === 0) continue;
    masked.label = masked.utterances[0] ?? c.label;
    ids.add(masked.id);
    out.push(masked);
  }
  return out;
}

/** Speech or typed text → the candidate whose matching utterance is longest; ties go to the one listed first. */
export function resolveText(cands: Candidate[], text: string): Candidate | undefined {
  const input = normalize(text);
  if (input === '') return undefined;
  let best: Candidate | undefined;
  let bestLen = -1;
  for (const c of cands) {
    for (const u of c.normalized) {
      if (u.length > bestLen && containsWords(input, u)) {
        best = c;
        bestLen = u.length;
      }
    }
  }
  return best;
}

/** A completed DTMF sequence → the first candidate that lists exactly that sequence. */
export function resolveDtmf(cands: Candidate[], sequence: string): Candidate | undefined {
  if (sequence === '') return undefined;
  return cands.find((c) => c.dtmf.includes(sequence));
}
