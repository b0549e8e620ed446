/** `ivr codec-server` as an operator runs it: a real process, keys from the environment, stopped by SIGTERM. */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../lib/codec/aes-gcm-codec';
import { loadKeyring } from '../../lib/codec/keys';
import { payloadToJson } from '../../lib/codec/payload-json';

const bin = path.join(__dirname, '..', '..', 'bin', 'ivr.js');
const keysEnv = { PAYLOAD_KEYS: `old:${crypto.randomBytes(32).toString('base64')},cur:${crypto.randomBytes(32).toString('base64')}`, PAYLOAD_KEY_ID: 'cur' };

const TOKEN = crypto.randomBytes(24).toString('base64url');

test('serves /decode with the keys from the environment to a client with the token, and stops cleanly on SIGTERM', async () => {
  const { HOST: _host, ...env } = process.env;
  const child = spawn(process.execPath, [bin, 'codec-server', '--port', '0', '--ui-origin', 'http://localhost:8233'], {
    env: { ...env, ...keysEnv, CODEC_SERVER_TOKEN: TOKEN, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line within 20 s:\n${stderr}`)), 20_000);
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const m = /codec server on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
  });
  try {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(stderr).toContain(`--ui-codec-endpoint ${url}`);
    expect(stderr).toContain('encrypting with cur');
    expect(stderr).toContain('--codec-auth "Bearer $CODEC_SERVER_TOKEN"');
    expect(stderr).not.toContain(TOKEN);
    const codec = new AesGcmPayloadCodec(loadKeyring(keysEnv));
    const [enc] = await codec.encode([defaultPayloadConverter.toPayload('+33611223344')]);
    const decode = (headers: Record<string, string>) =>
      fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
        body: JSON.stringify({ payloads: [payloadToJson(enc!)] }),
      });
    expect((await decode({})).status).toBe(401);
    const res = await decode({ Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toBe('+33611223344');
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});

test('--new-key prints an entry the keyring accepts', () => {
  const out = spawnSync(process.execPath, [bin, 'codec-server', '--new-key', 'k2027'], { encoding: 'utf8', timeout: 20_000 });
  expect(out.status).toBe(0);
  const entry = out.stdout.split('\n')[0]!;
  expect(entry).toMatch(/^k2027:[A-Za-z0-9+/]{43}=$/);
  expect(loadKeyring({ PAYLOAD_KEYS: entry }).activeKeyId).toBe('k2027');
});

test('bad keys and bad flags exit 2 with the reason', () => {
  const badKeys = spawnSync(process.execPath, [bin, 'codec-server', '--port', '0'], {
    env: { ...process.env, PAYLOAD_KEYS: 'k1:c2hvcnQ=' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(badKeys.status).toBe(2);
  expect(badKeys.stderr).toMatch(/PAYLOAD_KEYS: entry 1 \("k1"\): key is 5 bytes/);
  const badFlag = spawnSync(process.execPath, [bin, 'codec-server', '--ui-origin', 'localhost'], { encoding: 'utf8', timeout: 20_000 });
  expect(badFlag.status).toBe(2);
  expect(badFlag.stderr).toMatch(/--ui-origin\.0: must be a URL/);
});
