/**
 * voiceListen: arms capture of the next answer. Speech: `record` with silence detection and a maximum length; the
 * bridge turns its RECORD_STOP into an `audio` input. Keys need nothing: DTMF events reach the session anyway.
 * Resolves once the recording runs (RECORD_START), so the session listens only when the caller can be heard.
 *
 * FreeSWITCH's silence detection also counts the silence BEFORE speech, so a caller who takes a moment to answer
 * would end the recording after `silence_hits` seconds. Such a recording (stopped on silence, no longer than the
 * silence itself) is not an answer: the bridge drops it and this worker arms a new one while the session still
 * listens; the session's own no-input timer decides when silence is a no-input.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { VoiceActivities } from '../../workflows/activity-types';
import { isChannelGone, isSilentRecording, type VoiceContext } from './context';

async function arm(v: VoiceContext, callId: string): Promise<boolean> {
  const { recordDir, recordMaxSec, silenceThreshold, silenceHitsSec } = v.config;
  const file = path.join(recordDir, callId, `${Date.now()}-${crypto.randomBytes(3).toString('hex')}.wav`);
  v.listening.set(callId, file);
  const started = v.tracker.waitFor((ev) => ev.uniqueId === callId && ev.name === 'RECORD_START' && ev.headers['Record-File-Path'] === file, 3_000);
  let failed: unknown;
  // Completion comes when the caller stops talking (or hangs up); the bridge reports it, not this activity.
  v.commandsFor(callId)
    .execute(callId, 'record', `${file} ${recordMaxSec} ${silenceThreshold} ${silenceHitsSec}`, { timeoutMs: (recordMaxSec + 60) * 1000 })
    .catch((err: unknown) => {
      failed = err;
      if (v.listening.get(callId) === file) v.listening.delete(callId);
      if (!isChannelGone(err)) v.log.warn({ uuid: callId, err: (err as Error).message }, 'record did not complete');
    });
  const ok = await started;
  if (!ok && failed && !isChannelGone(failed)) throw failed;
  if (!ok && !v.tracker.isGone(callId)) v.log.warn({ uuid: callId }, 'no RECORD_START within 3 s; listening for keys only');
  return ok;
}

/** Re-arms after a recording of pure silence, while the call still listens. */
export function watchSilentRecordings(v: VoiceContext): void {
  v.esl.on('event', (ev) => {
    if (ev.name !== 'RECORD_STOP' || !ev.uniqueId) return;
    const uuid = ev.uniqueId;
    if (v.listening.get(uuid) !== ev.headers['Record-File-Path']) return;
    v.listening.delete(uuid);
    if (v.tracker.isGone(uuid) || !isSilentRecording(ev.headers, v.config.silenceHitsSec)) return;
    arm(v, uuid).catch((err: Error) => v.log.warn({ uuid, err: err.message }, 'could not re-arm the recording'));
  });
}

export function createListen(v: VoiceContext): VoiceActivities['voiceListen'] {
  return async ({ callId }) => {
    if (v.tracker.isGone(callId)) return;
    // A retry, or a collect state listening again after a key: the recording already running serves.
    if (v.tracker.activeRecord(callId) || v.listening.has(callId)) return;
    await arm(v, callId);
  };
}
