/**
 * Terse builders of CompiledMachine objects for engine tests (the YAML loader is tested on its own), and a driver
 * that feeds inputs one after the other.
 */
import type {
  Action,
  Assignments,
  Collect,
  CompiledMachine,
  CompiledState,
  HttpMethod,
  JsonPrimitive,
  JsonValue,
  Operand,
  Route,
  StateType,
  Template,
  TemplateNode,
  ValueExpr,
  ValuePath,
} from '../../lib/machine/model';
import { startSession, step } from '../../workflows/engine';
import type { EngineClock, EngineInput, SessionState, Step } from '../../workflows/engine';

export const loc = { file: 'test.yaml', line: 1, column: 1 };
export const clock: EngineClock = { nowIso: '2030-03-06T09:00:00.000Z' }; // a Wednesday

/** `ctx.slots[2].voice_label` → ['ctx', 'slots', 2, 'voice_label']. */
export function path(text: string): ValuePath {
  const out: ValuePath = [];
  for (const m of text.trim().matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]/g)) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return out;
}

function operand(text: string): Operand {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return { kind: 'literal', value: Number(s) };
  if (/^".*"$|^'.*'$/.test(s)) return { kind: 'literal', value: s.slice(1, -1) };
  if (s === 'true' || s === 'false') return { kind: 'literal', value: s === 'true' };
  if (s === 'null') return { kind: 'literal', value: null as JsonPrimitive };
  return { kind: 'path', path: path(s) };
}

/** Small template parser for tests: text, {{path}}, {{#if a == b}}…{{else}}…{{/if}} (nested). */
export function t(source: string): Template {
  const tokens = source.split(/(\{\{[^}]*\}\})/).filter((x) => x !== '');
  let i = 0;
  function parse(stopAt: string[]): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    while (i < tokens.length) {
      const tok = tokens[i] ?? '';
      const inner = tok.startsWith('{{') ? tok.slice(2, -2).trim() : null;
      if (inner === null) {
        nodes.push({ kind: 'text', text: tok });
        i++;
      } else if (stopAt.includes(inner)) {
        return nodes;
      } else if (inner.startsWith('#if ')) {
        i++;
        const cond = inner.slice(4);
        const m = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(cond);
        const then = parse(['else', '/if']);
        let els: TemplateNode[] = [];
        if (tokens[i] && tokens[i]!.slice(2, -2).trim() === 'else') {
          i++;
          els = parse(['/if']);
        }
        i++; // {{/if}}
        nodes.push(
          m
            ? { kind: 'if', left: operand(m[1]!), op: m[2] as '==' | '!=', right: operand(m[3]!), then, else: els }
            : { kind: 'if', left: operand(cond), then, else: els },
        );
      } else {
        nodes.push({ kind: 'expr', path: path(inner) });
        i++;
      }
    }
    return nodes;
  }
  return { source, nodes: parse([]) };
}

/** A value: strings with `{{` become templates, anything else a literal. */
export function v(x: JsonValue): ValueExpr {
  return typeof x === 'string' && x.includes('{{') ? { kind: 'template', template: t(x) } : { kind: 'literal', value: x };
}

export function assign(obj: Record<string, JsonValue> = {}): Assignments {
  const out: Assignments = {};
  for (const [k, x] of Object.entries(obj)) out[k] = v(x);
  return out;
}

export function route(when: string, next: string, set: Record<string, JsonValue> = {}): Route {
  const w = when.startsWith('text:') ? { text: when.slice(5) } : { intent: when };
  return { when: w, set: assign(set), next, loc };
}

export interface ActionSpec {
  call: string; // "PUT /appointments/{id}/confirm"
  endpoint?: string;
  path?: Record<string, JsonValue>;
  query?: Record<string, JsonValue>;
  body?: Record<string, JsonValue>;
  headers?: Record<string, JsonValue>;
  onSuccess?: { set?: Record<string, JsonValue>; prompt?: string; next?: string };
  onFail?: { prompt?: string; next?: string };
}

export function action(spec: ActionSpec): Action {
  const [method, pathTemplate] = spec.call.split(' ') as [HttpMethod, string];
  const a: Action = { method, pathTemplate, path: assign(spec.path), query: assign(spec.query), headers: assign(spec.headers), loc };
  if (spec.endpoint) a.endpoint = spec.endpoint;
  if (spec.body) a.body = assign(spec.body);
  if (spec.onSuccess) {
    a.onSuccess = { set: assign(spec.onSuccess.set) };
    if (spec.onSuccess.prompt !== undefined) a.onSuccess.prompt = t(spec.onSuccess.prompt);
    if (spec.onSuccess.next !== undefined) a.onSuccess.next = spec.onSuccess.next;
  }
  if (spec.onFail) {
    a.onFail = {};
    if (spec.onFail.prompt !== undefined) a.onFail.prompt = t(spec.onFail.prompt);
    if (spec.onFail.next !== undefined) a.onFail.next = spec.onFail.next;
  }
  return a;
}

export interface StateSpec {
  type: StateType;
  prompt?: string;
  promptFromAction?: boolean;
  collect?: Partial<Collect> & { mode: Collect['mode'] };
  action?: ActionSpec;
  routes?: Route[];
  noinput?: { max: number; next?: string };
  nomatch?: { max: number; next?: string };
  fallback?: { next: string; set?: Record<string, JsonValue> };
  next?: string;
  set?: Record<string, JsonValue>;
  maxVisits?: { max: number; next?: string };
  handoff?: { enabled: boolean; queueId: string; prompt?: string; onFail?: { prompt?: string; next?: string } };
}

const DEFAULT_INTO: Record<Collect['mode'], Collect['into']> = {
  phone: 'phone_e164',
  otp: 'otp',
  date_nl: { from: 'date_from', to: 'date_to' },
  free_speech_or_no: 'comment',
};

export function state(name: string, spec: StateSpec): CompiledState {
  const s: CompiledState = {
    name,
    type: spec.type,
    promptFromAction: spec.promptFromAction ?? false,
    routes: spec.routes ?? [],
    set: assign(spec.set),
    noinputTimeoutSec: 5,
    loc,
  };
  if (spec.prompt !== undefined) s.prompt = t(spec.prompt);
  if (spec.collect) {
    s.collect = {
      allowDtmf: true,
      required: [],
      into: DEFAULT_INTO[spec.collect.mode],
      loc,
      ...spec.collect,
    };
  }
  if (spec.action) s.action = action(spec.action);
  if (spec.noinput) s.noinput = { ...spec.noinput, loc };
  if (spec.nomatch) s.nomatch = { ...spec.nomatch, loc };
  if (spec.fallback) s.fallback = { next: spec.fallback.next, set: assign(spec.fallback.set), loc };
  if (spec.next !== undefined) s.next = spec.next;
  if (spec.maxVisits) s.maxVisits = { ...spec.maxVisits, loc };
  if (spec.handoff) {
    const h = spec.handoff;
    s.handoff = { enabled: h.enabled, queueId: h.queueId };
    if (h.prompt !== undefined) s.handoff.prompt = t(h.prompt);
    if (h.onFail) {
      s.handoff.onFail = {};
      if (h.onFail.prompt !== undefined) s.handoff.onFail.prompt = t(h.onFail.prompt);
      if (h.onFail.next !== undefined) s.handoff.onFail.next = h.onFail.next;
    }
  }
  return s;
}

/** Intents used across the tests, in the seed's spirit: [utterances, dtmf]. */
export const INTENTS: Record<string, [string[], string[]]> = {
  take_appointment: [['rendez-vous', 'rdv', 'prendre rendez-vous'], ['1']],
  manage_team: [['équipe', 'agent'], ['2']],
  send_link: [['recevoir un lien', 'lien', 'sms'], ['3']],
  operator: [['conseiller', 'agent', 'humain'], ['0']],
  repeat: [['répète', 'pardon'], ['9']],
  yes: [['oui', "d'accord"], ['1']],
  no: [['non', 'je refuse'], ['2']],
  none_of_these: [['aucun', 'aucun de ces créneaux', 'non'], ['0']],
  choose_first: [['premier', 'un'], ['1']],
  add_to_calendar: [['agenda'], ['#']],
};

export interface MachineSpec {
  states: Record<string, StateSpec>;
  entry?: string;
  exhaustedNext?: string;
  globals?: Record<string, JsonValue>;
  globalRoutes?: Route[];
  intents?: Record<string, [string[], string[]]>;
}

export function machine(spec: MachineSpec): CompiledMachine {
  const names = Object.keys(spec.states);
  const intents = spec.intents ?? INTENTS;
  const m: CompiledMachine = {
    name: 'test_machine',
    version: '0.0.1',
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
    entry: spec.entry ?? names[0] ?? 'none',
    globals: { max_noinput: 2, max_nomatch: 2, dtmf_terminator: '#', allow_dtmf: true, ...(spec.globals ?? {}) },
    intents: Object.fromEntries(Object.entries(intents).map(([name, [utterances, dtmf]]) => [name, { name, utterances, dtmf, loc }])),
    globalRoutes: spec.globalRoutes ?? [],
    states: Object.fromEntries(names.map((n) => [n, state(n, spec.states[n]!)])),
    source: { file: 'test.yaml', sha256: '0'.repeat(64) },
  };
  if (spec.exhaustedNext !== undefined) m.exhaustedNext = spec.exhaustedNext;
  return m;
}

export const dtmf = (digits: string): EngineInput => ({ kind: 'dtmf', digits });
export const speech = (text: string): EngineInput => ({ kind: 'speech', text });
export const text = (x: string): EngineInput => ({ kind: 'text', text: x });
export const noinput: EngineInput = { kind: 'noinput' };
export const hangup: EngineInput = { kind: 'hangup' };
export const ok = (stepId: string, body: JsonValue, status = 200): EngineInput => ({ kind: 'action_result', stepId, ok: true, status, body });
export const failed = (stepId: string, status = 500): EngineInput => ({ kind: 'action_result', stepId, ok: false, status, error: `HTTP ${status}` });

/** Start a session and apply the inputs in order; returns every step (index 0 is the start). */
export function drive(m: CompiledMachine, inputs: EngineInput[], ctx: Record<string, JsonValue> = {}): Step[] {
  const steps: Step[] = [startSession(m, ctx, clock)];
  let session: SessionState = steps[0]!.session;
  for (const input of inputs) {
    const s = step(m, session, input, clock);
    steps.push(s);
    session = s.session;
  }
  return steps;
}

export function last(steps: Step[]): Step {
  const s = steps[steps.length - 1];
  if (!s) throw new Error('no step');
  return s;
}

/** The states entered over the whole run, in order. */
export function entered(steps: Step[]): string[] {
  return steps.flatMap((s) => s.trace.flatMap((e) => (e.kind === 'enter' ? [e.state] : [])));
}

export function says(s: Step): string[] {
  return s.commands.flatMap((c) => (c.kind === 'say' ? [c.text] : []));
}
