import crypto from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import { AesGcmPayloadCodec } from '../../lib/codec/aes-gcm-codec';
import { startCodecServer, type CodecServer } from '../../lib/codec/codec-server';
import { keyringFromEntries } from '../../lib/codec/keys';
import { payloadToJson } from '../../lib/codec/payload-json';

const UI = 'http://localhost:8233';
const TOKEN = 'a-long-enough-test-token-1234';
const keyring = keyringFromEntries([{ id: 'k1', key: crypto.randomBytes(32) }], 'k1');
const codec = new AesGcmPayloadCodec(keyring);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | null | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

let open: CodecServer;
let authed: CodecServer;

beforeAll(async () => {
  const logger = pino({ level: 'silent' });
  open = await startCodecServer({ port: 0, keyring, allowedOrigins: [UI], logger, maxBodyBytes: 64 * 1024 });
  authed = await startCodecServer({ port: 0, keyring, allowedOrigins: [UI], authToken: TOKEN, logger });
});
afterAll(async () => {
  await open.close();
  await authed.close();
});

/** A POST as the UI sends it (from its origin) unless `origin` says otherwise (null: no Origin header, as the CLI). */
function post(server: CodecServer, path: string, body: unknown, headers: Record<string, string> = {}, origin: string | null = UI) {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...(origin === null ? {} : { Origin: origin }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('codec server', () => {
  test('decode over HTTP turns an encrypted proto3-JSON payload back into the clear one', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload({ phone: '+33612345678' })]);
    const res = await post(open, '/decode', { payloads: [payloadToJson(enc!)] }, { Origin: UI });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { payloads: JsonPayload[] };
    expect(unb64(body.payloads[0]!.metadata!.encoding)).toBe('json/plain');
    expect(JSON.parse(unb64(body.payloads[0]!.data))).toEqual({ phone: '+33612345678' });
  });

  test('encode over HTTP yields payloads the codec decodes; mounted under a prefix works too', async () => {
    const clear = { metadata: { encoding: b64('json/plain') }, data: b64('"Lina"') };
    const res = await post(open, '/default/encode', { payloads: [clear, clear] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: JsonPayload[] };
    expect(body.payloads).toHaveLength(2);
    expect(unb64(body.payloads[0]!.metadata!.encoding)).toBe('binary/encrypted');
    expect(unb64(body.payloads[0]!.metadata!['encryption-key-id'])).toBe('k1');
    expect(body.payloads[0]!.data).not.toContain(b64('"Lina"'));
    const back = await post(open, '/decode', body);
    const decoded = (await back.json()) as { payloads: JsonPayload[] };
    expect(decoded.payloads.map((p) => unb64(p.data))).toEqual(['"Lina"', '"Lina"']);
  });

  test('an empty Payloads message ({}) is accepted', async () => {
    const res = await post(open, '/decode', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [] });
  });

  test('CORS preflight from the UI origin allows POST with X-Namespace and Authorization', async () => {
    const res = await fetch(`${open.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['content-type', 'x-namespace', 'authorization']) expect(allowed).toContain(h);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('another origin gets neither a preflight grant nor a decryption', async () => {
    const pre = await fetch(`${open.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload('secret')]);
    const res = await post(open, '/decode', { payloads: [payloadToJson(enc!)] }, { Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(b64('"secret"'));
  });

  test.each([
    ['not JSON', '{"payloads": [', /body is not JSON/],
    ['payloads not an array', { payloads: 'x' }, /payloads: /],
    ['data not base64', { payloads: [{ metadata: { encoding: b64('json/plain') }, data: 'not base64!' }] }, /payloads\.0\.data: must be base64/],
    ['metadata value not a string', { payloads: [{ metadata: { encoding: 7 } }] }, /payloads\.0\.metadata\.encoding/],
  ])('malformed body (%s) is a 400 that says what is wrong', async (_what, body, message) => {
    const res = await post(open, '/decode', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  test('a payload that fails to decrypt is a 400 naming the key, not a 500', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload('x')]);
    const json = payloadToJson(enc!);
    json.metadata = { ...json.metadata, 'encryption-key-id': b64('k-gone') };
    const res = await post(open, '/decode', { payloads: [json] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/key id "k-gone"/);
  });

  test('wrong content type, method, path and oversized bodies are refused', async () => {
    const text = await fetch(`${open.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'text/plain', Origin: UI }, body: '{}' });
    expect(text.status).toBe(415);
    expect((await fetch(`${open.url}/decode`)).status).toBe(405);
    expect((await post(open, '/transcode', {})).status).toBe(404);
    const big = { payloads: [{ data: b64('x'.repeat(100 * 1024)) }] };
    expect((await post(open, '/decode', big)).status).toBe(413);
    // The server still answers after refusing a body half-way.
    expect((await post(open, '/decode', {})).status).toBe(200);
  });

  test('a request with neither token nor allowed Origin is refused with 401 and decrypts nothing', async () => {
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload({ otp: '482913' })]);
    for (const server of [open, authed]) {
      for (const endpoint of ['/decode', '/encode', '/default/decode']) {
        const res = await post(server, endpoint, { payloads: [payloadToJson(enc!)] }, {}, null);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const text = await res.text();
        expect(text).not.toContain(b64('{"otp":"482913"}'));
        expect(text).not.toContain('482913');
      }
    }
    // Without a token configured, the answer says how to enable command-line use.
    const res = await post(open, '/decode', {}, { Authorization: `Bearer ${TOKEN}` }, null);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/CODEC_SERVER_TOKEN/);
  });

  test('with a token, requests from outside the UI need the bearer token; the UI origin and the preflight do not', async () => {
    expect((await post(authed, '/decode', {}, {}, null)).status).toBe(401);
    const wrong = await post(authed, '/decode', {}, { Authorization: 'Bearer wrong-token-of-some-length' }, null);
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/wrong bearer token/);
    expect((await post(authed, '/decode', {}, { Authorization: 'Basic dXNlcjpwYXNz' }, null)).status).toBe(401);
    expect((await post(authed, '/decode', {}, { Authorization: `Bearer ${TOKEN}` }, null)).status).toBe(200);
    expect((await post(authed, '/decode', {}, {}, UI)).status).toBe(200);
    // A token does not open the server to a foreign origin.
    expect((await post(authed, '/decode', {}, { Authorization: `Bearer ${TOKEN}` }, 'https://evil.example')).status).toBe(403);
    const pre = await fetch(`${authed.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(pre.status).toBe(204);
  });

  test('bad options are refused before listening', async () => {
    await expect(startCodecServer({ port: 0, keyring, allowedOrigins: ['localhost'], authToken: 'short' })).rejects.toThrow(
      /allowedOrigins\.0: .*\n.*authToken: authToken must be at least 16 characters/,
    );
  });
});

test('a port already taken is an error naming it, not a bare EADDRINUSE', async () => {
  const first = await startCodecServer({ port: 0, keyring, allowedOrigins: [UI], logger: pino({ level: 'silent' }) });
  try {
    await expect(startCodecServer({ port: first.port, keyring, allowedOrigins: [UI] })).rejects.toThrow(
      `port ${first.port} on 127.0.0.1 (codec server) is already in use`,
    );
  } finally {
    await first.close();
  }
});
