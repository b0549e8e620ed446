/**
 * Validated YAML → CompiledMachine (model.ts): templates parsed, defaults applied, source locations attached.
 * Reports template-syntax (with the position inside the scalar when it is a plain one-line string) and
 * duplicate-prompt / nested-template.
 */
import type { Diagnostic, DocPath } from './diagnostics';
import type { GlobalRef } from './globals';
import type {
  Action,
  Assignments,
  Collect,
  CompiledMachine,
  CompiledState,
  CounterBlock,
  HttpMethod,
  Intent,
  JsonValue,
  Route,
  SourceLocation,
  Template,
  ValueExpr,
} from './model';
import { BUILTIN_OUTCOMES } from './outcomes';
import type { RawMachineTop, RawState } from './schema';
import type { MachineSource } from './source';
import { hasTemplateSyntax, parseTemplate, TemplateSyntaxError } from './template';

type RawAssignments = Record<string, JsonValue> | undefined;
type RawRoute = RawMachineTop['global_routes'][number];

/** Default ctx keys of each collect mode (machines/README.md). */
export const COLLECT_INTO_DEFAULTS = {
  phone: 'phone_e164',
  otp: 'otp',
  date_nl: { from: 'date_from', to: 'date_to' },
  free_speech_or_no: 'comment',
} as const;

function defaultInto(mode: keyof typeof COLLECT_INTO_DEFAULTS): Collect['into'] {
  const d = COLLECT_INTO_DEFAULTS[mode];
  return typeof d === 'string' ? d : { from: d.from, to: d.to };
}

export class Compiler {
  readonly diagnostics: Diagnostic[] = [];

  /** Whole, resolved `${globals.endpoints.…}` references by where they are written (one lookup per action). */
  private readonly endpointRefs = new Map<string, GlobalRef>();

  constructor(
    private readonly src: MachineSource,
    refs: GlobalRef[],
  ) {
    for (const r of refs) {
      const key = r.at.join('\u0000');
      if (r.whole && r.resolved && r.key[0] === 'endpoints' && !this.endpointRefs.has(key)) this.endpointRefs.set(key, r);
    }
  }

  loc(path: DocPath, key = false): SourceLocation {
    const p = this.src.at(path, { key });
    return { file: this.src.file, line: p.line, column: p.column };
  }

  template(text: string, at: DocPath): Template {
    try {
      return parseTemplate(text);
    } catch (e) {
      if (!(e instanceof TemplateSyntaxError)) throw e;
      // Point at the faulty tag as written (its first characters are verbatim in the YAML for every scalar style).
      const tag = text.slice(e.offset, text.indexOf('}}', e.offset) + 2 || e.offset + 12).split('\n')[0] ?? '';
      this.diagnostics.push(this.src.diag('error', 'template-syntax', `template: ${e.message}.`, at, { text: tag }));
      return { source: text, nodes: [{ kind: 'text', text }] };
    }
  }

  private containsTemplate(v: JsonValue): boolean {
    if (typeof v === 'string') return hasTemplateSyntax(v);
    if (Array.isArray(v)) return v.some((x) => this.containsTemplate(x));
    if (v !== null && typeof v === 'object') return Object.values(v).some((x) => this.containsTemplate(x));
    return false;
  }

  value(v: JsonValue, at: DocPath): ValueExpr {
    if (typeof v === 'string' && hasTemplateSyntax(v)) return { kind: 'template', template: this.template(v, at) };
    if (v !== null && typeof v === 'object' && this.containsTemplate(v)) {
      this.diagnostics.push(
        this.src.diag('error', 'nested-template', 'templates are only read at the first level of set/body/query/path/headers; build the object in the backend or use one key per value.', at),
      );
    }
    return { kind: 'literal', value: v };
  }

  assignments(raw: RawAssignments, at: DocPath): Assignments {
    const out: Assignments = {};
    for (const [k, v] of Object.entries(raw ?? {})) out[k] = this.value(v, [...at, k]);
    return out;
  }

  /** `prompt` or `prompt_template` of an object (both are templates; the seed uses both names). */
  prompt(raw: { prompt?: string | undefined; prompt_template?: string | undefined }, at: DocPath): Template | undefined {
    if (raw.prompt !== undefined && raw.prompt_template !== undefined) {
      this.diagnostics.push(this.src.diag('error', 'duplicate-prompt', 'give either prompt or prompt_template, not both.', [...at, 'prompt_template'], { key: true }));
    }
    if (raw.prompt_template !== undefined) return this.template(raw.prompt_template, [...at, 'prompt_template']);
    if (raw.prompt !== undefined) return this.template(raw.prompt, [...at, 'prompt']);
    return undefined;
  }

  route(r: RawRoute, at: DocPath): Route {
    return {
      when: r.when_intent !== undefined ? { intent: r.when_intent } : { text: r.when_text ?? '' },
      set: this.assignments(r.set, [...at, 'set']),
      next: r.next,
      ...(r.outcome !== undefined ? { outcome: r.outcome } : {}),
      loc: this.loc(at),
    };
  }

  counter(b: { max: number; next?: string | undefined; outcome?: string | undefined } | undefined, at: DocPath): CounterBlock | undefined {
    if (!b) return undefined;
    const out: CounterBlock = { max: b.max, loc: this.loc(at) };
    if (b.next !== undefined) out.next = b.next;
    if (b.outcome !== undefined) out.outcome = b.outcome;
    return out;
  }

  collect(c: NonNullable<Extract<RawState, { type: 'listen' }>['collect']>, at: DocPath, allowDtmf: boolean): Collect {
    const out: Collect = {
      mode: c.mode,
      allowDtmf: c.allow_dtmf ?? allowDtmf,
      required: Object.keys(c.validate ?? {}),
      into: c.into ?? defaultInto(c.mode),
      loc: this.loc(at),
    };
    if (c.length !== undefined) out.length = c.length;
    if (c.retry) {
      out.retry = { max: c.retry.max };
      if (c.retry.on_fail_next !== undefined) out.retry.onFailNext = c.retry.on_fail_next;
      if (c.retry.outcome !== undefined) out.retry.outcome = c.retry.outcome;
    }
    return out;
  }

  action(a: Extract<RawState, { type: 'action_then_prompt' }>['action'], at: DocPath): Action {
    const [method, pathTemplate] = a.call.split(' ') as [HttpMethod, string];
    const callPath = [...at, 'call'].join('\u0000');
    const ref = this.endpointRefs.get(callPath);
    const out: Action = {
      method,
      pathTemplate,
      path: this.assignments(a.path, [...at, 'path']),
      query: this.assignments(a.query, [...at, 'query']),
      headers: this.assignments(a.headers, [...at, 'headers']),
      loc: this.loc(at),
    };
    if (ref && ref.key.length === 2) out.endpoint = ref.key[1] as string;
    if (a.body) out.body = this.assignments(a.body, [...at, 'body']);
    if (a.on_success) {
      const s = a.on_success;
      const sAt = [...at, 'on_success'];
      out.onSuccess = { set: this.assignments(s.set, [...sAt, 'set']) };
      const p = this.prompt(s, sAt);
      if (p) out.onSuccess.prompt = p;
      if (s.next !== undefined) out.onSuccess.next = s.next;
      if (s.outcome !== undefined) out.onSuccess.outcome = s.outcome;
    }
    if (a.on_fail) {
      const fAt = [...at, 'on_fail'];
      out.onFail = {};
      const p = this.prompt(a.on_fail, fAt);
      if (p) out.onFail.prompt = p;
      if (a.on_fail.next !== undefined) out.onFail.next = a.on_fail.next;
      if (a.on_fail.outcome !== undefined) out.onFail.outcome = a.on_fail.outcome;
    }
    return out;
  }

  state(name: string, s: RawState, globals: RawMachineTop['globals']): CompiledState {
    const at: DocPath = ['states', name];
    const out: CompiledState = {
      name,
      type: s.type,
      promptFromAction: false,
      routes: [],
      set: this.assignments(s.set, [...at, 'set']),
      noinputTimeoutSec: globals.noinput_timeout_sec,
      loc: this.loc(at, true),
    };
    if (s.screen !== undefined) out.screen = s.screen;
    const mv = this.counter(s.max_visits, [...at, 'max_visits']);
    if (mv) out.maxVisits = mv;
    switch (s.type) {
      case 'prompt_and_listen':
      case 'listen': {
        if (s.type === 'prompt_and_listen') {
          const p = this.prompt(s, at);
          if (p) out.prompt = p;
          out.promptFromAction = s.prompt_from_action ?? false;
        }
        if (s.collect) out.collect = this.collect(s.collect, [...at, 'collect'], globals.allow_dtmf);
        if (s.action) out.action = this.action(s.action, [...at, 'action']);
        out.routes = (s.routes ?? []).map((r, i) => this.route(r, [...at, 'routes', i]));
        const ni = this.counter(s.noinput, [...at, 'noinput']);
        if (ni) out.noinput = ni;
        const nm = this.counter(s.nomatch, [...at, 'nomatch']);
        if (nm) out.nomatch = nm;
        if (s.fallback) {
          out.fallback = { set: this.assignments(s.fallback.set, [...at, 'fallback', 'set']), next: s.fallback.next, loc: this.loc([...at, 'fallback']) };
          if (s.fallback.outcome !== undefined) out.fallback.outcome = s.fallback.outcome;
        }
        if (s.next !== undefined) out.next = s.next;
        if (s.noinput_timeout_sec !== undefined) out.noinputTimeoutSec = s.noinput_timeout_sec;
        break;
      }
      case 'action_then_prompt': {
        const p = this.prompt(s, at);
        if (p) out.prompt = p;
        out.promptFromAction = s.prompt_from_action ?? false;
        out.action = this.action(s.action, [...at, 'action']);
        break;
      }
      case 'handoff': {
        const h: NonNullable<CompiledState['handoff']> = { enabled: s.enabled, queueId: s.queue_id };
        const p = this.prompt(s, at);
        if (p) h.prompt = p;
        if (s.on_fail) {
          h.onFail = {};
          const fp = this.prompt(s.on_fail, [...at, 'on_fail']);
          if (fp) h.onFail.prompt = fp;
          if (s.on_fail.next !== undefined) h.onFail.next = s.on_fail.next;
          if (s.on_fail.outcome !== undefined) h.onFail.outcome = s.on_fail.outcome;
        }
        out.handoff = h;
        break;
      }
      case 'prompt_end': {
        const p = this.prompt(s, at);
        if (p) out.prompt = p;
        if (s.outcome !== undefined) out.outcome = s.outcome;
        break;
      }
    }
    return out;
  }

  machine(top: RawMachineTop, states: Record<string, RawState>, sha256: string): CompiledMachine {
    const intents: Record<string, Intent> = {};
    for (const [name, i] of Object.entries(top.intents)) {
      intents[name] = { name, utterances: i.utterances, dtmf: i.dtmf, loc: this.loc(['intents', name], true) };
    }
    const compiled: Record<string, CompiledState> = {};
    for (const [name, s] of Object.entries(states)) compiled[name] = this.state(name, s, top.globals);
    const m: CompiledMachine = {
      name: top.machine,
      version: top.version,
      locale: top.locale,
      timezone: top.timezone,
      entry: top.entry ?? Object.keys(states)[0] ?? '',
      globals: top.globals as { [key: string]: JsonValue },
      intents,
      globalRoutes: top.global_routes.map((r, i) => this.route(r, ['global_routes', i])),
      states: compiled,
      outcomes: { ...BUILTIN_OUTCOMES, ...Object.fromEntries(Object.entries(top.outcomes).map(([k, o]) => [k, { goal: o.goal }])) },
      source: { file: this.src.file, sha256 },
    };
    if (top.globals.exhausted_next !== undefined) m.exhaustedNext = top.globals.exhausted_next;
    return m;
  }
}
