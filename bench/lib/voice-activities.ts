/**
 * The fake voice channel: the activities a FreeSWITCH node would serve on its own task queue, here answering at
 * once and reporting the moment each command arrives (that moment ends a turn's latency). They run in the load
 * generator's process, so command arrival and signal sending are timed on one clock.
 */
import { performance } from 'node:perf_hooks';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { TurnAnnouncement } from '../../lib/esl/turns';
import type { VoiceActivities } from '../../workflows/activity-types';

/** Told of each turn left open for the caller's answer: the bench's stand-in for the bridge's announcements. */
export type TurnListener = (turn: TurnAnnouncement) => void;

export type ChannelCommandKind = 'say' | 'listen' | 'stop' | 'handoff' | 'hangup';

/** Called with the call id, the command and its arrival time (performance.now()). */
export type CommandListener = (callId: string, kind: ChannelCommandKind, atMs: number) => void;

export function createBenchVoiceActivities(onCommand: CommandListener, onTurn?: TurnListener): VoiceActivities {
  const arrived = (callId: string, kind: ChannelCommandKind) => onCommand(callId, kind, performance.now());
  return {
    async voiceSay({ callId }) {
      arrived(callId, 'say');
      return { interrupted: false };
    },
    async voiceListen({ callId }) {
      arrived(callId, 'listen');
    },
    async voiceStop({ callId }) {
      arrived(callId, 'stop');
    },
    async voiceHandoff({ callId }) {
      arrived(callId, 'handoff');
      return { ok: false };
    },
    async voiceHangup({ callId }) {
      arrived(callId, 'hangup');
    },
    // One command per turn (what the session workflow sends): timed as its first command, say or listen.
    // A turn that awaits the caller stays open: the caller's next input completes it (as the bridge does).
    async voiceTurn({ callId, says, listen, awaitInput }) {
      const at = performance.now();
      if (says.length > 0) onCommand(callId, 'say', at);
      if (listen !== undefined) onCommand(callId, 'listen', at);
      const { workflowExecution, activityId } = Context.current().info;
      if (!onTurn || !awaitInput || !listen || !workflowExecution) return { interrupted: false };
      onTurn({ callId, workflowId: workflowExecution.workflowId, runId: workflowExecution.runId, activityId, after: awaitInput.after });
      throw new CompleteAsyncError();
    },
  };
}
