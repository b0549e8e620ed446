/** unused-intent (warning): an intent defined under `intents` that no route names. */
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'unused-intent',
  phase: 'machine',
  run({ src, machine: m }) {
    const used = new Set<string>();
    for (const r of [...m.globalRoutes, ...Object.values(m.states).flatMap((s) => s.routes)]) {
      if ('intent' in r.when) used.add(r.when.intent);
    }
    return Object.keys(m.intents)
      .filter((n) => !used.has(n))
      .map((n) => src.diag('warning', 'unused-intent', `intent '${n}' is defined but no route uses it.`, ['intents', n], { key: true }));
  },
};
