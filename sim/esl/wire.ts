/**
 * Byte-level pieces of mod_event_socket's wire format, as FreeSWITCH 1.10 writes them: reply frames,
 * event serialisation (plain: URL-encoded `Name: value` lines; json: one flat object) and the reader for
 * client packets (command line, header lines, blank line, optional Content-Length body).
 */

export const DISCONNECT_BODY = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

export const AUTH_REQUEST = 'Content-Type: auth/request\n\n';

export function commandReply(text: string): string {
  return `Content-Type: command/reply\nReply-Text: ${text}\n\n`;
}

export function apiResponse(body: string): Buffer {
  const b = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Type: api/response\nContent-Length: ${b.length}\n\n`), b]);
}

export function disconnectNotice(): string {
  return `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(DISCONNECT_BODY)}\n\n${DISCONNECT_BODY}`;
}

/**
 * switch_url_encode: control bytes, non-ASCII bytes and the "unsafe" set are %XX-encoded; `/ , ( ) ~ . - _ !`
 * stay as they are (see `Sat,%2021%20Nov…` and `tone_stream%3A//%25(1000,0,440)` in the captured frames).
 */
const UNSAFE = new Set('\r\n "#%&+:;<=>?@[\\]^`{|}'.split('').map((c) => c.charCodeAt(0)));

export function urlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte < 0x20 || byte > 0x7e || UNSAFE.has(byte)) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    else out += String.fromCharCode(byte);
  }
  return out;
}

/** One event: ordered headers (duplicates allowed, as FreeSWITCH allows them) and an optional body. */
export interface WireEvent {
  headers: Array<[string, string]>;
  body?: string;
}

export type EventFormat = 'plain' | 'json';

/** The body of an event frame in the given format (what follows the outer blank line). */
export function serializeEvent(ev: WireEvent, format: EventFormat): Buffer {
  if (format === 'json') {
    // Built by hand so that a header present twice (Hangup-Cause on CHANNEL_HANGUP_COMPLETE) stays twice, as
    // cJSON writes it.
    const parts = ev.headers.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    if (ev.body !== undefined) {
      parts.push(`"Content-Length":${JSON.stringify(String(Buffer.byteLength(ev.body)))}`);
      parts.push(`"_body":${JSON.stringify(ev.body)}`);
    }
    return Buffer.from(`{${parts.join(',')}}`, 'utf8');
  }
  let text = ev.headers.map(([k, v]) => `${k}: ${urlEncode(v)}\n`).join('');
  if (ev.body !== undefined) text += `Content-Length: ${Buffer.byteLength(ev.body)}\n\n${ev.body}`;
  else text += '\n';
  return Buffer.from(text, 'utf8');
}

export function eventFrame(ev: WireEvent, format: EventFormat): Buffer {
  const body = serializeEvent(ev, format);
  const type = format === 'json' ? 'text/event-json' : 'text/event-plain';
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\nContent-Type: ${type}\n\n`), body]);
}

export interface ClientPacket {
  /** First line, without the line end. */
  command: string;
  /** Header lines after the command, names as sent (look-ups are case-insensitive). */
  headers: Array<[string, string]>;
  body?: string;
}

export function header(p: ClientPacket, name: string): string | undefined {
  const lower = name.toLowerCase();
  return p.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Maximum packet body FreeSWITCH accepts from a client. */
const MAX_BODY = 16 * 1024 * 1024;

/** Incremental reader of client packets from a TCP stream. */
export class PacketReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ClientPacket[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: ClientPacket[] = [];
    for (;;) {
      // Skip the stray line ends some clients send between packets.
      let start = 0;
      while (start < this.buf.length && (this.buf[start] === 0x0a || this.buf[start] === 0x0d)) start++;
      if (start) this.buf = this.buf.subarray(start);
      const end = findBlankLine(this.buf);
      if (end < 0) break;
      const head = this.buf.subarray(0, end).toString('utf8');
      const afterHead = end + (this.buf[end] === 0x0d ? 4 : 2);
      const lines = head.split(/\r?\n/);
      const command = lines.shift() ?? '';
      const headers: Array<[string, string]> = [];
      for (const line of lines) {
        const i = line.indexOf(': ');
        if (i > 0) headers.push([line.slice(0, i), line.slice(i + 2)]);
        else if (line.indexOf(':') > 0) headers.push([line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
      }
      const pkt: ClientPacket = { command, headers };
      const cl = header(pkt, 'content-length');
      const len = cl ? Math.min(parseInt(cl, 10) || 0, MAX_BODY) : 0;
      if (len > 0) {
        if (this.buf.length < afterHead + len) break;
        pkt.body = this.buf.subarray(afterHead, afterHead + len).toString('utf8');
        this.buf = this.buf.subarray(afterHead + len);
      } else {
        this.buf = this.buf.subarray(afterHead);
      }
      out.push(pkt);
    }
    return out;
  }
}

function findBlankLine(b: Buffer): number {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] === 0x0a && b[i + 1] === 0x0a) return i;
    if (b[i] === 0x0d && b[i + 1] === 0x0a && b[i + 2] === 0x0d && b[i + 3] === 0x0a) return i;
  }
  return -1;
}
