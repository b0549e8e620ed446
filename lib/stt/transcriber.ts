/**
 * Speech-to-text through any OpenAI-compatible server (OpenAI, speaches, LocalAI, whisper.cpp server, Groq).
 * Audio is checked here BEFORE upload (container by magic bytes, WAV header, size, duration) so a bad recording
 * costs no request and yields a precise error. Free of Temporal imports: an activity wraps it.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, RateLimitError, toFile } from 'openai';
import { z } from 'zod';
import { parseEnv } from '../env';
import { createLogger } from '../log';
import { detectAudioFormat, parseWav, WavError, type AudioFormat } from '../audio/wav';
import { AudioRejected, SpeechDisabled, SttRateLimited, SttRejected, SttUnavailable } from './errors';

/** OpenAI's upload limit for /v1/audio/transcriptions. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const intFromEnv = (def: number) => z.coerce.number().int().positive().default(def);

export const sttEnvSchema = z.object({
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: z.url({ message: 'OPENAI_BASE_URL must be a URL such as http://localhost:8000/v1' }).optional(),
  STT_MODEL: z.string().trim().min(1).default('whisper-1'),
  STT_LANGUAGE: z.string().regex(/^[a-z]{2}$/, 'STT_LANGUAGE must be an ISO-639-1 code such as fr').default('fr'),
  STT_TIMEOUT_MS: intFromEnv(15_000),
  STT_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  STT_MAX_SECONDS: intFromEnv(60),
  STT_PROMPT_MAX_CHARS: intFromEnv(400),
});

export interface SttConfig {
  /** Without a key the transcriber is disabled (every call throws SpeechDisabled). */
  apiKey?: string;
  /** e.g. http://localhost:8000/v1; the SDK's default (OpenAI) when omitted. */
  baseURL?: string;
  model: string;
  language: string;
  timeoutMs: number;
  maxRetries: number;
  /** Longest accepted recording; longer audio is rejected before upload. */
  maxDurationSeconds: number;
  /** Bound on the prompt hint built from the expected utterances. */
  promptMaxChars: number;
}

export function sttConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SttConfig {
  const e = parseEnv(sttEnvSchema, env, 'speech-to-text configuration');
  return {
    ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
    ...(e.OPENAI_BASE_URL ? { baseURL: e.OPENAI_BASE_URL } : {}),
    model: e.STT_MODEL,
    language: e.STT_LANGUAGE,
    timeoutMs: e.STT_TIMEOUT_MS,
    maxRetries: e.STT_MAX_RETRIES,
    maxDurationSeconds: e.STT_MAX_SECONDS,
    promptMaxChars: e.STT_PROMPT_MAX_CHARS,
  };
}

export interface TranscribeRequest {
  audio: Uint8Array;
  /** The current state's expected utterances (intent keywords, examples); sent as a bounded prompt hint. */
  expected?: readonly string[];
  /** File name shown to the server; the extension follows the detected format when omitted. */
  fileName?: string;
  signal?: AbortSignal;
}

export interface Transcript {
  text: string;
  model: string;
  language: string;
  format: AudioFormat;
  /** Known for WAV input only. */
  durationMs?: number;
  bytes: number;
}

export interface Transcriber {
  readonly enabled: boolean;
  transcribe(req: TranscribeRequest): Promise<Transcript>;
}

export interface CheckedAudio {
  format: AudioFormat;
  durationMs?: number;
  sampleRate?: number;
  channels?: number;
}

/** Local checks run before any upload; throws AudioRejected with what was wrong. */
export function checkAudio(audio: Uint8Array, limits: { maxBytes?: number; maxDurationSeconds: number }): CheckedAudio {
  const maxBytes = limits.maxBytes ?? MAX_UPLOAD_BYTES;
  if (audio.byteLength === 0) throw new AudioRejected('empty', 'the recording is empty (0 bytes)');
  if (audio.byteLength > maxBytes) {
    throw new AudioRejected('too_large', `the recording is ${audio.byteLength} bytes, above the ${maxBytes}-byte upload limit`);
  }
  const format = detectAudioFormat(audio);
  if (!format) {
    throw new AudioRejected('unknown_format', 'the bytes are not WAV, OGG, WebM, MP3 or FLAC (magic bytes not recognised)');
  }
  if (format !== 'wav') return { format };
  let info;
  try {
    info = parseWav(audio);
  } catch (err) {
    if (err instanceof WavError) throw new AudioRejected(err.reason === 'truncated' ? 'truncated' : 'invalid', err.message);
    throw err;
  }
  if (info.sampleRate < 8000 || info.sampleRate > 48000) {
    throw new AudioRejected('unsupported_wav', `WAV sample rate ${info.sampleRate} Hz is outside 8000–48000 Hz`);
  }
  if (info.channels > 2) throw new AudioRejected('unsupported_wav', `WAV has ${info.channels} channels; mono or stereo expected`);
  if (![1, 3, 6, 7, 0xfffe].includes(info.audioFormat)) {
    throw new AudioRejected('unsupported_wav', `WAV encoding ${info.audioFormat} is not PCM, float, A-law or µ-law`);
  }
  if (info.dataBytes === 0) throw new AudioRejected('empty', 'the WAV holds no samples');
  if (info.durationMs > limits.maxDurationSeconds * 1000) {
    throw new AudioRejected('too_long', `the recording lasts ${(info.durationMs / 1000).toFixed(1)} s, above the ${limits.maxDurationSeconds} s limit`);
  }
  return { format, durationMs: info.durationMs, sampleRate: info.sampleRate, channels: info.channels };
}

/**
 * Joins expected utterances into a prompt hint ("oui, non, prendre rendez-vous"), without duplicates, cut at a
 * separator so it never exceeds maxChars (Whisper reads only the last ~224 tokens of a prompt anyway).
 */
export function buildPromptHint(expected: readonly string[] | undefined, maxChars: number): string | undefined {
  if (!expected?.length) return undefined;
  const seen = new Set<string>();
  let out = '';
  for (const raw of expected) {
    const item = raw.replace(/\s+/g, ' ').trim();
    const key = item.toLowerCase();
    if (!item || seen.has(key)) continue;
    const next = out ? `${out}, ${item}` : item;
    if (next.length > maxChars) break;
    seen.add(key);
    out = next;
  }
  return out || undefined;
}

const log = createLogger('stt');

export function createTranscriber(config: SttConfig): Transcriber {
  if (!config.apiKey) {
    return {
      enabled: false,
      async transcribe() {
        throw new SpeechDisabled();
      },
    };
  }
  const client = new OpenAI({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
  });
  return {
    enabled: true,
    async transcribe(req) {
      const checked = checkAudio(req.audio, { maxDurationSeconds: config.maxDurationSeconds });
      const prompt = buildPromptHint(req.expected, config.promptMaxChars);
      const fileName = req.fileName ?? `utterance.${checked.format}`;
      const started = Date.now();
      try {
        const file = await toFile(Buffer.from(req.audio), fileName, { type: mimeOf(checked.format) });
        const result = await client.audio.transcriptions.create(
          {
            file,
            model: config.model,
            language: config.language,
            response_format: 'json',
            ...(prompt ? { prompt } : {}),
          },
          req.signal ? { signal: req.signal } : undefined,
        );
        const text = typeof result === 'string' ? result : result.text;
        log.debug(
          { model: config.model, format: checked.format, bytes: req.audio.byteLength, audioMs: checked.durationMs, ms: Date.now() - started, chars: text.length },
          'transcribed',
        );
        return {
          text: text.trim(),
          model: config.model,
          language: config.language,
          format: checked.format,
          bytes: req.audio.byteLength,
          ...(checked.durationMs !== undefined ? { durationMs: checked.durationMs } : {}),
        };
      } catch (err) {
        throw mapError(err, config);
      }
    },
  };
}

function mimeOf(format: AudioFormat): string {
  switch (format) {
    case 'wav':
      return 'audio/wav';
    case 'ogg':
      return 'audio/ogg';
    case 'webm':
      return 'audio/webm';
    case 'mp3':
      return 'audio/mpeg';
    case 'flac':
      return 'audio/flac';
  }
}

function mapError(err: unknown, config: SttConfig): unknown {
  const where = config.baseURL ?? 'the OpenAI API';
  if (err instanceof APIUserAbortError) return err;
  if (err instanceof APIConnectionTimeoutError) {
    return new SttUnavailable(`Transcription timed out after ${config.timeoutMs} ms (${config.maxRetries} retries) at ${where}`);
  }
  if (err instanceof APIConnectionError) {
    // Under some runtimes (e.g. a Jest sandbox) the SDK cannot tell an abort-on-timeout from a network error.
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return new SttUnavailable(
      `Transcription server at ${where} unreachable or too slow (timeout ${config.timeoutMs} ms, ${config.maxRetries} retries): ${err.message}${cause}`,
    );
  }
  if (err instanceof RateLimitError) {
    return new SttRateLimited(`Transcription rate limited at ${where} after ${config.maxRetries} retries: ${err.message}`);
  }
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    if (status >= 500) return new SttUnavailable(`Transcription server error ${status} at ${where}: ${err.message}`);
    const code = typeof err.code === 'string' ? err.code : undefined;
    return new SttRejected(status, `Transcription refused (${status}${code ? ` ${code}` : ''}) by ${where}: ${err.message}`, code);
  }
  return err;
}
