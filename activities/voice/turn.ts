/**
 * voiceTurn: the prompts of one turn, in order, then capture armed — one activity (and one workflow task) per turn
 * instead of one per prompt plus one for the listen. A barge-in skips the prompts left; capture is still armed so
 * the answer that interrupted is the turn's input.
 */
import type { VoiceActivities } from '../../workflows/activity-types';

export function createTurn(parts: Pick<VoiceActivities, 'voiceSay' | 'voiceListen'>): VoiceActivities['voiceTurn'] {
  return async ({ callId, says, listen }) => {
    let interrupted = false;
    for (const say of says) {
      const result = await parts.voiceSay({ callId, text: say.text, bargeIn: say.bargeIn });
      if (result.interrupted) {
        interrupted = true;
        break;
      }
    }
    if (listen) await parts.voiceListen({ callId, spec: listen });
    return { interrupted };
  };
}
