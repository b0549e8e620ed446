import crypto from 'node:crypto';
import { silentWav, withInfoComment } from '../../lib/audio/wav';
import { AudioRejected, SpeechDisabled, SttRateLimited, SttRejected, SttUnavailable } from '../../lib/stt/errors';
import { buildPromptHint, createTranscriber, sttConfigFromEnv, type SttConfig } from '../../lib/stt/transcriber';
import { startOpenAiSimulator, type OpenAiSimulator } from '../../sim/openai';
import { synthesizeFrench } from './espeak';

const KEY = 'sk-test-transcriber-0001';
let sim: OpenAiSimulator;

beforeAll(async () => {
  sim = await startOpenAiSimulator({ apiKey: KEY });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

function config(over: Partial<SttConfig> = {}): SttConfig {
  return { apiKey: KEY, baseURL: sim.url, model: 'whisper-1', language: 'fr', timeoutMs: 5000, maxRetries: 2, maxDurationSeconds: 20, promptMaxChars: 120, ...over };
}

describe('transcriber against the OpenAI-compatible simulator', () => {
  test('a synthesised French WAV is uploaded as multipart with model, language, prompt and the exact file', async () => {
    const audio = synthesizeFrench('Je voudrais prendre un rendez-vous demain matin.');
    sim.registerTranscript(audio, 'Je voudrais prendre un rendez-vous demain matin.');
    const t = createTranscriber(config());
    const out = await t.transcribe({ audio, expected: ['prendre rendez-vous', 'annuler', 'modifier', 'annuler'] });

    expect(out).toMatchObject({ text: 'Je voudrais prendre un rendez-vous demain matin.', format: 'wav', model: 'whisper-1', language: 'fr' });
    expect(out.durationMs).toBeGreaterThan(1000);
    expect(sim.transcriptions).toHaveLength(1);
    const rec = sim.transcriptions[0]!;
    expect(rec).toMatchObject({
      status: 200,
      model: 'whisper-1',
      language: 'fr',
      prompt: 'prendre rendez-vous, annuler, modifier',
      responseFormat: 'json',
      fileName: 'utterance.wav',
      fileType: 'audio/wav',
      fileSize: audio.length,
    });
    expect(rec.fileSha256).toBe(crypto.createHash('sha256').update(audio).digest('hex'));
  });

  test('a WAV carrying its own transcript in an INFO comment needs no registration', async () => {
    const audio = withInfoComment(synthesizeFrench('Oui'), 'oui');
    const out = await createTranscriber(config({ model: 'gpt-4o-mini-transcribe' })).transcribe({ audio });
    expect(out.text).toBe('oui');
    expect(sim.transcriptions[0]).toMatchObject({ model: 'gpt-4o-mini-transcribe', text: 'oui' });
    expect(sim.transcriptions[0]!.prompt).toBeUndefined();
  });

  test('unknown audio yields an empty transcript, not an error', async () => {
    const out = await createTranscriber(config()).transcribe({ audio: silentWav(800) });
    expect(out.text).toBe('');
  });

  test('bad audio is rejected BEFORE upload: text bytes, truncated WAV, too long, empty, unsupported rate', async () => {
    const t = createTranscriber(config({ maxDurationSeconds: 2 }));
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('ceci est du texte, pas du son'), 'unknown_format'],
      [synthesizeFrench('bonjour').subarray(0, 2000), 'truncated'],
      [silentWav(2500), 'too_long'],
      [Buffer.alloc(0), 'empty'],
      [silentWav(100, { sampleRate: 4000, channels: 1, bitsPerSample: 16 }), 'unsupported_wav'],
    ];
    for (const [audio, problem] of cases) {
      const err = await t.transcribe({ audio }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AudioRejected);
      expect((err as AudioRejected).problem).toBe(problem);
    }
    expect(sim.requests).toHaveLength(0);
  });

  test('a 429 then success: the SDK retries after retry-after and one transcript comes back', async () => {
    const audio = withInfoComment(silentWav(400), 'annuler');
    sim.failNext({ status: 429, retryAfterSeconds: 0.05, endpoint: 'transcriptions' });
    const out = await createTranscriber(config()).transcribe({ audio });
    expect(out.text).toBe('annuler');
    expect(sim.transcriptions.map((r) => r.status)).toEqual([429, 200]);
  });

  test('429 beyond the retries becomes SttRateLimited (retryable)', async () => {
    sim.failNext({ status: 429, times: 3, retryAfterSeconds: 0.01 });
    const err = await createTranscriber(config({ maxRetries: 1 })).transcribe({ audio: silentWav(300) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SttRateLimited);
    expect((err as SttRateLimited).retryable).toBe(true);
    expect(sim.transcriptions).toHaveLength(2);
  });

  test('a wrong API key is SttRejected 401 with the server code, not retried', async () => {
    const err = await createTranscriber(config({ apiKey: 'sk-wrong-key-123456' })).transcribe({ audio: silentWav(300) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SttRejected);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', retryable: false });
    expect(sim.requests).toHaveLength(1);
  });

  test('a slow server becomes SttUnavailable after the timeout and the retries', async () => {
    sim.delayNext(400, 2);
    const started = Date.now();
    const err = await createTranscriber(config({ timeoutMs: 150, maxRetries: 1 })).transcribe({ audio: silentWav(300) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SttUnavailable);
    expect((err as Error).message).toMatch(/timed out after 150 ms|timeout 150 ms, 1 retries/);
    expect(Date.now() - started).toBeLessThan(3000);
    // Both attempts reached the server (the SDK retried), and neither produced an answer in time.
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.transcriptions).toHaveLength(2);
  });

  test('without an API key the transcriber is disabled and says how to enable it', async () => {
    const t = createTranscriber(config({ apiKey: undefined }));
    expect(t.enabled).toBe(false);
    await expect(t.transcribe({ audio: silentWav(300) })).rejects.toThrow(SpeechDisabled);
    await expect(t.transcribe({ audio: silentWav(300) })).rejects.toThrow(/OPENAI_API_KEY/);
  });
});

describe('configuration and prompt hint', () => {
  test('defaults and validation from the environment', () => {
    const c = sttConfigFromEnv({});
    expect(c).toMatchObject({ model: 'whisper-1', language: 'fr', maxRetries: 2 });
    expect(c.apiKey).toBeUndefined();
    expect(() => sttConfigFromEnv({ STT_LANGUAGE: 'french' })).toThrow(/STT_LANGUAGE/);
    expect(() => sttConfigFromEnv({ OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
    expect(sttConfigFromEnv({ OPENAI_API_KEY: 'k', STT_MODEL: 'gpt-4o-transcribe', STT_MAX_SECONDS: '15' })).toMatchObject({ apiKey: 'k', model: 'gpt-4o-transcribe', maxDurationSeconds: 15 });
  });

  test('the prompt hint is deduplicated and bounded at a separator', () => {
    expect(buildPromptHint(undefined, 50)).toBeUndefined();
    expect(buildPromptHint(['Oui', ' oui ', 'non'], 50)).toBe('Oui, non');
    const long = buildPromptHint(['prendre rendez-vous', 'annuler mon rendez-vous', 'modifier un rendez-vous'], 45);
    expect(long).toBe('prendre rendez-vous, annuler mon rendez-vous');
    expect(long!.length).toBeLessThanOrEqual(45);
  });
});
