/**
 * The one typed door to FreeSWITCH's event socket. modesl 1.2.1 still does the connecting, the authentication and
 * the event objects, but this adapter owns everything that goes wrong with it (see shared field notes):
 * - every command (api, bgapi, sendmsg, event, filter) is written in ONE socket write and goes through one queue
 *   with a single request in flight, so a reply can never be taken by another request (modesl's execute() uses
 *   send(), whose +OK lands in whichever sendRecv callback is first in line);
 * - TCP_NODELAY on the socket (modesl's several writes per command cost ~44 ms each with Nagle + delayed ACK);
 * - execute() waits for its own CHANNEL_EXECUTE_COMPLETE (matched on Application-UUID) with a timeout, and gives
 *   up when the channel hangs up, so no listener is ever left behind;
 * - header URL-decoding and event parsing cannot throw into the socket handler: bad frames are logged (without
 *   values, which may hold phone numbers) and skipped;
 * - the framing is bounded (framing.ts): a stream that loses its frame boundaries (bad or huge Content-Length,
 *   a header section that is not headers or never ends) drops the socket, logged once with the reason;
 * - reconnect with jittered exponential backoff, re-subscribing and re-filtering, then 'reconnected' so the
 *   bridge can reconcile its calls.
 */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from '../log';
import type { EslConfig } from './config';
import { EslChannelGoneError, EslCommandError, EslDisconnectedError, EslError, EslFramingError, EslTimeoutError } from './errors';
import { validateEvent, variablesOf, type EslEvent, type ExecuteComplete, type TypedEslEvent } from './events';
import { DECODE_ERROR, DEFAULT_LIMITS, installFraming, type FramingLimits, type ModeslEvent, type ModeslParser } from './framing';

/** How long a command may wait behind others on one socket before it is refused (the reply timeout starts later). */
const QUEUE_WAIT_MS = 30_000;

// ---- the minimal surface of modesl's connection we use (it ships no types) ---------------------------------------

interface ModeslConnection {
  socket: net.Socket | null;
  parser?: ModeslParser;
  cmdCallbackQueue: unknown[];
  on(event: string, fn: (...args: unknown[]) => void): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  removeAllListeners(event?: string): void;
  sendRecv(command: string, cb: (e: ModeslEvent) => void): void;
}
type ModeslConnectionCtor = new (host: string, port: number, password: string) => ModeslConnection;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- modesl ships no types: typed by the interfaces above
const modesl = require('modesl') as { Connection: ModeslConnectionCtor };

// ---- the adapter ------------------------------------------------------------------------------------------------

export interface EslConnectionOptions extends EslConfig {
  /** Reply timeout of every command (api, bgapi acceptance, sendmsg, event, filter). Default 5 s. */
  requestTimeoutMs?: number;
  /** Time a BACKGROUND_JOB may take. Default 60 s. */
  bgapiTimeoutMs?: number;
  /** Time an executed application may take to complete. Default 30 min (a call can record or queue for long). */
  executeTimeoutMs?: number;
  connectTimeoutMs?: number;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number } | false;
  /** Bounds of one frame (header section, Content-Length); a frame beyond them drops and reopens the socket. */
  framing?: Partial<FramingLimits>;
  logger?: Logger;
}

export interface ExecuteOptions {
  /** Sent as Event-UUID; comes back as Application-UUID. Generated when omitted. */
  eventUuid?: string;
  /** event-lock: true (default): the channel runs queued applications strictly in order. */
  eventLock?: boolean;
  timeoutMs?: number;
}

interface Pending {
  frame: string;
  label: string;
  kind: 'command/reply' | 'api/response';
  /** Reply timeout, counted from the moment the command is written (not from queueing). */
  replyTimeoutMs: number;
  resolve: (e: ModeslEvent) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  settled: boolean;
}

interface PendingExecute {
  uuid: string;
  resolve: (c: ExecuteComplete) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface EslConnectionEvents {
  event: [EslEvent];
  connected: [];
  disconnected: [string];
  reconnected: [];
}

/** Events the adapter itself needs: job results, application completions, hangups (to release executes). */
const REQUIRED_EVENTS = ['BACKGROUND_JOB', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE'];

export class EslConnection extends EventEmitter<EslConnectionEvents> {
  private readonly opts: Required<Omit<EslConnectionOptions, 'logger' | 'reconnect' | 'framing'>> & {
    reconnect: { initialDelayMs: number; maxDelayMs: number } | false;
    framing: FramingLimits;
  };
  private readonly log: Logger;
  private conn: ModeslConnection | undefined;
  private socket: net.Socket | undefined;
  private ready = false;
  private closing = false;
  private queue: Pending[] = [];
  private inFlight: Pending | undefined;
  private readonly executes = new Map<string, PendingExecute>();
  private readonly jobs = new Map<string, { resolve: (e: EslEvent) => void; reject: (err: Error) => void }>();
  private readonly subscriptions = new Set<string>(REQUIRED_EVENTS);
  private readonly customSubclasses = new Set<string>();
  private filters: Array<[string, string]> = [];
  /** The call this socket is bound to by myevents, bound again after a reconnect. */
  private boundUuid: string | undefined;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Counts frames skipped as malformed (for tests and metrics). */
  skippedFrames = 0;
  /** Counts connections dropped because the stream lost its framing (for tests and metrics). */
  framingErrors = 0;
  /** Why the current socket is being dropped by us, reported with 'disconnected'. */
  private dropReason: string | undefined;

  constructor(options: EslConnectionOptions) {
    super();
    const r = options.reconnect;
    this.opts = {
      host: options.host,
      port: options.port,
      password: options.password,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
      bgapiTimeoutMs: options.bgapiTimeoutMs ?? 60_000,
      executeTimeoutMs: options.executeTimeoutMs ?? 30 * 60_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      reconnect: r === false ? false : { initialDelayMs: r?.initialDelayMs ?? 250, maxDelayMs: r?.maxDelayMs ?? 10_000 },
      framing: { ...DEFAULT_LIMITS, ...options.framing },
    };
    this.log = options.logger ?? createLogger('esl');
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Connects and authenticates; rejects on a wrong password or when FreeSWITCH cannot be reached. */
  async connect(): Promise<void> {
    if (this.ready) return;
    this.closing = false;
    await this.open();
    this.emit('connected');
  }

  /** Runs an API command and returns its output. Blocks FreeSWITCH's side of this socket: prefer bgapi for slow ones. */
  async api(command: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    assertLine(command);
    const reply = await this.request(`api ${command}\n\n`, `api ${verb(command)}`, 'api/response', opts.timeoutMs);
    return reply.body ?? '';
  }

  /** Runs an API command in FreeSWITCH's background; resolves with the BACKGROUND_JOB output. */
  async bgapi(command: string, opts: { timeoutMs?: number } = {}): Promise<{ jobUuid: string; body: string }> {
    assertLine(command);
    const jobUuid = crypto.randomUUID();
    const usesFilters = this.filters.length > 0;
    // With filters on, the job's event would be filtered out unless it is let through explicitly.
    if (usesFilters) await this.command(`filter Job-UUID ${jobUuid}`);
    let timer: NodeJS.Timeout | undefined;
    // Registered before the command is written: the job's event may arrive right behind the +OK reply.
    const done = new Promise<EslEvent>((resolve, reject) => {
      timer = setTimeout(() => {
        this.jobs.delete(jobUuid);
        reject(new EslTimeoutError(`bgapi ${verb(command)}: no BACKGROUND_JOB within ${opts.timeoutMs ?? this.opts.bgapiTimeoutMs} ms`));
      }, opts.timeoutMs ?? this.opts.bgapiTimeoutMs);
      this.jobs.set(jobUuid, {
        resolve: (e) => {
          clearTimeout(timer);
          this.jobs.delete(jobUuid);
          resolve(e);
        },
        reject: (err) => {
          clearTimeout(timer);
          this.jobs.delete(jobUuid);
          reject(err);
        },
      });
    });
    try {
      const reply = await this.request(`bgapi ${command}\nJob-UUID: ${jobUuid}\n\n`, `bgapi ${verb(command)}`, 'command/reply');
      const text = reply.getHeader('Reply-Text') ?? '';
      if (!text.startsWith('+OK')) throw new EslCommandError(`bgapi ${verb(command)}`, text);
      const ev = await done;
      return { jobUuid, body: ev.body ?? '' };
    } catch (err) {
      // Nobody awaits `done` any more: drop the waiter and its timer so no rejection goes unhandled.
      clearTimeout(timer);
      this.jobs.delete(jobUuid);
      done.catch(() => undefined);
      throw err;
    } finally {
      if (usesFilters) await this.command(`filter delete Job-UUID ${jobUuid}`).catch(() => undefined);
    }
  }

  /**
   * Executes a dialplan application on a channel (sendmsg, one write) and resolves with its
   * CHANNEL_EXECUTE_COMPLETE. Rejects with EslChannelGoneError when the channel hangs up first.
   */
  execute(uuid: string, app: string, arg = '', opts: ExecuteOptions = {}): Promise<ExecuteComplete> {
    assertLine(uuid);
    assertLine(app);
    const eventUuid = opts.eventUuid ?? crypto.randomUUID();
    const lock = opts.eventLock ?? true;
    // A long or multi-line argument goes in the body, as FreeSWITCH allows for sendmsg.
    const argLines = /[\r\n]/.test(arg) || Buffer.byteLength(arg) > 2048;
    const head =
      `sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: ${app}\n` +
      (argLines ? '' : arg ? `execute-app-arg: ${arg}\n` : '') +
      (lock ? 'event-lock: true\n' : '') +
      `Event-UUID: ${eventUuid}\n`;
    const frame = argLines ? `${head}content-type: text/plain\ncontent-length: ${Buffer.byteLength(arg)}\n\n${arg}` : `${head}\n`;
    const timeoutMs = opts.timeoutMs ?? this.opts.executeTimeoutMs;
    return new Promise<ExecuteComplete>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.executes.delete(eventUuid);
        reject(new EslTimeoutError(`execute ${app} on ${uuid}: no CHANNEL_EXECUTE_COMPLETE within ${timeoutMs} ms`));
      }, timeoutMs);
      this.executes.set(eventUuid, { uuid, resolve, reject, timer });
      this.request(frame, `sendmsg execute ${app}`, 'command/reply')
        .then((reply) => {
          const text = reply.getHeader('Reply-Text') ?? '';
          if (!text.startsWith('+OK')) this.settleExecute(eventUuid, new EslCommandError(`execute ${app}`, text));
        })
        .catch((err: Error) => this.settleExecute(eventUuid, err));
    });
  }

  /**
   * Fires an event on the node's event bus (`sendevent <name>` with the headers given), so every event socket
   * subscribed to it sees it in order with the channels' own events. Resolves with its Event-UUID. Never give it a
   * `Unique-ID` header: FreeSWITCH then queues the event to that channel instead of firing it.
   */
  async sendEvent(name: string, headers: Record<string, string>): Promise<string> {
    assertLine(name);
    const lines = Object.entries(headers).map(([k, v]) => {
      assertLine(k);
      assertLine(v);
      if (k.toLowerCase() === 'unique-id') throw new EslError('sendevent with a Unique-ID header is delivered to that channel, not fired');
      return `${k}: ${v}`;
    });
    const text = await this.command([`sendevent ${name}`, ...lines].join('\n'));
    return text.replace(/^\+OK\s*/, '').trim();
  }

  /** Hangs a channel up through sendmsg (call-command: hangup). */
  async hangup(uuid: string, cause = 'NORMAL_CLEARING'): Promise<void> {
    assertLine(uuid);
    assertLine(cause);
    await this.command(`sendmsg ${uuid}\ncall-command: hangup\nhangup-cause: ${cause}`);
  }

  /** Adds events to the subscription (json format); names like CHANNEL_ANSWER, or 'CUSTOM callcenter::info'. */
  async subscribe(events: string[]): Promise<void> {
    for (const e of events) {
      const [name, ...subs] = e.trim().split(/\s+/);
      if (!name) continue;
      if (name.toUpperCase() === 'CUSTOM') subs.forEach((s) => this.customSubclasses.add(s));
      else this.subscriptions.add(name.toUpperCase());
    }
    await this.command(this.eventCommand());
  }

  /**
   * Binds this socket to one call (`myevents <uuid> json`): from then on only that channel's events arrive (and no
   * PLAYBACK_* / RECORD_*). Kept across reconnects, until the call is gone.
   */
  async myEvents(uuid: string): Promise<void> {
    assertLine(uuid);
    await this.command(`myevents ${uuid} json`);
    this.boundUuid = uuid;
  }

  /** Adds an event filter (FreeSWITCH ORs filters; once any exists only matching events pass). */
  async filter(headerName: string, value: string): Promise<void> {
    assertLine(headerName);
    assertLine(value);
    await this.command(`filter ${headerName} ${value}`);
    this.filters.push([headerName, value]);
  }

  async filterDelete(headerName: string, value?: string): Promise<void> {
    await this.command(`filter delete ${headerName}${value ? ` ${value}` : ''}`);
    this.filters = this.filters.filter(([h, v]) => !(h === headerName && (value === undefined || v === value)));
  }

  /** Closes for good: no reconnect; pending requests fail with EslDisconnectedError. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const sock = this.socket;
    if (sock && !sock.destroyed) {
      await new Promise<void>((resolve) => {
        sock.once('close', () => resolve());
        sock.end('exit\n\n');
        setTimeout(() => sock.destroy(), 500).unref();
      });
    }
    this.failAll(new EslDisconnectedError('connection closed by the application'));
    for (const [id, ex] of this.executes) {
      clearTimeout(ex.timer);
      ex.reject(new EslDisconnectedError('connection closed by the application'));
      this.executes.delete(id);
    }
  }

  // ---- connection lifecycle -------------------------------------------------------------------------------------

  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock?.destroy();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new EslTimeoutError(`no authenticated event socket at ${this.opts.host}:${this.opts.port} within ${this.opts.connectTimeoutMs} ms`)),
        this.opts.connectTimeoutMs,
      );
      const conn = new modesl.Connection(this.opts.host, this.opts.port, this.opts.password);
      const sock = conn.socket ?? undefined;
      sock?.setNoDelay(true);
      conn.on('error', (err) => {
        const e = err instanceof Error ? err : new Error(String(err));
        if (e instanceof SyntaxError) {
          // modesl's JSON.parse of an event body failed; V8 quotes the input in the message (phone numbers).
          this.skippedFrames++;
          this.log.warn('event with an unparsable json body: skipped');
          return;
        }
        this.log.warn({ err: e.message }, 'event socket error');
        if (!settled) fail(new EslError(`cannot reach FreeSWITCH event socket at ${this.opts.host}:${this.opts.port}: ${e.message}`));
      });
      conn.on('esl::connect', () => {
        const parser = conn.parser;
        if (!parser) return;
        installFraming(parser, {
          limits: this.opts.framing,
          onBadFrame: (err) => {
            this.skippedFrames++;
            this.log.warn({ err: err.message }, 'event socket frame could not be parsed: skipped');
          },
          onFramingError: (err) => {
            this.onFramingError(err, sock);
            if (!settled) fail(err);
          },
        });
        parser.on('esl::event', (e, headers, body) => this.onFrame(e, headers, body));
      });
      conn.on('esl::event::auth::fail', () => fail(new EslError(`FreeSWITCH rejected the event-socket password (ESL_PASSWORD) at ${this.opts.host}:${this.opts.port}`)));
      conn.on('esl::ready', () => {
        // modesl subscribed on its own after auth (sendRecv with no callback). Queue behind it through modesl once,
        // so its reply is consumed by modesl; from then on modesl's reply queues stay empty and every reply is ours.
        conn.sendRecv(this.eventCommand().trim(), (reply) => {
          if (settled) return;
          if (!(reply.getHeader('Reply-Text') ?? '').startsWith('+OK')) {
            fail(new EslError(`event subscription refused: ${reply.getHeader('Reply-Text') ?? '(no reply text)'}`));
            return;
          }
          settled = true;
          clearTimeout(timer);
          // Become ready only after this reply has been dispatched to every listener (ours included), so it
          // cannot be taken as the reply of the first queued request.
          setImmediate(() => {
            this.conn = conn;
            this.socket = sock;
            this.ready = true;
            this.attempt = 0;
            void this.restoreSubscriptions().then(resolve, reject);
          });
        });
      });
      sock?.on('close', () => {
        if (!settled) fail(new EslDisconnectedError(`event socket at ${this.opts.host}:${this.opts.port} closed during connect`));
        if (this.socket === sock) {
          const reason = this.dropReason ?? 'socket closed';
          this.dropReason = undefined;
          this.onDisconnect(reason);
        }
      });
    });
  }

  /**
   * Past a framing error the stream has no trustworthy boundaries: every later frame would be misread. Drop the
   * socket; the close handler reconnects and restores the subscription and filters on a stream that starts clean.
   */
  private onFramingError(err: EslFramingError, sock: net.Socket | undefined): void {
    this.framingErrors++;
    // Logged once per connection (the reader stops at its first error); the reason holds no bytes of the stream.
    this.log.warn({ reason: err.reason, host: this.opts.host, port: this.opts.port }, 'event socket framing error: dropping the connection to reconnect');
    if (this.socket === sock) this.dropReason = `framing error: ${err.reason}`;
    sock?.destroy();
  }

  /** The event subscription went with the connect; filters and the myevents binding follow, as they were. */
  private async restoreSubscriptions(): Promise<void> {
    const filters = this.filters;
    for (const [h, v] of filters) await this.command(`filter ${h} ${v}`);
    const uuid = this.boundUuid;
    if (uuid) {
      try {
        await this.command(`myevents ${uuid} json`);
      } catch (err) {
        if (!(err instanceof EslCommandError)) throw err;
        // The call ended while the socket was down: there is nothing left to bind to, and no reason not to connect.
        this.boundUuid = undefined;
        this.log.info({ uuid }, 'call bound by myevents ended while the event socket was down; binding dropped');
      }
    }
    this.pump();
  }

  private onDisconnect(reason: string): void {
    this.ready = false;
    this.socket = undefined;
    this.conn = undefined;
    this.failAll(new EslDisconnectedError(`event socket lost (${reason}); the request may or may not have run`));
    // A job that reports while no connection is subscribed is lost: fail its waiter now rather than at its timeout.
    for (const job of [...this.jobs.values()]) job.reject(new EslDisconnectedError(`event socket lost (${reason}) before the background job reported; it may have run`));
    this.emit('disconnected', reason);
    if (this.closing || this.opts.reconnect === false) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.opts.reconnect === false || this.closing) return;
    const { initialDelayMs, maxDelayMs } = this.opts.reconnect;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt);
    // "Equal jitter": half fixed, half random, so a fleet does not reconnect in lockstep.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.open()
        .then(async () => {
          await this.reconcileExecutes();
          this.log.info({ attempt: this.attempt }, 'event socket reconnected');
          this.emit('reconnected');
        })
        .catch((err: Error) => {
          this.log.warn({ err: err.message, attempt: this.attempt }, 'event socket reconnect failed');
          this.scheduleReconnect();
        });
    }, delay);
  }

  /** Applications awaited across a reconnect: fail those whose channel no longer exists. */
  private async reconcileExecutes(): Promise<void> {
    const uuids = new Set([...this.executes.values()].map((e) => e.uuid));
    for (const uuid of uuids) {
      const exists = await this.api(`uuid_exists ${uuid}`).catch(() => 'true');
      if (exists.trim() === 'false') {
        for (const [id, ex] of this.executes) if (ex.uuid === uuid) this.settleExecute(id, new EslChannelGoneError(uuid));
      }
    }
  }

  // ---- the single command path ------------------------------------------------------------------------------------

  private eventCommand(): string {
    const names = [...this.subscriptions];
    if (this.customSubclasses.size) names.push('CUSTOM', ...this.customSubclasses);
    return `event json ${names.join(' ')}\n\n`;
  }

  private async command(frameWithoutEnd: string): Promise<string> {
    const frame = frameWithoutEnd.endsWith('\n\n') ? frameWithoutEnd : `${frameWithoutEnd}\n\n`;
    const label = frame.split(/[\s]/)[0] ?? 'command';
    const reply = await this.request(frame, label, 'command/reply');
    const text = reply.getHeader('Reply-Text') ?? '';
    if (text.startsWith('-ERR')) throw new EslCommandError(label, text);
    return text;
  }

  private request(frame: string, label: string, kind: Pending['kind'], timeoutMs = this.opts.requestTimeoutMs): Promise<ModeslEvent> {
    return new Promise<ModeslEvent>((resolve, reject) => {
      const p: Pending = { frame, label, kind, replyTimeoutMs: timeoutMs, resolve, reject, settled: false };
      // While queued behind other commands, only a generous bound applies: a busy socket is not a dead one, and
      // resetting it would fail every call it carries. The reply timeout starts when the command is written.
      const queueBound = Math.max(timeoutMs, QUEUE_WAIT_MS);
      p.timer = setTimeout(() => {
        if (p.settled || this.inFlight === p) return;
        p.settled = true;
        this.queue = this.queue.filter((q) => q !== p);
        reject(new EslTimeoutError(`${label}: still queued after ${queueBound} ms (the event socket is saturated)`));
      }, queueBound);
      this.queue.push(p);
      this.pump();
    });
  }

  private pump(): void {
    if (!this.ready || this.inFlight || !this.socket) return;
    let next = this.queue.shift();
    while (next && next.settled) next = this.queue.shift();
    if (!next) return;
    const p = next;
    this.inFlight = p;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (p.settled) return;
      p.settled = true;
      reject(p);
    }, p.replyTimeoutMs);
    const reject = (pending: Pending) => {
      pending.reject(new EslTimeoutError(`${pending.label}: no reply within ${pending.replyTimeoutMs} ms`));
      // Its late reply must still be consumed by it (inFlight stays until the reply comes), otherwise the next
      // request would take it. A server that never answers a written command is treated as a dead connection.
      if (this.inFlight === pending) {
        this.log.warn({ label: pending.label }, 'event socket request timed out; resetting the connection');
        this.socket?.destroy();
      }
    };
    this.socket.write(p.frame);
  }

  private failAll(err: Error): void {
    const all = [...(this.inFlight ? [this.inFlight] : []), ...this.queue];
    this.inFlight = undefined;
    this.queue = [];
    for (const p of all) {
      if (p.settled) continue;
      p.settled = true;
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
  }

  // ---- incoming frames ------------------------------------------------------------------------------------------

  private onFrame(e: ModeslEvent, outer: Record<string, unknown>, body: string | undefined): void {
    try {
      const type = String(outer['Content-Type'] ?? '');
      if (type === 'command/reply' || type === 'api/response') {
        this.onReply(type, e, body);
        return;
      }
      if (type === 'text/event-json' || type === 'text/event-plain') {
        this.onEvent(e, outer);
        return;
      }
      if (type === 'text/disconnect-notice') {
        this.log.info('FreeSWITCH sent a disconnect notice');
        return;
      }
      if (type !== 'auth/request') {
        this.skippedFrames++;
        this.log.warn({ contentType: type.slice(0, 64) }, 'unexpected event socket frame: skipped');
      }
    } catch (err) {
      this.skippedFrames++;
      this.log.warn({ err: (err as Error).message }, 'event socket frame handler failed: frame skipped');
    }
  }

  private onReply(type: string, e: ModeslEvent, body: string | undefined): void {
    const p = this.inFlight;
    if (!this.ready || !p) return; // modesl's own auth/subscribe replies
    this.inFlight = undefined;
    if (p.kind !== type) this.log.warn({ expected: p.kind, got: type, label: p.label }, 'event socket reply of an unexpected type');
    if (!p.settled) {
      p.settled = true;
      if (p.timer) clearTimeout(p.timer);
      if (body !== undefined && e.body === undefined) e.body = body;
      p.resolve(e);
    }
    this.pump();
  }

  private onEvent(e: ModeslEvent, outer: Record<string, unknown>): void {
    const headers: Record<string, string> = {};
    for (const h of e.headers) headers[h.name] = typeof h.value === 'string' ? h.value : String(h.value);
    if (headers[DECODE_ERROR] !== undefined || outer[DECODE_ERROR] !== undefined) {
      this.skippedFrames++;
      this.log.warn({ event: headers['Event-Name'], header: headers[DECODE_ERROR] ?? outer[DECODE_ERROR] }, 'event with bad URL encoding: skipped');
      return;
    }
    const v = validateEvent(headers, e.body);
    if (!v.ok) {
      this.skippedFrames++;
      this.log.warn({ event: headers['Event-Name'], issues: v.issues }, 'malformed event: skipped');
      return;
    }
    const ev = v.event;
    if (ev.name === 'BACKGROUND_JOB') {
      const job = ev.headers['Job-UUID'];
      if (job) this.jobs.get(job)?.resolve(ev);
    } else if (ev.name === 'CHANNEL_EXECUTE_COMPLETE') {
      const id = ev.headers['Application-UUID'];
      const pending = id ? this.executes.get(id) : undefined;
      if (id && pending) {
        const complete = ev as TypedEslEvent<'CHANNEL_EXECUTE_COMPLETE'>;
        const c: ExecuteComplete = {
          uuid: complete.headers['Unique-ID'],
          application: complete.headers.Application,
          applicationUuid: id,
          variables: variablesOf(ev),
          event: complete,
        };
        if (complete.headers['Application-Data'] !== undefined) c.applicationData = complete.headers['Application-Data'];
        if (complete.headers['Application-Response'] !== undefined) c.applicationResponse = complete.headers['Application-Response'];
        this.settleExecute(id, c);
      }
    } else if (ev.name === 'CHANNEL_HANGUP_COMPLETE' && ev.uniqueId) {
      // Complete events of the interrupted application come before HANGUP_COMPLETE; what is still waiting now
      // will never complete.
      for (const [id, ex] of this.executes) {
        if (ex.uuid === ev.uniqueId) this.settleExecute(id, new EslChannelGoneError(ex.uuid, ev.headers['Hangup-Cause']));
      }
    }
    this.emitSafely(ev);
  }

  private emitSafely(ev: EslEvent): void {
    try {
      this.emit('event', ev);
    } catch (err) {
      this.log.error({ err: (err as Error).message, event: ev.name }, 'an event listener threw; the event socket keeps running');
    }
  }

  private settleExecute(eventUuid: string, result: ExecuteComplete | Error): void {
    const ex = this.executes.get(eventUuid);
    if (!ex) return;
    this.executes.delete(eventUuid);
    clearTimeout(ex.timer);
    if (result instanceof Error) ex.reject(result);
    else ex.resolve(result);
  }
}

function verb(command: string): string {
  return command.split(' ')[0] ?? command;
}

/** A newline in a value would inject another header or command into the frame. */
function assertLine(v: string): void {
  if (/[\r\n]/.test(v)) throw new EslError('event socket arguments must not contain line breaks');
}

