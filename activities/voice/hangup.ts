/** voiceHangup: ends the call, unless this worker handed it to an agent (the conversation is theirs now). */
import type { VoiceActivities } from '../../workflows/activity-types';
import { isChannelGone, stopRecording, type VoiceContext } from './context';

export function createHangup(v: VoiceContext): VoiceActivities['voiceHangup'] {
  return async ({ callId }) => {
    if (v.tracker.isGone(callId)) return;
    if (v.handedOff.has(callId) || v.tracker.isBridged(callId)) {
      v.log.info({ uuid: callId }, 'session ended on a call bridged to an agent: left up');
      return;
    }
    try {
      await stopRecording(v, callId);
      await v.commandsFor(callId).hangup(callId, 'NORMAL_CLEARING');
    } catch (err) {
      if (!isChannelGone(err)) throw err;
    }
  };
}
