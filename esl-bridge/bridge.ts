/**
 * The esl-bridge: FreeSWITCH events → session workflows.
 *
 * - A call reaching the IVR extension (CHANNEL_PARK, or CHANNEL_ANSWER with another dialplan) starts the session
 *   workflow `voice-<Unique-ID>` (starting twice attaches to the running one), with the caller id as a phone candidate
 *   and the node's voice task queue.
 * - DTMF, finished recordings and CHANNEL_HANGUP become `input` signals whose event ids come from FreeSWITCH
 *   (`<Core-UUID>:<Event-Sequence>`, `hangup:<uuid>`), so a redelivery or a reconciliation is applied once. A
 *   recording's RECORD_STOP becomes `audio` (the caller spoke: success-silence / success-maxtime) or `noinput`
 *   (no speech within the listen's timeout: no-input-timeout). Signals of one call are sent in order, one at a time.
 * - After the adapter reconnects, calls it tracked that no longer exist are signalled as hung up, and IVR calls that
 *   appeared meanwhile are adopted.
 * - A recording counts only when it ended by itself: one during which the caller pressed a key, or one the voice
 *   worker stopped because the session moved on (channel variable `ivr_record_discard` = its path), is not forwarded.
 * - A call that ends with an unusual cause (DESTINATION_OUT_OF_ORDER, MEDIA_TIMEOUT…) is logged with its cause; the
 *   session ends in `error` with it (workflows/shell/hangup-causes.ts).
 * - A voice turn that waits for the caller announces itself with a `CUSTOM ivr::turn` event (lib/esl/turns.ts): the
 *   first input after it completes that turn's activity instead of going as a signal (one workflow task per turn
 *   instead of two), unless an input the session has not seen yet was sent since (the turn is then void, completed
 *   empty). Open turns are heartbeaten while they wait; a turn nobody can complete any more falls back to signals.
 */
import type { Client } from '@temporalio/client';
import { ActivityNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { createLogger, piiHash } from '../lib/log';
import { watchEslConnection } from '../lib/metrics';
import type { CompiledMachine, JsonValue } from '../lib/machine/model';
import type { Ctx } from '../workflows/engine/types';
import { startSessionWorkflow } from '../sessions/start';
import { inputSignal, NO_INPUT_YET, sessionWorkflowId, type CallerInput } from '../workflows/session-api';
import { voiceTaskQueue } from '../lib/esl/nodes';
import type { EslConnection, EslEvent } from '../lib/esl';
import { recordingVerdict, RECORD_DISCARD_VAR } from '../lib/esl/recordings';
import { CallTurns, parseTurnEvent, turnActivityId, TURN_EVENT_SUBCLASS, type TurnAnnouncement } from '../lib/esl/turns';
import type { VoiceTurnResult } from '../workflows/activity-types';
import { isOrdinaryHangup } from '../workflows/shell/hangup-causes';

export { RECORD_DISCARD_VAR } from '../lib/esl/recordings';

/** Channel variable naming a conversation-script run, whose session overrides the bridge looks up. */
export const RUN_ID_VAR = 'ivr_run_id';

export interface BridgeNode {
  name: string;
  esl: EslConnection;
}

export interface SessionOverrides {
  globals?: Record<string, JsonValue>;
  ctx?: Ctx;
}

export interface EslBridgeOptions {
  client: Client;
  machine: CompiledMachine;
  nodes: BridgeNode[];
  /** Destination numbers of the IVR extension. */
  destinations: string[];
  startEvent?: 'CHANNEL_PARK' | 'CHANNEL_ANSWER';
  /** Task queue of the session workflows (sessions/start default when omitted). */
  sessionTaskQueue?: string;
  logger?: Logger;
  /** Session additions for a call carrying the channel variable ivr_run_id (conversation scripts, local tools). */
  overrides?: (runId: string) => SessionOverrides | undefined;
}

interface TrackedCall {
  uuid: string;
  node: string;
  workflowId: string;
  /** Signals of a call go out one after the other, in event order. */
  chain: Promise<void>;
  record?: { path: string; keyed: boolean };
  hungUp: boolean;
  /** Which turn waits for the caller, and the last input sent (lib/esl/turns.ts). */
  turns: CallTurns;
  /** When the held turn was taken or last heartbeaten (ms). */
  turnBeatAt?: number;
}

export interface BridgeStats {
  started: number;
  adopted: number;
  signals: Record<CallerInput['kind'], number>;
  recordingsDropped: number;
  reconciledHangups: number;
  signalFailures: number;
  /** Inputs delivered as the result of the turn that waited for them (not counted in `signals`). */
  turnInputs: Record<CallerInput['kind'], number>;
  /** Turns completed without an input: void (an input was already on its way), superseded, or the caller left. */
  turnsVoid: number;
}

const ENDED_KEPT = 2048;
/**
 * An open turn is heartbeaten once it has waited this long since it was taken or last heartbeaten: its heartbeat
 * timeout (30 s, counted from the voice worker's last heartbeat, at most 5 s before the announcement) then finds a
 * dead bridge, never a live one. Most turns are answered sooner and cost no heartbeat at all.
 */
const TURN_HEARTBEAT_MS = 10_000;
const TURN_HEARTBEAT_TICK_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EslBridge {
  private readonly log: Logger;
  private readonly calls = new Map<string, TrackedCall>();
  /** Calls seen ending recently: their late events (RECORD_STOP after hangup) are dropped. */
  private readonly ended = new Set<string>();
  private readonly destinations: Set<string>;
  private readonly startEvent: 'CHANNEL_PARK' | 'CHANNEL_ANSWER';
  private readonly detach: Array<() => void> = [];
  private stopped = false;
  readonly stats: BridgeStats = {
    started: 0,
    adopted: 0,
    signals: { dtmf: 0, speech: 0, audio: 0, text: 0, hangup: 0, noinput: 0 },
    recordingsDropped: 0,
    reconciledHangups: 0,
    signalFailures: 0,
    turnInputs: { dtmf: 0, speech: 0, audio: 0, text: 0, hangup: 0, noinput: 0 },
    turnsVoid: 0,
  };
  private heartbeats: NodeJS.Timeout | undefined;

  constructor(private readonly opts: EslBridgeOptions) {
    this.log = opts.logger ?? createLogger('esl-bridge');
    this.destinations = new Set(opts.destinations);
    this.startEvent = opts.startEvent ?? 'CHANNEL_PARK';
  }

  /** Connects every node (when not yet connected), subscribes, and adopts IVR calls already up. */
  async start(): Promise<void> {
    for (const node of this.opts.nodes) {
      const onEvent = (ev: EslEvent) => this.onEvent(node, ev);
      const onReconnected = () => {
        void this.reconcile(node).catch((err: Error) => this.log.warn({ node: node.name, err: err.message }, 'reconciliation after reconnect failed'));
      };
      node.esl.on('event', onEvent);
      node.esl.on('reconnected', onReconnected);
      // ivr_esl_connected / _reconnects_total / _disconnects_total for this node.
      watchEslConnection(node.esl, 'esl-bridge', node.name);
      this.detach.push(() => {
        node.esl.off('event', onEvent);
        node.esl.off('reconnected', onReconnected);
      });
      if (!node.esl.isReady) await node.esl.connect();
      const names = [this.startEvent, 'DTMF', 'RECORD_START', 'RECORD_STOP', 'CHANNEL_HANGUP'];
      await node.esl.subscribe([...names, `CUSTOM ${TURN_EVENT_SUBCLASS}`]);
      // Only these reach the bridge: the adapter's own subscriptions (every application completion on the node)
      // are of no use here and would be most of the traffic.
      for (const name of names) await node.esl.filter('Event-Name', name);
      await node.esl.filter('Event-Subclass', TURN_EVENT_SUBCLASS);
      await this.reconcile(node);
      this.log.info({ node: node.name, destinations: [...this.destinations], startEvent: this.startEvent }, 'esl-bridge listening');
    }
    this.heartbeats = setInterval(() => this.heartbeatTurns(), TURN_HEARTBEAT_TICK_MS);
    this.heartbeats.unref();
  }

  /** Stops listening; signals already queued are sent first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeats) clearInterval(this.heartbeats);
    for (const d of this.detach.splice(0)) d();
    await Promise.allSettled([...this.calls.values()].map((c) => c.chain));
  }

  /** Calls tracked now (uuid → node), for tests and the operator CLI. */
  trackedCalls(): Map<string, string> {
    return new Map([...this.calls.values()].map((c) => [c.uuid, c.node]));
  }

  /** The call's turn that waits for the caller, held for its next input (undefined when none is). */
  openTurn(uuid: string): TurnAnnouncement | undefined {
    return this.calls.get(uuid)?.turns.open;
  }

  /** Resolves when every signal queued so far for every call has been sent. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.calls.values()].map((c) => c.chain));
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  private onEvent(node: BridgeNode, ev: EslEvent): void {
    if (this.stopped) return;
    try {
      const turn = parseTurnEvent(ev);
      if (turn) return this.onTurn(turn);
      const uuid = ev.uniqueId;
      if (!uuid) return;
      if (ev.name === this.startEvent) return this.onCallUp(node, ev, uuid);
      const call = this.calls.get(uuid);
      if (!call) return;
      switch (ev.name) {
        case 'DTMF': {
          const digit = ev.headers['DTMF-Digit'] ?? '';
          if (call.record) call.record.keyed = true;
          this.send(call, { eventId: eventIdOf(ev), kind: 'dtmf', digits: digit });
          return;
        }
        case 'RECORD_START':
          call.record = { path: ev.headers['Record-File-Path'] ?? '', keyed: false };
          return;
        case 'RECORD_STOP':
          return this.onRecordStop(call, ev);
        case 'CHANNEL_HANGUP':
          return this.onHangup(call, ev.headers['Hangup-Cause']);
        default:
          return;
      }
    } catch (err) {
      this.log.error({ node: node.name, event: ev.name, err: (err as Error).message }, 'event handling failed; the bridge goes on');
    }
  }

  private onCallUp(node: BridgeNode, ev: EslEvent, uuid: string): void {
    if (this.calls.has(uuid) || this.ended.has(uuid)) return;
    const dest = ev.headers['Caller-Destination-Number'] ?? '';
    if (!this.destinations.has(dest)) return;
    const caller = ev.headers['Caller-Caller-ID-Number'];
    const runId = ev.headers[`variable_${RUN_ID_VAR}`];
    this.track(node, uuid, caller, runId, 'started');
  }

  private track(node: BridgeNode, uuid: string, caller: string | undefined, runId: string | undefined, how: 'started' | 'adopted'): TrackedCall {
    const call: TrackedCall = {
      uuid,
      node: node.name,
      workflowId: sessionWorkflowId('voice', uuid),
      chain: Promise.resolve(),
      hungUp: false,
      // A call adopted after a restart had inputs this bridge never saw: its next announcement is trusted.
      turns: new CallTurns(how === 'started' ? NO_INPUT_YET : null),
    };
    this.calls.set(uuid, call);
    const extra = runId ? this.opts.overrides?.(runId) : undefined;
    const validCaller = caller && caller !== '0000000000' && /^\+?[0-9]{3,20}$/.test(caller) ? caller : undefined;
    call.chain = this.withRetry(`start ${call.workflowId}`, async () => {
      await startSessionWorkflow(
        this.opts.client,
        {
          machine: this.opts.machine,
          channel: 'voice',
          callId: uuid,
          ...(validCaller ? { caller: validCaller } : {}),
          voiceTaskQueue: voiceTaskQueue(node.name),
          ...(extra?.globals ? { globals: extra.globals } : {}),
          ...(extra?.ctx ? { ctx: extra.ctx } : {}),
        },
        this.opts.sessionTaskQueue ? { taskQueue: this.opts.sessionTaskQueue } : {},
      );
      if (how === 'started') this.stats.started++;
      else this.stats.adopted++;
      this.log.info({ node: node.name, uuid, callerHash: validCaller ? piiHash(validCaller) : undefined, how }, 'session started for call');
    });
    return call;
  }

  private onRecordStop(call: TrackedCall, ev: EslEvent): void {
    const path = ev.headers['Record-File-Path'] ?? '';
    const rec = call.record;
    call.record = undefined;
    const discarded = ev.headers[`variable_${RECORD_DISCARD_VAR}`] === path;
    const keyed = rec?.path === path && rec.keyed;
    const verdict = recordingVerdict(ev.headers);
    if (call.hungUp || discarded || keyed || verdict === 'nothing' || !path) {
      this.stats.recordingsDropped++;
      const why = call.hungUp ? 'hung up' : discarded ? 'stopped by the voice worker' : keyed ? 'caller used keys' : !path ? 'no path' : 'nothing recorded';
      const cause = ev.headers['Record-Completion-Cause'];
      // A recording FreeSWITCH could not write is a failure an operator must see; the others are routine.
      if (cause === 'uri-failure') this.log.error({ uuid: call.uuid, cause }, 'FreeSWITCH could not write the recording');
      else this.log.debug({ uuid: call.uuid, why, cause }, 'recording not forwarded');
      return;
    }
    if (verdict === 'noinput') this.send(call, { eventId: eventIdOf(ev), kind: 'noinput' });
    else this.send(call, { eventId: eventIdOf(ev), kind: 'audio', ref: path });
  }

  private onHangup(call: TrackedCall, cause: string | undefined): void {
    if (call.hungUp) return;
    call.hungUp = true;
    if (!isOrdinaryHangup(cause)) this.log.warn({ uuid: call.uuid, cause }, 'call ended by FreeSWITCH with an unusual cause');
    this.send(call, { eventId: `hangup:${call.uuid}`, kind: 'hangup', ...(cause ? { cause } : {}) });
    const chain = call.chain;
    void chain.then(() => {
      if (this.calls.get(call.uuid) === call) this.calls.delete(call.uuid);
      this.ended.add(call.uuid);
      if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.values().next().value as string);
    });
  }

  /**
   * Queues an input for the session: as the result of the turn waiting for it, else as a signal. Everything for one
   * call goes out in event order, each request finished before the next starts, so a signal never overtakes the
   * completion of the turn before it.
   */
  private send(call: TrackedCall, input: CallerInput): void {
    const turn = call.turns.deliver(input.eventId);
    call.chain = call.chain.then(async () => {
      if (turn && (await this.completeTurn(turn, { interrupted: false, input }))) {
        this.stats.turnInputs[input.kind]++;
        return;
      }
      await this.withRetry(`signal ${input.kind} to ${call.workflowId}`, async () => {
        await this.opts.client.workflow.getHandle(call.workflowId).signal(inputSignal, input);
        this.stats.signals[input.kind]++;
      });
    });
  }

  /** A turn announced by the voice worker: held for the call's next input, or completed at once when void. */
  private onTurn(turn: TurnAnnouncement): void {
    const call = this.calls.get(turn.callId);
    const taken = call && !call.hungUp && call.workflowId === turn.workflowId ? call.turns.announce(turn) : { hold: false };
    if (!call || !taken.hold) {
      // An input the session has not seen is on its way (or the call is gone): the session takes it from the signal.
      const complete = async () => {
        if (await this.completeTurn(turn, { interrupted: false })) this.stats.turnsVoid++;
      };
      if (call) call.chain = call.chain.then(complete);
      else void complete();
      const why = !call ? 'call not tracked' : call.hungUp ? 'caller gone' : call.workflowId !== turn.workflowId ? 'another session' : 'an input is on its way';
      this.log.debug({ uuid: turn.callId, why }, 'turn void: completed empty');
      return;
    }
    call.turnBeatAt = Date.now();
    const previous = taken.superseded;
    if (previous) {
      // A newer turn of the same call (the session moved on without the older one's answer): the older one ends empty.
      call.chain = call.chain.then(async () => {
        if (await this.completeTurn(previous, { interrupted: false })) this.stats.turnsVoid++;
      });
    }
  }

  /**
   * Completes a turn's activity. False when it cannot be completed any more (timed out, or the session ended): the
   * caller's input then goes as a signal. Retried like signals while Temporal is unreachable.
   */
  private async completeTurn(turn: TurnAnnouncement, result: VoiceTurnResult): Promise<boolean> {
    let completed = false;
    await this.withRetry(`complete turn ${turn.activityId} of ${turn.workflowId}`, async () => {
      try {
        await this.opts.client.activity.complete(turnActivityId(turn), result);
        completed = true;
      } catch (err) {
        if (err instanceof ActivityNotFoundError) return;
        throw err;
      }
    });
    return completed;
  }

  /** Keeps waiting turns alive (their heartbeat timeout finds a bridge that died); forgets those gone meanwhile. */
  private heartbeatTurns(): void {
    const now = Date.now();
    for (const call of this.calls.values()) {
      const turn = call.turns.open;
      if (!turn || now - (call.turnBeatAt ?? 0) < TURN_HEARTBEAT_MS) continue;
      call.turnBeatAt = now;
      this.opts.client.activity.heartbeat(turnActivityId(turn)).catch((err: Error) => {
        if (err instanceof ActivityNotFoundError) call.turns.drop(turn);
        else this.log.debug({ uuid: call.uuid, err: err.message }, 'turn heartbeat failed');
      });
    }
  }

  /** Temporal briefly unreachable must not lose a key press: retry with backoff; a finished session is no error. */
  private async withRetry(what: string, fn: () => Promise<void>): Promise<void> {
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          this.log.debug({ what }, 'session already finished: input dropped');
          return;
        }
        if (attempt >= 6 || this.stopped) {
          this.stats.signalFailures++;
          this.log.error({ what, err: (err as Error).message, attempt }, 'giving up on a session request');
          return;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  // ---- reconciliation -------------------------------------------------------------------------------------------

  /**
   * Events sent while the socket was down are lost: calls of this node that ended meanwhile are signalled as hung
   * up (same event id as CHANNEL_HANGUP would give, so never twice), IVR calls that started meanwhile are adopted.
   */
  private async reconcile(node: BridgeNode): Promise<void> {
    const mine = [...this.calls.values()].filter((c) => c.node === node.name && !c.hungUp);
    for (const call of mine) {
      const exists = (await node.esl.api(`uuid_exists ${call.uuid}`)).trim();
      if (exists === 'false') {
        this.stats.reconciledHangups++;
        this.log.info({ node: node.name, uuid: call.uuid }, 'call ended while the event socket was down');
        this.onHangup(call, 'UNKNOWN_AFTER_RECONNECT');
      }
    }
    const listing = await node.esl.api('show channels');
    for (const ch of parseShowChannels(listing)) {
      if (this.calls.has(ch.uuid) || this.ended.has(ch.uuid) || !this.destinations.has(ch.dest)) continue;
      // A session that already exists (or finished, e.g. handed to an agent) must not be started again.
      const known = await this.opts.client.workflow
        .getHandle(sessionWorkflowId('voice', ch.uuid))
        .describe()
        .then(
          () => true,
          (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)),
        );
      if (known) {
        this.calls.set(ch.uuid, { uuid: ch.uuid, node: node.name, workflowId: sessionWorkflowId('voice', ch.uuid), chain: Promise.resolve(), hungUp: false, turns: new CallTurns(null) });
        continue;
      }
      this.track(node, ch.uuid, ch.cidNum, undefined, 'adopted');
    }
  }
}

/** `<Core-UUID>:<Event-Sequence>`: unique per FreeSWITCH instance and event. */
export function eventIdOf(ev: EslEvent): string {
  return `${ev.headers['Core-UUID'] ?? 'core'}:${ev.headers['Event-Sequence'] ?? '0'}`;
}

/** Rows of `show channels` (CSV with a header line, then a blank line and "N total."). */
export function parseShowChannels(text: string): Array<{ uuid: string; dest: string; cidNum?: string }> {
  const lines = text.split('\n').map((l) => l.trim());
  const header = lines[0]?.split(',') ?? [];
  const iUuid = header.indexOf('uuid');
  const iDest = header.indexOf('dest');
  const iCid = header.indexOf('cid_num');
  if (iUuid < 0 || iDest < 0) return [];
  const out: Array<{ uuid: string; dest: string; cidNum?: string }> = [];
  for (const line of lines.slice(1)) {
    if (!line || /^\d+ total\.$/.test(line)) continue;
    const cols = line.split(',');
    const uuid = cols[iUuid];
    const dest = cols[iDest];
    if (!uuid || dest === undefined) continue;
    const cid = iCid >= 0 ? cols[iCid] : undefined;
    out.push({ uuid, dest, ...(cid ? { cidNum: cid } : {}) });
  }
  return out;
}
