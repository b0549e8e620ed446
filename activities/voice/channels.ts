/**
 * What the voice worker knows about each call of its node, from the events of its own event socket: which of its
 * applications started (CHANNEL_EXECUTE by Application-UUID), the recording in progress, whether media of ours is
 * running, keys pressed, hang-up. The activities use it to break only what is actually playing: a `uuid_break` sent
 * while nothing plays leaves a break flag on the channel that cuts the NEXT prompt at once on a real FreeSWITCH.
 */
import type { EslConnection, EslEvent } from '../../lib/esl';

interface ChannelInfo {
  record?: string;
  /** Application-UUIDs of applications that started and have not completed. */
  running: Set<string>;
  bridged: boolean;
  gone: boolean;
}

const GONE_KEPT = 4096;

export class ChannelTracker {
  private readonly channels = new Map<string, ChannelInfo>();
  private readonly gone = new Set<string>();
  private readonly dtmf = new Map<string, Set<(digit: string) => void>>();
  private readonly waiters = new Set<{ test: (ev: EslEvent) => boolean; resolve: () => void }>();
  private readonly started = new Set<string>();

  static readonly EVENTS = ['CHANNEL_EXECUTE', 'DTMF', 'RECORD_START', 'RECORD_STOP', 'CHANNEL_HANGUP', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE'];

  constructor(esl: EslConnection) {
    esl.on('event', (ev) => this.onEvent(ev));
  }

  private info(uuid: string): ChannelInfo {
    let c = this.channels.get(uuid);
    if (!c) {
      c = { running: new Set(), bridged: false, gone: false };
      this.channels.set(uuid, c);
    }
    return c;
  }

  private onEvent(ev: EslEvent): void {
    const uuid = ev.uniqueId;
    if (!uuid) return;
    switch (ev.name) {
      case 'CHANNEL_EXECUTE': {
        const id = ev.headers['Application-UUID'];
        if (id) {
          this.info(uuid).running.add(id);
          this.started.add(id);
        }
        break;
      }
      case 'CHANNEL_EXECUTE_COMPLETE': {
        const id = ev.headers['Application-UUID'];
        if (id) {
          this.channels.get(uuid)?.running.delete(id);
          this.started.delete(id);
        }
        break;
      }
      case 'DTMF':
        for (const fn of [...(this.dtmf.get(uuid) ?? [])]) fn(ev.headers['DTMF-Digit'] ?? '');
        break;
      case 'RECORD_START':
        this.info(uuid).record = ev.headers['Record-File-Path'];
        break;
      case 'RECORD_STOP': {
        const c = this.channels.get(uuid);
        if (c && c.record === ev.headers['Record-File-Path']) delete c.record;
        break;
      }
      case 'CHANNEL_BRIDGE':
        this.info(uuid).bridged = true;
        break;
      case 'CHANNEL_UNBRIDGE':
        this.info(uuid).bridged = false;
        break;
      case 'CHANNEL_HANGUP':
      case 'CHANNEL_HANGUP_COMPLETE': {
        const c = this.channels.get(uuid);
        if (c) for (const id of c.running) this.started.delete(id);
        this.channels.delete(uuid);
        this.dtmf.delete(uuid);
        this.gone.add(uuid);
        if (this.gone.size > GONE_KEPT) this.gone.delete(this.gone.values().next().value as string);
        break;
      }
    }
    for (const w of [...this.waiters]) {
      if (w.test(ev)) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  isGone(uuid: string): boolean {
    return this.gone.has(uuid);
  }

  activeRecord(uuid: string): string | undefined {
    return this.channels.get(uuid)?.record;
  }

  isBridged(uuid: string): boolean {
    return this.channels.get(uuid)?.bridged ?? false;
  }

  /** True once CHANNEL_EXECUTE was seen for this Application-UUID and until it completes. */
  isRunning(applicationUuid: string): boolean {
    return this.started.has(applicationUuid);
  }

  onDtmf(uuid: string, fn: (digit: string) => void): () => void {
    let set = this.dtmf.get(uuid);
    if (!set) {
      set = new Set();
      this.dtmf.set(uuid, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.dtmf.get(uuid) === set) this.dtmf.delete(uuid);
    };
  }

  /** Resolves true when an event matching `test` arrives within `ms`, false otherwise (or once `signal` aborts). */
  waitFor(test: (ev: EslEvent) => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(w);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const w = { test, resolve: () => done(true) };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.waiters.add(w);
      signal?.addEventListener('abort', onAbort);
    });
  }
}
