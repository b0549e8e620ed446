/**
 * template-scope: a template reads `resp.…` where no action response is in scope, or `globals.x` that does not
 * exist.
 */
import type { Diagnostic } from '../diagnostics';
import type { JsonValue } from '../model';
import { formatPath, templatePaths } from '../template';
import { stateReads } from './reads';
import type { Rule } from './rule';

function exists(globals: JsonValue, path: (string | number)[]): boolean {
  let v: JsonValue | undefined = globals;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return false;
    v = (v as Record<string | number, JsonValue>)[seg as string];
    if (v === undefined) return false;
  }
  return true;
}

export const rule: Rule = {
  code: 'template-scope',
  phase: 'machine',
  run({ src, machine: m }) {
    const out: Diagnostic[] = [];
    for (const s of Object.values(m.states)) {
      for (const read of stateReads(src, s)) {
        for (const path of templatePaths(read.template)) {
          if (path[0] === 'resp' && !read.resp) {
            out.push(src.diag('error', 'template-scope', `reads ${formatPath(path)} where no action response is in scope (resp exists in on_success and in a prompt_from_action prompt).`, read.at, { state: s.name, text: formatPath(path) }));
          }
          if (path[0] === 'globals' && !exists(m.globals, path.slice(1))) {
            out.push(src.diag('error', 'template-scope', `reads ${formatPath(path)}, which is not in globals.`, read.at, { state: s.name, text: formatPath(path) }));
          }
        }
      }
    }
    return out;
  },
};
