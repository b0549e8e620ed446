/**
 * intent-collision: inside one listening state, two routed intents (the state's own, and the global routes that
 * apply there) share a DTMF key or a normalized utterance, so the caller's answer is ambiguous (and a colliding
 * global route, e.g. operator, silently stops applying there).
 */
import type { Diagnostic, DocPath } from '../diagnostics';
import { applicableGlobalRoutes, isListening } from '../graph';
import type { Rule } from './rule';

/** Lower case, accents and punctuation removed, spaces collapsed (the engine's matching normalization). */
export function normalizeUtterance(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export const rule: Rule = {
  code: 'intent-collision',
  phase: 'machine',
  run({ src, machine: m }) {
    const out: Diagnostic[] = [];
    for (const s of Object.values(m.states)) {
      if (!isListening(s)) continue;
      const cands: { intent: string; at: DocPath; global: boolean }[] = [];
      const own = new Set<string>();
      s.routes.forEach((r, i) => {
        if ('intent' in r.when && !own.has(r.when.intent)) {
          own.add(r.when.intent);
          cands.push({ intent: r.when.intent, at: ['states', s.name, 'routes', i, 'when_intent'], global: false });
        }
      });
      for (const { route, index } of applicableGlobalRoutes(m, s)) {
        if ('intent' in route.when) cands.push({ intent: route.when.intent, at: ['global_routes', index, 'when_intent'], global: true });
      }
      // Earlier candidates by DTMF key and by normalized utterance: only pairs sharing one are compared, so a menu
      // of thousands of intents is not a quadratic scan.
      const byAnswer = new Map<string, number[]>();
      for (let b = 0; b < cands.length; b++) {
        const intent = m.intents[cands[b]!.intent];
        if (!intent) continue;
        const answers = new Set([...intent.dtmf.map((k) => `dtmf:${k}`), ...intent.utterances.map((u) => `say:${normalizeUtterance(u)}`)]);
        const earlier = new Set<number>();
        for (const answer of answers) {
          const list = byAnswer.get(answer);
          if (list) list.forEach((a) => earlier.add(a));
          else byAnswer.set(answer, []);
          byAnswer.get(answer)!.push(b);
        }
        for (const a of [...earlier].sort((x, y) => x - y)) {
          const A = cands[a]!;
          const B = cands[b]!;
          const ia = m.intents[A.intent];
          const ib = m.intents[B.intent];
          if (!ia || !ib) continue;
          const keys = ia.dtmf.filter((k) => ib.dtmf.includes(k));
          const na = new Set(ia.utterances.map(normalizeUtterance));
          const words = [...new Set(ib.utterances.map(normalizeUtterance).filter((u) => na.has(u)))];
          if (!keys.length && !words.length) continue;
          const what = [keys.length ? `DTMF ${keys.map((k) => `'${k}'`).join(', ')}` : '', words.length ? `utterance ${words.map((w) => `"${w}"`).join(', ')}` : '']
            .filter(Boolean)
            .join(' and ');
          const globalNote = B.global ? ' (global route)' : '';
          // Point at the state's own route when the later one is a global route, so the state is the place to fix.
          const at = B.global ? A.at : B.at;
          out.push(
            src.diag('error', 'intent-collision', `intents '${A.intent}' and '${B.intent}'${globalNote} both answer to ${what} here. Give each a distinct key/utterance in this state.`, at, { state: s.name }),
          );
        }
      }
    }
    return out;
  },
};
