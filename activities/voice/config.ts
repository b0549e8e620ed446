/** Settings of the voice activities (one voice worker per FreeSWITCH node, on that node's host). */
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../../lib/env';

const noSpaces = (what: string) => z.string().min(1).regex(/^\S+$/, `${what} must be a path without spaces (it is passed in a FreeSWITCH application argument)`);

export const VoiceEnvSchema = z.object({
  /** playback: the worker synthesizes WAV files with espeak-ng (cached) and FreeSWITCH plays them; speak: mod_tts_commandline. */
  VOICE_TTS: z.enum(['playback', 'speak']).default('playback'),
  VOICE_TTS_DIR: noSpaces('VOICE_TTS_DIR').default(path.join('/tmp', 'ivr', 'tts')),
  VOICE_TTS_VOICE: z.string().regex(/^[a-z]{2,3}([-+][A-Za-z0-9]+)*$/, 'VOICE_TTS_VOICE must be an espeak-ng voice such as fr or fr+f3').default('fr'),
  VOICE_TTS_RATE: z.coerce.number().int().min(80).max(400).default(165),
  ESPEAK_BIN: z.string().min(1).default('espeak-ng'),
  VOICE_RECORD_DIR: noSpaces('VOICE_RECORD_DIR').default(path.join('/tmp', 'ivr', 'recordings')),
  /** Longest answer recorded once the caller speaks (the session's safety net allows up to 30 s). */
  VOICE_RECORD_MAX_SEC: z.coerce.number().int().min(2).max(30).default(15),
  /** Energy under which a 20 ms frame is silence (FreeSWITCH's RECORD_SILENCE_THRESHOLD). */
  VOICE_SILENCE_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(200),
  /** Seconds of silence that end an answer once speech started (RECORD_FINAL_TIMEOUT_MS). */
  VOICE_SILENCE_HITS_SEC: z.coerce.number().int().min(1).max(10).default(2),
});

export interface VoiceConfig {
  tts: 'playback' | 'speak';
  ttsDir: string;
  ttsVoice: string;
  ttsRate: number;
  espeakBin: string;
  recordDir: string;
  recordMaxSec: number;
  silenceThreshold: number;
  silenceHitsSec: number;
}

export function voiceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): VoiceConfig {
  const e = parseEnv(VoiceEnvSchema, env, 'voice worker configuration');
  return {
    tts: e.VOICE_TTS,
    ttsDir: path.resolve(e.VOICE_TTS_DIR),
    ttsVoice: e.VOICE_TTS_VOICE,
    ttsRate: e.VOICE_TTS_RATE,
    espeakBin: e.ESPEAK_BIN,
    recordDir: path.resolve(e.VOICE_RECORD_DIR),
    recordMaxSec: e.VOICE_RECORD_MAX_SEC,
    silenceThreshold: e.VOICE_SILENCE_THRESHOLD,
    silenceHitsSec: e.VOICE_SILENCE_HITS_SEC,
  };
}
