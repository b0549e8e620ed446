/** A raw event-socket client for frame-level tests, and readers for the frames captured from FreeSWITCH 1.10.12. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../lib/log';

export const FRAMES = path.join(__dirname, 'fixtures');

export function captured(rel: string): Buffer {
  return fs.readFileSync(path.join(FRAMES, rel));
}

export interface Frame {
  outer: Array<[string, string]>;
  body: string;
  raw: Buffer;
}

export function outerHeader(f: Frame, name: string): string | undefined {
  return f.outer.find(([k]) => k === name)?.[1];
}

/** Splits a byte stream into frames the way a correct client does (outer headers, then Content-Length bytes). */
export function splitFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let pos = 0;
  for (;;) {
    const end = buf.indexOf('\n\n', pos);
    if (end < 0) break;
    const outer: Array<[string, string]> = buf
      .subarray(pos, end)
      .toString('utf8')
      .split('\n')
      .map((l) => {
        const i = l.indexOf(': ');
        return [l.slice(0, i), l.slice(i + 2)] as [string, string];
      });
    const len = Number(outer.find(([k]) => k === 'Content-Length')?.[1] ?? 0);
    if (buf.length < end + 2 + len) break;
    frames.push({ outer, body: buf.subarray(end + 2, end + 2 + len).toString('utf8'), raw: buf.subarray(pos, end + 2 + len) });
    pos = end + 2 + len;
  }
  return { frames, rest: buf.subarray(pos) };
}

/** Header lines of a text/event-plain body, values still URL-encoded. */
export function plainHeaders(body: string): Array<[string, string]> {
  const head = body.split('\n\n')[0] ?? '';
  return head
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(': ');
      return [l.slice(0, i), l.slice(i + 2)] as [string, string];
    });
}

/** Header names in order with each run of variable_* collapsed to one token: the "shape" of an event. */
export function shape(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const t = n.startsWith('variable_') ? 'variable_*' : n;
    if (t === 'variable_*' && out[out.length - 1] === 'variable_*') continue;
    out.push(t);
  }
  return out;
}

export class RawClient {
  readonly socket: net.Socket;
  data = Buffer.alloc(0);
  closed = false;
  private consumed = 0;
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      this.data = Buffer.concat([this.data, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  async until(pred: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got:\n${this.data.toString('utf8').slice(-2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 25);
      });
    }
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** All frames received so far. */
  frames(): Frame[] {
    return splitFrames(this.data).frames;
  }

  /** Waits for the next frame after those already taken. */
  async next(timeoutMs = 3000): Promise<Frame> {
    await this.until(() => this.frames().length > this.consumed, timeoutMs, 'next frame');
    const f = this.frames()[this.consumed];
    this.consumed++;
    if (!f) throw new Error('no frame');
    return f;
  }

  /** Sends a command and returns its reply frame (command/reply or api/response), skipping events in between. */
  async command(cmd: string, timeoutMs = 3000): Promise<Frame> {
    this.send(cmd.endsWith('\n\n') ? cmd : `${cmd}\n\n`);
    for (;;) {
      const f = await this.next(timeoutMs);
      const t = outerHeader(f, 'Content-Type');
      if (t === 'command/reply' || t === 'api/response') return f;
    }
  }

  /** Waits for an event frame matching the predicate (on decoded plain headers or json keys). */
  async event(pred: (h: Record<string, string>, f: Frame) => boolean, timeoutMs = 3000): Promise<{ headers: Record<string, string>; frame: Frame }> {
    let idx = 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frames = this.frames();
      for (; idx < frames.length; idx++) {
        const f = frames[idx];
        if (!f) continue;
        const h = decodeEvent(f);
        if (h && pred(h, f)) return { headers: h, frame: f };
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for an event');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async login(password: string): Promise<void> {
    await this.until(() => this.data.includes('auth/request'), 3000, 'auth/request');
    this.consumed = 1;
    const r = await this.command(`auth ${password}`);
    if (!r.raw.toString().includes('+OK accepted')) throw new Error('login failed');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Decoded headers of an event frame (plain or json); undefined for non-event frames. */
export function decodeEvent(f: Frame): Record<string, string> | undefined {
  const t = outerHeader(f, 'Content-Type');
  if (t === 'text/event-json') return JSON.parse(f.body) as Record<string, string>;
  if (t !== 'text/event-plain') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of plainHeaders(f.body)) if (!(k in out)) out[k] = decodeURIComponent(v);
  const i = f.body.indexOf('\n\n');
  if (out['Content-Length']) out._body = f.body.slice(i + 2);
  return out;
}

export function eventNames(f: Frame): string[] {
  return plainHeaders(f.body).map(([k]) => k);
}

/** A WAV of `ms` of a 440 Hz tone at the given rate and channel count (16-bit PCM). */
export function toneWav(ms: number, rate = 16000, channels = 1): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const data = Buffer.alloc(n * channels * 2);
  for (let i = 0; i < n; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12000);
    for (let c = 0; c < channels; c++) data.writeInt16LE(v, (i * channels + c) * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** A product logger whose lines are kept in `lines` (for assertions on what was logged, and what was not). */
export function capturingLogger(name: string): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger(name, { destination, level: 'debug' }), lines };
}
