/**
 * Splitting the event socket's byte stream into frames, with bounds.
 *
 * A frame is a header section (`Name: value` lines, ended by a blank line) and, when it has a `Content-Length`, that
 * many bytes of body. modesl 1.2.1 trusts every byte: a negative, non-numeric or huge Content-Length, or a body
 * shorter than announced, leaves its parser out of step (or buffering forever), and every later event is lost
 * while the socket stays up. Here the framing is ours: any violation is an EslFramingError, and the connection
 * drops the socket and opens a new one, where the stream starts in step again. modesl keeps the rest (header
 * decoding, event objects, its reply queues), through the private parser functions patched below.
 */
import { EslFramingError } from './errors';

/** FreeSWITCH caps an event-socket body at 16 MiB (field notes); anything larger is a broken stream. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Outer header sections of an inbound socket are a few lines (Content-Type, Content-Length, Reply-Text, Job-UUID). */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface FramingLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: Readonly<FramingLimits> = { maxHeaderBytes: MAX_HEADER_BYTES, maxBodyBytes: MAX_BODY_BYTES };

/** One frame as read off the wire: its header text (still URL-encoded) and its body when it has one. */
export interface RawFrame {
  headerText: string;
  body?: string;
}

const LF = 0x0a;
/** Header names FreeSWITCH writes: letters, digits, '-', '_' and '.' (never quotes, braces, spaces or colons). */
const NAME = /^[A-Za-z0-9_.-]+$/;
const NAME_PREFIX = /^[A-Za-z0-9_.-]*$/;

/**
 * Incremental frame splitter. push() returns the frames completed by a chunk, and the framing error that stopped
 * it, if any; after an error it stays stopped (the stream has lost its boundaries for good).
 */
export class FrameReader {
  private head: Buffer = Buffer.alloc(0);
  /** Where the search for the blank line resumes (bytes before it were already searched). */
  private scanFrom = 0;
  /** Start of the first header line not yet checked (lines before it were complete and valid). */
  private checked = 0;
  private body: { headerText: string; need: number; parts: Buffer[]; have: number } | undefined;
  private failed: EslFramingError | undefined;

  constructor(private readonly limits: FramingLimits = DEFAULT_LIMITS) {}

  get error(): EslFramingError | undefined {
    return this.failed;
  }

  push(chunk: Buffer): { frames: RawFrame[]; error?: EslFramingError } {
    const frames: RawFrame[] = [];
    if (this.failed) return { frames, error: this.failed };
    try {
      this.consume(chunk, frames);
    } catch (err) {
      if (!(err instanceof EslFramingError)) throw err;
      this.failed = err;
      this.head = Buffer.alloc(0);
      this.body = undefined;
      return { frames, error: err };
    }
    return { frames };
  }

  private consume(chunk: Buffer, frames: RawFrame[]): void {
    let rest: Buffer | undefined = chunk;
    while (rest && rest.length) {
      if (this.body) {
        rest = this.takeBody(rest, frames);
        continue;
      }
      // Body parts are gathered as a list and joined once; only the (bounded) header section is re-concatenated.
      this.head = this.head.length ? Buffer.concat([this.head, rest]) : rest;
      rest = this.takeHeaders(frames);
    }
  }

  /** Reads one header section from `this.head` if it is complete; returns what follows it (the body and beyond). */
  private takeHeaders(frames: RawFrame[]): Buffer | undefined {
    // Blank lines between frames carry nothing; skip them rather than read an empty header section.
    let start = 0;
    while (start < this.head.length && this.head[start] === LF) start++;
    if (start) {
      this.head = this.head.subarray(start);
      this.scanFrom = 0;
      this.checked = 0;
    }
    if (!this.head.length) return undefined;
    const end = this.head.indexOf('\n\n', Math.max(0, this.scanFrom - 1));
    if (end < 0) {
      if (this.head.length > this.limits.maxHeaderBytes) {
        throw new EslFramingError(`header section longer than ${this.limits.maxHeaderBytes} bytes without its blank line`);
      }
      // Garbage is refused as soon as it is seen, not when a later frame happens to supply a blank line.
      this.checkPartial();
      this.scanFrom = this.head.length;
      return undefined;
    }
    if (end > this.limits.maxHeaderBytes) throw new EslFramingError(`header section of ${end} bytes (bound ${this.limits.maxHeaderBytes})`);
    const headerText = this.head.toString('utf8', 0, end);
    const after = this.head.subarray(end + 2);
    this.head = Buffer.alloc(0);
    this.scanFrom = 0;
    this.checked = 0;
    const length = this.contentLength(headerText);
    if (length > 0) {
      this.body = { headerText, need: length, parts: [], have: 0 };
      return after;
    }
    frames.push({ headerText });
    return after;
  }

  private takeBody(chunk: Buffer, frames: RawFrame[]): Buffer | undefined {
    const b = this.body!;
    const missing = b.need - b.have;
    if (chunk.length < missing) {
      b.parts.push(chunk);
      b.have += chunk.length;
      return undefined;
    }
    b.parts.push(chunk.subarray(0, missing));
    const body = (b.parts.length === 1 ? b.parts[0]! : Buffer.concat(b.parts, b.need)).toString('utf8');
    this.body = undefined;
    frames.push({ headerText: b.headerText, body });
    return chunk.subarray(missing);
  }

  /** Validates a complete header section and returns its Content-Length (0 when absent). */
  private contentLength(text: string): number {
    let length: number | undefined;
    let hasType = false;
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      const sep = line.indexOf(': ');
      const name = sep >= 0 ? line.slice(0, sep) : '';
      if (!NAME.test(name)) throw new EslFramingError(`header line ${i + 1} of ${lines.length} is not "Name: value"`);
      if (name === 'Content-Type') hasType = true;
      if (name !== 'Content-Length') continue;
      const value = line.slice(sep + 2);
      if (!/^\d{1,10}$/.test(value)) throw new EslFramingError('Content-Length is not a decimal byte count');
      const n = Number(value);
      if (n > this.limits.maxBodyBytes) throw new EslFramingError(`Content-Length ${n} exceeds the ${this.limits.maxBodyBytes}-byte bound`);
      if (length !== undefined && length !== n) throw new EslFramingError('two different Content-Length headers');
      length = n;
    }
    // Every frame FreeSWITCH sends has a Content-Type; a section without one is the tail of a mis-sized body.
    if (!hasType) throw new EslFramingError('header section without Content-Type');
    return length ?? 0;
  }

  /** Checks the header lines received so far of a section that has not ended yet (each line once). */
  private checkPartial(): void {
    const text = this.head.toString('latin1', this.checked);
    const lines = text.split('\n');
    const last = lines.pop() ?? '';
    for (const line of lines) {
      const sep = line.indexOf(': ');
      if (sep < 0 || !NAME.test(line.slice(0, sep))) throw new EslFramingError('a header line is not "Name: value"');
    }
    // The line still arriving may be a name whose colon, or the space after it, is in the next chunk.
    const sep = last.indexOf(':');
    const name = sep < 0 ? last : last.slice(0, sep);
    const okSoFar = sep < 0 ? NAME_PREFIX.test(name) : NAME.test(name) && (last.length === sep + 1 || last[sep + 1] === ' ');
    if (!okSoFar) throw new EslFramingError('a header line is not "Name: value"');
    this.checked += text.length - last.length;
  }
}

// ---- modesl's parser, patched ------------------------------------------------------------------------------------

/** The minimal surface of a modesl event (it ships no types). */
export interface ModeslEvent {
  headers: Array<{ name: string; value: unknown }>;
  body?: string;
  getHeader(name: string): string | undefined;
}

/** modesl's Parser: its private fields and functions this module takes over. */
export interface ModeslParser {
  buffer: Buffer;
  bodyLen: number;
  headers?: Record<string, unknown>;
  on(event: 'esl::event', fn: (e: ModeslEvent, headers: Record<string, unknown>, body?: string) => void): void;
  _parseHeaders(): void;
  _parseBody(): void;
  _parseHeaderText(txt: string): Record<string, unknown>;
  _parseEvent(headers: Record<string, unknown>, body?: string): void;
}

/** Marker header set by the safe header parser when a value is not valid URL encoding. */
export const DECODE_ERROR = 'X-Adapter-Decode-Error';

/** modesl's header parser with decodeURIComponent guarded (it throws URIError inside the socket handler). */
export function safeParseHeaderText(txt: string): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const line of txt.split('\n')) {
    const i = line.indexOf(': ');
    const key = i >= 0 ? line.slice(0, i) : line;
    const raw = i >= 0 ? line.slice(i + 2) : '';
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
      headers[DECODE_ERROR] = key;
    }
    headers[key] = key === 'Content-Length' ? parseInt(value, 10) : value;
  }
  return headers;
}

export interface FramingHooks {
  limits?: FramingLimits;
  /** Called once, on the first framing error; the stream is ignored from then on. */
  onFramingError(err: EslFramingError): void;
  /** Called when modesl fails on a frame's content (the frame is skipped, the stream stays in step). */
  onBadFrame(err: Error): void;
}

/**
 * Installs bounded framing into a modesl parser. modesl's socket listener appends each chunk to `parser.buffer`
 * and calls _parseHeaders or _parseBody; both now hand the buffer to a FrameReader, and each complete frame goes
 * through modesl's own header decoding (made safe) and _parseEvent, as before.
 */
export function installFraming(parser: ModeslParser, hooks: FramingHooks): FrameReader {
  const reader = new FrameReader(hooks.limits ?? DEFAULT_LIMITS);
  parser._parseHeaderText = safeParseHeaderText;
  const drain = (): void => {
    const chunk = parser.buffer;
    parser.buffer = Buffer.alloc(0);
    parser.bodyLen = 0;
    if (reader.error) return;
    const { frames, error } = reader.push(chunk);
    for (const f of frames) {
      try {
        const headers = parser._parseHeaderText(f.headerText);
        parser.headers = headers;
        parser._parseEvent(headers, f.body);
      } catch (err) {
        hooks.onBadFrame(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (error) hooks.onFramingError(error);
  };
  parser._parseHeaders = drain;
  parser._parseBody = drain;
  return reader;
}
