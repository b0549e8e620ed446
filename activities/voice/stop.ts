/** voiceStop: stops what plays or records on the call (the recording is marked discarded for the bridge). */
import type { VoiceActivities } from '../../workflows/activity-types';
import { apiOk, isChannelGone, stopRecording, type VoiceContext } from './context';

export function createStop(v: VoiceContext): VoiceActivities['voiceStop'] {
  return async ({ callId }) => {
    if (v.tracker.isGone(callId)) return;
    await stopRecording(v, callId);
    try {
      // `all` also drops applications queued behind the current one; nothing of the IVR's must play after this.
      await apiOk(v, callId, `uuid_break ${callId} all`);
    } catch (err) {
      if (!isChannelGone(err)) throw err;
    }
  };
}
