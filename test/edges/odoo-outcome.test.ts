/**
 * A write sent to Odoo and left unanswered is "unknown", not "failed": the Odoo client reports which, so the API
 * reads the record back instead of answering a failure or repeating the write.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OdooUnavailable } from '../../lib/odoo/errors';
import { postJson, type HttpPolicy } from '../../lib/odoo/http';

const policy: HttpPolicy = { timeoutMs: 300, retries: 2, backoffBaseMs: 1, backoffMaxMs: 2 };

async function server(handler: http.RequestListener): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const s = http.createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/web/dataset/call_kw`,
    hits: () => hits,
    close: () => new Promise<void>((r) => {
      s.closeAllConnections();
      s.close(() => r());
    }),
  };
}

test('a write with no answer within the timeout: sent once, outcome unknown', async () => {
  const s = await server(() => undefined); // takes the request, never answers
  const err = await postJson(s.url, '{}', {}, policy, { transport: 'session', model: 'mail.activity', method: 'create', idempotent: false }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OdooUnavailable);
  expect((err as OdooUnavailable).outcome).toBe('unknown');
  expect(s.hits()).toBe(1);
  await s.close();
});

test('a write cut after it was sent (a 500 from a gateway): outcome unknown; a 503: retried, then not done', async () => {
  const s500 = await server((_q, res) => res.writeHead(500).end('boom'));
  const e500 = await postJson(s500.url, '{}', {}, policy, { transport: 'session', model: 'calendar.event', method: 'write', idempotent: false }).catch((e: unknown) => e);
  expect((e500 as OdooUnavailable).outcome).toBe('unknown');
  expect(s500.hits()).toBe(1);
  await s500.close();
  const s503 = await server((_q, res) => res.writeHead(503).end('busy'));
  const e503 = await postJson(s503.url, '{}', {}, policy, { transport: 'session', model: 'calendar.event', method: 'write', idempotent: false }).catch((e: unknown) => e);
  expect((e503 as OdooUnavailable).outcome).toBe('not_done');
  expect(s503.hits()).toBe(3);
  await s503.close();
});
