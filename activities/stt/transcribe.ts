/**
 * transcribe: reads the recording at `ref` (on this node's disk) and returns what was said, with the state's
 * expected utterances as a hint. Runs on the voice worker of the node that recorded it.
 * - A recording that holds only silence returns "" without an upload (the session counts a no-input).
 * - Speech-to-text disabled (no key) or audio refused before upload: "" as well, logged, so the machine re-prompts
 *   and the caller can use the keypad. Server trouble is thrown (retryable) and the session treats the final failure
 *   as not understood.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parseWav, WavError } from '../../lib/audio/wav';
import { createLogger } from '../../lib/log';
import { AudioRejected, SpeechDisabled, SttError, type SttError as SttErrorType } from '../../lib/stt/errors';
import type { Transcriber } from '../../lib/stt/transcriber';
import type { SpeechActivities } from '../../workflows/activity-types';

export interface TranscribeActivityOptions {
  transcriber: Transcriber;
  /** Recordings are only read under these folders (the ref comes from an event, not from the caller, but still). */
  allowedDirs: string[];
  /** Peak amplitude (16-bit PCM) below which a WAV counts as silence. Default 300. */
  silencePeak?: number;
}

const log = createLogger('stt-activity');

/** Peak absolute sample of a 16-bit PCM WAV; undefined when it is not one (then it is sent as it is). */
export function wavPeak(buf: Buffer): number | undefined {
  let info;
  try {
    info = parseWav(buf);
  } catch (err) {
    if (err instanceof WavError) return undefined;
    throw err;
  }
  if (info.audioFormat !== 1 || info.bitsPerSample !== 16) return undefined;
  let peak = 0;
  const end = Math.min(buf.length, info.dataOffset + info.dataBytes);
  for (let i = info.dataOffset; i + 1 < end; i += 2) {
    const s = Math.abs(buf.readInt16LE(i));
    if (s > peak) peak = s;
  }
  return peak;
}

export function createTranscribeActivity(opts: TranscribeActivityOptions): SpeechActivities['transcribe'] {
  const dirs = opts.allowedDirs.map((d) => path.resolve(d) + path.sep);
  const silencePeak = opts.silencePeak ?? 300;
  let warnedDisabled = false;
  return async ({ ref, hints }) => {
    const file = path.resolve(ref);
    if (!dirs.some((d) => file.startsWith(d))) {
      throw ApplicationFailure.nonRetryable(`recording ${ref} is outside the recording folders (${opts.allowedDirs.join(', ')}); check VOICE_RECORD_DIR`, 'RecordingOutsideDir');
    }
    let audio: Buffer;
    try {
      audio = await fs.promises.readFile(file);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`cannot read recording ${ref}: ${(err as Error).message}`, 'RecordingUnreadable');
    }
    const peak = wavPeak(audio);
    if (peak !== undefined && peak < silencePeak) {
      log.debug({ ref, peak }, 'recording is silence: not sent to speech-to-text');
      return { text: '' };
    }
    try {
      const t = await opts.transcriber.transcribe({ audio, expected: hints, fileName: path.basename(file) });
      log.info({ ref, model: t.model, audioMs: t.durationMs, chars: t.text.length }, 'recording transcribed');
      return { text: t.text };
    } catch (err) {
      if (err instanceof SpeechDisabled) {
        if (!warnedDisabled) {
          warnedDisabled = true;
          log.warn('speech-to-text is disabled (OPENAI_API_KEY unset): spoken answers count as silence, callers must use the keypad');
        }
        return { text: '' };
      }
      if (err instanceof AudioRejected) {
        log.warn({ ref, problem: err.problem }, 'recording refused before upload; counted as silence');
        return { text: '' };
      }
      if (err instanceof SttError) {
        const e: SttErrorType = err;
        if (e.retryable) throw ApplicationFailure.retryable(e.message, e.name);
        throw ApplicationFailure.nonRetryable(e.message, e.name);
      }
      throw err;
    }
  };
}
