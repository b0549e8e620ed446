/**
 * voiceListen: arms capture of the next answer with a FreeSWITCH media bug (`uuid_record … start`) while the channel
 * stays parked. Why nothing the caller does is lost (freeswitch/README.md, "Listening"):
 * - keys: the park loop (and a prompt that plays) reads every key and fires its DTMF event whenever it comes. The
 *   `record` application is never used: when it ends it flushes keys still queued, without an event;
 * - speech: FreeSWITCH ends the recording with `no-input-timeout` only when no speech started within the listen's
 *   timeout (RECORD_INITIAL_TIMEOUT_MS); once speech started it waits for RECORD_FINAL_TIMEOUT_MS of silence, up to
 *   the utterance limit, however late in the timeout it began. The bridge turns the RECORD_STOP into the session's
 *   `noinput` or `audio`; the session's own timer is only a safety net (workflows/shell/waiting.ts).
 * Each listen gets a fresh recording, so its no-input timeout starts when the caller is asked (after a key in a
 * collect state too: the time left for the next key).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { VoiceActivities } from '../../workflows/activity-types';
import { VOICE_MAX_UTTERANCE_SEC } from '../../workflows/shell/waiting';
import { apiOk, isChannelGone, stopRecording, type VoiceContext } from './context';

/** The `uuid_record` command of one listen: limit = the timeout plus the longest answer after it. */
export function recordCommand(callId: string, file: string, timeoutSec: number, config: VoiceContext['config']): string {
  const limitSec = Math.ceil(timeoutSec) + Math.min(config.recordMaxSec, VOICE_MAX_UTTERANCE_SEC);
  // Recording variables (mod_commands' 5th argument, `{a=1,b=2}`): silence detection on 20 ms frames by energy, on
  // the caller's audio only (a media bug hears both directions by default: a prompt would count as speech).
  const vars = [
    'RECORD_READ_ONLY=true',
    `RECORD_INITIAL_TIMEOUT_MS=${Math.round(timeoutSec * 1000)}`,
    `RECORD_FINAL_TIMEOUT_MS=${config.silenceHitsSec * 1000}`,
    `RECORD_SILENCE_THRESHOLD=${config.silenceThreshold}`,
  ].join(',');
  return `uuid_record ${callId} start ${file} ${limitSec} {${vars}}`;
}

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (unit use)
  }
}

export function createListen(v: VoiceContext): VoiceActivities['voiceListen'] {
  return async ({ callId, spec }) => {
    if (v.tracker.isGone(callId)) return;
    // A retry of this same listen (the worker restarted during it): the recording it armed serves.
    if (attempt() > 1 && (v.listening.has(callId) || v.tracker.activeRecord(callId))) return;
    // The previous listen's recording (a collect state asking for the next key) is dropped, not forwarded.
    await stopRecording(v, callId);
    const dir = path.join(v.config.recordDir, callId);
    const file = path.join(dir, `${Date.now()}-${crypto.randomBytes(3).toString('hex')}.wav`);
    try {
      // FreeSWITCH's media bug creates missing folders itself, but the worker owns this folder (it reads and
      // deletes the files): a folder it cannot create is a configuration error to report here, by name.
      await fs.mkdir(dir, { recursive: true });
    } catch (err) {
      const cause = `cannot create the recording folder ${dir}: ${(err as Error).message} (check VOICE_RECORD_DIR and its permissions)`;
      v.log.error({ uuid: callId, cause }, 'listening failed');
      throw ApplicationFailure.nonRetryable(cause, 'RecordingFolder');
    }
    try {
      await apiOk(v, callId, recordCommand(callId, file, spec.timeoutSec, v.config));
    } catch (err) {
      if (isChannelGone(err)) return;
      const cause = `FreeSWITCH refused to record the caller: ${(err as Error).message}`;
      v.log.error({ uuid: callId, cause }, 'listening failed');
      throw ApplicationFailure.nonRetryable(cause, 'RecordingRefused');
    }
    v.listening.set(callId, file);
  };
}
