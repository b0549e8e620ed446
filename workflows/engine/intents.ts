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
 * Candidates of a state, in priority order: the state's routes, then the global routes that do not collide with
 * them. A global route collides when its intent (or text) is one of the state's, or it shares a DTMF key or a
 * normalized utterance with one of the state's routes; a colliding global route does not apply in that state
 * (the state wins). The checker reports such collisions (`intent-collision`), so a checked machine has none.
 */
export function candidatesFor(machine: CompiledMachine, state: CompiledState): readonly Candidate[] {
  // Machines are immutable data frozen into a session: the candidates of a state never change, compute them once.
  let perState = CACHE.get(machine);
  if (!perState) {
    perState = new Map();
    CACHE.set(machine, perState);
  }
  let cands = perState.get(state.name);
  if (!cands) {
    cands = computeCandidates(machine, state);
    perState.set(state.name, cands);
  }
  return cands;
}

const CACHE = new WeakMap<CompiledMachine, Map<string, readonly Candidate[]>>();

function computeCandidates(machine: CompiledMachine, state: CompiledState): readonly Candidate[] {
  const own = state.routes.map((r) => candidateOf(machine, r, false));
  const ids = new Set(own.map((c) => c.id));
  const keys = new Set(own.flatMap((c) => c.dtmf));
  const words = new Set(own.flatMap((c) => c.normalized));
  const out = [...own];
  for (const route of machine.globalRoutes) {
    const c = candidateOf(machine, route, true);
    const collides = ids.has(c.id) || c.dtmf.some((k) => keys.has(k)) || c.normalized.some((n) => words.has(n));
    if (collides) continue;
    ids.add(c.id);
    out.push(c);
  }
  return out;
}

/** Speech or typed text → the candidate whose matching utterance is longest; ties go to the one listed first. */
export function resolveText(cands: readonly Candidate[], text: string): Candidate | undefined {
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
export function resolveDtmf(cands: readonly Candidate[], sequence: string): Candidate | undefined {
  if (sequence === '') return undefined;
  return cands.find((c) => c.dtmf.includes(sequence));
}
