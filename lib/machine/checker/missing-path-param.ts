/** missing-path-param: an action whose path has `{param}` with no `path.param` value (or a path value never used). */
import type { Diagnostic } from '../diagnostics';
import type { Rule } from './rule';

export const rule: Rule = {
  code: 'missing-path-param',
  phase: 'machine',
  run({ src, machine: m }) {
    const out: Diagnostic[] = [];
    for (const s of Object.values(m.states)) {
      const a = s.action;
      if (!a) continue;
      const params = [...a.pathTemplate.matchAll(/\{([^}]+)\}/g)].map((x) => x[1] as string);
      for (const p of params) {
        if (!(p in a.path)) out.push(src.diag('error', 'missing-path-param', `${a.method} ${a.pathTemplate} needs path.${p}.`, ['states', s.name, 'action'], { state: s.name }));
      }
      for (const k of Object.keys(a.path)) {
        if (!params.includes(k)) out.push(src.diag('warning', 'missing-path-param', `path.${k} is not a {${k}} of ${a.pathTemplate}.`, ['states', s.name, 'action', 'path', k], { state: s.name, key: true }));
      }
    }
    return out;
  },
};
