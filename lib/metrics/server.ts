/**
 * GET /metrics in Prometheus text format on a listener of its own (METRICS_PORT, METRICS_HOST): a process's
 * metrics never share the port its users reach. Off unless METRICS_PORT is set; loopback unless METRICS_HOST
 * opens it; with METRICS_TOKEN set, a scrape must carry `Authorization: Bearer <token>`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { parseEnv } from '../env';
import { explainListenError, LOOPBACK } from '../net/ports';
import { enableProcessMetrics, registry } from './registry';

/** An empty variable (a blank line of .env) is an unset one. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

export const metricsEnvSchema = z.object({
  /** Port of the metrics listener; unset: no listener. 0 picks a free port (logged). */
  METRICS_PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0, 'a port 0-65535').max(65535, 'a port 0-65535').optional()),
  /** Its address: loopback unless set (0.0.0.0 in containers, where only the compose network reaches it). */
  METRICS_HOST: z.string().min(1).default(LOOPBACK),
  /** When set, every scrape needs `Authorization: Bearer <token>` (16+ characters). */
  METRICS_TOKEN: z.preprocess(unsetIfEmpty, z.string().min(16, 'METRICS_TOKEN needs 16+ characters (e.g. `openssl rand -hex 24`)').optional()),
});

export type MetricsEnv = z.infer<typeof metricsEnvSchema>;

export function metricsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MetricsEnv {
  return parseEnv(metricsEnvSchema, env, 'metrics configuration');
}

/** Constant-time check of a scrape's bearer token; true when no token is configured. */
export function scrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer (\S+)$/i.exec(authorization?.trim() ?? '');
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1]!).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Writes the registry in Prometheus text format, or 401 without the configured token. */
export async function answerScrape(req: http.IncomingMessage, res: http.ServerResponse, token: string | undefined): Promise<void> {
  if (!scrapeAllowed(req.headers.authorization, token)) {
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' });
    res.end('The metrics need Authorization: Bearer <METRICS_TOKEN>.\n');
    return;
  }
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export interface MetricsServer {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Starts the metrics listener; `what` names the process in a listen error (e.g. "session worker metrics"). */
export async function startMetricsServer(opts: { port: number; host?: string; token?: string; what: string }): Promise<MetricsServer> {
  enableProcessMetrics();
  const host = opts.host ?? LOOPBACK;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Only GET /metrics is served here.\n');
      return;
    }
    answerScrape(req, res, opts.token).catch(() => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The metrics could not be collected.\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explainListenError(err, opts.port, host, opts.what, 'METRICS_PORT')));
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? LOOPBACK : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/metrics`,
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The listener METRICS_PORT asks for, or null when it is unset. */
export async function serveMetricsFromEnv(env: NodeJS.ProcessEnv, what: string): Promise<MetricsServer | null> {
  const c = metricsConfigFromEnv(env);
  if (c.METRICS_PORT === undefined) return null;
  return startMetricsServer({ port: c.METRICS_PORT, host: c.METRICS_HOST, ...(c.METRICS_TOKEN ? { token: c.METRICS_TOKEN } : {}), what });
}
