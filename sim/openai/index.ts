/**
 * Simulator of an OpenAI-compatible server: POST /v1/audio/transcriptions (multipart, like OpenAI),
 * POST /v1/chat/completions (answers a test configures) and GET /v1/models, with OpenAI's error shape
 * `{error: {message, type, param, code}}`.
 *
 * A simulator cannot understand audio: a transcript comes from a registry of audio SHA-256 → text that tests fill,
 * else from a WAV's LIST/INFO ICMT comment (test audio can carry its own words), else it is empty.
 * Every request is recorded (model, language, prompt, file name, size, hash) so tests assert what the product sent.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Busboy from 'busboy';
import { containerOf, CorruptWav, readWavSummary } from './audio';

export interface OpenAiSimulatorOptions {
  port?: number;
  host?: string;
  /** Key expected in `Authorization: Bearer …`; any non-empty key is accepted when omitted. */
  apiKey?: string;
  /** Request body limit (OpenAI: 26214400 bytes); lower it in tests to exercise 413. */
  maxBodyBytes?: number;
}

export interface TranscriptionRecord {
  at: Date;
  status: number;
  model?: string;
  language?: string;
  prompt?: string;
  responseFormat?: string;
  fileName?: string;
  fileType?: string;
  fileSize: number;
  fileSha256?: string;
  /** The transcript served (empty when none was found). */
  text?: string;
}

export interface ChatRecord {
  at: Date;
  status: number;
  model?: string;
  messages?: unknown[];
  responseFormat?: unknown;
}

export interface RequestLogEntry {
  at: Date;
  method: string;
  path: string;
  status: number;
  bytes: number;
}

export type ChatAnswer = string | Record<string, unknown> | unknown[];

export interface OpenAiFailure {
  status: 400 | 401 | 413 | 429 | 500 | 502 | 503;
  /** How many consecutive requests fail (default 1). */
  times?: number;
  /** For 429: value of `retry-after` (seconds, may be fractional for fast tests; default 1). */
  retryAfterSeconds?: number;
  /** Which endpoint the failure applies to (default: any). */
  endpoint?: 'transcriptions' | 'chat';
}

export interface OpenAiSimulator {
  /** Base URL to use as OPENAI_BASE_URL, e.g. http://127.0.0.1:4321/v1 */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Audio bytes or their hex SHA-256 → transcript. */
  registerTranscript(audioOrSha256: Uint8Array | string, text: string): void;
  /** Answer of every chat completion from now on (objects are sent as JSON text); a function sees the request. */
  setChatAnswer(answer: ChatAnswer | ((req: { model: string; messages: unknown[] }) => ChatAnswer)): void;
  failNext(f: OpenAiFailure): void;
  /** Delays the next `times` responses by `ms` (exercises client timeouts). */
  delayNext(ms: number, times?: number): void;
  readonly transcriptions: TranscriptionRecord[];
  readonly chats: ChatRecord[];
  readonly requests: RequestLogEntry[];
  reset(): void;
}

const SUPPORTED_EXT = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
const TRANSCRIBE_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'];
const CHAT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'];
const LANGUAGE_NAMES: Record<string, string> = { fr: 'french', en: 'english', es: 'spanish', de: 'german', it: 'italian', pt: 'portuguese', ar: 'arabic', mg: 'malagasy' };
const DEFAULT_MAX_BODY = 26_214_400;

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

function apiError(message: string, type: string, param: string | null = null, code: string | null = null): ErrorBody {
  return { error: { message, type, param, code } };
}

class HttpFailure {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {}
}

export async function startOpenAiSimulator(opts: OpenAiSimulatorOptions = {}): Promise<OpenAiSimulator> {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const transcripts = new Map<string, string>();
  let chatAnswer: ChatAnswer | ((req: { model: string; messages: unknown[] }) => ChatAnswer) = '';
  const failures: Array<Required<Pick<OpenAiFailure, 'status'>> & OpenAiFailure & { left: number }> = [];
  const delays: Array<{ ms: number; left: number }> = [];
  const transcriptions: TranscriptionRecord[] = [];
  const chats: ChatRecord[] = [];
  const requests: RequestLogEntry[] = [];

  function takeFailure(endpoint: 'transcriptions' | 'chat'): OpenAiFailure | undefined {
    const f = failures[0];
    if (!f || (f.endpoint && f.endpoint !== endpoint)) return undefined;
    f.left -= 1;
    if (f.left <= 0) failures.shift();
    return f;
  }

  function injected(f: OpenAiFailure, model: string | undefined): HttpFailure {
    switch (f.status) {
      case 429: {
        const s = f.retryAfterSeconds ?? 1;
        return new HttpFailure(
          429,
          apiError(
            `Rate limit reached for ${model ?? 'whisper-1'} in organization org-sim on requests per min (RPM): Limit 50, Used 50, Requested 1. Please try again in ${s}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'requests',
            null,
            'rate_limit_exceeded',
          ),
          { 'retry-after': String(s), 'x-ratelimit-limit-requests': '50', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${s}s` },
        );
      }
      case 401:
        return new HttpFailure(401, apiError('Incorrect API key provided: sk-sim***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', null, 'invalid_api_key'));
      case 400:
        return new HttpFailure(400, apiError('Audio file might be corrupted or unsupported', 'invalid_request_error', 'file', 'invalid_value'));
      case 413:
        return new HttpFailure(413, apiError(`Maximum content size limit (${maxBody}) exceeded (${maxBody + 1} bytes read)`, 'server_error'));
      default:
        return new HttpFailure(f.status, apiError('The server had an error while processing your request. Sorry about that!', 'server_error'));
    }
  }

  function checkAuth(req: http.IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) {
      throw new HttpFailure(
        401,
        apiError(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          'invalid_request_error',
        ),
      );
    }
    const key = (m[1] ?? '').trim();
    if (opts.apiKey !== undefined && key !== opts.apiKey) {
      const masked = key.length > 8 ? `${key.slice(0, 3)}***${key.slice(-4)}` : '***';
      throw new HttpFailure(401, apiError(`Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', null, 'invalid_api_key'));
    }
  }

  async function transcribe(req: http.IncomingMessage, body: Buffer, record: TranscriptionRecord): Promise<{ status: number; body: unknown; type?: string }> {
    const ctype = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(ctype)) {
      throw new HttpFailure(400, apiError("Invalid Content-Type header (expected multipart/form-data; got '" + ctype + "')", 'invalid_request_error'));
    }
    const form = await parseMultipart(req.headers, body);
    const file = form.files.get('file');
    const model = form.fields.get('model');
    record.model = model;
    record.language = form.fields.get('language');
    record.prompt = form.fields.get('prompt');
    record.responseFormat = form.fields.get('response_format');
    if (file) {
      record.fileName = file.name;
      record.fileType = file.type;
      record.fileSize = file.data.length;
      record.fileSha256 = sha256(file.data);
    }
    const f = takeFailure('transcriptions');
    if (f) throw injected(f, model);
    if (!file) throw new HttpFailure(400, apiError("1 validation error for Request\nbody -> file\n  field required (type=value_error.missing)", 'invalid_request_error'));
    if (!model) throw new HttpFailure(400, apiError("1 validation error for Request\nbody -> model\n  field required (type=value_error.missing)", 'invalid_request_error'));
    if (!TRANSCRIBE_MODELS.includes(model)) {
      throw new HttpFailure(400, apiError(`Invalid model ${model}. The model argument should be left blank.`, 'invalid_request_error', 'model', 'invalid_model'));
    }
    const language = record.language;
    if (language !== undefined && !/^[a-z]{2,3}$/.test(language)) {
      throw new HttpFailure(400, apiError(`Invalid language '${language}'. Language parameter must be specified in ISO-639-1 format.`, 'invalid_request_error', 'language', 'invalid_language_format'));
    }
    const responseFormat = record.responseFormat ?? 'json';
    if (!['json', 'text', 'verbose_json', 'srt', 'vtt'].includes(responseFormat)) {
      throw new HttpFailure(400, apiError(`'${responseFormat}' is not one of ['json', 'text', 'srt', 'verbose_json', 'vtt'] - 'response_format'`, 'invalid_request_error', 'response_format'));
    }
    if (model !== 'whisper-1' && responseFormat !== 'json' && responseFormat !== 'text') {
      throw new HttpFailure(400, apiError(`response_format '${responseFormat}' is not compatible with model '${model}'. Use 'json' or 'text' instead.`, 'invalid_request_error', 'response_format', 'unsupported_value'));
    }
    const ext = (file.name.split('.').pop() ?? '').toLowerCase();
    const kind = containerOf(file.data);
    if (!SUPPORTED_EXT.includes(ext) || !kind) {
      throw new HttpFailure(400, apiError(`Invalid file format. Supported formats: [${SUPPORTED_EXT.map((e) => `'${e}'`).join(', ')}]`, 'invalid_request_error'));
    }
    let durationSeconds = Math.max(0.1, file.data.length / 16000); // rough for compressed formats
    let comment: string | undefined;
    if (kind === 'wav') {
      try {
        const info = readWavSummary(file.data);
        durationSeconds = info.durationSeconds;
        comment = info.comment;
      } catch (err) {
        if (!(err instanceof CorruptWav)) throw err;
        throw new HttpFailure(400, apiError('Audio file might be corrupted or unsupported', 'invalid_request_error', 'file', 'invalid_value'));
      }
    }
    const text = transcripts.get(record.fileSha256 ?? '') ?? comment ?? '';
    record.text = text;
    switch (responseFormat) {
      case 'text':
        return { status: 200, body: `${text}\n`, type: 'text/plain; charset=utf-8' };
      case 'srt':
        return { status: 200, body: `1\n00:00:00,000 --> ${stamp(durationSeconds, ',')}\n${text}\n\n`, type: 'text/plain; charset=utf-8' };
      case 'vtt':
        return { status: 200, body: `WEBVTT\n\n00:00:00.000 --> ${stamp(durationSeconds, '.')}\n${text}\n\n`, type: 'text/plain; charset=utf-8' };
      case 'verbose_json':
        return {
          status: 200,
          body: {
            task: 'transcribe',
            language: LANGUAGE_NAMES[language ?? 'fr'] ?? language,
            duration: Number(durationSeconds.toFixed(2)),
            text,
            segments: text
              ? [{ id: 0, seek: 0, start: 0, end: Number(durationSeconds.toFixed(2)), text: ` ${text}`, tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0.01 }]
              : [],
          },
        };
      default:
        return { status: 200, body: model === 'whisper-1' ? { text } : { text, usage: { type: 'duration', seconds: Math.ceil(durationSeconds) } } };
    }
  }

  function chat(body: Buffer, record: ChatRecord): { status: number; body: unknown } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpFailure(400, apiError("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.", 'invalid_request_error'));
    }
    const b = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const model = typeof b.model === 'string' ? b.model : undefined;
    record.model = model;
    record.messages = Array.isArray(b.messages) ? b.messages : undefined;
    record.responseFormat = b.response_format;
    const f = takeFailure('chat');
    if (f) throw injected(f, model);
    if (!model) throw new HttpFailure(400, apiError('you must provide a model parameter', 'invalid_request_error'));
    if (!record.messages) throw new HttpFailure(400, apiError("Missing required parameter: 'messages'.", 'invalid_request_error', 'messages', 'missing_required_parameter'));
    const answer = typeof chatAnswer === 'function' ? chatAnswer({ model, messages: record.messages }) : chatAnswer;
    const content = typeof answer === 'string' ? answer : JSON.stringify(answer);
    const promptTokens = Math.ceil(body.length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    return {
      status: 200,
      body: {
        id: `chatcmpl-${crypto.randomBytes(12).toString('hex')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        system_fingerprint: 'fp_sim',
      },
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const { body, overflow } = await readBody(req, maxBody);
    let status = 500;
    const send = (s: number, payload: unknown, headers: Record<string, string> = {}, type = 'application/json') => {
      status = s;
      const text = typeof payload === 'string' && !type.startsWith('application/json') ? payload : JSON.stringify(payload);
      res.writeHead(s, { 'content-type': type, 'openai-processing-ms': '1', 'x-request-id': `req_${crypto.randomBytes(8).toString('hex')}`, ...headers });
      res.end(text);
    };
    const delay = delays[0];
    if (delay) {
      delay.left -= 1;
      if (delay.left <= 0) delays.shift();
      await new Promise((r) => setTimeout(r, delay.ms));
    }
    const record: TranscriptionRecord = { at: new Date(), status: 0, fileSize: 0 };
    const chatRecord: ChatRecord = { at: new Date(), status: 0 };
    try {
      const route = `${method} ${path}`;
      if (route === 'POST /v1/audio/transcriptions') {
        transcriptions.push(record);
        checkAuth(req);
        if (overflow) throw new HttpFailure(413, apiError(`Maximum content size limit (${maxBody}) exceeded (${overflow} bytes read)`, 'server_error'));
        const r = await transcribe(req, body, record);
        send(r.status, r.body, {}, r.type ?? 'application/json');
      } else if (route === 'POST /v1/chat/completions') {
        chats.push(chatRecord);
        checkAuth(req);
        if (overflow) throw new HttpFailure(413, apiError(`Maximum content size limit (${maxBody}) exceeded (${overflow} bytes read)`, 'server_error'));
        const r = chat(body, chatRecord);
        send(r.status, r.body);
      } else if (route === 'GET /_sim/requests') {
        // Control routes for a person or another process (no auth, like the rest of the simulator's controls).
        send(200, { transcriptions, chats });
      } else if (route === 'POST /_sim/transcripts') {
        const b = parseControl(body);
        if (typeof b.sha256 !== 'string' || typeof b.text !== 'string') throw new HttpFailure(400, apiError('expected {"sha256": "<64 hex>", "text": "…"}', 'invalid_request_error'));
        if (!/^[0-9a-f]{64}$/i.test(b.sha256)) throw new HttpFailure(400, apiError('sha256 must be 64 hex characters', 'invalid_request_error', 'sha256'));
        transcripts.set(b.sha256.toLowerCase(), b.text);
        send(200, { ok: true });
      } else if (route === 'POST /_sim/chat-answer') {
        const b = parseControl(body);
        if (!('answer' in b)) throw new HttpFailure(400, apiError('expected {"answer": <text or JSON>}', 'invalid_request_error'));
        chatAnswer = b.answer as ChatAnswer;
        send(200, { ok: true });
      } else if (route === 'GET /v1/models') {
        checkAuth(req);
        const created = 1_700_000_000;
        send(200, { object: 'list', data: [...TRANSCRIBE_MODELS, ...CHAT_MODELS].map((id) => ({ id, object: 'model', created, owned_by: 'system' })) });
      } else {
        throw new HttpFailure(404, apiError(`Invalid URL (${method} ${path})`, 'invalid_request_error'));
      }
    } catch (err) {
      if (err instanceof HttpFailure) send(err.status, err.body, err.headers);
      else send(500, apiError(`simulator failure: ${err instanceof Error ? err.message : String(err)}`, 'server_error'));
    } finally {
      record.status = status;
      chatRecord.status = status;
      requests.push({ at: new Date(), method, path, status, bytes: overflow || body.length });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(apiError(String(err), 'server_error')));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';

  return {
    url: `http://${host}:${port}/v1`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    registerTranscript(audioOrSha, text) {
      const key = typeof audioOrSha === 'string' ? audioOrSha.toLowerCase() : sha256(Buffer.from(audioOrSha));
      if (!/^[0-9a-f]{64}$/.test(key)) throw new Error('registerTranscript: pass the audio bytes or their 64-hex-char SHA-256');
      transcripts.set(key, text);
    },
    setChatAnswer(answer) {
      chatAnswer = answer;
    },
    failNext(f) {
      failures.push({ ...f, left: f.times ?? 1 });
    },
    delayNext(ms, times = 1) {
      delays.push({ ms, left: times });
    },
    transcriptions,
    chats,
    requests,
    reset() {
      transcripts.clear();
      failures.length = 0;
      delays.length = 0;
      transcriptions.length = 0;
      chats.length = 0;
      requests.length = 0;
      chatAnswer = '';
    },
  };
}

function parseControl(body: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new HttpFailure(400, apiError('control body must be a JSON object', 'invalid_request_error'));
}

function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

function stamp(seconds: number, sep: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

/** Reads the whole body; beyond `max` bytes it keeps counting but stops storing (the caller answers 413). */
function readBody(req: http.IncomingMessage, max: number): Promise<{ body: Buffer; overflow: number }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total <= max) parts.push(c);
    });
    req.on('end', () => resolve({ body: total > max ? Buffer.alloc(0) : Buffer.concat(parts), overflow: total > max ? total : 0 }));
    req.on('error', reject);
  });
}

interface Multipart {
  fields: Map<string, string>;
  files: Map<string, { name: string; type: string; data: Buffer }>;
}

function parseMultipart(headers: http.IncomingHttpHeaders, body: Buffer): Promise<Multipart> {
  return new Promise((resolve, reject) => {
    const out: Multipart = { fields: new Map(), files: new Map() };
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers, defParamCharset: 'utf8' });
    } catch (err) {
      reject(new HttpFailure(400, apiError(`Could not parse multipart form: ${err instanceof Error ? err.message : String(err)}`, 'invalid_request_error')));
      return;
    }
    bb.on('field', (name, value) => out.fields.set(name, value));
    bb.on('file', (name, stream, info) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => out.files.set(name, { name: info.filename ?? 'file', type: info.mimeType, data: Buffer.concat(parts) }));
    });
    bb.on('error', (err) => reject(new HttpFailure(400, apiError(`Could not parse multipart form: ${err instanceof Error ? err.message : String(err)}`, 'invalid_request_error'))));
    bb.on('close', () => resolve(out));
    bb.end(body);
  });
}
