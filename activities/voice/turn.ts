/**
 * voiceTurn: the prompts of one turn, in order, then capture armed — one activity (and one workflow task) per turn
 * instead of one per prompt plus one for the listen. A barge-in skips the prompts left; capture is still armed so
 * the answer that interrupted is the turn's input.
 *
 * A turn that awaits the caller (`awaitInput`) does not return once capture is armed: it announces itself on the
 * node's event bus and stays open; the esl-bridge completes it with the caller's answer (lib/esl/turns.ts). A turn
 * a key interrupted returns as before: that key is already on its way to the session as a signal.
 */
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { turnEventHeaders } from '../../lib/esl/turns';
import type { VoiceActivities } from '../../workflows/activity-types';
import { isChannelGone, type VoiceContext } from './context';

export function createTurn(v: VoiceContext, parts: Pick<VoiceActivities, 'voiceSay' | 'voiceListen'>): VoiceActivities['voiceTurn'] {
  return async ({ callId, says, listen, awaitInput }) => {
    let interrupted = false;
    for (const say of says) {
      const result = await parts.voiceSay({ callId, text: say.text, bargeIn: say.bargeIn });
      if (result.interrupted) {
        interrupted = true;
        break;
      }
    }
    if (listen) await parts.voiceListen({ callId, spec: listen });
    if (!awaitInput || !listen || interrupted || v.tracker.isGone(callId)) return { interrupted };
    const { workflowExecution, activityId } = Context.current().info;
    if (!workflowExecution) return { interrupted };
    try {
      await v.commandsFor(callId).sendEvent(
        'CUSTOM',
        turnEventHeaders({ callId, workflowId: workflowExecution.workflowId, runId: workflowExecution.runId, activityId, after: awaitInput.after }),
      );
    } catch (err) {
      if (isChannelGone(err)) return { interrupted: true };
      // Nobody will complete the turn: end it now, and the answer reaches the session as a signal, as before.
      v.log.warn({ uuid: callId, err: (err as Error).message }, 'turn not announced: the answer goes as a signal');
      return { interrupted };
    }
    throw new CompleteAsyncError();
  };
}
