/**
 * Where each state reads templates, and which ctx keys are already written at that point of the visit:
 * entry `set` → prompt → collect `into` → action (path/query/body/headers) → on_success set/prompt; routes and
 * fallback see the state's `set` but not the collected value (a route is taken instead of collecting).
 */
import type { DocPath } from '../diagnostics';
import { intoKeys } from '../graph';
import type { Assignments, CompiledState, Template } from '../model';
import type { MachineSource } from '../source';

export interface TemplateRead {
  template: Template;
  at: DocPath;
  /** ctx keys written inside the visit before this template is rendered (besides those on entry). */
  written: string[];
  /** `resp` is in scope (action response). */
  resp: boolean;
}

function promptAt(src: MachineSource, base: DocPath): DocPath {
  return src.has([...base, 'prompt_template']) ? [...base, 'prompt_template'] : [...base, 'prompt'];
}

export function stateReads(src: MachineSource, s: CompiledState): TemplateRead[] {
  const out: TemplateRead[] = [];
  const base: DocPath = ['states', s.name];
  const own = Object.keys(s.set);
  const into = intoKeys(s);
  const fromAssignments = (a: Assignments, at: DocPath, written: string[], resp: boolean): void => {
    for (const [k, v] of Object.entries(a)) if (v.kind === 'template') out.push({ template: v.template, at: [...at, k], written, resp });
  };
  fromAssignments(s.set, [...base, 'set'], [], false);
  if (s.prompt) {
    out.push({ template: s.prompt, at: promptAt(src, base), written: s.promptFromAction ? [...own, ...into] : own, resp: s.promptFromAction && !!s.action });
  }
  const a = s.action;
  if (a) {
    const w = [...own, ...into];
    const aAt = [...base, 'action'];
    fromAssignments(a.path, [...aAt, 'path'], w, false);
    fromAssignments(a.query, [...aAt, 'query'], w, false);
    fromAssignments(a.headers, [...aAt, 'headers'], w, false);
    if (a.body) fromAssignments(a.body, [...aAt, 'body'], w, false);
    if (a.onSuccess) {
      fromAssignments(a.onSuccess.set, [...aAt, 'on_success', 'set'], w, true);
      const ws = [...w, ...Object.keys(a.onSuccess.set)];
      if (a.onSuccess.prompt) out.push({ template: a.onSuccess.prompt, at: promptAt(src, [...aAt, 'on_success']), written: ws, resp: true });
    }
    if (a.onFail?.prompt) out.push({ template: a.onFail.prompt, at: promptAt(src, [...aAt, 'on_fail']), written: w, resp: false });
  }
  s.routes.forEach((r, i) => fromAssignments(r.set, [...base, 'routes', i, 'set'], own, false));
  if (s.fallback) fromAssignments(s.fallback.set, [...base, 'fallback', 'set'], own, false);
  if (s.handoff?.prompt) out.push({ template: s.handoff.prompt, at: promptAt(src, base), written: own, resp: false });
  if (s.handoff?.onFail?.prompt) out.push({ template: s.handoff.onFail.prompt, at: promptAt(src, [...base, 'on_fail']), written: own, resp: false });
  return out;
}
