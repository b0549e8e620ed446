/**
 * Who calls /crm in the product: the voice-crm machine's actions, through the worker's backend activity. It adds
 * the operator token (IVR_OPERATOR_TOKEN) to calls of the operator routes only, never overrides a call's own
 * Authorization, and the token never enters the call (workflow state) or the answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBackendActivities } from '../../activities/backend/call-backend';
import { newSealKeyBase64, sealKeyFromBytes } from '../../lib/secrets/seal';
import type { BackendCall, BackendResult } from '../../workflows/activity-types';

const OPERATOR = `op_${'x'.repeat(43)}`;
const sealKey = sealKeyFromBytes(Buffer.from(newSealKeyBase64(), 'base64'));

describe('the backend activity and operator routes', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Array<{ path: string; authorization: string | undefined }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
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
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'voice-1', runId: 'r1' } } as unknown as ConstructorParameters<typeof MockActivityEnvironment>[0]);
    return env.run(createBackendActivities({ baseUrl, sealKey, ...(operatorToken ? { operatorToken } : {}) }).callBackend, call);
  };
  const get = (path: string, headers: Record<string, string> = {}): BackendCall => ({
    request: { method: 'GET', path, query: {}, headers },
    idempotencyKey: 'k:1',
    mutating: false,
  });

  test('only /crm calls carry the operator token; a call with its own Authorization keeps it', async () => {
    const call = get('/crm/contacts');
    const answer = await run(call, OPERATOR);
    await run(get('/appointments'), OPERATOR);
    await run(get('/crm/leads', { Authorization: 'Bearer own-token-of-the-call' }), OPERATOR);
    expect(seen).toEqual([
      { path: '/crm/contacts', authorization: `Bearer ${OPERATOR}` },
      { path: '/appointments', authorization: undefined },
      { path: '/crm/leads', authorization: 'Bearer own-token-of-the-call' },
    ]);
    expect(JSON.stringify([call, answer])).not.toContain(OPERATOR);
  });

  test('without a token configured, nothing is added', async () => {
    const saved = process.env.IVR_OPERATOR_TOKEN;
    delete process.env.IVR_OPERATOR_TOKEN;
    try {
      await run(get('/crm/contacts'));
    } finally {
      if (saved !== undefined) process.env.IVR_OPERATOR_TOKEN = saved;
    }
    expect(seen).toEqual([{ path: '/crm/contacts', authorization: undefined }]);
  });
});
