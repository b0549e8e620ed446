/**
 * A tiny HTTP backend for workflow tests that only need to see what the session sent (method, path, idempotency
 * key, body) and to answer with chosen statuses and delays. Journeys against the real API use api/ instead.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  authorization?: string;
  /** Every header as received (lower-case names). */
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface StubAnswer {
  status: number;
  body?: unknown;
  delayMs?: number;
}

export interface BackendStub {
  url: string;
  requests: RecordedRequest[];
  /** Answers for `METHOD /path`, consumed in order; the last one repeats. */
  answer(route: string, ...answers: StubAnswer[]): void;
  close(): Promise<void>;
}

export async function startBackendStub(): Promise<BackendStub> {
  const requests: RecordedRequest[] = [];
  const scripted = new Map<string, StubAnswer[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        authorization: req.headers.authorization,
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      });
      const key = `${req.method} ${url.pathname}`;
      const queue = scripted.get(key);
      const next = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      const answer = next ?? { status: 404, body: { code: 'not_found' } };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body ?? {}));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(route, ...answers) {
      scripted.set(route, answers);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
