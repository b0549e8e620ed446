/**
 * The local speech-to-text server end to end: scripts/install-stt.sh (cached after the first run; it needs PyPI the
 * first time, and the test fails, never skips, when it cannot install), `ivr stt-server` on a free port, a French
 * espeak-ng WAV transcribed through the project's own client (lib/stt), OpenAI's response and error shapes on the
 * wire, the decode time limit, and stops (SIGTERM, a killed launcher) that leave no Python process behind.
 * No accuracy claim: base Whisper on synthetic French is poor; only loose properties of the text are checked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTranscriber, sttConfigFromEnv } from '../../lib/stt/transcriber';
import { SttUnavailable } from '../../lib/stt/errors';
import { synthesizeFrench } from './espeak';

// Decodes share two cores with the rest of the suite: waits are generous, nothing here is timed.
jest.setTimeout(180_000);

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'ivr.js');

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts a process and waits for `pattern` on its stdout; the first group is returned as `url`. */
function startUntil(cmd: string, args: string[], pattern: RegExp, limitMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) resolve({ child, url: m[1]!, stdout: () => out, stderr: () => err, exited });
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    void exited.then((code) => reject(new Error(`${path.basename(cmd)} ${args[1] ?? ''} exited (${code}) before it was ready:\n${out}\n${err}`)));
    setTimeout(() => reject(new Error(`not ready within ${limitMs} ms:\n${out}\n${err}`)), limitMs).unref();
  });
}

function form(file: Uint8Array | undefined, fields: Record<string, string>, name = 'speech.wav'): FormData {
  const f = new FormData();
  if (file) f.append('file', new Blob([new Uint8Array(file)], { type: 'audio/wav' }), name);
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

/** OpenAI's error body: exactly {error: {message, type, param, code}}. */
function expectOpenAiError(body: unknown, param: string | null): void {
  const { error } = body as { error: Record<string, unknown> };
  expect(Object.keys(body as object)).toEqual(['error']);
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(error).toMatchObject({ message: expect.any(String), type: expect.any(String), param });
  expect(error.code === null || typeof error.code === 'string').toBe(true);
}

let server: Started;
let installMs = 0;
let readyMs = 0;
const speech = synthesizeFrench('Je voudrais prendre rendez-vous pour lundi prochain à quatorze heures');

beforeAll(async () => {
  let t = Date.now();
  // Fails the suite (no skip) when PyPI is unreachable on a fresh machine: the script exits non-zero.
  await promisify(execFile)('bash', [path.join(root, 'scripts', 'install-stt.sh')], { cwd: root, timeout: 600_000 });
  installMs = Date.now() - t;
  t = Date.now();
  // Generous limits: a test waits on events, it does not time the decode (README gives the measured figures).
  server = await startUntil(process.execPath, [bin, 'stt-server', '--port', '0', '--decode-timeout', '120'], /listening on (http:\/\/\S+\/v1)/, 120_000);
  readyMs = Date.now() - t;
  process.stderr.write(`[stt-server test] install ${installMs} ms, server ready ${readyMs} ms\n`);
}, 720_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

describe('ivr stt-server', () => {
  test('prints how to point the project at it', () => {
    expect(server.stdout()).toContain(`OPENAI_BASE_URL=${server.url}`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  test('transcribes French speech through the project client (lib/stt)', async () => {
    const config = sttConfigFromEnv({ OPENAI_API_KEY: 'local', OPENAI_BASE_URL: server.url, STT_TIMEOUT_MS: '150000' });
    const t0 = Date.now();
    const result = await createTranscriber(config).transcribe({ audio: speech, expected: ['prendre rendez-vous', 'annuler'] });
    process.stderr.write(`[stt-server test] decode through lib/stt: ${Date.now() - t0} ms, ${result.text.length} chars\n`);
    expect(result.text.length).toBeGreaterThan(0);
    // Loose: a digit, or a common French word; base Whisper's exact words on espeak-ng are not the point.
    expect(result.text).toMatch(/\d|\b(je|vous|la|le|de|pour|rendez|heures?|lundi)\b/i);
    expect(result).toMatchObject({ model: 'whisper-1', language: 'fr', format: 'wav' });
  });

  test('answers in OpenAI shapes: json, verbose_json, text; lists its models', async () => {
    const post = (fields: Record<string, string>) => fetch(`${server.url}/audio/transcriptions`, { method: 'POST', body: form(speech, fields), headers: { authorization: 'Bearer local' } });
    const json = await post({ model: 'whisper-1', language: 'fr' });
    expect(json.status).toBe(200);
    const body = (await json.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['text']);
    expect(typeof body.text).toBe('string');

    const verbose = (await (await post({ model: 'whisper-1', response_format: 'verbose_json', temperature: '0' })).json()) as Record<string, unknown>;
    expect(verbose).toMatchObject({ task: 'transcribe', language: 'french', duration: expect.any(Number), text: expect.any(String) });
    const segments = verbose.segments as Array<Record<string, unknown>>;
    expect(segments.length).toBeGreaterThan(0);
    expect(Object.keys(segments[0]!).sort()).toEqual(['avg_logprob', 'compression_ratio', 'end', 'id', 'no_speech_prob', 'seek', 'start', 'temperature', 'text', 'tokens']);

    const text = await post({ model: 'whisper-1', response_format: 'text' });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toMatch(/\n$/);

    const models = (await (await fetch(`${server.url}/models`)).json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(['whisper-1', 'whisper-base']));
  });

  test('a bad upload gets 400 in OpenAI error shape; over the cap gets 413', async () => {
    const notAudio = new TextEncoder().encode('this is not audio at all, just text pretending to be a wav file');
    const bad = await fetch(`${server.url}/audio/transcriptions`, { method: 'POST', body: form(notAudio, { model: 'whisper-1' }) });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expectOpenAiError(badBody, 'file');

    const noModel = await fetch(`${server.url}/audio/transcriptions`, { method: 'POST', body: form(speech, {}) });
    expect(noModel.status).toBe(400);
    expectOpenAiError(await noModel.json(), 'model');

    const badTemp = await fetch(`${server.url}/audio/transcriptions`, { method: 'POST', body: form(speech, { model: 'whisper-1', temperature: '3' }) });
    expect(badTemp.status).toBe(400);
    expectOpenAiError(await badTemp.json(), 'temperature');

    const huge = new Uint8Array(27 * 1024 * 1024);
    const tooBig = await fetch(`${server.url}/audio/transcriptions`, { method: 'POST', body: form(huge, { model: 'whisper-1' }) });
    expect(tooBig.status).toBe(413);
    expectOpenAiError(await tooBig.json(), null);

    // Framing it cannot trust: answered at once and the connection closed (never a thread waiting for bytes).
    const origin = new URL(server.url);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(origin.port), origin.hostname, () => socket.write(request));
        let got = '';
        socket.on('data', (c: Buffer) => (got += c.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
        setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer and no close within 20 s; got: ${JSON.stringify(got)}`));
        }, 20_000).unref();
      });
    const negative = await raw('POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n');
    expect(negative).toMatch(/^HTTP\/1\.1 400 /);
    expectOpenAiError(JSON.parse(negative.slice(negative.indexOf('\r\n\r\n') + 4)), null);
    const chunked = await raw('POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: multipart/form-data; boundary=b\r\n\r\nzz\r\n');
    expect(chunked).toMatch(/^HTTP\/1\.1 400 /);

    // The server still serves after all of these.
    expect((await fetch(server.url.replace(/\/v1$/, '/healthz'))).status).toBe(200);
  });

  describe('a second server, with a decode time limit nobody can meet', () => {
    let strict: Started;
    beforeAll(async () => {
      const env = { ...process.env, STT_SERVER_IDLE_TIMEOUT: '1' };
      strict = await startUntil(process.execPath, [bin, 'stt-server', '--port', '0', '--decode-timeout', '0.01'], /listening on (http:\/\/\S+\/v1)/, 120_000, env);
    }, 180_000);
    afterAll(async () => {
      if (strict && strict.child.exitCode === null) {
        strict.child.kill('SIGTERM');
        await strict.exited;
      }
    });

    test('a decode over the time limit is a 500 the client does not retry', async () => {
      const res = await fetch(`${strict.url}/audio/transcriptions`, { method: 'POST', body: form(speech, { model: 'whisper-1' }) });
      expect(res.status).toBe(500);
      expect(res.headers.get('x-should-retry')).toBe('false');
      const body = (await res.json()) as { error: { code: string } };
      expectOpenAiError(body, null);
      expect(body.error.code).toBe('decode_timeout');

      // The abandoned decode ends at its window's end; the limit counts queueing, so wait for it to free the model.
      const health = strict.url.replace(/\/v1$/, '/healthz');
      for (let i = 0; ((await (await fetch(health)).json()) as { busy: boolean }).busy; i++) {
        if (i > 600) throw new Error('the server stayed busy for 60 s after an abandoned decode');
        await new Promise((r) => setTimeout(r, 100));
      }
      const config = sttConfigFromEnv({ OPENAI_API_KEY: 'local', OPENAI_BASE_URL: strict.url, STT_MAX_RETRIES: '2' });
      await expect(createTranscriber(config).transcribe({ audio: speech })).rejects.toBeInstanceOf(SttUnavailable);
      // One request from the raw fetch, one from the client: its two retries were not spent on the same audio.
      await new Promise((r) => setTimeout(r, 200));
      expect(strict.stderr().match(/"status": 500/g)).toHaveLength(2);
    });

    test('a client that stops sending mid-body is disconnected (STT_SERVER_IDLE_TIMEOUT)', async () => {
      const origin = new URL(strict.url);
      const closed = await new Promise<boolean>((resolve, reject) => {
        const socket = net.connect(Number(origin.port), origin.hostname, () =>
          socket.write('POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000\r\n\r\n--b\r\n'),
        );
        socket.on('data', () => undefined);
        socket.on('close', () => resolve(true));
        socket.on('error', reject);
        setTimeout(() => {
          socket.destroy();
          resolve(false);
        }, 30_000).unref();
      });
      expect(closed).toBe(true);
      expect((await fetch(strict.url.replace(/\/v1$/, '/healthz'))).status).toBe(200);
    });

    test('a killed launcher leaves no server behind', async () => {
      const health = strict.url.replace(/\/v1$/, '/healthz');
      expect((await fetch(health)).status).toBe(200);
      strict.child.kill('SIGKILL');
      await strict.exited;
      for (let i = 0; await fetch(health).then(() => true, () => false); i++) {
        if (i > 300) throw new Error(`the server at ${health} still answers 30 s after its launcher was killed`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });

  test('refuses bad flags, a folder without a model and a port in use, saying what to do', async () => {
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [bin, 'stt-server', ...args], { cwd: root }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    const badPort = await run('--port', 'http');
    expect(badPort).toEqual({ code: 2, stderr: expect.stringContaining('--port must be a number') });
    const noModel = await run('--port', '0', '--model-dir', path.join(root, 'machines'));
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain(`no model.bin in ${path.join(root, 'machines')}`);
    const port = /:(\d+)\/v1$/.exec(server.url)![1]!;
    const taken = await run('--port', port);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
  });

  test('stops on SIGTERM and leaves no server process', async () => {
    const port = Number(/:(\d+)\/v1$/.exec(server.url)![1]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).not.toMatch(/Traceback|Fatal Python error/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
