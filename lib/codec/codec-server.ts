/**
 * Codec server: the HTTP service the Temporal Web UI (and `temporal --codec-endpoint`) calls to show encrypted
 * payloads in clear to an operator. Protocol:
 *   POST …/encode and POST …/decode (only the last path segment counts, so it can be mounted under a prefix),
 *   body and answer `{ "payloads": [...] }` in proto3-JSON, 400 on a malformed body or a payload that cannot be
 *   decoded, the namespace in the `X-Namespace` header.
 * Browsers reach it cross-origin (the UI is served from another port), so it answers CORS preflights for the
 * allowed UI origins only, and refuses requests from any other origin outright: a page on another site must not
 * be able to use an operator's browser to decrypt.
 * Who may encode or decode: a request from an allowed UI origin (the Web UI cannot send a static token), or one
 * carrying `Authorization: Bearer <authToken>` (the CLI: `--codec-auth`). Anything else, including a request with
 * neither Origin nor token, is refused with 401: decrypted histories hold personal data. An Origin header proves
 * nothing outside a browser, so the server still belongs on loopback or behind the UI's single sign-on.
 * Payload contents are never logged.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createLogger } from '../log';
import { explainListenError } from '../net/ports';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { Keyring } from './keys';
import { payloadFromJson, payloadsJsonSchema, payloadToJson } from './payload-json';

export interface CodecServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Interface to listen on; loopback by default (the local stack). */
  host?: string;
  keyring: Keyring;
  /** Exact origins (scheme://host:port) of the UI allowed to call from a browser. */
  allowedOrigins: string[];
  /** When set, a request that does not come from an allowed origin must carry `Authorization: Bearer <authToken>`;
   * unset, only the allowed origins are answered. */
  authToken?: string;
  /** Largest accepted request body, bytes (default 8 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface CodecServer {
  /** e.g. http://127.0.0.1:8888, the value for `--ui-codec-endpoint`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1).optional(),
  allowedOrigins: z.array(z.url().transform((u) => new URL(u).origin)),
  authToken: z.string().min(16, 'authToken must be at least 16 characters').optional(),
  maxBodyBytes: z.number().int().positive().optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `body exceeds the limit of ${limit} bytes`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const parsed = optionsSchema.safeParse(opts);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new Error(`Invalid codec server options:\n${lines.join('\n')}`);
  }
  const { port, host = '127.0.0.1', allowedOrigins, authToken, maxBodyBytes = DEFAULT_MAX_BODY } = parsed.data;
  const origins = new Set(allowedOrigins);
  const codec = new AesGcmPayloadCodec(opts.keyring);
  const log = opts.logger ?? createLogger('codec-server');

  const send = (res: http.ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<number> => {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    let fromAllowedOrigin = false;
    if (origin !== undefined) {
      if (!origins.has(origin)) {
        send(res, 403, { error: `origin ${origin} is not allowed to use this codec server` });
        return 403;
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      fromAllowedOrigin = true;
    }
    const pathname = new URL(req.url ?? '/', 'http://codec.invalid').pathname;
    const endpoint = pathname.split('/').filter(Boolean).pop();

    if (req.method === 'GET' && pathname === '/health') {
      send(res, 200, { ok: true });
      return 200;
    }
    if (endpoint !== 'encode' && endpoint !== 'decode') {
      send(res, 404, { error: `no endpoint at ${pathname}; use POST …/encode or …/decode` });
      return 404;
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      // Chrome's private network access: the UI page may be public while this server is on loopback.
      if (req.headers['access-control-request-private-network'] === 'true') {
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      }
      send(res, 204);
      return 204;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      send(res, 405, { error: `${req.method ?? '?'} is not allowed on /${endpoint}; use POST` });
      return 405;
    }
    if (!fromAllowedOrigin) {
      const header = req.headers.authorization;
      const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
      if (authToken === undefined || !match || !sameToken(match[1]!.trim(), authToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="codec-server"');
        const error =
          authToken === undefined
            ? 'this codec server answers only its Web UI origins; start it with CODEC_SERVER_TOKEN set to call it from elsewhere (temporal … --codec-auth "Bearer <token>")'
            : header === undefined
              ? 'no credentials: send Authorization: Bearer <CODEC_SERVER_TOKEN> (temporal … --codec-auth "Bearer <token>"), or call from an allowed Web UI origin'
              : 'wrong bearer token in the Authorization header: use the CODEC_SERVER_TOKEN this server was started with';
        send(res, 401, { error });
        return 401;
      }
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') {
      send(res, 415, { error: `Content-Type must be application/json (got "${contentType || 'none'}")` });
      return 415;
    }

    const raw = await readBody(req, maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, `body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const body = payloadsJsonSchema.safeParse(json);
    if (!body.success) {
      const where = body.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new HttpError(400, `body is not {"payloads": [...]} in proto3-JSON: ${where}`);
    }
    const payloads = (body.data.payloads ?? []).map(payloadFromJson);
    let out;
    try {
      out = endpoint === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (err) {
      throw new HttpError(400, err instanceof Error ? err.message : String(err));
    }
    send(res, 200, { payloads: out.map(payloadToJson) });
    return 200;
  };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    handle(req, res)
      .then((status) => {
        const fields = { method: req.method, url: req.url, namespace: req.headers['x-namespace'], status, ms: Date.now() - started };
        // Refusals are what an operator looks for when the UI shows ciphertext, or when someone probes the server.
        if (status === 401 || status === 403) log.info(fields, 'codec request refused');
        else log.debug(fields, 'codec request');
      })
      .catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof HttpError ? err.message : 'internal error';
        if (status === 500) log.error({ err }, 'codec server failure');
        else log.info({ method: req.method, url: req.url, namespace: req.headers['x-namespace'], status, reason: message }, 'codec request refused');
        if (status === 413) res.setHeader('Connection', 'close');
        if (!res.headersSent) send(res, status, { error: message });
        else res.end();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explainListenError(err, port, host, 'codec server')));
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
