/**
 * Simulator of Brevo's API v3 for the sends the product makes: transactional SMS (`/v3/transactionalSMS/sms`, the
 * deprecated synchronous route, and `/v3/transactionalSMS/send`), transactional email (`/v3/smtp/email`, with
 * `headers.idempotencyKey` dedup within a TTL) and WhatsApp (`/v3/whatsapp/sendMessage`). Auth by the `api-key`
 * header; errors `{code, message}`; `x-sib-ratelimit-*` headers. Every accepted message lands in `outbox`.
 * Control routes under /_sim/ let a person or another process read the outbox.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type BrevoChannel = 'sms' | 'email' | 'whatsapp';

export interface OutboxAttachment {
  name: string;
  content: Buffer;
}

export interface OutboxMessage {
  messageId: string;
  channel: BrevoChannel;
  endpoint: string;
  /** Phone digits (SMS, WhatsApp) or email addresses. */
  to: string[];
  sender?: string;
  content?: string;
  subject?: string;
  html?: string;
  text?: string;
  templateId?: number;
  params?: Record<string, unknown>;
  attachments: OutboxAttachment[];
  tag?: string | string[];
  idempotencyKey?: string;
  at: Date;
}

export interface BrevoRequestLogEntry {
  at: Date;
  method: string;
  path: string;
  status: number;
  /** Parsed JSON body (undefined when not JSON). */
  body: unknown;
  hadApiKey: boolean;
}

export interface BrevoFailure {
  status: 429 | 402 | 500 | 503;
  /** Consecutive send requests that fail (default 1). */
  times?: number;
  /** For 429: value of x-sib-ratelimit-reset (seconds; fractional allowed for fast tests). Default 1. */
  resetSeconds?: number;
}

export interface BrevoSimulatorOptions {
  port?: number;
  host?: string;
  /** The valid key; any non-empty key is accepted when omitted. */
  apiKey?: string;
  /** SMS credits of the account (default 1000); an SMS costs one credit per part. */
  smsCredits?: number;
  /** How long an email idempotency key is remembered (Brevo documents 15 minutes). */
  emailIdempotencyTtlMs?: number;
  /** Nominal limit shown in x-sib-ratelimit-limit. */
  rateLimit?: number;
}

export interface BrevoSimulator {
  /** Base URL to use as BREVO_BASE_URL (no /v3). */
  url: string;
  port: number;
  stop(): Promise<void>;
  readonly outbox: OutboxMessage[];
  readonly requests: BrevoRequestLogEntry[];
  failNext(f: BrevoFailure): void;
  /**
   * Delays the answer of the next `times` send requests by `ms`. The message is ACCEPTED first (it reaches the
   * outbox) unless `accept: false`: this is the "Brevo sent it but the answer was lost" case clients must survive.
   */
  delayNext(ms: number, opts?: { times?: number; accept?: boolean }): void;
  setSmsCredits(credits: number): void;
  reset(): void;
}

type ErrBody = { code: string; message: string };

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    readonly raw?: string,
  ) {}
}

const bad = (code: 'missing_parameter' | 'invalid_parameter' | 'bad_request', message: string) => new Reply(400, { code, message } satisfies ErrBody);

const SEND_ROUTES = new Set(['/v3/transactionalSMS/sms', '/v3/transactionalSMS/send', '/v3/smtp/email', '/v3/whatsapp/sendMessage']);
const ALLOWED_ATTACHMENT_EXT = ['xlsx', 'xls', 'ods', 'docx', 'docm', 'doc', 'csv', 'pdf', 'txt', 'gif', 'jpg', 'jpeg', 'png', 'tif', 'tiff', 'rtf', 'bmp', 'cgm', 'css', 'shtml', 'html', 'htm', 'zip', 'xml', 'ppt', 'pptx', 'tar', 'ez', 'ics', 'mobi', 'msg', 'pub', 'eps', 'odt', 'mp3', 'm4a', 'm4v', 'wma', 'ogg', 'flac', 'wav', 'aif', 'aifc', 'aiff', 'mp4', 'mov', 'avi', 'mkv', 'mpeg', 'mpg', 'wmv', 'pkpass', 'xlsm'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?\d{6,15}$/;
const GSM7 = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€",
);

export async function startBrevoSimulator(opts: BrevoSimulatorOptions = {}): Promise<BrevoSimulator> {
  const ttl = opts.emailIdempotencyTtlMs ?? 15 * 60_000;
  const limit = opts.rateLimit ?? 150;
  let credits = opts.smsCredits ?? 1000;
  const outbox: OutboxMessage[] = [];
  const requests: BrevoRequestLogEntry[] = [];
  const failures: Array<BrevoFailure & { left: number }> = [];
  const delays: Array<{ ms: number; left: number; accept: boolean }> = [];
  const emailKeys = new Map<string, { messageId: string; at: number }>();
  let sequence = 0;

  const rateHeaders = (remaining: number, reset: number): Record<string, string> => ({
    'x-sib-ratelimit-limit': String(limit),
    'x-sib-ratelimit-remaining': String(remaining),
    'x-sib-ratelimit-reset': String(reset),
  });

  function injected(f: BrevoFailure): Reply {
    switch (f.status) {
      case 429:
        return new Reply(429, { code: 'too_many_requests', message: 'Too many requests, please retry after the reset period' }, rateHeaders(0, f.resetSeconds ?? 1));
      case 402:
        return new Reply(402, { code: 'not_enough_credits', message: 'Not enough credits to send this message' });
      case 500:
        return new Reply(500, { code: 'internal_error', message: 'Internal server error' });
      case 503:
        // Brevo's edge answers 503 with a plain-text body, not JSON.
        return new Reply(503, undefined, { 'content-type': 'text/plain' }, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure');
    }
  }

  function auth(req: http.IncomingMessage): Reply | undefined {
    const key = req.headers['api-key'];
    if (typeof key !== 'string' || key.length === 0) return new Reply(401, { code: 'unauthorized', message: 'authentication not found in headers' });
    if (opts.apiKey !== undefined && key !== opts.apiKey) return new Reply(401, { code: 'unauthorized', message: 'Key not found' });
    return undefined;
  }

  function nextSmsId(): number {
    sequence += 1;
    return 1_511_882_900_000_000 + Math.floor(Math.random() * 100_000) * 1000 + (sequence % 1000);
  }

  function smsParts(content: string, unicode: boolean): number {
    const len = [...content].length;
    if (unicode) return len <= 70 ? 1 : Math.ceil(len / 67);
    return len <= 160 ? 1 : Math.ceil(len / 153);
  }

  function sms(path: string, b: Record<string, unknown>): { reply: Reply; message?: OutboxMessage } {
    if (b.sender === undefined) return { reply: bad('missing_parameter', 'sender is missing') };
    if (typeof b.sender !== 'string' || !/^(?:[A-Za-z0-9]{1,11}|\d{1,15})$/.test(b.sender)) {
      return { reply: bad('invalid_parameter', 'Invalid sender name: up to 11 alphanumeric characters or 15 digits') };
    }
    if (b.recipient === undefined) return { reply: bad('missing_parameter', 'recipient is missing') };
    if (typeof b.recipient !== 'string' || !PHONE.test(b.recipient)) return { reply: bad('invalid_parameter', 'Invalid recipient number') };
    const templated = path.endsWith('/send') && b.templateId !== undefined;
    if (!templated && (b.content === undefined || b.content === '')) return { reply: bad('missing_parameter', 'content is missing') };
    if (b.content !== undefined && typeof b.content !== 'string') return { reply: bad('invalid_parameter', 'content should be a string') };
    if (b.type !== undefined && b.type !== 'transactional' && b.type !== 'marketing') return { reply: bad('invalid_parameter', 'type should be transactional or marketing') };
    const tag = b.tag;
    if (tag !== undefined) {
      const okTag = typeof tag === 'string' || (path.endsWith('/send') && Array.isArray(tag) && tag.length <= 10 && tag.every((t) => typeof t === 'string' && t.length > 0));
      if (!okTag) return { reply: bad('invalid_parameter', 'tag should be a string (or, on /send, an array of at most 10 strings)') };
    }
    const content = typeof b.content === 'string' ? b.content : '';
    const unicode = b.unicodeEnabled === true || ![...content].every((c) => GSM7.has(c));
    const parts = smsParts(content || ' ', unicode);
    if (credits < parts) return { reply: new Reply(402, { code: 'not_enough_credits', message: 'Not enough credits to send this SMS' }) };
    credits -= parts;
    const id = nextSmsId();
    const message: OutboxMessage = {
      messageId: String(id),
      channel: 'sms',
      endpoint: path,
      to: [b.recipient.replace(/^\+/, '')],
      sender: b.sender,
      content,
      attachments: [],
      ...(typeof b.templateId === 'number' ? { templateId: b.templateId } : {}),
      ...(tag !== undefined ? { tag: tag as string | string[] } : {}),
      at: new Date(),
    };
    const body = path.endsWith('/sms')
      ? { reference: crypto.randomBytes(10).toString('base64url').toLowerCase().slice(0, 19), messageId: id, smsCount: parts, usedCredits: parts, remainingCredits: credits }
      : { messageId: id };
    return { reply: new Reply(201, body, rateHeaders(limit - 1, 1)), message };
  }

  function email(b: Record<string, unknown>): { reply: Reply; message?: OutboxMessage } {
    const templateId = typeof b.templateId === 'number' ? b.templateId : undefined;
    const sender = b.sender as { email?: unknown; name?: unknown; id?: unknown } | undefined;
    if (!sender && templateId === undefined) return { reply: bad('missing_parameter', 'sender is missing') };
    if (sender && (typeof sender !== 'object' || (sender.id === undefined && (typeof sender.email !== 'string' || !EMAIL.test(sender.email))))) {
      return { reply: bad('invalid_parameter', 'valid sender email required') };
    }
    if (b.to === undefined) return { reply: bad('missing_parameter', 'to is missing') };
    if (!Array.isArray(b.to) || b.to.length === 0) return { reply: bad('invalid_parameter', 'to should be a non-empty array') };
    const to: string[] = [];
    for (const r of b.to as unknown[]) {
      const e = r && typeof r === 'object' ? (r as { email?: unknown }).email : undefined;
      if (typeof e !== 'string' || !EMAIL.test(e)) return { reply: bad('invalid_parameter', 'email is not valid in to') };
      to.push(e);
    }
    if (templateId === undefined) {
      if (typeof b.subject !== 'string' || b.subject === '') return { reply: bad('missing_parameter', 'subject is missing') };
      if (typeof b.htmlContent !== 'string' && typeof b.textContent !== 'string') return { reply: bad('missing_parameter', 'htmlContent or textContent is missing') };
    }
    const attachments: OutboxAttachment[] = [];
    if (b.attachment !== undefined) {
      if (!Array.isArray(b.attachment)) return { reply: bad('invalid_parameter', 'attachment should be an array') };
      for (const a of b.attachment as unknown[]) {
        const att = (a ?? {}) as { name?: unknown; content?: unknown; url?: unknown };
        if (typeof att.name !== 'string' || att.name === '') return { reply: bad('missing_parameter', 'attachment name is missing') };
        const ext = att.name.split('.').pop()?.toLowerCase() ?? '';
        if (!att.name.includes('.') || !ALLOWED_ATTACHMENT_EXT.includes(ext)) return { reply: bad('invalid_parameter', `Unsupported file extension for attachment ${att.name}`) };
        if (typeof att.content !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(att.content) || att.content.length % 4 !== 0) {
          return { reply: bad('invalid_parameter', `attachment content of ${att.name} should be base64`) };
        }
        attachments.push({ name: att.name, content: Buffer.from(att.content, 'base64') });
      }
    }
    const headers = b.headers && typeof b.headers === 'object' ? (b.headers as Record<string, unknown>) : {};
    const key = typeof headers.idempotencyKey === 'string' ? headers.idempotencyKey : undefined;
    if (key) {
      const seen = emailKeys.get(key);
      if (seen && Date.now() - seen.at < ttl) return { reply: new Reply(201, { messageId: seen.messageId }, rateHeaders(limit - 1, 1)) };
    }
    sequence += 1;
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 12);
    const messageId = `<${stamp}.${String(Date.now()).slice(-6)}${String(sequence).padStart(5, '0')}@smtp-relay.mailin.fr>`;
    if (key) emailKeys.set(key, { messageId, at: Date.now() });
    const message: OutboxMessage = {
      messageId,
      channel: 'email',
      endpoint: '/v3/smtp/email',
      to,
      ...(sender && typeof sender.email === 'string' ? { sender: sender.email } : {}),
      ...(typeof b.subject === 'string' ? { subject: b.subject } : {}),
      ...(typeof b.htmlContent === 'string' ? { html: b.htmlContent } : {}),
      ...(typeof b.textContent === 'string' ? { text: b.textContent } : {}),
      ...(templateId !== undefined ? { templateId } : {}),
      ...(b.params && typeof b.params === 'object' ? { params: b.params as Record<string, unknown> } : {}),
      attachments,
      ...(Array.isArray(b.tags) ? { tag: b.tags as string[] } : {}),
      ...(key ? { idempotencyKey: key } : {}),
      at: new Date(),
    };
    return { reply: new Reply(201, { messageId }, rateHeaders(limit - 1, 1)), message };
  }

  function whatsapp(b: Record<string, unknown>): { reply: Reply; message?: OutboxMessage } {
    if (b.senderNumber === undefined) return { reply: bad('missing_parameter', 'senderNumber is missing') };
    if (typeof b.senderNumber !== 'string' || !PHONE.test(b.senderNumber)) return { reply: bad('invalid_parameter', 'Invalid senderNumber') };
    if (b.contactNumbers === undefined) return { reply: bad('missing_parameter', 'contactNumbers is missing') };
    if (!Array.isArray(b.contactNumbers) || b.contactNumbers.length === 0 || !b.contactNumbers.every((n) => typeof n === 'string' && PHONE.test(n))) {
      return { reply: bad('invalid_parameter', 'contactNumbers should be a non-empty array of phone numbers with country code') };
    }
    if (b.templateId === undefined && typeof b.text !== 'string') return { reply: bad('missing_parameter', 'templateId or text is missing') };
    if (b.templateId !== undefined && (typeof b.templateId !== 'number' || !Number.isInteger(b.templateId))) return { reply: bad('invalid_parameter', 'templateId should be an integer') };
    const messageId = crypto.randomUUID();
    const message: OutboxMessage = {
      messageId,
      channel: 'whatsapp',
      endpoint: '/v3/whatsapp/sendMessage',
      to: (b.contactNumbers as string[]).map((n) => n.replace(/^\+/, '')),
      sender: b.senderNumber,
      ...(typeof b.text === 'string' ? { content: b.text } : {}),
      ...(typeof b.templateId === 'number' ? { templateId: b.templateId } : {}),
      ...(b.params && typeof b.params === 'object' ? { params: b.params as Record<string, unknown> } : {}),
      attachments: [],
      at: new Date(),
    };
    return { reply: new Reply(201, { messageId }, rateHeaders(limit - 1, 1)), message };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const raw = await readBody(req);
    let body: unknown;
    let jsonOk = true;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      jsonOk = false;
    }
    const entry: BrevoRequestLogEntry = { at: new Date(), method, path, status: 0, body, hadApiKey: typeof req.headers['api-key'] === 'string' };
    let reply: Reply;
    let delayMs = 0;

    if (path.startsWith('/_sim/')) {
      reply = control(method, path);
    } else if (method === 'POST' && SEND_ROUTES.has(path)) {
      requests.push(entry);
      reply = auth(req) ?? sendRoute(path, body, jsonOk, (ms) => (delayMs = ms));
    } else {
      requests.push(entry);
      reply = auth(req) ?? new Reply(404, { code: 'document_not_found', message: `Invalid route ${method} ${path}` });
    }
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    entry.status = reply.status;
    if (res.destroyed || res.socket?.destroyed) return; // the client gave up (timeout) while the answer was delayed
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'sib-request-id': crypto.randomUUID(), ...reply.headers });
    res.end(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
  }

  function sendRoute(path: string, body: unknown, jsonOk: boolean, delay: (ms: number) => void): Reply {
    const d = delays[0];
    if (d) {
      d.left -= 1;
      if (d.left <= 0) delays.shift();
      delay(d.ms);
      if (!d.accept) return new Reply(504, { code: 'gateway_timeout', message: 'timed out' });
    }
    const f = failures[0];
    if (f) {
      f.left -= 1;
      if (f.left <= 0) failures.shift();
      return injected(f);
    }
    if (!jsonOk || !body || typeof body !== 'object' || Array.isArray(body)) return bad('bad_request', 'Input must be a valid JSON object');
    const b = body as Record<string, unknown>;
    const r = path === '/v3/smtp/email' ? email(b) : path === '/v3/whatsapp/sendMessage' ? whatsapp(b) : sms(path, b);
    if (r.message) outbox.push(r.message);
    return r.reply;
  }

  function control(method: string, path: string): Reply {
    if (method === 'GET' && path === '/_sim/outbox') {
      return new Reply(200, outbox.map((m) => ({ ...m, attachments: m.attachments.map((a) => ({ name: a.name, size: a.content.length, contentBase64: a.content.toString('base64') })) })));
    }
    if (method === 'GET' && path === '/_sim/requests') return new Reply(200, requests);
    if (method === 'POST' && path === '/_sim/reset') {
      api.reset();
      return new Reply(200, { ok: true });
    }
    return new Reply(404, { code: 'document_not_found', message: `Unknown simulator route ${method} ${path}; try GET /_sim/outbox` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'internal_error', message: `simulator failure: ${String(err)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';

  const api: BrevoSimulator = {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    outbox,
    requests,
    failNext(f) {
      failures.push({ ...f, left: f.times ?? 1 });
    },
    delayNext(ms, o = {}) {
      delays.push({ ms, left: o.times ?? 1, accept: o.accept ?? true });
    },
    setSmsCredits(c) {
      credits = c;
    },
    reset() {
      outbox.length = 0;
      requests.length = 0;
      failures.length = 0;
      delays.length = 0;
      emailKeys.clear();
      credits = opts.smsCredits ?? 1000;
    },
  };
  return api;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}
