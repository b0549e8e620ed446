/**
 * The backend activity's side of the per-browser limits: only code and link sends and code checks carry the
 * session's workflow id and the service credential, never a call with its own Authorization or any other route,
 * and nothing is added without a credential configured. The credential never enters the call or the answer.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBackendActivities } from '../../activities/backend/call-backend';
import { RELAY_SESSION_HEADER, RELAY_TOKEN_HEADER } from '../../api/services/client-address';
import { newSealKeyBase64, sealKeyFromBytes } from '../../lib/secrets/seal';
import type { BackendCall, BackendResult } from '../../workflows/activity-types';
import { startBackendStub, type BackendStub } from '../support/backend-stub';

const SERVICE = `op_${'s'.repeat(43)}`;
const sealKey = sealKeyFromBytes(Buffer.from(newSealKeyBase64(), 'base64'));

let backend: BackendStub;
let baseUrl: string;

beforeAll(async () => {
  backend = await startBackendStub();
  baseUrl = backend.url;
});

afterAll(async () => {
  await backend.close();
});

beforeEach(() => {
  backend.requests.length = 0;
});

/** What the backend saw of each call: its path, and the session and credential headers. */
const seenCalls = () =>
  backend.requests.map((r) => ({ path: r.path, session: r.headers[RELAY_SESSION_HEADER] as string | undefined, token: r.headers[RELAY_TOKEN_HEADER] as string | undefined }));

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
  expect(seenCalls()).toEqual([
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
  expect(seenCalls()).toEqual([{ path: '/auth/request-otp', session: undefined, token: undefined }]);
});
