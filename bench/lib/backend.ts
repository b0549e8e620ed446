/**
 * The backend the bench machine's action calls: a loopback HTTP server that answers every request 200 at once
 * and counts requests and distinct idempotency keys (a retried action shows as more requests than keys).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchBackend {
  url: string;
  requests(): number;
  idempotencyKeys(): number;
  close(): Promise<void>;
}

export async function startBenchBackend(): Promise<BenchBackend> {
  let requests = 0;
  const keys = new Set<string>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') keys.add(key);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"saved":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    idempotencyKeys: () => keys.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
