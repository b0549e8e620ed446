/**
 * Actions: build the request from the state's templates, issue it with a step id, and handle its result.
 * Shared by action_then_prompt states and collect states that run an action after a valid value.
 */
import type { Action, CompiledState, JsonValue } from '../../lib/machine/model';
import { evaluate, evaluateAll, renderPrompt, toText, type Scope } from './render';
import { AUTO_OUTCOMES, applySet, exhaust, machineError, recordOutcome, say, scopeOf, transition, type Run } from './run';
import type { ActionRequest, EngineInput } from './types';

type ActionResult = Extract<EngineInput, { kind: 'action_result' }>;

export function buildRequest(action: Action, scope: Scope): ActionRequest {
  // Path parameters are URL-encoded so an id can never add a path segment or a query string.
  const path = action.pathTemplate.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const expr = action.path[name];
    return encodeURIComponent(expr ? toText(evaluate(expr, scope)) : '');
  });
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.query)) query[k] = toText(evaluate(v, scope));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.headers)) headers[k] = toText(evaluate(v, scope));
  const request: ActionRequest = { method: action.method, path, query, headers };
  if (action.body) request.body = evaluateAll(action.body, scope);
  return request;
}

export function startAction(run: Run, state: CompiledState): void {
  const action = state.action;
  if (!action) return machineError(run, `state "${state.name}" runs no action`);
  run.s.seq += 1;
  const stepId = `${run.s.seq}`;
  const command = {
    kind: 'action' as const,
    stepId,
    mutating: action.method !== 'GET',
    request: buildRequest(action, scopeOf(run)),
    ...(action.endpoint !== undefined ? { endpoint: action.endpoint } : {}),
  };
  // A one-time code travels in this request only: it is no longer session state once the request is built.
  for (const key of run.s.oneTimeKeys ?? []) delete run.s.ctx[key];
  delete run.s.oneTimeKeys;
  run.commands.push(command);
  run.trace.push({ kind: 'action', state: state.name, stepId, ...(action.endpoint !== undefined ? { endpoint: action.endpoint } : {}) });
  run.s.waiting = 'action';
  run.s.pendingStepId = stepId;
}

/** The result of the action in flight (the caller checked the step id). */
export function onActionResult(run: Run, state: CompiledState, input: ActionResult): void {
  const action = state.action;
  run.s.waiting = 'nothing';
  delete run.s.pendingStepId;
  run.trace.push({
    kind: 'action',
    state: state.name,
    stepId: input.stepId,
    ...(action?.endpoint !== undefined ? { endpoint: action.endpoint } : {}),
    ok: input.ok,
    ...(input.status !== undefined ? { status: input.status } : {}),
  });
  if (!action) return machineError(run, `action result in state "${state.name}", which runs no action`);
  if (input.ok) {
    const resp: JsonValue = input.body;
    run.s.lastResponse = resp;
    if (action.onSuccess) applySet(run, action.onSuccess.set, resp);
    const scope = scopeOf(run, resp);
    if (state.type === 'action_then_prompt' && state.promptFromAction) say(run, renderPrompt(state.prompt, scope));
    say(run, renderPrompt(action.onSuccess?.prompt, scope));
    const next = action.onSuccess?.next ?? state.next;
    recordOutcome(run, action.onSuccess?.outcome);
    if (next !== undefined) return transition(run, next, 'on_success');
    return exhaust(run, 'next');
  }
  delete run.s.lastResponse;
  if (action.onFail) say(run, renderPrompt(action.onFail.prompt, scopeOf(run)));
  if (action.onFail?.next !== undefined) {
    recordOutcome(run, action.onFail.outcome ?? AUTO_OUTCOMES.action);
    return transition(run, action.onFail.next, 'on_fail');
  }
  exhaust(run, 'action', run.s.state, action.onFail?.outcome);
}
