/**
 * The API's administration socket: while the API holds the embedded store (PGlite allows one process), `ivr
 * operators` asks the API to add, list or revoke operators through a Unix domain socket inside that store's folder.
 * Its trust boundary is the store's own: `<store>/.admin/` is 0700 and the socket 0600, owned by the API's user, so
 * whoever may connect could as well open the store's files. No TCP port.
 *
 * Protocol, one request per connection: the client sends one JSON line (`adminRequestSchema`, at most
 * MAX_REQUEST_BYTES), the API answers one JSON line (`adminResultSchema`) and ends. A malformed or oversized request
 * gets an error answer; nothing a client sends can stop the API.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { adminRequestSchema, adminResultSchema, runOperatorAdmin, type AdminRequest, type AdminResult, type AdminTarget } from './operator-admin';

export const MAX_REQUEST_BYTES = 4096;
/** A list of every operator fits easily; a larger answer is not from this API. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** What a client may send after an oversized request before the connection is cut (it is being read and dropped). */
const MAX_DISCARD_BYTES = 1024 * 1024;
const IDLE_MS = 15_000;
/** sun_path holds 108 bytes with its terminating zero. */
const MAX_SOCKET_PATH_BYTES = 107;

/** Who the audit log names for requests arriving on the socket. */
export const ADMIN_SOCKET_ASKER = 'cli via admin socket';

/** Where the API serving the embedded store in `storeDir` listens (relative folders resolve against the cwd, like the store). */
export function adminSocketPath(storeDir: string): string {
  return path.join(path.resolve(storeDir), '.admin', 'operators.sock');
}

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

function refuse(code: 'invalid_request' | 'too_large', message: string): AdminResult {
  return { ok: false, code, message };
}

/** A private folder for the socket: created 0700, and refused when it is a link or someone else's. */
function privateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) {
    throw new Error(`${dir} is not a folder owned by this user; remove it and restart the API.`);
  }
  fs.chmodSync(dir, 0o700);
}

/**
 * Serves operator administration for the store in `storeDir`. Call it only while this process holds that store's
 * lock: a socket file already there is then one left by an API that stopped, and is replaced.
 */
export async function serveAdminSocket(opts: { storeDir: string; target: AdminTarget; log: Logger }): Promise<AdminSocket> {
  const file = adminSocketPath(opts.storeDir);
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`the administration socket path ${file} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter API_STORE_DIR.`);
  }
  privateDir(path.dirname(file));
  try {
    const st = fs.lstatSync(file);
    if (!st.isSocket()) throw new Error(`${file} exists and is not a socket; remove it and restart the API.`);
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }

  const { log } = opts;
  const open = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    // A client that vanishes mid-answer is its own problem, never the API's.
    socket.on('error', (err) => log.debug({ cause: err.message }, 'administration socket client error'));
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    const parts: Buffer[] = [];
    let size = 0;
    let discarded = 0;
    let started = false;
    let answered = false;
    const answer = (r: AdminResult) => {
      if (answered) return;
      answered = true;
      if (!socket.destroyed) socket.end(`${JSON.stringify(r)}\n`);
    };
    const handle = async () => {
      if (started) return;
      started = true;
      const text = Buffer.concat(parts).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        log.warn({ bytes: size }, 'administration socket: request refused (not JSON)');
        return answer(refuse('invalid_request', 'the request is not JSON: send one line such as {"v":1,"op":"list"} (ops: add, list, revoke; add and revoke take "name").'));
      }
      const req = adminRequestSchema.safeParse(json);
      if (!req.success) {
        log.warn({ issues: req.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.code}`) }, 'administration socket: request refused (invalid)');
        return answer(refuse('invalid_request', `invalid request: ${req.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ')}`));
      }
      try {
        answer(await runOperatorAdmin(opts.target, req.data, ADMIN_SOCKET_ASKER));
      } catch (err) {
        log.error({ cause: err instanceof Error ? err.name : typeof err }, 'administration socket: request failed');
        answer({ ok: false, code: 'internal', message: 'the API could not run this request; see its log.' });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (started) {
        // Read and drop what follows an answered or oversized request, up to a bound.
        discarded += chunk.length;
        if (discarded > MAX_DISCARD_BYTES) socket.destroy();
        return;
      }
      const nl = chunk.indexOf(0x0a);
      const part = nl >= 0 ? chunk.subarray(0, nl) : chunk;
      size += part.length;
      if (size > MAX_REQUEST_BYTES) {
        started = true;
        log.warn({ bytes: size }, 'administration socket: request refused (too large)');
        answer(refuse('too_large', `the request is larger than ${MAX_REQUEST_BYTES} bytes; send one JSON line such as {"v":1,"op":"list"}.`));
        return;
      }
      parts.push(part);
      if (nl >= 0) void handle();
    });
    // A request without its newline is taken as whole when the client ends its side.
    socket.on('end', () => {
      if (!started) void handle();
      else if (answered) socket.end();
    });
  });
  server.maxConnections = 16;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The 0700 folder already keeps others out; the socket's own mode says the same to anyone who looks.
  fs.chmodSync(file, 0o600);
  server.on('error', (err) => log.error({ cause: err.message }, 'administration socket error'));
  log.info({ socket: file }, 'operator administration socket listening');

  let closed = false;
  return {
    path: file,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      });
      fs.rmSync(file, { force: true });
    },
  };
}

/** The socket could not be reached, or answered something that is not this protocol. */
export class AdminSocketUnavailable extends Error {
  override name = 'AdminSocketUnavailable';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

function unreachable(file: string, err: NodeJS.ErrnoException): AdminSocketUnavailable {
  switch (err.code) {
    case 'ENOENT':
      return new AdminSocketUnavailable(`there is no administration socket at ${file} (that process is not an API serving this store, or an older one)`, 'ENOENT');
    case 'ECONNREFUSED':
      return new AdminSocketUnavailable(`nothing answers on ${file} (left by an API that stopped)`, 'ECONNREFUSED');
    case 'EACCES':
    case 'EPERM':
      return new AdminSocketUnavailable(`permission denied on ${file}: run this command as the user the API runs as`, err.code);
    default:
      return new AdminSocketUnavailable(`${file}: ${err.message}`, err.code ?? 'error');
  }
}

/** Sends one request to the API serving the store in `storeDir` and returns its answer (errors included). */
export function askAdminSocket(storeDir: string, req: AdminRequest, opts: { timeoutMs?: number } = {}): Promise<AdminResult> {
  const file = adminSocketPath(storeDir);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise<AdminResult>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    const socket = net.createConnection(file, () => socket.write(`${JSON.stringify(req)}\n`));
    socket.setTimeout(timeoutMs, () =>
      settle(() => reject(new AdminSocketUnavailable(`the API did not answer on ${file} within ${Math.round(timeoutMs / 1000)} s; check that it is running and retry`, 'ETIMEDOUT'))),
    );
    socket.on('error', (err: NodeJS.ErrnoException) => settle(() => reject(unreachable(file, err))));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) settle(() => reject(new AdminSocketUnavailable(`the answer on ${file} is larger than ${MAX_ANSWER_BYTES} bytes: not this API's protocol`, 'EPROTO')));
      else parts.push(chunk);
    });
    socket.on('end', () =>
      settle(() => {
        const line = Buffer.concat(parts).toString('utf8').split('\n')[0] ?? '';
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          return reject(new AdminSocketUnavailable(`the answer on ${file} is not JSON: not this API's protocol`, 'EPROTO'));
        }
        const answer = adminResultSchema.safeParse(json);
        if (!answer.success) return reject(new AdminSocketUnavailable(`the answer on ${file} is not a valid administration answer (${z.prettifyError(answer.error)})`, 'EPROTO'));
        resolve(answer.data);
      }),
    );
  });
}
