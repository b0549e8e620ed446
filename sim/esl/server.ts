/**
 * A TCP server that behaves like FreeSWITCH's mod_event_socket in inbound mode, plus the simulated channels it
 * controls. Reply texts, their order, the blocking of `api` and the event-subscription/filter rules follow
 * mod_event_socket.c (parse_command, event_handler) and the frames captured from FreeSWITCH 1.10.12.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { SimCall, type PlaceCallOptions } from './call';
import type { CallcenterOutcome, FsLogLevel, SimulatorContext } from './context';
import { commonHeaders, SITES, type CoreIdentity } from './events';
import { durationMs, readWav } from './wav';
import {
  apiResponse,
  AUTH_REQUEST,
  commandReply,
  DISCONNECT_BODY,
  disconnectNotice,
  eventFrame,
  header,
  PacketReader,
  type ClientPacket,
  type EventFormat,
  type WireEvent,
} from './wire';

export interface EslSimulatorOptions {
  port?: number;
  host?: string;
  password: string;
  coreUuid?: string;
  hostname?: string;
  ipv4?: string;
  ipv6?: string;
  /** Real time per simulated time: 0.01 makes a 4 s prompt last 40 ms. Applies to every media duration and timeout. */
  timeScale?: number;
  /** Speech synthesis speed; FreeSWITCH + espeak-ng took 3.8 s for 69 characters. */
  speakMsPerChar?: number;
  /** Duration of a prompt that is neither a readable WAV nor listed in `playbackDurations`. */
  defaultPlaybackMs?: number;
  playbackDurations?: Record<string, number>;
  /** Paths that answer FILE NOT FOUND. */
  missingFiles?: string[];
  /** Extension run for a destination; the default mirrors the captured one: set ivr_entry=true, answer, park. */
  dialplan?: (destination: string) => Array<[string, string]>;
  /** `bridge` outcome per target: 'answer' or a hangup cause (USER_BUSY, NO_ANSWER…). Default 'answer'. */
  bridge?: (target: string, call: SimCall) => 'answer' | string;
  /** `callcenter` outcome per queue. Default: agent "agent_1" answers after 500 ms. */
  callcenter?: (queue: string, call: SimCall) => CallcenterOutcome;
  /** `originate` outcome per dial string: 'answer' or a hangup cause. Default 'answer'. */
  originate?: (dialString: string) => 'answer' | string;
  /** Extra time an `api` command takes (simulated ms), to observe that it blocks its socket. */
  apiDelayMs?: (command: string, arg: string) => number;
  /** HEARTBEAT period in real ms (FreeSWITCH: 20 s); 0 turns it off. Default 20000. */
  heartbeatMs?: number;
  /**
   * Real ms between an event being fired and its frame reaching the sockets (FreeSWITCH's event thread and the
   * listener's flush): a fixed number, a uniform `{min, max}`, or a function of the event. Not scaled by
   * `timeScale`. Events keep their order (one FIFO per simulator). Command replies are never delayed.
   * Default `{min: 5, max: 60}` (observed: a key's event reached the socket 5–57 ms after the key); 0 = none.
   */
  eventDelayMs?: EventDelay;
  /**
   * Simulated ms at the end of a `record` during which it no longer reads DTMF before flushing the channel's
   * queue: a key whose end lands in that window is discarded without an event. Default 110 (observed: keys
   * 75–105 ms before the end were lost, 110–115 ms survived).
   */
  recordDtmfLossWindowMs?: number;
  /**
   * With a `timeScale`, keep the caller's waiting time real: a media bug's RECORD_INITIAL_TIMEOUT_MS and its limit
   * count real ms, while speech and the final silence stay on the scaled time line. For tests and tools whose
   * caller acts in real time (a script's key, a person typing in `ivr call`) while prompts play fast. Default false.
   */
  realTimeCallerTimeouts?: boolean;
  log?: (message: string) => void;
}

export type EventDelay = number | { min: number; max: number } | ((event: WireEvent) => number);

/** Bounded so a long standalone run keeps a bounded memory. */
const FS_LOG_MAX_LINES = 10_000;

export interface EslSimulator {
  readonly port: number;
  readonly host: string;
  /** Live channels by uuid. */
  readonly calls: Map<string, SimCall>;
  /** Every event fired, in order (for assertions). */
  readonly firedEvents: WireEvent[];
  /** Every command line received from authenticated clients, in order. */
  readonly commands: string[];
  /**
   * FreeSWITCH's own log lines the simulated switch printed, e.g.
   * `[WARNING] mod_sndfile.c:281 Error Opening File [/x/y.wav] [System error : No such file or directory.]`
   * (channel lines start with the channel's uuid). The last 10 000 are kept.
   */
  readonly log: readonly string[];
  placeCall(opts: PlaceCallOptions): Promise<SimCall>;
  /** Cuts every event-socket connection (calls stay up), as a FreeSWITCH restart of mod_event_socket would. */
  dropConnections(): void;
  /** Writes bytes as they are to every authenticated connection (malformed frames for robustness tests). */
  injectRawFrame(bytes: Buffer | string): void;
  connectionCount(): number;
  stop(): Promise<void>;
}

/** FreeSWITCH event type names accepted by `event`/`nixevent` (switch_event.c EVENT_NAMES). */
const EVENT_TYPES = new Set(
  (
    'CUSTOM CLONE CHANNEL_CREATE CHANNEL_DESTROY CHANNEL_STATE CHANNEL_CALLSTATE CHANNEL_ANSWER CHANNEL_HANGUP ' +
    'CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HOLD CHANNEL_UNHOLD CHANNEL_BRIDGE ' +
    'CHANNEL_UNBRIDGE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_OUTGOING CHANNEL_PARK CHANNEL_UNPARK ' +
    'CHANNEL_APPLICATION CHANNEL_ORIGINATE CHANNEL_UUID API LOG INBOUND_CHAN OUTBOUND_CHAN STARTUP SHUTDOWN PUBLISH ' +
    'UNPUBLISH TALK NOTALK SESSION_CRASH MODULE_LOAD MODULE_UNLOAD DTMF MESSAGE PRESENCE_IN NOTIFY_IN PRESENCE_OUT ' +
    'PRESENCE_PROBE MESSAGE_WAITING MESSAGE_QUERY ROSTER CODEC BACKGROUND_JOB DETECTED_SPEECH DETECTED_TONE ' +
    'PRIVATE_COMMAND HEARTBEAT TRAP ADD_SCHEDULE DEL_SCHEDULE EXE_SCHEDULE RE_SCHEDULE RELOADXML NOTIFY ' +
    'PHONE_FEATURE PHONE_FEATURE_SUBSCRIBE SEND_MESSAGE RECV_MESSAGE REQUEST_PARAMS CHANNEL_DATA GENERAL COMMAND ' +
    'SESSION_HEARTBEAT CLIENT_DISCONNECTED SERVER_DISCONNECTED SEND_INFO RECV_INFO RECV_RTCP_MESSAGE ' +
    'SEND_RTCP_MESSAGE CALL_SECURE NAT RECORD_START RECORD_STOP PLAYBACK_START PLAYBACK_STOP CALL_UPDATE FAILURE ' +
    'SOCKET_DATA MEDIA_BUG_START MEDIA_BUG_STOP CONFERENCE_DATA_QUERY CONFERENCE_DATA CALL_SETUP_REQ ' +
    'CALL_SETUP_RESULT CALL_DETAIL DEVICE_STATE TEXT SHUTDOWN_REQUESTED ALL'
  ).split(' '),
);

/** switch_name_event: case-insensitive, with or without the SWITCH_EVENT_ prefix. */
function eventType(name: string): string | undefined {
  let n = name.toUpperCase();
  if (n.startsWith('SWITCH_EVENT_')) n = n.slice(13);
  return EVENT_TYPES.has(n) ? n : undefined;
}

/** Events a `myevents` listener receives. */
const MYEVENTS_TYPES = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_BRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DATA', 'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_ORIGINATE',
  'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE', 'CHANNEL_UNPARK', 'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
];

function getHeader(ev: WireEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  return ev.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

class Listener {
  authed = false;
  running = true;
  format: EventFormat = 'plain';
  eventsOn = false;
  readonly types = new Set<string>();
  readonly subclasses = new Set<string>();
  filters: Array<[string, string]> = [];
  session: string | undefined;
  myevents = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly reader = new PacketReader();

  constructor(
    readonly socket: net.Socket,
    private readonly sim: Simulator,
  ) {
    // mod_event_socket sets TCP_NODELAY on every listener socket.
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      let packets: ClientPacket[];
      try {
        packets = this.reader.push(chunk);
      } catch {
        this.socket.destroy();
        return;
      }
      for (const p of packets) this.chain = this.chain.then(() => this.handle(p)).catch((e: Error) => sim.log(`listener error: ${e.message}`));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.running = false;
      sim.listeners.delete(this);
    });
    this.write(AUTH_REQUEST);
  }

  write(data: string | Buffer): void {
    if (this.running && !this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Sends the disconnect notice and closes, as listener_run's exit path does. */
  close(): void {
    if (!this.running) return;
    if (this.session) {
      this.write(
        `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${this.session}\nContent-Disposition: disconnect\nContent-Length: ${Buffer.byteLength(DISCONNECT_BODY)}\n\n${DISCONNECT_BODY}`,
      );
    } else {
      this.write(disconnectNotice());
    }
    this.running = false;
    this.socket.end();
  }

  wants(ev: WireEvent): boolean {
    if (!this.authed || !this.eventsOn || !this.running) return false;
    const name = getHeader(ev, 'Event-Name') ?? '';
    let send = false;
    if (this.types.has('ALL')) send = true;
    else if (this.types.has(name)) {
      const sub = getHeader(ev, 'Event-Subclass');
      send = name !== 'CUSTOM' || !sub || this.subclasses.has(sub);
    }
    if (send && this.filters.length) {
      send = false;
      for (const [fname, fvalue] of this.filters) {
        const hval = getHeader(ev, fname);
        if (hval === undefined) continue;
        let pos = true;
        let i = 0;
        for (; i < fvalue.length; i++) {
          const c = fvalue[i];
          if (c === '+') pos = true;
          else if (c === '-') pos = false;
          else if (c !== ' ') break;
        }
        const compTo = fvalue.slice(i);
        if (send && pos) continue;
        let cmp: boolean;
        if (fvalue.startsWith('/')) {
          const m = /^\/(.*)\/([a-z]*)$/s.exec(compTo) ?? /^\/(.*)$/s.exec(compTo);
          try {
            cmp = new RegExp(m?.[1] ?? compTo, m?.[2]?.includes('i') ? 'i' : '').test(hval);
          } catch {
            cmp = false;
          }
        } else {
          cmp = hval.toLowerCase() === compTo.toLowerCase();
        }
        if (cmp) {
          if (pos) send = true;
          else {
            send = false;
            break;
          }
        }
      }
    }
    if (send && this.myevents) {
      const uuid = getHeader(ev, 'Unique-ID');
      if (!uuid || (this.session && uuid !== this.session)) send = false;
    }
    return send;
  }

  private reply(text: string): void {
    this.write(commandReply(text));
  }

  private async handle(p: ClientPacket): Promise<void> {
    if (!this.running) return;
    const cmd = p.command.replace(/\r$/, '');
    const lc = cmd.toLowerCase();
    if (lc.startsWith('exit') || lc.startsWith('...')) {
      this.reply('+OK bye');
      this.close();
      return;
    }
    if (!this.authed) {
      if (lc.startsWith('auth ')) {
        if (cmd.slice(5) === this.sim.opts.password) {
          this.authed = true;
          this.reply('+OK accepted');
        } else {
          this.reply('-ERR invalid');
          this.close();
        }
        return;
      }
      this.reply('-ERR command not found');
      return;
    }
    this.sim.commands.push(cmd);
    if (lc.startsWith('filter ')) return this.filter(cmd.slice(7));
    if (this.session || lc.startsWith('myevents ')) {
      if (lc.startsWith('getvar')) {
        const name = cmd.split(' ')[1] ?? '';
        this.reply(this.sim.calls.get(this.session ?? '')?.getVar(name) ?? '');
        return;
      }
      if (lc.startsWith('myevents')) return this.myEvents(cmd);
    }
    if (lc.startsWith('divert_events')) {
      this.reply(this.session ? '+OK events not diverted' : '-ERR not controlling a session.');
      return;
    }
    if (lc.startsWith('sendmsg')) return this.sendmsg(cmd.slice(7), p);
    if (lc.startsWith('sendevent')) return this.sendevent(cmd, p);
    if (lc.startsWith('api ')) return this.api(cmd.slice(4));
    if (lc.startsWith('bgapi ')) return this.bgapi(cmd.slice(6), p);
    if (lc.startsWith('log')) {
      this.reply('-ERR permission denied');
      return;
    }
    if (lc.startsWith('linger')) {
      this.reply(this.session ? '+OK will linger' : '-ERR not controlling a session');
      return;
    }
    if (lc.startsWith('nolinger')) {
      this.reply(this.session ? '+OK will not linger' : '-ERR not controlling a session');
      return;
    }
    if (lc.startsWith('nolog')) {
      this.reply('-ERR not loging');
      return;
    }
    if (lc.startsWith('event')) return this.event(cmd);
    if (lc.startsWith('nixevent')) return this.nixevent(cmd);
    if (lc.startsWith('noevents')) {
      if (this.eventsOn) {
        this.eventsOn = false;
        this.types.clear();
        this.subclasses.clear();
        this.reply('+OK no longer listening for events');
      } else this.reply('-ERR not listening for events');
      return;
    }
    this.reply('-ERR command not found');
  }

  /**
   * `sendevent <NAME>` as parse_command does it: the packet's first line becomes a `Command` header, its headers and
   * body are the event's, `Event-UUID` follows them (then a CUSTOM event's `Event-Subclass`, moved to the bottom by
   * switch_event_set_subclass_name), then switch_event_prep_for_delivery's headers (Event-Name,
   * Core-UUID, …, Event-Sequence). An unknown name leaves the event a CLONE. A `Unique-ID` naming a live channel
   * queues the event to that session instead of firing it: nobody subscribed sees it. The reply is always
   * `+OK <Event-UUID>`.
   */
  private sendevent(cmd: string, p: ClientPacket): void {
    const eventUuid = crypto.randomUUID();
    const name = eventType(cmd.slice(9).trim()) ?? 'CLONE';
    const target = header(p, 'unique-id');
    if (!(target && this.sim.calls.has(target))) {
      const own = p.headers.filter(([k]) => k.toLowerCase() !== 'content-length');
      const headers: Array<[string, string]> = [['Command', cmd]];
      // switch_event_set_subclass_name deletes a CUSTOM event's Event-Subclass and adds it again at the bottom,
      // after the Event-UUID parse_command added first.
      const subclass = name === 'CUSTOM' ? own.find(([k]) => k.toLowerCase() === 'event-subclass') : undefined;
      headers.push(...own.filter((h) => h !== subclass), ['Event-UUID', eventUuid]);
      if (subclass) headers.push(['Event-Subclass', subclass[1]]);
      const prep = commonHeaders(this.sim.core, name, SITES.SENDEVENT, this.sim.nextSeq());
      const ev: WireEvent = { headers: [...headers, ...prep] };
      if (p.body !== undefined) ev.body = p.body;
      this.sim.fire(ev);
    }
    this.reply(`+OK ${eventUuid}`);
  }

  private filter(rest: string): void {
    let s = rest.replace(/^ +/, '');
    const sp = s.indexOf(' ');
    let name = sp >= 0 ? s.slice(0, sp) : s;
    let value: string | undefined = sp >= 0 ? s.slice(sp + 1) : undefined;
    if (name.toLowerCase() === 'delete' && value !== undefined) {
      s = value;
      const sp2 = s.indexOf(' ');
      name = sp2 >= 0 ? s.slice(0, sp2) : s;
      value = sp2 >= 0 ? s.slice(sp2 + 1) : undefined;
      if (name.toLowerCase() === 'all') this.filters = [];
      else this.filters = this.filters.filter(([n, v]) => !(n.toLowerCase() === name.toLowerCase() && (value === undefined || v === value)));
      this.reply(`+OK filter deleted. [${name}][${value ?? ''}]`);
      return;
    }
    if (value === undefined) {
      this.reply('-ERR invalid syntax');
      return;
    }
    if (name.toLowerCase() === 'add') {
      const sp3 = value.indexOf(' ');
      name = sp3 >= 0 ? value.slice(0, sp3) : value;
      value = sp3 >= 0 ? value.slice(sp3 + 1) : '';
    }
    this.filters.push([name, value]);
    this.reply(`+OK filter added. [${name}]=[${value}]`);
  }

  private myEvents(cmd: string): void {
    if (this.myevents) {
      this.reply('-ERR aready enabled.');
      return;
    }
    if (!this.session) {
      const rest = cmd.slice(9).trim();
      const [uuid = '', fmt] = rest.split(' ');
      if (this.sim.calls.has(uuid)) this.session = uuid;
      else if (fmt) {
        this.reply('-ERR invalid uuid');
        return;
      }
    }
    for (const t of MYEVENTS_TYPES) this.types.add(t);
    this.myevents = true;
    this.eventsOn = true;
    if (/json/i.test(cmd)) this.format = 'json';
    else if (/plain/i.test(cmd)) this.format = 'plain';
    this.reply('+OK Events Enabled');
  }

  private event(cmd: string): void {
    const sp = cmd.indexOf(' ', 5);
    let keys = 0;
    let custom = false;
    if (sp >= 0) {
      const tokens = cmd.slice(sp + 1).split(' ');
      tokens.forEach((tok, i) => {
        if (i === 0) {
          const f = tok.toLowerCase();
          if (f === 'plain' || f === 'json' || f === 'xml') {
            // xml is accepted but rendered as plain here: the product never asks for it.
            this.format = f === 'json' ? 'json' : 'plain';
            this.formatName = f;
            return;
          }
        }
        if (custom) {
          if (tok) this.subclasses.add(tok);
          return;
        }
        const t = eventType(tok);
        if (!t) return;
        keys++;
        this.types.add(t);
        if (t === 'CUSTOM') custom = true;
      });
    }
    if (!keys) {
      this.reply('-ERR no keywords supplied');
      return;
    }
    this.eventsOn = true;
    this.reply(`+OK event listener enabled ${this.formatName}`);
  }

  private formatName = 'plain';

  private nixevent(cmd: string): void {
    const sp = cmd.indexOf(' ', 5);
    let keys = 0;
    let custom = false;
    if (sp >= 0) {
      for (const tok of cmd.slice(sp + 1).split(' ')) {
        if (custom) {
          this.subclasses.delete(tok);
          continue;
        }
        const t = eventType(tok);
        if (!t) continue;
        keys++;
        if (t === 'CUSTOM') custom = true;
        else if (t === 'ALL') this.types.clear();
        else {
          if (this.types.has('ALL')) {
            this.types.delete('ALL');
            for (const n of EVENT_TYPES) if (n !== 'ALL') this.types.add(n);
          }
          this.types.delete(t);
        }
      }
    }
    if (!keys) {
      this.reply('-ERR no keywords supplied');
      return;
    }
    this.eventsOn = true;
    this.reply('+OK events nixed');
  }

  private sendmsg(rest: string, p: ClientPacket): void {
    let uuid: string | undefined = rest.trim() || header(p, 'session-id');
    if (uuid && this.session && uuid === this.session) uuid = undefined;
    if (!uuid && this.session) uuid = this.session;
    const call = uuid ? this.sim.calls.get(uuid) : undefined;
    if (!call) {
      this.reply(`-ERR invalid session id [${uuid ?? ''}]`);
      return;
    }
    const command = (header(p, 'call-command') ?? '').toLowerCase();
    if (command === 'execute') {
      const app = header(p, 'execute-app-name') ?? '';
      let arg = header(p, 'execute-app-arg') ?? '';
      if (!arg && p.body !== undefined && (header(p, 'content-type') ?? '').toLowerCase() === 'text/plain') arg = p.body;
      const loops = Math.max(1, Number(header(p, 'loops') ?? 1) || 1);
      for (let i = 0; i < loops; i++) call.queueApp(app, arg, header(p, 'Event-UUID') ?? crypto.randomUUID());
    } else if (command === 'hangup') {
      void call.hangup(header(p, 'hangup-cause') ?? 'NORMAL_CLEARING');
    }
    this.reply('+OK');
  }

  private async api(line: string): Promise<void> {
    const sp = line.indexOf(' ');
    const name = sp >= 0 ? line.slice(0, sp) : line;
    const arg = sp >= 0 ? line.slice(sp + 1) : '';
    // Blocking on purpose: nothing else on this socket is processed until the command returns.
    const body = await this.sim.runApi(name, arg);
    this.write(apiResponse(body));
  }

  private bgapi(line: string, p: ClientPacket): void {
    const sp = line.indexOf(' ');
    const name = sp >= 0 ? line.slice(0, sp) : line;
    const arg = sp >= 0 ? line.slice(sp + 1) : '';
    const job = header(p, 'job-uuid') ?? crypto.randomUUID();
    this.write(`Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${job}\nJob-UUID: ${job}\n\n`);
    setImmediate(() => {
      void this.sim.runApi(name, arg).then((body) => {
        const headers = commonHeaders(this.sim.core, 'BACKGROUND_JOB', SITES.BACKGROUND_JOB, this.sim.nextSeq());
        headers.push(['Job-UUID', job], ['Job-Command', name]);
        if (arg) headers.push(['Job-Command-Arg', arg]);
        this.sim.fire({ headers, body });
      });
    });
  }
}

class Simulator implements SimulatorContext {
  readonly listeners = new Set<Listener>();
  readonly calls = new Map<string, SimCall>();
  readonly firedEvents: WireEvent[] = [];
  readonly commands: string[] = [];
  readonly core: CoreIdentity;
  readonly speakMsPerChar: number;
  readonly fsLogLines: string[] = [];
  readonly recordDtmfLossWindowMs: number;
  readonly realTimeCallerTimeouts: boolean;
  private seq = 1000;
  private sessionId = 0;
  private readonly started = Date.now();
  private readonly timeScale: number;
  private readonly eventDelay: (ev: WireEvent) => number;
  /** Events fired but not yet written: one FIFO, as FreeSWITCH's event dispatch keeps the order. */
  private readonly outbox: Array<{ dueAt: number; ev: WireEvent; to: Listener[] }> = [];
  private outboxTimer: NodeJS.Timeout | undefined;
  private lastDueAt = 0;
  /** Set by stop(): events fired while the calls are torn down are recorded, not written. */
  stopped = false;

  constructor(readonly opts: EslSimulatorOptions) {
    this.core = {
      coreUuid: opts.coreUuid ?? crypto.randomUUID(),
      hostname: opts.hostname ?? 'fs-sim',
      ipv4: opts.ipv4 ?? '192.0.2.2',
      ipv6: opts.ipv6 ?? '::1',
    };
    this.timeScale = opts.timeScale ?? 1;
    this.speakMsPerChar = opts.speakMsPerChar ?? 3800 / 69;
    this.eventDelay = delayFunction(opts.eventDelayMs ?? { min: 5, max: 60 });
    const win = opts.recordDtmfLossWindowMs ?? 110;
    if (!Number.isFinite(win) || win < 0) {
      throw new Error(`startEslSimulator: recordDtmfLossWindowMs must be a number >= 0 (got ${String(win)})`);
    }
    this.recordDtmfLossWindowMs = win;
    this.realTimeCallerTimeouts = opts.realTimeCallerTimeouts ?? false;
  }

  nextSeq(): number {
    return ++this.seq;
  }
  nextSessionId(): number {
    return ++this.sessionId;
  }
  scale(ms: number): number {
    return ms * this.timeScale;
  }
  unscale(ms: number): number {
    return this.timeScale > 0 ? ms / this.timeScale : ms;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, this.scale(ms)));
  }

  log(message: string): void {
    this.opts.log?.(message);
  }

  fsLog(level: FsLogLevel, where: string, message: string, uuid?: string): void {
    this.fsLogLines.push(`${uuid ? `${uuid} ` : ''}[${level}] ${where} ${message}`);
    if (this.fsLogLines.length > FS_LOG_MAX_LINES) this.fsLogLines.splice(0, this.fsLogLines.length - FS_LOG_MAX_LINES);
  }

  /**
   * Fires an event: recorded at once in `firedEvents`, matched against the subscriptions as they are now (as
   * mod_event_socket's event_handler does when the event is dispatched), written to the sockets after the event
   * delay, never before an event fired earlier.
   */
  fire(ev: WireEvent): void {
    this.firedEvents.push(ev);
    if (this.stopped) return;
    const to = [...this.listeners].filter((l) => l.wants(ev));
    const delay = Math.max(0, this.eventDelay(ev));
    if (delay === 0 && this.outbox.length === 0) {
      this.deliver(ev, to);
      return;
    }
    const dueAt = Math.max(Date.now() + delay, this.lastDueAt);
    this.lastDueAt = dueAt;
    this.outbox.push({ dueAt, ev, to });
    this.scheduleOutbox();
  }

  private deliver(ev: WireEvent, to: Listener[]): void {
    const frames: Partial<Record<EventFormat, Buffer>> = {};
    for (const l of to) {
      const f = (frames[l.format] ??= eventFrame(ev, l.format));
      l.write(f);
    }
  }

  private scheduleOutbox(): void {
    if (this.outboxTimer || this.outbox.length === 0) return;
    const head = this.outbox[0]!;
    this.outboxTimer = setTimeout(() => {
      this.outboxTimer = undefined;
      const now = Date.now();
      while (this.outbox.length && this.outbox[0]!.dueAt <= now) {
        const item = this.outbox.shift()!;
        this.deliver(item.ev, item.to);
      }
      this.scheduleOutbox();
    }, Math.max(0, head.dueAt - Date.now()));
  }

  /** Drops events not yet written (the simulator stops). */
  clearOutbox(): void {
    if (this.outboxTimer) clearTimeout(this.outboxTimer);
    this.outboxTimer = undefined;
    this.outbox.length = 0;
  }

  dialplan(destination: string): Array<[string, string]> {
    return this.opts.dialplan?.(destination) ?? [['set', 'ivr_entry=true'], ['answer', ''], ['park', '']];
  }

  playbackMs(file: string): number {
    const listed = this.opts.playbackDurations?.[file];
    if (listed !== undefined) return listed;
    const silenceMatch = /^silence_stream:\/\/(\d+)/.exec(file);
    if (silenceMatch) return Number(silenceMatch[1]);
    try {
      if (fs.existsSync(file)) return durationMs(readWav(fs.readFileSync(file)));
    } catch {
      // Not a WAV we can read: fall back to the default duration.
    }
    return this.opts.defaultPlaybackMs ?? 1000;
  }

  fileExists(file: string): boolean {
    return !(this.opts.missingFiles ?? []).includes(file);
  }

  bridgeOutcome(target: string, call: SimCall): string {
    return this.opts.bridge?.(target, call) ?? 'answer';
  }

  callcenterOutcome(queue: string, call: SimCall): CallcenterOutcome {
    return this.opts.callcenter?.(queue, call) ?? { agent: 'agent_1', answerAfterMs: 500 };
  }

  destroyed(call: SimCall): void {
    this.calls.delete(call.uuid);
  }

  async placeCall(opts: PlaceCallOptions, apps?: Array<[string, string]>): Promise<SimCall> {
    const call = new SimCall(this, opts);
    this.calls.set(call.uuid, call);
    call.start(apps);
    await new Promise((r) => setImmediate(r));
    return call;
  }

  heartbeat(): void {
    const up = Date.now() - this.started;
    const s = Math.floor(up / 1000);
    const headers = commonHeaders(this.core, 'HEARTBEAT', SITES.HEARTBEAT, this.nextSeq());
    headers.push(
      ['Event-Info', 'System Ready'],
      ['Up-Time', `0 years, 0 days, ${Math.floor(s / 3600)} hours, ${Math.floor(s / 60) % 60} minutes, ${s % 60} seconds, ${up % 1000} milliseconds, 0 microseconds`],
      ['FreeSWITCH-Version', '1.10.12-release~64bit'],
      ['Uptime-msec', String(up)],
      ['Session-Count', String(this.calls.size)],
      ['Max-Sessions', '200'],
      ['Session-Per-Sec', '50'],
      ['Session-Per-Sec-Last', '0'],
      ['Session-Per-Sec-Max', '0'],
      ['Session-Per-Sec-FiveMin', '0'],
      ['Session-Since-Startup', String(this.sessionId)],
      ['Session-Peak-Max', String(this.calls.size)],
      ['Session-Peak-FiveMin', String(this.calls.size)],
      ['Idle-CPU', '99.000000'],
    );
    this.fire({ headers });
  }

  fireApiEvent(name: string, arg: string): void {
    const headers = commonHeaders(this.core, 'API', SITES.API, this.nextSeq());
    headers.push(['API-Command', name]);
    if (arg) headers.push(['API-Command-Argument', arg]);
    this.fire({ headers });
  }

  async runApi(name: string, arg: string): Promise<string> {
    this.fireApiEvent(name, arg);
    const delay = this.opts.apiDelayMs?.(name, arg) ?? 0;
    if (delay > 0) await this.sleep(delay);
    const args = arg.trim() ? arg.trim().split(/\s+/) : [];
    const call = (i: number) => this.calls.get(args[i] ?? '');
    const noChannel = '-ERR No such channel!\n';
    switch (name) {
      case 'status':
        return this.status();
      case 'uuid_exists':
        return this.calls.has(args[0] ?? '') ? 'true' : 'false';
      case 'uuid_kill': {
        const c = call(0);
        if (!c) return noChannel;
        void c.hangup(args[1] ?? 'NORMAL_CLEARING');
        return '+OK\n';
      }
      case 'uuid_break': {
        const c = call(0);
        if (!c) return noChannel;
        c.breakMedia(args[1] === 'all');
        return '+OK\n';
      }
      case 'uuid_answer': {
        const c = call(0);
        if (!c) return noChannel;
        c.answer();
        return '+OK\n';
      }
      case 'uuid_broadcast': {
        const c = call(0);
        if (!c) return noChannel;
        const what = args[1] ?? '';
        const sep = what.indexOf('::');
        if (sep > 0) c.queueApp(what.slice(0, sep), what.slice(sep + 2).replace(/^'|'$/g, ''), crypto.randomUUID());
        else c.queueApp('playback', what, crypto.randomUUID());
        return '+OK Message sent\n';
      }
      case 'uuid_transfer': {
        const c = call(0);
        if (!c) return noChannel;
        const rest = args.slice(1).filter((a) => a !== '-bleg' && a !== '-both');
        if (!rest[0]) return '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
        c.transfer(rest[0]);
        return '+OK\n';
      }
      case 'uuid_setvar': {
        const c = call(0);
        if (!c) return noChannel;
        if (!args[1]) return '-USAGE: <uuid> <var> [value]\n';
        c.setVar(args[1], args.length > 2 ? args.slice(2).join(' ') : undefined);
        return '+OK\n';
      }
      case 'uuid_getvar': {
        const c = call(0);
        if (!c) return noChannel;
        return c.getVar(args[1] ?? '') ?? '_undef_';
      }
      case 'uuid_record':
        return this.uuidRecord(arg);
      case 'originate':
        return this.originate(arg);
      case 'hupall': {
        const cause = args[0] ?? 'NORMAL_CLEARING';
        for (const c of [...this.calls.values()]) void c.hangup(cause);
        return `+OK hangup all channels with cause ${cause}\n`;
      }
      case 'show': {
        if (args[0] !== 'calls' && args[0] !== 'channels') return `-USAGE: show ${args[0] ?? ''}\n`;
        if (this.calls.size === 0) return '\n0 total.\n';
        const rows = [...this.calls.values()].map((c) => `${c.uuid},${c.direction},${c.callerIdNumber},${c.destinationNumber}`);
        return `uuid,direction,cid_num,dest\n${rows.join('\n')}\n\n${this.calls.size} total.\n`;
      }
      case 'callcenter_config':
        return '+OK\n';
      default:
        return `-ERR ${name} Command not found!\n`;
    }
  }

  /**
   * uuid_record <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>] as mod_commands'
   * session_record_function parses it: at most 5 space-separated fields (the 5th keeps the rest of the line),
   * the vars url-decoded then read as `{A=1,B=2}` (switch_event_create_brackets; anything else is ignored).
   */
  private uuidRecord(arg: string): string {
    const usage = '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';
    const argv = splitBlank(arg, 5);
    if (argv.length < 3) return usage;
    const [uuid = '', action = '', file = ''] = argv;
    const call = this.calls.get(uuid);
    if (!call) return '-ERR Cannot locate session!\n';
    const limit = Number.parseInt(argv[3] ?? '0', 10) || 0;
    switch (action.toLowerCase()) {
      case 'start': {
        const vars = argv.length > 3 ? bracketVars(urlDecode(argv[4] ?? '')) : [];
        return call.startMediaBugRecord(file, limit, vars) ? '+OK Success\n' : '-ERR Cannot record session!\n';
      }
      case 'stop':
        return call.stopMediaBugRecord(file) ? '+OK Success\n' : '-ERR Cannot stop record session!\n';
      case 'mask':
      case 'unmask':
        return call.maskMediaBugRecord(file, action.toLowerCase() === 'mask') ? '+OK Success\n' : `-ERR Cannot ${action.toLowerCase()} recording session!\n`;
      case 'pause':
      case 'resume':
        // Not simulated: answered as if no recording matched.
        return `-ERR Cannot ${action.toLowerCase()} recording session!\n`;
      default:
        return usage;
    }
  }

  private status(): string {
    const up = Date.now() - this.started;
    const s = Math.floor(up / 1000);
    return (
      `UP 0 years, 0 days, ${Math.floor(s / 3600)} hours, ${Math.floor(s / 60) % 60} minutes, ${s % 60} seconds, ${up % 1000} milliseconds, 0 microseconds\n` +
      `FreeSWITCH (Version 1.10.12-release  64bit) is ready\n` +
      `${this.sessionId} session(s) since startup\n` +
      `${this.calls.size} session(s) - peak ${this.calls.size}, last 5min ${this.calls.size} \n` +
      `0 session(s) per Sec out of max 50, peak 0, last 5min 0 \n` +
      `200 session(s) max\n` +
      `min idle cpu 0.00/99.00\n` +
      `Current Stack Size/Max 240K/8192K\n`
    );
  }

  /** originate {vars}endpoint/…/number <&app(args) | extension> */
  private async originate(arg: string): Promise<string> {
    const m = /^(?:\{([^}]*)\})?(\S+)\s+(\S+)/.exec(arg.trim());
    if (!m) return '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';
    const vars: Record<string, string> = {};
    for (const kv of (m[1] ?? '').split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) vars[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const dial = m[2] ?? '';
    const outcome = this.opts.originate?.(dial) ?? 'answer';
    if (outcome !== 'answer') return `-ERR ${outcome}\n`;
    const target = (dial.split('/')[dial.split('/').length - 1] ?? '').split('@')[0] ?? '';
    const number = /^\d+$/.test(target) ? target : (dial.split('/')[1] ?? target);
    const appSpec = m[3] ?? '';
    const appMatch = /^&(\w+)\((.*)\)$/.exec(appSpec);
    const apps: Array<[string, string]> = appMatch ? [['answer', ''], [appMatch[1] ?? 'park', appMatch[2] ?? '']] : [['answer', ''], ...this.dialplan(appSpec)];
    const call = await this.placeCall(
      {
        callerIdNumber: vars.origination_caller_id_number ?? '0000000000',
        destinationNumber: number,
        direction: 'outbound',
        variables: vars,
      },
      apps,
    );
    return `+OK ${call.uuid}\n`;
  }
}

/** switch_separate_string on blanks: fields split on runs of spaces, the last of `max` fields keeps the rest. */
function splitBlank(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line.replace(/^ +/, '');
  while (rest && out.length < max - 1) {
    const sp = rest.indexOf(' ');
    if (sp < 0) break;
    out.push(rest.slice(0, sp));
    rest = rest.slice(sp).replace(/^ +/, '');
  }
  if (rest) out.push(rest.replace(/ +$/, ''));
  return out;
}

/** switch_url_decode: %XX sequences only ("+" stays "+"). */
function urlDecode(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** switch_event_create_brackets with '{', '}', ',': `{A=1,B=2}` → [[A,1],[B,2]]; no braces → nothing. */
function bracketVars(s: string): Array<[string, string]> {
  const t = s.replace(/^ +/, '');
  if (!t.startsWith('{')) return [];
  let depth = 0;
  let end = -1;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '{') depth++;
    else if (t[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return [];
  const out: Array<[string, string]> = [];
  for (const kv of t.slice(1, end).split(',')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const name = kv.slice(0, eq).trim();
    const value = kv.slice(eq + 1).trim();
    // EF_UNIQ_HEADERS: a repeated name replaces the earlier value.
    const i = out.findIndex(([n]) => n === name);
    if (i >= 0) out.splice(i, 1);
    out.push([name, value]);
  }
  return out;
}

/** The `eventDelayMs` option as a function; refuses a malformed one with what was wrong. */
function delayFunction(d: EventDelay): (ev: WireEvent) => number {
  if (typeof d === 'function') return d;
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new Error(`startEslSimulator: eventDelayMs must be a number >= 0 (got ${String(d)})`);
    return () => d;
  }
  const { min, max } = d;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
    throw new Error(`startEslSimulator: eventDelayMs {min, max} needs 0 <= min <= max (got {min: ${String(min)}, max: ${String(max)}})`);
  }
  return () => min + Math.random() * (max - min);
}

export async function startEslSimulator(opts: EslSimulatorOptions): Promise<EslSimulator> {
  const sim = new Simulator(opts);
  const server = net.createServer((socket) => sim.listeners.add(new Listener(socket, sim)));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const beatMs = opts.heartbeatMs ?? 20_000;
  const beat = beatMs > 0 ? setInterval(() => sim.heartbeat(), beatMs) : undefined;
  beat?.unref();
  return {
    port,
    host,
    calls: sim.calls,
    firedEvents: sim.firedEvents,
    commands: sim.commands,
    log: sim.fsLogLines,
    placeCall: (o) => sim.placeCall(o),
    dropConnections: () => {
      for (const l of [...sim.listeners]) l.socket.destroy();
    },
    injectRawFrame: (bytes) => {
      for (const l of sim.listeners) if (l.authed) l.write(bytes);
    },
    connectionCount: () => sim.listeners.size,
    stop: async () => {
      if (beat) clearInterval(beat);
      for (const c of [...sim.calls.values()]) void c.hangup('MANAGER_REQUEST');
      for (const l of [...sim.listeners]) l.socket.destroy();
      sim.stopped = true;
      sim.clearOutbox();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
