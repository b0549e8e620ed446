/** Wire-level checks of the OpenAI-compatible simulator (what a real client sees), using plain fetch + FormData. */
import OpenAI from 'openai';
import { silentWav, withInfoComment } from '../../lib/audio/wav';
import { startOpenAiSimulator, type OpenAiSimulator } from '../../sim/openai';

const KEY = 'sk-sim-wire-test-000';
let sim: OpenAiSimulator;
beforeAll(async () => {
  sim = await startOpenAiSimulator({ apiKey: KEY, maxBodyBytes: 64 * 1024 });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

function form(file: Buffer | undefined, fields: Record<string, string>, name = 'speech.wav'): FormData {
  const f = new FormData();
  if (file) f.append('file', new Blob([new Uint8Array(file)], { type: 'audio/wav' }), name);
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

async function post(body: FormData, key: string | null = KEY): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(`${sim.url}/audio/transcriptions`, { method: 'POST', body, headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** OpenAI's error body: exactly {error: {message, type, param, code}}, param/code possibly null. */
function expectErrorShape(json: any): void {
  expect(Object.keys(json)).toEqual(['error']);
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof json.error.message).toBe('string');
  expect(typeof json.error.type).toBe('string');
}

describe('OpenAI simulator: /v1/audio/transcriptions', () => {
  test('json, text and verbose_json answers', async () => {
    const audio = withInfoComment(silentWav(1500), 'bonjour');
    const j = await post(form(audio, { model: 'whisper-1', language: 'fr' }));
    expect(j).toMatchObject({ status: 200, json: { text: 'bonjour' } });
    const t = await post(form(audio, { model: 'whisper-1', response_format: 'text' }));
    expect(t.text).toBe('bonjour\n');
    const v = await post(form(audio, { model: 'whisper-1', language: 'fr', response_format: 'verbose_json' }));
    expect(v.json).toMatchObject({ task: 'transcribe', language: 'french', duration: 1.5, text: 'bonjour', segments: [{ id: 0, start: 0, end: 1.5 }] });
  });

  test('401 without a key and with a wrong key, in OpenAI error shape', async () => {
    const none = await post(form(silentWav(100), { model: 'whisper-1' }), null);
    expect(none.status).toBe(401);
    expectErrorShape(none.json);
    expect(none.json.error.message).toMatch(/You didn't provide an API key/);
    const wrong = await post(form(silentWav(100), { model: 'whisper-1' }), 'sk-not-the-right-one');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect(wrong.json.error.message).not.toContain('sk-not-the-right-one');
  });

  test('400 for text bytes, a bad extension, a truncated WAV, a missing file or model', async () => {
    const text = await post(form(Buffer.from('not audio at all'), { model: 'whisper-1' }));
    expect(text.status).toBe(400);
    expect(text.json.error.message).toMatch(/^Invalid file format. Supported formats: \['flac'/);
    const ext = await post(form(silentWav(100), { model: 'whisper-1' }, 'speech.txt'));
    expect(ext.json.error.message).toMatch(/Invalid file format/);
    const cut = await post(form(silentWav(1000).subarray(0, 500), { model: 'whisper-1' }));
    expect(cut.status).toBe(400);
    expect(cut.json.error).toMatchObject({ param: 'file', code: 'invalid_value' });
    const noFile = await post(form(undefined, { model: 'whisper-1' }));
    expect(noFile.json.error.message).toMatch(/body -> file/);
    const noModel = await post(form(silentWav(100), {}));
    expect(noModel.json.error.message).toMatch(/body -> model/);
    expect(sim.transcriptions.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
  });

  test('413 above the body limit, in OpenAI shape', async () => {
    const big = await post(form(silentWav(5000), { model: 'whisper-1' }));
    expect(big.status).toBe(413);
    expectErrorShape(big.json);
    expect(big.json.error.message).toMatch(/^Maximum content size limit \(65536\) exceeded \(\d+ bytes read\)$/);
  });

  test('429 carries retry-after and rate-limit headers; the next request succeeds', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 2 });
    const r = await post(form(silentWav(100), { model: 'whisper-1' }));
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(r.headers.get('retry-after')).toBe('2');
    expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await post(form(silentWav(100), { model: 'whisper-1' }))).status).toBe(200);
  });

  test('an unknown route is a 404 naming it', async () => {
    const res = await fetch(`${sim.url}/audio/translations-x`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.message).toBe('Invalid URL (POST /v1/audio/translations-x)');
  });
});

describe('OpenAI simulator: chat completions and models through the SDK', () => {
  const client = () => new OpenAI({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });

  test('returns the configured structured answer (e.g. an invented phone) and records the request', async () => {
    sim.setChatAnswer({ name: 'Mme Martin', phone: '+33600000000' });
    const res = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Extrais les champs.' }, { role: 'user', content: 'je suis madame Martin' }],
      response_format: { type: 'json_object' },
    });
    expect(res.object).toBe('chat.completion');
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ name: 'Mme Martin', phone: '+33600000000' });
    expect(sim.chats[0]).toMatchObject({ status: 200, model: 'gpt-4o-mini', responseFormat: { type: 'json_object' } });
    expect(sim.chats[0]!.messages).toHaveLength(2);
  });

  test('an answer can depend on the request', async () => {
    sim.setChatAnswer(({ messages }) => ({ count: messages.length }));
    const res = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a' }] });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ count: 1 });
  });

  test('lists models', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini']));
  });
});

describe('OpenAI simulator standalone (`ivr sim openai`)', () => {
  test('serves transcriptions and lets another process register a transcript', async () => {
    const { spawn } = await import('node:child_process');
    const path = await import('node:path');
    const crypto = await import('node:crypto');
    const root = path.join(__dirname, '..', '..');
    const child = spawn(process.execPath, [path.join(root, 'bin', 'ivr.js'), 'sim', 'openai', '--port', '0', '--api-key', 'sk-standalone'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /simulator on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
        setTimeout(() => reject(new Error(`no URL printed; got: ${out}`)), 20_000).unref();
      });
      const audio = silentWav(600);
      const origin = url.replace(/\/v1$/, '');
      const reg = await fetch(`${origin}/_sim/transcripts`, { method: 'POST', body: JSON.stringify({ sha256: crypto.createHash('sha256').update(audio).digest('hex'), text: 'rappelez-moi' }) });
      expect(reg.status).toBe(200);
      const client = new OpenAI({ apiKey: 'sk-standalone', baseURL: url, maxRetries: 0 });
      const { toFile } = await import('openai');
      const t = await client.audio.transcriptions.create({ file: await toFile(audio, 'a.wav'), model: 'whisper-1', language: 'fr' });
      expect(t.text).toBe('rappelez-moi');
      const log = (await (await fetch(`${origin}/_sim/requests`)).json()) as { transcriptions: Array<{ language: string }> };
      expect(log.transcriptions).toEqual([expect.objectContaining({ language: 'fr', status: 200 })]);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);
});
