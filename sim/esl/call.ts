/**
 * One simulated channel: state, ordered channel variables, the dialplan and socket-queued applications run one at a
 * time (as the session thread does), media that takes time (playback, speak, record, play_and_get_digits), DTMF
 * and audio injected by the test, hangup with the real event sequence.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { channelEvent, nowMicros, SITES, type CallingSite, type ChannelView } from './events';
import type { SimulatorContext } from './context';
import { durationMs, readWav, resample, writeWav, type PcmAudio } from './wav';
import { isTrue, mediaBugSettings, MediaBugRecording, timeline, type Segment } from './media-bug';

export type AppOutcome = 'done' | 'break' | 'hangup';

/** Q.850 codes of the causes the product meets. */
const Q850: Record<string, number> = {
  UNALLOCATED_NUMBER: 1, NO_ROUTE_DESTINATION: 3, NORMAL_CLEARING: 16, USER_BUSY: 17, NO_USER_RESPONSE: 18,
  NO_ANSWER: 19, CALL_REJECTED: 21, DESTINATION_OUT_OF_ORDER: 27, NORMAL_TEMPORARY_FAILURE: 41,
  ORIGINATOR_CANCEL: 487, MANAGER_REQUEST: 503, RECOVERY_ON_TIMER_EXPIRE: 102, LOSE_RACE: 502,
};

export interface PlaceCallOptions {
  callerIdNumber: string;
  destinationNumber: string;
  callerIdName?: string;
  direction?: 'inbound' | 'outbound';
  /** Extra channel variables set at creation (e.g. sip_h_X-… headers). */
  variables?: Record<string, string>;
}

export interface ExecutedApp {
  app: string;
  arg: string;
  applicationUuid: string;
  response?: string;
}

interface QueuedApp {
  app: string;
  arg: string;
  applicationUuid: string;
}

/** A key the caller pressed, waiting in the channel's DTMF queue (switch_channel_queue_dtmf). */
interface QueuedDtmf {
  digit: string;
  /** Samples at 8 kHz, as DTMF-Duration reports it. */
  duration: number;
  /** sensitive_dtmf was true when it was queued: dequeued without an event. */
  sensitive: boolean;
}

/** A key that left the channel's queue without being read, so without a DTMF event. */
export interface DiscardedDtmf {
  digit: string;
  /** What flushed the queue: `record` (its end), `bridge` (its end), `transfer`, or `hangup`. */
  by: 'record' | 'bridge' | 'transfer' | 'hangup';
}

/** A cancellable wait; `interrupt` ends it early with a reason. */
class Slot {
  private timer: NodeJS.Timeout | undefined;
  private resolveFn: ((o: string) => void) | undefined;
  /** Set while the application reads DTMF: called with each key it dequeues. */
  onDtmf: ((digit: string) => void) | undefined;
  /** Set while the application only looks at the queue (sleep without sleep_eat_digits): a key ends it unread. */
  onQueued: (() => void) | undefined;
  onSpeech: (() => void) | undefined;
  /** True while a wait is in progress (the application's loop is running). */
  get waiting(): boolean {
    return this.resolveFn !== undefined;
  }
  wait(ms: number): Promise<string> {
    return new Promise((resolve) => {
      this.resolveFn = resolve;
      if (Number.isFinite(ms)) this.timer = setTimeout(() => this.finish('timeout'), Math.max(0, ms));
    });
  }
  interrupt(reason: string): void {
    this.finish(reason);
  }
  private finish(reason: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const r = this.resolveFn;
    this.resolveFn = undefined;
    r?.(reason);
  }
}

export class SimCall {
  readonly uuid: string;
  readonly callerIdNumber: string;
  destinationNumber: string;
  readonly direction: 'inbound' | 'outbound';
  /** Every application run on this channel, in order, with its response once complete. */
  readonly apps: ExecutedApp[] = [];
  /** Paths of recordings written. */
  readonly recordings: string[] = [];
  /** Digits received by the switch (queued on the channel), in order, whether or not an application read them. */
  dtmf = '';
  /** Keys flushed from the channel's queue without a DTMF event, in order. */
  readonly discardedDtmf: DiscardedDtmf[] = [];
  answered = false;
  hungUp = false;
  hangupCause: string | undefined;
  readonly variables = new Map<string, string>();
  /** Resolves once CHANNEL_DESTROY has been emitted. */
  readonly ended: Promise<void>;

  private endResolve!: () => void;
  private readonly ctx: SimulatorContext;
  private readonly channelName: string;
  private readonly callerIdName: string;
  private state = 'CS_INIT';
  private stateNumber = 2;
  private callState = 'DOWN';
  private answerState = 'ringing';
  private readonly createdUs: string;
  private answeredUs = '0';
  private hangupUs = '0';
  private transferUs = '0';
  private bridgedUs = '0';
  private dialplanQueue: QueuedApp[] = [];
  private readonly privateQueue: QueuedApp[] = [];
  private parked: QueuedApp | undefined;
  private wake: (() => void) | undefined;
  private current: { app: string; slot: Slot } | undefined;
  private running: Promise<void> | undefined;
  private speech: Array<{ audio: PcmAudio; at: number }> = [];
  private bridgeEnd: (() => void) | undefined;
  /** The channel's DTMF queue: keys wait here until an application (or park) reads them. */
  private readonly dtmfQueue: QueuedDtmf[] = [];
  /** True while park's loop runs with no application on top of it: it reads DTMF. */
  private parkIdle = false;

  constructor(ctx: SimulatorContext, opts: PlaceCallOptions) {
    this.ctx = ctx;
    this.uuid = crypto.randomUUID();
    this.callerIdNumber = opts.callerIdNumber;
    this.callerIdName = opts.callerIdName ?? opts.callerIdNumber;
    this.destinationNumber = opts.destinationNumber;
    this.direction = opts.direction ?? 'inbound';
    this.channelName = `sofia/external/${opts.callerIdNumber}@${ctx.core.ipv4}`;
    this.createdUs = nowMicros();
    this.ended = new Promise((r) => (this.endResolve = r));
    const v = (k: string, val: string) => this.setVar(k, val);
    v('direction', this.direction);
    v('uuid', this.uuid);
    v('call_uuid', this.uuid);
    v('session_id', String(ctx.nextSessionId()));
    v('sip_from_user', opts.callerIdNumber);
    v('sip_from_uri', `${opts.callerIdNumber}@${ctx.core.ipv4}`);
    v('sip_from_host', ctx.core.ipv4);
    v('channel_name', this.channelName);
    v('sip_call_id', `${crypto.randomBytes(8).toString('hex')}@${ctx.core.ipv4}`);
    v('sip_network_ip', '127.0.0.1');
    v('sip_network_port', '5060');
    v('sip_from_user_stripped', opts.callerIdNumber);
    v('sofia_profile_name', 'external');
    v('sip_from_display', this.callerIdName);
    v('sip_req_user', opts.destinationNumber);
    v('sip_req_uri', `${opts.destinationNumber}@${ctx.core.ipv4}`);
    v('sip_to_user', opts.destinationNumber);
    v('sip_to_uri', `${opts.destinationNumber}@${ctx.core.ipv4}`);
    v('max_forwards', '70');
    v('rtp_use_codec_name', 'PCMA');
    v('rtp_use_codec_rate', '8000');
    v('rtp_use_codec_ptime', '20');
    v('read_codec', 'PCMA');
    v('original_read_codec', 'PCMA');
    v('read_rate', '8000');
    v('original_read_rate', '8000');
    v('write_codec', 'PCMA');
    v('write_rate', '8000');
    v('dtmf_type', 'rfc2833');
    v('endpoint_disposition', 'RECEIVED');
    for (const [k, val] of Object.entries(opts.variables ?? {})) v(k, val);
  }

  /** Starts the channel: CHANNEL_CREATE, then the dialplan extension for the destination. */
  start(apps?: Array<[string, string]>): void {
    this.emit('CHANNEL_CREATE', SITES.CHANNEL_CREATE);
    this.state = 'CS_EXECUTE';
    this.stateNumber = 4;
    this.callState = 'RINGING';
    this.dialplanQueue = (apps ?? this.ctx.dialplan(this.destinationNumber)).map(([app, arg]) => ({ app, arg, applicationUuid: crypto.randomUUID() }));
    this.running = this.runLoop();
  }

  // ---- test-side control -------------------------------------------------------------------------------------

  /**
   * The caller presses keys. Each digit is queued on the channel at its end (switch_channel_queue_dtmf, as
   * RFC 2833 reports it); its DTMF event is fired only when an application reads it (switch_channel_dequeue_dtmf):
   * at once if one is reading, later otherwise, never if the queue is flushed first (`discardedDtmf`).
   * Resolves once every digit is queued and the gap after the last one has passed; not when events are out.
   */
  async press(digits: string, opts: { durationMs?: number; gapMs?: number } = {}): Promise<void> {
    const dur = opts.durationMs ?? 140;
    const gap = opts.gapMs ?? 60;
    for (const digit of digits) {
      if (this.hungUp) return;
      await this.ctx.sleep(dur);
      if (this.hungUp) return;
      this.queueDtmf(digit, Math.round(dur * 8));
      await this.ctx.sleep(gap);
    }
  }

  /** Keys waiting in the channel's queue (pressed, not yet read by an application). */
  get queuedDtmf(): string {
    return this.dtmfQueue.map((d) => d.digit).join('');
  }

  /** The caller says something: the audio the current or next `record` captures. */
  speak(audio: Buffer | string): void {
    const buf = typeof audio === 'string' ? fs.readFileSync(audio) : audio;
    const pcm = resample(readWav(buf), 8000);
    this.speech.push({ audio: pcm, at: Date.now() });
    this.hearInMediaBugs(pcm);
    this.current?.slot.onSpeech?.();
  }

  /** The caller (or the far end) hangs up. */
  hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    return this.doHangup(cause);
  }

  /** A speech recogniser attached to the channel reports a result (DETECTED_SPEECH, body = the result). */
  detectSpeech(result: string, speechType = 'detected-speech'): void {
    if (this.hungUp) return;
    this.emit('DETECTED_SPEECH', SITES.DETECTED_SPEECH, { extra: [['Speech-Type', speechType]], body: result });
  }

  /** The bridged party leaves: the bridge (or callcenter) application completes and the call goes on. */
  endBridge(): void {
    this.bridgeEnd?.();
  }

  // ---- server-side control (sendmsg, api) --------------------------------------------------------------------

  queueApp(app: string, arg: string, applicationUuid: string): void {
    this.privateQueue.push({ app, arg, applicationUuid });
    this.wake?.();
  }

  /** uuid_break: stops the media being played; `all` also drops what is queued. */
  breakMedia(all: boolean): void {
    if (all) this.privateQueue.length = 0;
    if (this.current && ['playback', 'speak', 'play_and_get_digits', 'record', 'sleep'].includes(this.current.app)) {
      this.current.slot.interrupt('break');
    }
  }

  answer(): void {
    if (this.answered || this.hungUp) return;
    this.answered = true;
    this.answeredUs = nowMicros();
    this.answerState = 'answered';
    this.setVar('answer_stamp', stamp(new Date()));
    this.emit('CHANNEL_ANSWER', SITES.CHANNEL_ANSWER);
    this.callState = 'ACTIVE';
  }

  transfer(dest: string): void {
    this.destinationNumber = dest;
    this.transferUs = nowMicros();
    this.privateQueue.length = 0;
    // switch_ivr_session_transfer resets the session with flush_dtmf.
    this.flushDtmf('transfer');
    this.dialplanQueue = this.ctx.dialplan(dest).map(([app, arg]) => ({ app, arg, applicationUuid: crypto.randomUUID() }));
    if (this.parked) this.unpark();
    if (this.current) this.current.slot.interrupt('break');
    this.wake?.();
  }

  setVar(name: string, value: string | undefined): void {
    // switch_channel_set_variable deletes then appends: a re-set variable moves to the end.
    this.variables.delete(name);
    if (value !== undefined) this.variables.set(name, value);
  }

  getVar(name: string): string | undefined {
    return this.variables.get(name);
  }

  view(): ChannelView {
    const v: ChannelView = {
      uuid: this.uuid,
      channelName: this.channelName,
      state: this.state,
      stateNumber: this.stateNumber,
      callState: this.callState,
      answerState: this.answerState,
      direction: this.direction,
      readCodec: ['PCMA', 8000, 64000],
      writeCodec: ['PCMA', 8000, 64000],
      profile: {
        username: this.callerIdNumber,
        callerIdName: this.callerIdName,
        callerIdNumber: this.callerIdNumber,
        networkAddr: '127.0.0.1',
        destinationNumber: this.destinationNumber,
        source: 'mod_sofia',
        context: 'public',
        createdTime: this.createdUs,
        answeredTime: this.answeredUs,
        hangupTime: this.hangupUs,
        transferTime: this.transferUs,
        bridgedTime: this.bridgedUs,
      },
      variables: this.variables,
    };
    if (this.hangupCause) v.hangupCause = this.hangupCause;
    return v;
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private emit(name: string, site: CallingSite, opts: Parameters<typeof channelEvent>[5] = {}): void {
    this.ctx.fire(channelEvent(this.ctx.core, name, site, this.ctx.nextSeq(), this.view(), opts));
  }

  // ---- the channel's DTMF queue ------------------------------------------------------------------------------

  /** switch_channel_queue_dtmf: logs RECV DTMF, queues the key and breaks the media read so a reader sees it. */
  private queueDtmf(digit: string, duration: number): void {
    const sensitive = isTrue(this.getVar('sensitive_dtmf'));
    if (!sensitive) this.ctx.fsLog('INFO', 'switch_channel.c:528', `RECV DTMF ${digit}:${duration}`, this.uuid);
    this.dtmf += digit;
    this.dtmfQueue.push({ digit, duration, sensitive });
    this.pumpDtmf();
  }

  /**
   * Lets the application that reads the channel take queued keys one at a time, as its loop does
   * (switch_channel_has_dtmf, then switch_channel_dequeue_dtmf): the running application's reader while it waits,
   * park's loop when nothing runs on top of it. A reader that stops (a terminator) leaves the rest queued.
   */
  private pumpDtmf(): void {
    while (this.dtmfQueue.length && !this.hungUp) {
      const slot = this.current?.slot;
      if (slot) {
        if (!slot.waiting) return;
        if (slot.onQueued) {
          slot.onQueued();
          return;
        }
        if (!slot.onDtmf) return;
        const d = this.dtmfQueue.shift()!;
        this.dequeued(d);
        slot.onDtmf(d.digit);
        continue;
      }
      if (!this.parkIdle) return;
      this.dequeued(this.dtmfQueue.shift()!);
    }
  }

  /** switch_channel_dequeue_dtmf fires the DTMF event (no variables; none for a sensitive key). */
  private dequeued(d: QueuedDtmf): void {
    if (d.sensitive) return;
    this.emit('DTMF', SITES.DTMF, {
      withVariables: false,
      extra: [['DTMF-Digit', d.digit], ['DTMF-Duration', String(d.duration)], ['DTMF-Source', 'RTP']],
    });
  }

  /** switch_channel_flush_dtmf (via switch_core_session_reset with flush_dtmf): queued keys vanish, no event. */
  private flushDtmf(by: DiscardedDtmf['by']): void {
    for (const d of this.dtmfQueue.splice(0)) this.discardedDtmf.push({ digit: d.digit, by });
  }

  /** Starts a wait during which the application reads DTMF: keys already queued are read at once. */
  private readWait(slot: Slot, realMs: number): Promise<string> {
    const p = slot.wait(realMs);
    this.pumpDtmf();
    return p;
  }

  private async runLoop(): Promise<void> {
    while (!this.hungUp) {
      const next = this.privateQueue.shift() ?? (this.parked ? undefined : this.dialplanQueue.shift());
      if (next) {
        await this.execute(next);
        continue;
      }
      if (this.parked || this.bridgeEnd) {
        const woken = new Promise<void>((r) => (this.wake = r));
        // switch_ivr_park reads the channel's DTMF on every frame while no application runs on top of it.
        this.parkIdle = this.parked !== undefined;
        this.pumpDtmf();
        await woken;
        this.parkIdle = false;
        this.wake = undefined;
        continue;
      }
      // Nothing left in the extension and not parked: FreeSWITCH hangs the call up.
      await this.doHangup('NORMAL_CLEARING');
    }
  }

  private async execute(q: QueuedApp): Promise<void> {
    const record: ExecutedApp = { app: q.app, arg: q.arg, applicationUuid: q.applicationUuid };
    this.apps.push(record);
    const appHeaders = (): Array<[string, string]> => {
      const h: Array<[string, string]> = [['Application', q.app]];
      if (q.arg) h.push(['Application-Data', q.arg]);
      return h;
    };
    this.setVar('current_application_data', q.arg || undefined);
    this.setVar('current_application', q.app);
    this.emit('CHANNEL_EXECUTE', SITES.CHANNEL_EXECUTE, { extra: [...appHeaders(), ['Application-UUID', q.applicationUuid]] });
    const slot = new Slot();
    this.current = { app: q.app, slot };
    let response = '_none_';
    try {
      const r = await this.runApp(q, slot);
      if (r === 'deferred') return;
      if (typeof r === 'string') response = r;
    } finally {
      if (this.current?.slot === slot) this.current = undefined;
    }
    this.complete(q, response);
  }

  private complete(q: QueuedApp, response: string): void {
    const record = this.apps.find((a) => a.applicationUuid === q.applicationUuid);
    if (record) record.response = response;
    const extra: Array<[string, string]> = [['Application', q.app]];
    if (q.arg) extra.push(['Application-Data', q.arg]);
    extra.push(['Application-Response', response], ['Application-UUID', q.applicationUuid]);
    this.emit('CHANNEL_EXECUTE_COMPLETE', SITES.CHANNEL_EXECUTE_COMPLETE, { extra });
  }

  /** Runs one application; returns its response text, or 'deferred' when it completes later (park). */
  private async runApp(q: QueuedApp, slot: Slot): Promise<string | 'deferred' | void> {
    const args = q.arg.trim() ? q.arg.trim().split(/\s+/) : [];
    switch (q.app) {
      case 'answer':
      case 'pre_answer':
        this.answer();
        return;
      case 'set':
      case 'export': {
        const eq = q.arg.indexOf('=');
        if (eq > 0) this.setVar(q.arg.slice(0, eq), q.arg.slice(eq + 1) || undefined);
        return;
      }
      case 'unset':
        this.setVar(q.arg.trim(), undefined);
        return;
      case 'park':
        this.parked = q;
        this.emit('CHANNEL_PARK', SITES.CHANNEL_PARK);
        return 'deferred';
      case 'hangup':
        await this.doHangup(args[0] || 'NORMAL_CLEARING');
        return;
      case 'transfer':
        this.transfer(args[0] ?? this.destinationNumber);
        return;
      case 'sleep':
        return this.sleepApp(Number(args[0] ?? 0), slot);
      case 'playback':
        return this.playback(q.arg.trim(), slot);
      case 'speak':
        return this.speakApp(q.arg, slot);
      case 'play_and_get_digits':
        return this.playAndGetDigits(args, slot);
      case 'record':
        return this.recordApp(args, slot);
      case 'bridge':
        return this.bridge(q.arg.trim(), slot);
      case 'callcenter':
        return this.callcenter(args[0] ?? '', slot);
      default:
        this.ctx.log(`application "${q.app}" is not simulated: completed without effect`);
        return;
    }
  }

  /**
   * Waits `ms` of simulated time; ends early on break/hangup. With `reads`, the application reads DTMF meanwhile
   * (each key fires its event) and a key among `terminators` ends it (mod_dptools on_dtmf).
   */
  private async media(slot: Slot, ms: number, opts: { breakable: boolean; reads?: boolean; terminators?: string | undefined }): Promise<AppOutcome> {
    if (this.hungUp) return 'hangup';
    const terms = opts.terminators;
    slot.onDtmf = opts.reads
      ? (d) => {
          if (terms && (terms === 'any' || terms.includes(d))) {
            this.setVar('playback_terminator_used', d);
            slot.interrupt('break');
          }
        }
      : undefined;
    const r = await this.readWait(slot, this.ctx.scale(ms));
    slot.onDtmf = undefined;
    if (r === 'hangup' || this.hungUp) return 'hangup';
    if (r === 'break' && opts.breakable) return 'break';
    return 'done';
  }

  /** playback_terminators as on_dtmf reads it: default "*", "any" = every key, "none" = no terminator. */
  private terminators(): string | undefined {
    const t = this.getVar('playback_terminators') ?? '*';
    if (t.toLowerCase() === 'any') return '1234567890*#';
    return t.toLowerCase() === 'none' || t === '' ? undefined : t;
  }

  /** One file with PLAYBACK_START/STOP around it; returns done/break/hangup. */
  private async playFile(file: string, slot: Slot, terminators: string | undefined, onDigit?: (d: string) => void, reads = true): Promise<AppOutcome> {
    const ms = this.ctx.playbackMs(file);
    const fileHeaders: Array<[string, string]> = [];
    if (file.startsWith('tone_stream:')) fileHeaders.push(['Playback-File-Type', 'tone_stream']);
    else if (file.startsWith('local_stream:')) fileHeaders.push(['Playback-File-Type', 'local_stream']);
    fileHeaders.push(['Playback-File-Path', file]);
    this.emit('PLAYBACK_START', SITES.PLAYBACK_START, { extra: fileHeaders });
    const audible = !file.startsWith('silence_stream://');
    if (audible) this.playingToCaller(true);
    const started = Date.now();
    let outcome: AppOutcome;
    if (onDigit) {
      // switch_ivr_read plays with args.buf: the first key read ends the prompt; later keys stay queued.
      slot.onDtmf = (d) => {
        onDigit(d);
        slot.interrupt('break');
      };
      const r = await this.readWait(slot, this.ctx.scale(ms));
      slot.onDtmf = undefined;
      outcome = r === 'hangup' || this.hungUp ? 'hangup' : r === 'break' ? 'break' : 'done';
    } else {
      outcome = await this.media(slot, ms, { breakable: true, reads: reads, terminators });
    }
    if (audible) this.playingToCaller(false);
    const playedMs = outcome === 'done' ? ms : Math.min(ms, this.ctx.unscale(Date.now() - started));
    const samples = Math.round(playedMs * 8);
    this.setVar('playback_last_offset_pos', String(samples));
    this.setVar('playback_seconds', String(Math.floor(playedMs / 1000)));
    this.setVar('playback_ms', String(Math.round(playedMs)));
    this.setVar('playback_samples', String(samples));
    this.emit('PLAYBACK_STOP', SITES.PLAYBACK_STOP, {
      extra: [...fileHeaders, ['Playback-Status', outcome === 'done' ? 'done' : 'break']],
    });
    return outcome;
  }

  private async playback(file: string, slot: Slot): Promise<string> {
    if (!this.ctx.fileExists(file)) {
      this.setVar('current_application_response', 'FILE NOT FOUND');
      return 'FILE NOT FOUND';
    }
    await this.playFile(file, slot, this.terminators());
    this.setVar('current_application_response', 'FILE PLAYED');
    return 'FILE PLAYED';
  }

  /** speak_function: speaks with on_dtmf, so it reads DTMF and stops on a playback terminator. */
  /**
   * sleep_function → switch_ivr_sleep: with sleep_eat_digits it reads keys (on_dtmf: events, terminators end it);
   * without, its empty input args make the first queued key end the sleep unread (the key stays queued).
   */
  private async sleepApp(ms: number, slot: Slot): Promise<void> {
    if (isTrue(this.getVar('sleep_eat_digits'))) {
      await this.media(slot, ms, { breakable: true, reads: true, terminators: this.terminators() });
      return;
    }
    if (this.hungUp) return;
    slot.onQueued = () => slot.interrupt('break');
    await this.readWait(slot, this.ctx.scale(ms));
    slot.onQueued = undefined;
  }

  private async speakApp(arg: string, slot: Slot): Promise<void> {
    const parts = arg.split('|');
    const text = parts.length >= 3 ? parts.slice(2).join('|') : (parts[parts.length - 1] ?? '');
    this.playingToCaller(true);
    await this.media(slot, text.length * this.ctx.speakMsPerChar, { breakable: true, reads: true, terminators: this.terminators() });
    this.playingToCaller(false);
  }

  /**
   * play_and_get_digits <min> <max> <tries> <timeout> <terminators> <file> <invalid_file> <var> <regexp> [digit_timeout]
   * Mirrors switch_play_and_get_digits / switch_ivr_read: read_result is set by each read (success, timeout, or
   * failure when fewer than <min> digits came), <var> holds the digits (cleared and copied to <var>_invalid when
   * the regexp refuses them), a timeout with enough digits still succeeds (read_result stays "timeout").
   */
  private async playAndGetDigits(args: string[], slot: Slot): Promise<void> {
    const min = Number(args[0] ?? 0);
    const max = Math.max(1, Number(args[1] ?? 128));
    let tries = Math.max(1, Number(args[2] ?? 1));
    const timeout = Number(args[3] ?? 5000);
    const terms = args[4] === 'none' ? '' : (args[4] ?? '#');
    const file = args[5] ?? '';
    const invalid = args[6] ?? '';
    const varName = args[7] ?? '';
    const regexp = args[8] ?? '';
    const digitTimeout = Number(args[9] ?? timeout);
    if (regexp && varName) this.setVar(`${varName}_invalid`, undefined);
    while (!this.hungUp && tries > 0) {
      let digits = '';
      let terminator: string | undefined;
      let status: 'success' | 'timeout' | 'too_small' = 'success';
      const queue: string[] = [];
      if (file && file !== 'silence') {
        const r = await this.playFile(file, slot, undefined, (d) => queue.push(d));
        if (r === 'hangup') return;
      }
      const take = (d: string): boolean => {
        if (terms.includes(d)) {
          terminator = d;
          return true;
        }
        digits += d;
        return digits.length >= max;
      };
      let finished = false;
      for (const d of queue.splice(0)) if (!finished) finished = take(d);
      while (!finished && !this.hungUp) {
        slot.onDtmf = (d) => {
          queue.push(d);
          slot.interrupt('digit');
        };
        const r = await this.readWait(slot, this.ctx.scale(digits.length ? digitTimeout : timeout));
        slot.onDtmf = undefined;
        if (r === 'hangup' || this.hungUp) return;
        if (r === 'timeout' || r === 'break') {
          status = 'timeout';
          break;
        }
        for (const d of queue.splice(0)) if (!finished) finished = take(d);
      }
      if (terminator) this.setVar('read_terminator_used', terminator);
      if (min && digits.length < min) status = 'too_small';
      this.setVar('read_result', status === 'too_small' ? 'failure' : status);
      if (varName && digits) this.setVar(varName, digits);
      if (status === 'timeout' && digits.length >= min) status = 'success';
      if (min === 0 && !digits && terminator) return;
      if (status === 'success' && digits) {
        if (!regexp || new RegExp(regexp).test(digits)) return;
        if (varName) {
          this.setVar(varName, undefined);
          this.setVar(`${varName}_invalid`, digits);
        }
      }
      if (this.hungUp) return;
      if (invalid) {
        // Played with no input args: keys pressed meanwhile stay queued for the next try's prompt.
        const r = await this.playFile(invalid, slot, undefined, undefined, false);
        if (r === 'hangup') return;
      }
      tries--;
    }
  }

  /**
   * record <path> [limit_s] [silence_thresh] [silence_hits] (record_function → switch_ivr_record_file_event):
   * opens the file first (mod_sndfile creates no folder: on failure the call is hung up with
   * DESTINATION_OUT_OF_ORDER, no RECORD_START, the application completes); reads DTMF while it records (events;
   * a playback terminator ends it); writes a real 8 kHz mono WAV of the injected speech; ends with
   * switch_core_session_reset(session, SWITCH_TRUE, …), which discards keys still queued, including those that
   * landed during the last `recordDtmfLossWindowMs` when it no longer reads.
   */
  private async recordApp(args: string[], slot: Slot): Promise<void> {
    const file = args[0] ?? '';
    if (!file) {
      this.ctx.fsLog('ERR', 'mod_dptools.c:3246', 'No file specified.', this.uuid);
      return;
    }
    const limitMs = Number((args[1] ?? '0').replace(/^\+/, '')) * 1000 || Infinity;
    const thresh = Number(args[2] ?? 0);
    const hitsMs = (Number(args[3] ?? 0) || 3) * 1000;
    const silenceDetect = thresh > 0;
    const openError = openForWrite(file);
    if (openError) {
      this.ctx.fsLog('WARNING', 'mod_sndfile.c:281', `Error Opening File [${file}] [${openError}]`);
      void this.doHangup('DESTINATION_OUT_OF_ORDER', 'switch_ivr_play_say.c:564');
      this.flushDtmf('record');
      return;
    }
    this.setVar('silence_hits_exhausted', 'false');
    this.emit('RECORD_START', SITES.RECORD_START, { extra: [['Record-File-Path', file]] });
    const start = Date.now();
    // Simulated ms since the record started, and speech laid out on that time line.
    const simNow = () => this.ctx.unscale(Date.now() - start);
    const segments: Segment[] = [];
    // Speech injected before the record started is what the caller says right after the beep (offset 0);
    // speech injected during the record starts when it arrives, after anything still being said.
    const takeSpeech = (atStart: boolean) => {
      for (const sp of this.speech.splice(0)) {
        const end = segments.reduce((e, g) => Math.max(e, g.atMs + durationMs(g.audio)), 0);
        segments.push({ atMs: atStart ? end : Math.max(end, simNow()), audio: sp.audio });
      }
    };
    takeSpeech(true);
    const speechEnd = () => segments.reduce((end, g) => Math.max(end, g.atMs + durationMs(g.audio)), 0);
    let stopReason: 'limit' | 'silence' | 'break' | 'hangup' | 'terminator' = 'limit';
    const terms = this.terminators();
    for (;;) {
      const deadline = Math.min(limitMs, silenceDetect ? speechEnd() + hitsMs : Infinity);
      const remaining = deadline - simNow();
      if (remaining <= 0) {
        stopReason = deadline === limitMs ? 'limit' : 'silence';
        break;
      }
      slot.onSpeech = () => slot.interrupt('speech');
      // on_dtmf: every key is read (its event fires); a playback terminator ends the recording.
      slot.onDtmf = (d) => {
        if (terms && terms.includes(d)) {
          this.setVar('playback_terminator_used', d);
          slot.interrupt('terminator');
        }
      };
      const r = await this.readWait(slot, Number.isFinite(remaining) ? this.ctx.scale(remaining) : Infinity);
      slot.onSpeech = undefined;
      slot.onDtmf = undefined;
      if (r === 'speech') {
        takeSpeech(false);
        continue;
      }
      if (r === 'hangup' || this.hungUp) stopReason = 'hangup';
      else if (r === 'break') stopReason = 'break';
      else if (r === 'terminator') stopReason = 'terminator';
      else continue;
      break;
    }
    const totalMs = stopReason === 'limit' ? limitMs : stopReason === 'silence' ? speechEnd() + hitsMs : Math.min(simNow(), limitMs);
    if (stopReason === 'silence') this.setVar('silence_hits_exhausted', 'true');
    // Closing the file: the loop no longer reads DTMF, keys landing now wait in the queue for the reset below.
    const closeUntil = Date.now() + this.ctx.scale(this.ctx.recordDtmfLossWindowMs);
    while (!this.hungUp && Date.now() < closeUntil) await slot.wait(closeUntil - Date.now());
    this.writeRecording(file, timeline(segments, totalMs));
    this.emit('RECORD_STOP', SITES.RECORD_STOP, { extra: [['Record-File-Path', file]] });
    this.flushDtmf('record');
  }

  /** Writes the WAV and sets the record_* variables the way the record application leaves them. */
  private writeRecording(file: string, audio: PcmAudio): void {
    const wav = writeWav(audio);
    try {
      fs.writeFileSync(file, wav);
      this.recordings.push(file);
    } catch (e) {
      this.ctx.log(`record: cannot write ${file}: ${(e as Error).message}`);
    }
    const samples = (wav.length - 44) / 2;
    this.setVar('record_record_file_size', String(wav.length));
    this.setVar('record_file_size', String(wav.length));
    this.setVar('record_seconds', String(Math.floor(samples / 8000)));
    this.setVar('record_ms', String(Math.round(samples / 8)));
    this.setVar('record_samples', String(samples));
  }

  // ---- uuid_record: a media bug recording beside whatever the channel does ------------------------------------

  private readonly mediaBugs = new Map<string, { rec: MediaBugRecording; started: number; timer?: NodeJS.Timeout }>();

  /** True while a `uuid_record` capture runs on the channel: what the caller says now is heard (test harnesses). */
  get recordingArmed(): boolean {
    return this.mediaBugs.size > 0;
  }

  /**
   * uuid_record start (switch_ivr_record_session_event): false answers `-ERR Cannot record session!`.
   * Same path already recording: a warning and success, no second recording (no RECORD_TOGGLE_ON_REPEAT here).
   * Creates missing folders (switch_dir_make_recursive); RECORD_START from record_callback's INIT.
   */
  startMediaBugRecord(file: string, limitS: number, vars: Array<[string, string]>): boolean {
    if (this.hungUp) return false;
    const get = (name: string): string | undefined => vars.find(([k]) => k === name)?.[1] ?? this.getVar(name);
    if (this.mediaBugs.has(file)) {
      this.ctx.fsLog('WARNING', 'switch_ivr_async.c:2966', `Already recording [${file}]`, this.uuid);
      return true;
    }
    const hangupOnError = isTrue(get('RECORD_HANGUP_ON_ERROR'));
    const fail = (): false => {
      this.setVar('record_completion_cause', 'uri-failure');
      return false;
    };
    const dir = path.dirname(file);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch {
      this.ctx.fsLog('ERR', 'switch_ivr_async.c:3118', `Error creating ${dir}`, this.uuid);
      return fail();
    }
    const openError = openForWrite(file);
    if (openError) {
      this.ctx.fsLog('WARNING', 'mod_sndfile.c:281', `Error Opening File [${file}] [${openError}]`);
      this.ctx.fsLog('ERR', 'switch_ivr_async.c:3137', `Error opening ${file}`, this.uuid);
      if (hangupOnError) {
        void this.doHangup('DESTINATION_OUT_OF_ORDER', 'switch_ivr_async.c:3139');
        this.flushDtmf('hangup');
      }
      return fail();
    }
    const settings = mediaBugSettings(get);
    let limitMs = limitS > 0 ? limitS * 1000 : Infinity;
    if (this.ctx.realTimeCallerTimeouts) {
      // Real ms expressed on the recording's scaled time line.
      settings.initialTimeoutMs = this.ctx.unscale(settings.initialTimeoutMs);
      limitMs = this.ctx.unscale(limitMs);
    }
    const rec = new MediaBugRecording(file, limitMs, vars, settings);
    const bug: { rec: MediaBugRecording; started: number; timer?: NodeJS.Timeout } = { rec, started: Date.now() };
    this.mediaBugs.set(file, bug);
    // A prompt already playing is in the write stream from the first frame.
    if (this.playing) rec.playing(true, 0);
    this.emit('RECORD_START', SITES.BUG_RECORD_START, { extra: [['Record-File-Path', file], ...recordingVariables(vars)] });
    this.scheduleMediaBug(bug);
    return true;
  }

  /** uuid_record stop <path|all> (switch_ivr_stop_record_session); false when nothing matched. */
  stopMediaBugRecord(file: string): boolean {
    const files = file.toLowerCase() === 'all' ? [...this.mediaBugs.keys()] : this.mediaBugs.has(file) ? [file] : [];
    for (const f of files) this.closeMediaBug(f, undefined);
    return files.length > 0;
  }

  /** uuid_record mask|unmask <path>: the file gets silence meanwhile (detection still hears the caller). */
  maskMediaBugRecord(file: string, on: boolean): boolean {
    const bug = this.mediaBugs.get(file);
    if (!bug) return false;
    bug.rec.mask(on, this.bugNow(bug));
    return true;
  }

  /** What the channel plays to the caller, as the media bugs recording the write stream hear it. */
  private playingToCaller(on: boolean): void {
    this.playing = on;
    this.updateMediaBugs((rec, now) => rec.playing(on, now));
  }

  private playing = false;

  private bugNow(bug: { started: number }): number {
    return this.ctx.unscale(Date.now() - bug.started);
  }

  private hearInMediaBugs(pcm: PcmAudio): void {
    this.updateMediaBugs((rec, now) => rec.hear(pcm, now));
  }

  /** Brings each recording up to now (closing one silence detection already ended), then applies `change`. */
  private updateMediaBugs(change: (rec: MediaBugRecording, nowMs: number) => void): void {
    for (const [file, bug] of [...this.mediaBugs]) {
      const now = this.bugNow(bug);
      const stoppedAt = bug.rec.advance(now);
      if (stoppedAt !== undefined) {
        this.closeMediaBug(file, stoppedAt);
        continue;
      }
      change(bug.rec, now);
      this.scheduleMediaBug(bug);
    }
  }

  /** One timer per recording: its limit, or the moment silence detection would stop it. */
  private scheduleMediaBug(bug: { rec: MediaBugRecording; started: number; timer?: NodeJS.Timeout }): void {
    if (bug.timer) clearTimeout(bug.timer);
    bug.timer = undefined;
    const silenceAt = bug.rec.predictStop();
    const at = Math.min(silenceAt ?? Infinity, bug.rec.limitMs);
    if (!Number.isFinite(at)) return;
    bug.timer = setTimeout(() => {
      bug.timer = undefined;
      if (this.mediaBugs.get(bug.rec.file) !== bug) return;
      const stoppedAt = bug.rec.advance(at);
      this.closeMediaBug(bug.rec.file, stoppedAt ?? Math.min(at, bug.rec.limitMs));
    }, Math.max(0, this.ctx.scale(at) - (Date.now() - bug.started)));
  }

  /**
   * record_callback CLOSE then send_record_stop_event: no frame → empty-file, shorter than RECORD_MIN_SEC →
   * input-too-short (both delete the file, RECORD_DISCARDED=true); else the cause silence detection set, or on a
   * hung-up channel success-silence / no-input-timeout (speech heard or not), or success-maxtime (limit or stop).
   */
  private closeMediaBug(file: string, atMs: number | undefined): void {
    const bug = this.mediaBugs.get(file);
    if (!bug) return;
    this.mediaBugs.delete(file);
    if (bug.timer) clearTimeout(bug.timer);
    let totalMs = Math.min(atMs ?? this.bugNow(bug), bug.rec.limitMs);
    // A stop can come just after silence detection fired but before its timer ran: the silence stop wins.
    if (atMs === undefined) totalMs = bug.rec.advance(totalMs) ?? totalMs;
    const samples = Math.floor(totalMs / 20) * 160;
    let cause = bug.rec.cause;
    let discard = false;
    if (samples === 0) {
      this.ctx.fsLog('DEBUG', 'switch_ivr_async.c:1665', `Discarding empty file ${file}`, this.uuid);
      discard = true;
      cause ??= 'empty-file';
    } else if (samples < 8000 * bug.rec.settings.minSec) {
      this.ctx.fsLog('DEBUG', 'switch_ivr_async.c:1670', `Discarding short file ${file}`, this.uuid);
      discard = true;
      cause ??= 'input-too-short';
    } else if (this.hungUp) {
      cause ??= bug.rec.speechDetected ? 'success-silence' : 'no-input-timeout';
    } else {
      cause ??= 'success-maxtime';
    }
    if (discard) {
      this.setVar('RECORD_DISCARDED', 'true');
      fs.rmSync(file, { force: true });
    } else {
      try {
        fs.writeFileSync(file, writeWav(bug.rec.render(samples / 8)));
        this.recordings.push(file);
      } catch (e) {
        this.ctx.log(`uuid_record: cannot write ${file}: ${(e as Error).message}`);
      }
    }
    this.setVar('record_samples', String(samples));
    this.setVar('record_seconds', String(Math.floor(samples / 8000)));
    this.setVar('record_ms', String(Math.floor(samples / 8)));
    this.setVar('record_completion_cause', cause);
    this.emit('RECORD_STOP', SITES.BUG_RECORD_STOP, {
      extra: [['Record-File-Path', file], ...recordingVariables(bug.rec.vars), ['Record-Completion-Cause', cause]],
    });
  }

  /** Keys the bridge passed to the other leg (bridge, callcenter). */
  sentToOtherLeg = '';

  private async bridge(target: string, slot: Slot): Promise<void> {
    const outcome = this.ctx.bridgeOutcome(target, this);
    if (outcome !== 'answer') {
      // The originate fails: bridge completes at once with the failure recorded in the channel variables.
      await this.media(slot, 200, { breakable: false });
      this.setVar('originate_disposition', outcome);
      this.setVar('DIALSTATUS', outcome);
      return;
    }
    await this.bridged(slot, crypto.randomUUID());
  }

  private async bridged(slot: Slot, otherUuid: string): Promise<AppOutcome> {
    this.bridgedUs = nowMicros();
    this.setVar('bridge_uuid', otherUuid);
    this.emit('CHANNEL_BRIDGE', SITES.CHANNEL_BRIDGE, {
      extra: [['Bridge-A-Unique-ID', this.uuid], ['Bridge-B-Unique-ID', otherUuid], ['Other-Leg-Unique-ID', otherUuid]],
    });
    this.bridgeEnd = () => slot.interrupt('unbridge');
    // audio_bridge_thread dequeues this leg's keys (DTMF event on this leg) and sends them to the other leg.
    slot.onDtmf = (d) => (this.sentToOtherLeg += d);
    const r = await this.readWait(slot, Infinity);
    slot.onDtmf = undefined;
    this.bridgeEnd = undefined;
    // The bridge ends with switch_core_session_reset(session_a, SWITCH_TRUE, …): queued keys are flushed.
    this.flushDtmf('bridge');
    this.emit('CHANNEL_UNBRIDGE', SITES.CHANNEL_UNBRIDGE, {
      extra: [['Bridge-A-Unique-ID', this.uuid], ['Bridge-B-Unique-ID', otherUuid], ['Other-Leg-Unique-ID', otherUuid]],
    });
    return r === 'hangup' ? 'hangup' : 'done';
  }

  /** mod_callcenter as the member sees it: an agent answers (bridge) or nobody does before the wait ends. */
  private async callcenter(queue: string, slot: Slot): Promise<void> {
    const outcome = this.ctx.callcenterOutcome(queue, this);
    const memberUuid = crypto.randomUUID();
    const cc = (action: string, more: Array<[string, string]> = []): void =>
      this.emit('CUSTOM', SITES.CC_MEMBER_QUEUE_START, {
        subclass: 'callcenter::info',
        extra: [
          ['CC-Queue', queue],
          ['CC-Action', action],
          ['CC-Member-UUID', memberUuid],
          ['CC-Member-Session-UUID', this.uuid],
          ['CC-Member-CID-Number', this.callerIdNumber],
          ...more,
        ],
      });
    this.setVar('cc_queue', queue);
    cc('member-queue-start');
    if (outcome.agent) {
      await this.media(slot, outcome.answerAfterMs ?? 500, { breakable: false, reads: true });
      if (this.hungUp) return;
      cc('bridge-agent-start', [['CC-Agent', outcome.agent]]);
      this.setVar('cc_agent', outcome.agent);
      const r = await this.bridged(slot, crypto.randomUUID());
      cc('bridge-agent-end', [['CC-Agent', outcome.agent], ['CC-Hangup-Cause', r === 'hangup' ? (this.hangupCause ?? 'NORMAL_CLEARING') : 'NORMAL_CLEARING']]);
      cc('member-queue-end', [['CC-Cause', 'Terminated']]);
      this.setVar('cc_cause', 'answered');
      return;
    }
    // The member hears music on hold played with moh_on_dtmf: its keys are read (events).
    const r = await this.media(slot, outcome.maxWaitMs ?? 5000, { breakable: true, reads: true });
    if (r === 'hangup') {
      cc('member-queue-end', [['CC-Cause', 'Cancel'], ['CC-Cancel-Reason', 'NONE']]);
      return;
    }
    cc('member-queue-end', [['CC-Cause', 'Cancel'], ['CC-Cancel-Reason', 'TIMEOUT']]);
    this.setVar('cc_cancel_reason', 'TIMEOUT');
    this.setVar('cc_cause', 'cancel');
  }

  private unpark(): void {
    const p = this.parked;
    if (!p) return;
    this.parked = undefined;
    this.emit('CHANNEL_UNPARK', SITES.CHANNEL_UNPARK);
    this.complete(p, '_none_');
  }

  private hangupPromise: Promise<void> | undefined;

  /** switch_channel_perform_hangup, logged from `site` (the caller's file:line, as FreeSWITCH logs it). */
  private doHangup(cause: string, site = 'switch_channel.c:3424'): Promise<void> {
    if (this.hangupPromise) return this.hangupPromise;
    this.ctx.fsLog('NOTICE', site, `Hangup ${this.channelName} [${this.state}] [${cause}]`, this.uuid);
    this.hangupPromise = (async () => {
      this.hungUp = true;
      this.hangupCause = cause;
      this.hangupUs = nowMicros();
      this.stateNumber = 10;
      this.answerState = 'hangup';
      const end = new Date();
      this.setVar('hangup_cause', cause);
      this.setVar('hangup_cause_q850', String(Q850[cause] ?? 16));
      this.emit('CHANNEL_HANGUP', SITES.CHANNEL_HANGUP);
      const cur = this.current;
      this.privateQueue.length = 0;
      this.dialplanQueue = [];
      if (cur) cur.slot.interrupt('hangup');
      this.wake?.();
      // Let the interrupted application emit its own stop/complete events first, as its thread does.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      this.unpark();
      this.stopMediaBugRecord('all');
      // The channel is torn down with whatever keys were still queued (switch_channel_uninit flushes them).
      this.flushDtmf('hangup');
      this.state = 'CS_REPORTING';
      this.stateNumber = 11;
      this.callState = 'HANGUP';
      const startS = Math.floor(Number(this.createdUs) / 1e6);
      const endS = Math.floor(end.getTime() / 1000);
      this.setVar('digits_dialed', this.dtmf || 'none');
      this.setVar('start_stamp', stamp(new Date(Number(this.createdUs) / 1000)));
      this.setVar('end_stamp', stamp(end));
      this.setVar('start_epoch', String(startS));
      this.setVar('start_uepoch', this.createdUs);
      this.setVar('answer_epoch', String(Math.floor(Number(this.answeredUs) / 1e6)));
      this.setVar('answer_uepoch', this.answeredUs);
      this.setVar('end_epoch', String(endS));
      this.setVar('end_uepoch', this.hangupUs);
      const last = this.apps[this.apps.length - 1];
      if (last) {
        this.setVar('last_app', last.app);
        if (last.arg) this.setVar('last_arg', last.arg);
      }
      this.setVar('caller_id', `"${this.callerIdName}" <${this.callerIdNumber}>`);
      this.setVar('duration', String(endS - startS));
      this.setVar('billsec', String(this.answered ? endS - Math.floor(Number(this.answeredUs) / 1e6) : 0));
      this.setVar('sip_hangup_disposition', 'recv_bye');
      this.emit('CHANNEL_HANGUP_COMPLETE', SITES.CHANNEL_HANGUP_COMPLETE);
      this.stateNumber = 12; // CS_DESTROY; the state name stays CS_REPORTING, as captured
      this.emit('CHANNEL_DESTROY', SITES.CHANNEL_DESTROY);
      this.ctx.destroyed(this);
      this.endResolve();
    })();
    return this.hangupPromise;
  }

  /** Resolves when the application loop has stopped (after hangup). */
  async settled(): Promise<void> {
    await this.running;
  }
}

/** merge_recording_variables: one Recording-Variable-<name> header per uuid_record variable. */
function recordingVariables(vars: Array<[string, string]>): Array<[string, string]> {
  return vars.map(([k, v]) => [`Recording-Variable-${k}`, v]);
}

/**
 * Opens (creates or truncates) the file as mod_sndfile's open for writing does; undefined when it worked, else
 * sf_strerror's text for the system error ("System error : No such file or directory.").
 */
function openForWrite(file: string): string | undefined {
  try {
    fs.closeSync(fs.openSync(file, 'w'));
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const text: Record<string, string> = {
      ENOENT: 'No such file or directory',
      EACCES: 'Permission denied',
      EISDIR: 'Is a directory',
      ENOTDIR: 'Not a directory',
      EROFS: 'Read-only file system',
      ENOSPC: 'No space left on device',
    };
    return `System error : ${(code && text[code]) ?? (e as Error).message}.`;
  }
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
