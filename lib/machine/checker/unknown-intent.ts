/** unknown-intent: a route (state or global) whose when_intent is not defined under `intents`. */
import { suggester, type Diagnostic } from '../diagnostics';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'unknown-intent',
  phase: 'machine',
  run({ src, machine: m }) {
    const suggest = suggester(Object.keys(m.intents));
    const out: Diagnostic[] = [];
    const check = (intent: string, at: (string | number)[]): void => {
      if (!m.intents[intent]) out.push(src.diag('error', 'unknown-intent', `intent '${intent}' is not defined under intents.${suggest(intent)}`, at));
    };
    m.globalRoutes.forEach((r, i) => 'intent' in r.when && check(r.when.intent, ['global_routes', i, 'when_intent']));
    for (const s of Object.values(m.states)) {
      s.routes.forEach((r, i) => 'intent' in r.when && check(r.when.intent, ['states', s.name, 'routes', i, 'when_intent']));
    }
    return out;
  },
};
