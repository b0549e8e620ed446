/** unknown-global: a `${globals.x}` (outside globals.endpoints) that names no global. */
import { didYouMean } from '../diagnostics';
import type { Rule } from './rule';

function keysAt(globals: unknown, key: string[]): string[] {
  let v: unknown = globals;
  for (const k of key) {
    if (v === null || typeof v !== 'object') return [];
    v = (v as Record<string, unknown>)[k];
  }
  return v !== null && typeof v === 'object' ? Object.keys(v) : [];
}

export const rule: Rule = {
  code: 'unknown-global',
  phase: 'document',
  run({ src, refs, globals }) {
    return refs
      .filter((r) => !r.resolved && r.key[0] !== 'endpoints')
      .map((r) => {
        if (r.key.length === 0) {
          return src.diag('error', 'unknown-global', `'\${${r.text}}' is not a reference: write \${globals.name} (or \${globals.a.b}).`, r.at);
        }
        // Find the first missing segment to say which part is wrong.
        let i = 0;
        while (i < r.key.length && keysAt(globals, r.key.slice(0, i)).includes(r.key[i] as string)) i++;
        const missing = r.key[i] as string;
        const parent = ['globals', ...r.key.slice(0, i)].join('.');
        return src.diag(
          'error',
          'unknown-global',
          `\${${r.text}}: ${parent} has no '${missing}'.${didYouMean(missing, keysAt(globals, r.key.slice(0, i)))}`,
          r.at,
          { text: `${'$'}{${r.text}}` },
        );
      });
  },
};
