/**
 * Sealed references (lib/secrets/seal.ts) and the backend activity that seals and unseals them: a session token in
 * an answer becomes a reference bound to the session's workflow id, a reference from another session is refused
 * before anything is sent, and the API receives the secret itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createBackendActivities } from '../../activities/backend/call-backend';
import {
  DEV_SEAL_KEY_BASE64,
  isSealedRef,
  newSealKeyBase64,
  seal,
  sealKeyFromBytes,
  sealKeyFromEnv,
  sealSecretFields,
  unseal,
  unsealDeep,
} from '../../lib/secrets/seal';
import { isSealedRef as engineIsSealedRef, SEALED_REF } from '../../workflows/engine/sealed';
import { redactCtx } from '../../workflows/redact';
import type { BackendCall, BackendResult } from '../../workflows/activity-types';

const key = sealKeyFromBytes(Buffer.from(newSealKeyBase64(), 'base64'));
const TOKEN = 'Zm9vYmFyYmF6cXV4LXRva2VuLXRoYXQtaXMtbG9uZy1lbm91Z2g';

describe('seal / unseal', () => {
  test('a reference opens only in the session it was sealed for', () => {
    const ref = seal(key, 'web-A', TOKEN);
    expect(isSealedRef(ref)).toBe(true);
    expect(ref).not.toContain(TOKEN);
    expect(unseal(key, 'web-A', ref)).toBe(TOKEN);
    expect(() => unseal(key, 'web-B', ref)).toThrow(/another session/);
    // Fresh iv each time: two references to the same secret differ.
    expect(seal(key, 'web-A', TOKEN)).not.toBe(ref);
  });

  test('a tampered reference, or one sealed under another key, is refused', () => {
    const ref = seal(key, 'web-A', TOKEN);
    // A character inside the body (the last one may only carry padding bits).
    const at = 'sealed:v1:'.length + 20;
    const tampered = ref.slice(0, at) + (ref[at] === 'A' ? 'B' : 'A') + ref.slice(at + 1);
    expect(() => unseal(key, 'web-A', tampered)).toThrow(/refused/);
    const other = sealKeyFromBytes(Buffer.from(newSealKeyBase64(), 'base64'));
    expect(() => unseal(other, 'web-A', ref)).toThrow(/refused/);
    expect(() => unseal(key, 'web-A', 'sealed:v1:short')).toThrow(/not a sealed reference/);
  });

  test('rotation: a previous key still unseals, only the active one seals', () => {
    const old = sealKeyFromBytes(Buffer.from(newSealKeyBase64(), 'base64'));
    const ref = seal(old, 'voice-1', TOKEN);
    const rotated = sealKeyFromEnv({ SECRET_SEAL_KEY: newSealKeyBase64(), SECRET_SEAL_KEYS_PREVIOUS: old.active.export().toString('base64') });
    expect(unseal(rotated, 'voice-1', ref)).toBe(TOKEN);
    expect(() => unseal(old, 'voice-1', seal(rotated, 'voice-1', TOKEN))).toThrow(/refused/);
  });

  test('references inside texts and nested values are unsealed; secret answer fields are sealed', () => {
    const ref = seal(key, 'w', TOKEN);
    expect(unsealDeep(key, 'w', { authorization: `Bearer ${ref}`, list: [ref, 'plain'], n: 3 })).toEqual({
      authorization: `Bearer ${TOKEN}`,
      list: [TOKEN, 'plain'],
      n: 3,
    });
    const sealed = sealSecretFields(key, 'w', { session_token: TOKEN, partner_id: 8, nested: { access_token: 'x1' }, tokens: 'kept' });
    expect(isSealedRef(sealed.session_token)).toBe(true);
    expect(isSealedRef(sealed.nested.access_token)).toBe(true);
    expect(sealed).toMatchObject({ partner_id: 8, tokens: 'kept' });
    expect(unseal(key, 'w', sealed.session_token)).toBe(TOKEN);
  });

  test('the engine recognizes exactly the references the sealer makes', () => {
    for (let i = 0; i < 50; i++) {
      const ref = seal(key, 'w', 'x'.repeat(i % 7 === 0 ? 1 : i));
      expect(engineIsSealedRef(ref)).toBe(true);
    }
    expect(SEALED_REF.source).toBe('^sealed:v1:[A-Za-z0-9_-]{39,}$');
    for (const text of ['sealed:v1:', 'sealed:v1:abc', 'sealed:v2:' + 'a'.repeat(60), '123456', `Bearer sealed:v1:${'a'.repeat(60)}`]) {
      expect([text, engineIsSealedRef(text)]).toEqual([text, isSealedRef(text)]);
    }
  });
});

describe('sealKeyFromEnv', () => {
  test('a valid SECRET_SEAL_KEY is used', () => {
    const b64 = newSealKeyBase64();
    const k = sealKeyFromEnv({ SECRET_SEAL_KEY: b64 });
    expect(k.isDevKey).toBe(false);
    expect(k.active.export().toString('base64')).toBe(b64);
  });

  test('a malformed key is refused with the variable named and no key material', () => {
    expect(() => sealKeyFromEnv({ SECRET_SEAL_KEY: 'not base64!' })).toThrow(/SECRET_SEAL_KEY.*base64.*openssl rand -base64 32/s);
    const short = Buffer.alloc(16, 7).toString('base64');
    let message = '';
    try {
      sealKeyFromEnv({ SECRET_SEAL_KEY: short });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/SECRET_SEAL_KEY must decode to 32 bytes/);
    expect(message).not.toContain(short);
  });

  test('unset: the development key, except in production without the payload codec opt-in', () => {
    expect(sealKeyFromEnv({}).isDevKey).toBe(true);
    expect(sealKeyFromEnv({}).active.export().toString('base64')).toBe(DEV_SEAL_KEY_BASE64);
    expect(() => sealKeyFromEnv({ NODE_ENV: 'production' })).toThrow(/SECRET_SEAL_KEY: is unset.*PAYLOAD_ALLOW_DEV_KEY=1/s);
    expect(sealKeyFromEnv({ NODE_ENV: 'production', PAYLOAD_ALLOW_DEV_KEY: '1' }).isDevKey).toBe(true);
  });
});

describe('views', () => {
  test('secrets and sealed references are masked entirely, other personal values keep their last two characters', () => {
    const ref = seal(key, 'w', TOKEN);
    expect(redactCtx({ portal_session_token: ref, otp: '123456', phone_e164: '+33612345678', partner_id: 8, any: ref })).toEqual({
      portal_session_token: '•••',
      otp: '•••',
      phone_e164: '•••78',
      partner_id: 8,
      any: '•••',
    });
  });
});

describe('the backend activity', () => {
  interface Seen {
    method: string;
    path: string;
    authorization?: string;
    body: string;
  }
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/auth/verify-otp') res.end(JSON.stringify({ session_token: TOKEN, partner_id: 8, expires_in: 3600 }));
        else if (req.headers.authorization === `Bearer ${TOKEN}`) res.end(JSON.stringify({ items: [] }));
        else {
          res.statusCode = 401;
          res.end(JSON.stringify({ code: 'invalid_token' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const run = (workflowId: string, call: BackendCall): Promise<BackendResult> => {
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId, runId: 'r1' },
    } as unknown as ConstructorParameters<typeof MockActivityEnvironment>[0]);
    return env.run(createBackendActivities({ baseUrl, sealKey: key }).callBackend, call);
  };
  const verify = (otp: string): BackendCall => ({
    request: { method: 'PUT', path: '/auth/verify-otp', query: {}, headers: {}, body: { otp, phone_e164: '+33612345678' } },
    idempotencyKey: 'k:1',
    mutating: true,
  });
  const list = (authorization: string): BackendCall => ({
    request: { method: 'GET', path: '/appointments', query: {}, headers: { Authorization: authorization } },
    idempotencyKey: 'k:2',
    mutating: false,
  });

  test('the answer carries a sealed token, and the sealed token authenticates the next call of the same session', async () => {
    const answer = await run('web-A', verify('123456'));
    const token = (answer.body as { session_token: string }).session_token;
    expect(isSealedRef(token)).toBe(true);
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(answer.body).toMatchObject({ partner_id: 8, expires_in: 3600 });

    const next = await run('web-A', list(`Bearer ${token}`));
    expect(next).toEqual({ ok: true, status: 200, body: { items: [] } });
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('a code the portal sealed reaches the API as digits', async () => {
    await run('web-A', verify(seal(key, 'web-A', '654321')));
    expect(JSON.parse(seen.at(-1)!.body)).toMatchObject({ otp: '654321' });
  });

  test('a sealed reference from session A is refused in session B, and nothing is sent', async () => {
    const answer = await run('web-A', verify('123456'));
    const tokenOfA = (answer.body as { session_token: string }).session_token;
    seen.length = 0;
    const err = await run('web-B', list(`Bearer ${tokenOfA}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'SealedReferenceRefused', nonRetryable: true });
    expect((err as Error).message).toMatch(/another session.*GET \/appointments request was not sent/);
    expect(seen).toEqual([]);
  });
});
