/**
 * The backend activity's side of the per-browser limits: only code and link sends and code checks carry the
 * session's workflow id and the service credential, never a call with its own Authorization or any other route,
 * and nothing is added without a credential configured. The credential never enters the call or the answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBackendActivities } from '../../activities/backend/call-backend';
import { RELAY_SESSION_HEADER, RELAY_TOKEN_HEADER } from '../../api/services/client-address';
import { newSealKeyBase64, sealKeyFromBytes } from '../../lib/secrets/seal';
import type { BackendCall, BackendResult } from '../../workflows/activity-types';

const SERVICE = `op_${'s'.repeat(43)}`;
const sealKey = sealKeyFromBytes(Buffer.from(newSealKeyBase64(), 'base64'));

let server: http.Server;
let baseUrl: string;
const seen: Array<{ path: string; session: string | undefined; token: string | undefined }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const h = (n: string) => req.headers[n] as string | undefined;
      seen.push({ path: req.url ?? '', session: h(RELAY_SESSION_HEADER), token: h(RELAY_TOKEN_HEADER) });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  seen.length = 0;
});

const run = (call: BackendCall, operatorToken?: string): Promise<BackendResult> => {
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'web-1', runId: 'r1' } } as unknown as ConstructorParameters<typeof MockActivityEnvironment>[0]);
  return env.run(createBackendActivities({ baseUrl, sealKey, ...(operatorToken ? { operatorToken } : {}) }).callBackend, call);
};
const put = (path: string, headers: Record<string, string> = {}): BackendCall => ({
  request: { method: 'PUT', path, query: {}, headers, body: { phone_e164: '+33612345678' } },
  idempotencyKey: 'web-1:1',
  mutating: true,
});

test('code and link sends and code checks name their session with the service credential; nothing else does', async () => {
  const call = put('/auth/request-otp');
  const answer = await run(call, SERVICE);
  await run(put('/auth/verify-otp'), SERVICE);
  await run(put('/portal/send-otp-link'), SERVICE);
  await run(put('/portal/preferences', { Authorization: 'Bearer caller-own-token-0123456789' }), SERVICE);
  await run(put('/appointments/7/confirm'), SERVICE);
  await run(put('/auth/request-otp', { Authorization: 'Bearer caller-own-token-0123456789' }), SERVICE);
  expect(seen).toEqual([
    { path: '/auth/request-otp', session: 'web-1', token: SERVICE },
    { path: '/auth/verify-otp', session: 'web-1', token: SERVICE },
    { path: '/portal/send-otp-link', session: 'web-1', token: SERVICE },
    { path: '/portal/preferences', session: undefined, token: undefined },
    { path: '/appointments/7/confirm', session: undefined, token: undefined },
    { path: '/auth/request-otp', session: undefined, token: undefined },
  ]);
  expect(JSON.stringify([call, answer])).not.toContain(SERVICE);
});

test('without a service credential configured, the calls go as they are', async () => {
  const saved = process.env.IVR_OPERATOR_TOKEN;
  delete process.env.IVR_OPERATOR_TOKEN;
  try {
    await run(put('/auth/request-otp'));
  } finally {
    if (saved !== undefined) process.env.IVR_OPERATOR_TOKEN = saved;
  }
  expect(seen).toEqual([{ path: '/auth/request-otp', session: undefined, token: undefined }]);
});
