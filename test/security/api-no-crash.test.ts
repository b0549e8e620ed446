/**
 * Issue 9, items 2 and 3: one truncated multipart upload to /crm/voice-contacts killed the process (the file
 * stream's "Unexpected end of form" had no listener); undecodable gzip answered 500. Each request here goes over a
 * real socket to a real listening server, and /healthz must still answer afterwards.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import express from 'express';
import { testConfig } from '../../api/config';
import { startApiServer } from '../../api/server';
import { ApiStore } from '../../api/store/store';
import { createLogger } from '../../lib/log';
import { call } from '../api/stack';
import { startSecurityStack, type SecurityStack } from './api-support';

function rawRequest(url: string, opts: { method: string; path: string; headers: Record<string, string>; body: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${opts.path}`, { method: opts.method, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function healthy(url: string): Promise<void> {
  const h = await call(url, 'GET', '/healthz');
  expect(h.status).toBe(200);
  expect(h.body.status).toBe('ok');
}

describe('no request kills the API', () => {
  let s: SecurityStack;
  let token: string;
  beforeAll(async () => {
    s = await startSecurityStack();
    token = await s.operatorToken();
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  test('a truncated multipart upload answers 400 and the process lives on', async () => {
    const body = Buffer.from('--XX\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF', 'latin1');
    const r = await rawRequest(s.url, {
      method: 'POST', path: '/crm/voice-contacts', body,
      headers: { 'content-type': 'multipart/form-data; boundary=XX', 'content-length': String(body.length), authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.code).toBe('invalid_multipart');
    await healthy(s.url);
  });

  test('an upload cut off mid-body (client gone) leaves the process alive', async () => {
    const port = new URL(s.url).port;
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(
      `POST /crm/voice-contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n\r\n` +
        '--XX\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF',
    );
    await new Promise((r) => setTimeout(r, 200)); // let the server start reading the file part
    socket.destroy();
    await healthy(s.url);
  });

  test('a handler that throws (synchronously or not) becomes a 500 answer; the process lives on', async () => {
    const router = express.Router();
    router.get('/extra/sync', () => {
      throw new Error('boom with a secret +33612345678');
    });
    router.get('/extra/async', async () => {
      await Promise.resolve();
      throw new TypeError('async boom');
    });
    const store = await ApiStore.open({ dataDir: 'memory://' });
    const api = await startApiServer({
      port: 0, host: '127.0.0.1', store, routers: [router], config: testConfig(), log: createLogger('api', { level: 'silent' }),
      odoo: s.api.deps.odoo, brevo: s.api.deps.brevo,
    });
    try {
      for (const p of ['/extra/sync', '/extra/async']) {
        const r = await call(api.url, 'GET', p);
        expect(r.status).toBe(500);
        expect(r.body.error.code).toBe('internal_error');
        expect(JSON.stringify(r.body)).not.toMatch(/boom|\+33/);
      }
      await healthy(api.url);
    } finally {
      await api.stop();
      await store.close();
    }
  });

  test('gzip with invalid or truncated bytes answers 400; unknown encodings 415; valid gzip works', async () => {
    const headers = { 'content-type': 'application/json' };
    const bad = await rawRequest(s.url, { method: 'PUT', path: '/auth/request-otp', headers: { ...headers, 'content-encoding': 'gzip' }, body: Buffer.from('this is not gzip') });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('invalid_encoding');
    const gz = zlib.gzipSync(JSON.stringify({ phone_e164: '+33612345678' }));
    const cut = await rawRequest(s.url, { method: 'PUT', path: '/auth/request-otp', headers: { ...headers, 'content-encoding': 'gzip' }, body: gz.subarray(0, 12) });
    expect(cut.status).toBe(400);
    for (const enc of ['compress', 'x-unknown']) {
      const r = await rawRequest(s.url, { method: 'PUT', path: '/auth/request-otp', headers: { ...headers, 'content-encoding': enc }, body: Buffer.from('{}') });
      expect(r.status).toBe(415);
      expect(JSON.parse(r.body).error.code).toBe('unsupported_encoding');
    }
    const ok = await rawRequest(s.url, { method: 'PUT', path: '/auth/request-otp', headers: { ...headers, 'content-encoding': 'gzip' }, body: gz });
    expect(ok.status).toBe(200);
    // The same on the operator routes' own body parser.
    const crm = await rawRequest(s.url, { method: 'POST', path: '/crm/text-contacts', headers: { ...headers, 'content-encoding': 'gzip', authorization: `Bearer ${token}` }, body: Buffer.from('nope') });
    expect(crm.status).toBe(400);
    await healthy(s.url);
  });
});
