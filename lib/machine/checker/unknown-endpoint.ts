/** unknown-endpoint: `${globals.endpoints.NAME}` where NAME is not under globals.endpoints. */
import { didYouMean } from '../diagnostics';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'unknown-endpoint',
  phase: 'document',
  run({ src, refs, globals }) {
    const endpoints =
      globals !== null && typeof globals === 'object' && !Array.isArray(globals) ? (globals as Record<string, unknown>).endpoints : undefined;
    const names = endpoints !== null && typeof endpoints === 'object' ? Object.keys(endpoints) : [];
    return refs
      .filter((r) => !r.resolved && r.key[0] === 'endpoints')
      .map((r) =>
        src.diag(
          'error',
          'unknown-endpoint',
          `endpoint '${r.key.slice(1).join('.')}' is not in globals.endpoints.${didYouMean(r.key.slice(1).join('.'), names)}${names.length ? '' : ' (globals.endpoints is empty)'}`,
          r.at,
          { text: `${'$'}{${r.text}}` },
        ),
      );
  },
};
