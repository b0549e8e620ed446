/**
 * Runs one conversation script against a live session: delivers the caller's inputs with the turn-taking rules of
 * the script format, checks every `expect` within its bound, and reports the transcript as it goes.
 */
import fs from 'node:fs';
import type { TraceEvent } from '../../workflows/engine/types';
import type { CallerInput, SessionView } from '../../workflows/session-api';
import { normalizeForCompare } from './compare';
import type { LoadedScript, RefFields, ScriptExpect, ScriptStep } from './script';

/** A live session as the script sees it, whatever the channel. */
export interface SessionDriver {
  readonly id: string;
  /** The Temporal workflow id of the session, once started (for history export and replay). */
  readonly workflowId?: string;
  start(): Promise<void>;
  view(): Promise<SessionView>;
  /** Trace events from index `since`. */
  trace(since: number): Promise<{ events: TraceEvent[]; next: number }>;
  /** Delivers an input; resolves once the session took it (not necessarily answered). */
  send(input: CallerInput): Promise<void>;
  stop(): Promise<void>;
}

export interface OutboxMessage {
  channel: 'sms' | 'email' | 'whatsapp';
  to: string;
  text: string;
}

/** The peers an `expect` may look at. */
export interface Peers {
  outbox(): Promise<OutboxMessage[]>;
  /** Why sent messages cannot be read (a real Brevo): `otp:` and `expect.sent` steps fail with it. */
  outboxUnavailable?: string;
  odooSearchCount(model: string, domain: unknown[]): Promise<number>;
  odooSearchRead(model: string, domain: unknown[], fields: string[]): Promise<Record<string, unknown>[]>;
}

export type TranscriptEntry =
  | { type: 'prompt'; state: string; text: string }
  | { type: 'input'; kind: string; value: string; line: number }
  | { type: 'state'; from?: string; to: string; via: string }
  | { type: 'action'; state: string; endpoint?: string; ok?: boolean; status?: number }
  | { type: 'sent'; channel: string; to: string; text: string }
  | { type: 'expect'; line: number; ok: true; what: string }
  /** `declared`: what the session achieved or why it ended (the machine's outcome) and whether that is a goal. */
  | { type: 'end'; state: string; outcome: string; declared?: { name: string; goal: boolean } }
  | { type: 'result'; ok: boolean; script: string; failure?: string };

export interface RunOptions {
  driver: SessionDriver;
  peers: Peers;
  emit(entry: TranscriptEntry): void;
  /** Default bound of an expect, seconds. */
  defaultWithinSec?: number;
  /** How long to wait for the session to listen again before an input step, seconds. */
  turnTimeoutSec?: number;
}

export interface RunResult {
  ok: boolean;
  /** The first failing step: line, what was expected, what was seen. */
  failure?: { line: number; expected: string; seen: string };
  trace: TraceEvent[];
}

class StepFailure extends Error {
  constructor(
    readonly line: number,
    readonly expected: string,
    readonly seen: string,
  ) {
    super(`line ${line}: expected ${expected}; saw ${seen}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns ok or the bound passes; the last observation explains a failure. */
async function within<T>(seconds: number, probe: () => Promise<{ ok: boolean; seen: T }>): Promise<{ ok: boolean; seen: T }> {
  const deadline = Date.now() + seconds * 1000;
  let delay = 20;
  for (;;) {
    const result = await probe();
    if (result.ok || Date.now() >= deadline) return result;
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
}

function describeView(view: SessionView): string {
  const end = view.ended ? `ended (${view.ended.outcome})` : view.listening ? 'listening' : `busy (${view.waiting})`;
  return `state ${view.state}, ${end}, last prompt ${JSON.stringify(view.lastPrompt ?? '')}`;
}

function lastCode(messages: OutboxMessage[], channel: string, to?: string): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.channel !== channel || (to && m.to !== to)) continue;
    const code = /\b(\d{4,8})\b/.exec(m.text)?.[1];
    if (code) return code;
  }
  return undefined;
}

/** A record named by its fields that is not exactly one record on the Odoo in use. */
class RefUnresolved extends Error {
  constructor(readonly what: string, readonly seen: string) {
    super(`${what}: ${seen}`);
  }
}

const isRef = (v: unknown): v is { ref: string | RefFields } =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && 'ref' in v;

/**
 * Script refs (script.ts, refFields) → ids on the Odoo in use: `{ ref: name }` is the id found for that name
 * before the first step; `{ ref: { model, …fields } }` is searched each time it is read (the record may be created
 * during the session). Each must be exactly one record.
 */
export class RefResolver {
  private readonly named = new Map<string, number>();

  constructor(private readonly peers: Pick<Peers, 'odooSearchRead'>) {}

  async resolveNamed(refs: LoadedScript['refs']): Promise<void> {
    for (const r of refs) {
      try {
        this.named.set(r.name, await this.find(r.fields));
      } catch (err) {
        if (err instanceof RefUnresolved) throw new StepFailure(r.line, `ref '${r.name}': exactly one ${err.what}`, err.seen);
        throw err;
      }
    }
  }

  /** The value with every `{ ref: … }` inside replaced by its record's id. */
  async resolve(value: unknown): Promise<unknown> {
    if (isRef(value)) {
      if (typeof value.ref === 'string') {
        const id = this.named.get(value.ref);
        if (id === undefined) throw new RefUnresolved(`ref '${value.ref}'`, 'not resolved (declare it under refs:)');
        return id;
      }
      return this.find(value.ref);
    }
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v)));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await this.resolve(v);
      return out;
    }
    return value;
  }

  private async find(fields: RefFields): Promise<number> {
    const { model, ...by } = fields;
    const domain: unknown[] = [];
    for (const [k, v] of Object.entries(by)) domain.push([k, '=', await this.resolve(v)]);
    const what = `${model} ${JSON.stringify(by)}`;
    const rows = await this.peers.odooSearchRead(model, domain, ['id']);
    if (rows.length !== 1) throw new RefUnresolved(what, rows.length === 0 ? 'no record on the Odoo in use' : 'several records; name it by more fields');
    return rows[0]!.id as number;
  }
}

export async function runScript(script: LoadedScript, opts: RunOptions): Promise<RunResult> {
  const { driver, peers, emit } = opts;
  const defaultWithin = opts.defaultWithinSec ?? 10;
  const turnTimeout = opts.turnTimeoutSec ?? 15;
  const trace: TraceEvent[] = [];
  let traceCursor = 0;
  let sentSeen = 0;
  let eventSeq = 0;

  /** Pulls new trace events and outbox messages into the transcript. */
  const follow = async () => {
    const { events, next } = await driver.trace(traceCursor);
    traceCursor = next;
    for (const event of events) {
      trace.push(event);
      if (event.kind === 'enter') emit({ type: 'state', from: event.from, to: event.state, via: event.via });
      if (event.kind === 'action' && event.ok !== undefined) {
        emit({ type: 'action', state: event.state, endpoint: event.endpoint, ok: event.ok, status: event.status });
      }
      if (event.kind === 'end') emit({ type: 'end', state: event.state, outcome: event.outcome, ...(event.declared ? { declared: event.declared } : {}) });
      if (event.kind === 'say') emit({ type: 'prompt', state: event.state, text: event.text });
    }
    const outbox = await peers.outbox();
    for (const m of outbox.slice(sentSeen)) emit({ type: 'sent', channel: m.channel, to: m.to, text: m.text });
    sentSeen = outbox.length;
  };

  const waitListening = async (line: number): Promise<SessionView> => {
    const result = await within(turnTimeout, async () => {
      const view = await driver.view();
      return { ok: view.listening || view.ended !== undefined, seen: view };
    });
    await follow();
    if (!result.ok) throw new StepFailure(line, 'the session to listen for the caller', describeView(result.seen));
    return result.seen;
  };

  const deliver = async (step: ScriptStep, line: number) => {
    const barge = 'barge' in step && step.barge === true;
    let view: SessionView | undefined;
    if (!barge) view = await waitListening(line);
    if (view?.ended) throw new StepFailure(line, 'a session still in progress to take the input', describeView(view));
    const eventId = `${driver.id}:script:${++eventSeq}`;
    let input: CallerInput;
    if ('dtmf' in step) input = { eventId, kind: 'dtmf', digits: step.dtmf };
    else if ('say' in step) input = { eventId, kind: 'speech', text: step.say };
    else if ('audio' in step) {
      if (!fs.existsSync(step.audio)) throw new StepFailure(line, `an audio file at ${step.audio}`, 'no such file');
      input = { eventId, kind: 'audio', ref: step.audio };
    } else if ('otp' in step) {
      if (peers.outboxUnavailable) throw new StepFailure(line, `a code sent by ${step.otp} to the caller`, peers.outboxUnavailable);
      const code = lastCode(await peers.outbox(), step.otp, script.caller);
      if (!code) throw new StepFailure(line, `a code sent by ${step.otp} to the caller`, 'no message with a code');
      input = { eventId, kind: 'dtmf', digits: `${code}#` };
    } else if ('hangup' in step) input = { eventId, kind: 'hangup', cause: 'NORMAL_CLEARING' };
    else throw new Error('unreachable: not an input step');
    const value = input.kind === 'dtmf' ? input.digits : input.kind === 'hangup' ? 'hangup' : 'text' in input ? input.text : input.ref;
    emit({ type: 'input', kind: input.kind, value, line });
    await driver.send(input);
  };

  const check = async (e: ScriptExpect, line: number) => {
    const bound = e.within ?? defaultWithin;
    const wantEnded = e.ended === true || e.outcome !== undefined;
    const needsView = e.state !== undefined || e.say !== undefined || e.said !== undefined || wantEnded;
    if (needsView) {
      const r = await within(bound, async () => {
        const view = await driver.view();
        const settled = wantEnded ? view.ended !== undefined : view.listening || view.ended !== undefined;
        const stateOk = e.state === undefined || (view.ended ? view.ended.state : view.state) === e.state;
        const sayOk = e.say === undefined || normalizeForCompare(view.lastPrompt ?? '').includes(normalizeForCompare(e.say));
        const saidOk =
          e.said === undefined || view.prompts.some((p) => normalizeForCompare(p).includes(normalizeForCompare(e.said!)));
        const outcomeOk = e.outcome === undefined || view.ended?.outcome === e.outcome;
        return { ok: settled && stateOk && sayOk && saidOk && outcomeOk, seen: view };
      });
      await follow();
      if (!r.ok) {
        const wanted = [
          e.state && `state ${e.state}`,
          e.say && `a prompt containing ${JSON.stringify(e.say)}`,
          e.said && `a prompt of this turn containing ${JSON.stringify(e.said)}`,
          wantEnded && `the session ended${e.outcome ? ` (${e.outcome})` : ''}`,
        ].filter(Boolean);
        throw new StepFailure(line, wanted.join(', '), describeView(r.seen));
      }
    }
    if (e.sent) {
      const sent = e.sent;
      if (peers.outboxUnavailable) throw new StepFailure(line, `a ${sent.channel} message sent`, peers.outboxUnavailable);
      const r = await within(bound, async () => {
        const matching = (await peers.outbox()).filter(
          (m) =>
            m.channel === sent.channel &&
            (sent.to === undefined || m.to === sent.to) &&
            (sent.contains === undefined || normalizeForCompare(m.text).includes(normalizeForCompare(sent.contains))),
        );
        return { ok: sent.count === undefined ? matching.length > 0 : matching.length === sent.count, seen: matching.length };
      });
      if (!r.ok) {
        throw new StepFailure(line, `${sent.count ?? 'a'} ${sent.channel} message(s) matching ${JSON.stringify(sent)}`, `${r.seen} matching`);
      }
    }
    if (e.odoo) {
      const written = e.odoo;
      const r = await within(bound, async () => {
        let q: typeof written;
        try {
          q = { ...written, domain: (await refs.resolve(written.domain)) as unknown[], ...(written.fields ? { fields: (await refs.resolve(written.fields)) as Record<string, unknown> } : {}) };
        } catch (err) {
          if (err instanceof RefUnresolved) return { ok: false, seen: `${err.what}: ${err.seen}` };
          throw err;
        }
        const count = await peers.odooSearchCount(q.model, q.domain);
        if (q.count !== undefined && count !== q.count) return { ok: false, seen: `${count} record(s)` };
        if (q.count === undefined && count === 0) return { ok: false, seen: 'no record' };
        if (q.fields) {
          if (count !== 1) return { ok: false, seen: `${count} records where fields need exactly one` };
          const [record] = await peers.odooSearchRead(q.model, q.domain, Object.keys(q.fields));
          const wrong = Object.entries(q.fields).filter(
            ([k, v]) => JSON.stringify(normalizeOdooValue(record?.[k])) !== JSON.stringify(v),
          );
          if (wrong.length) return { ok: false, seen: wrong.map(([k]) => `${k}=${JSON.stringify(record?.[k])}`).join(', ') };
        }
        return { ok: true, seen: `${count} record(s)` };
      });
      if (!r.ok) throw new StepFailure(line, `odoo ${written.model} ${JSON.stringify(written.domain)} ${written.count ?? '≥1'} match(es)`, r.seen);
    }
    emit({ type: 'expect', line, ok: true, what: Object.keys(e).filter((k) => k !== 'within').join('+') });
  };

  const refs = new RefResolver(peers);
  try {
    // fixture records are named before the session can change them (a moved event keeps its id, not its start)
    await refs.resolveNamed(script.refs);
    await driver.start();
    for (const { step, line } of script.steps) {
      if ('expect' in step) await check(step.expect, line);
      else if ('silence' in step) {
        await waitListening(line);
        await sleep(step.silence * 1000);
      } else await deliver(step, line);
    }
    await follow();
    emit({ type: 'result', ok: true, script: script.name });
    return { ok: true, trace };
  } catch (err) {
    await follow().catch(() => undefined);
    if (err instanceof StepFailure) {
      const failure = { line: err.line, expected: err.expected, seen: err.seen };
      emit({ type: 'result', ok: false, script: script.name, failure: `${script.file}:${err.line}: expected ${err.expected}; saw ${err.seen}` });
      return { ok: false, failure, trace };
    }
    throw err;
  } finally {
    await driver.stop();
  }
}

/** Many2one values read as [id, name]; scripts compare by id. */
function normalizeOdooValue(value: unknown): unknown {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') return value[0];
  return value;
}
