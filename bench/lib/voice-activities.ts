/**
 * The fake voice channel: the activities a FreeSWITCH node would serve on its own task queue, here answering at
 * once and reporting the moment each command arrives (that moment ends a turn's latency). They run in the load
 * generator's process, so command arrival and signal sending are timed on one clock.
 */
import { performance } from 'node:perf_hooks';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { FullActivityId } from '@temporalio/client';
import type { VoiceActivities } from '../../workflows/activity-types';

/** A turn left open for the caller's answer, as the esl-bridge holds it (lib/esl/turns.ts). */
export interface OpenTurn {
  id: FullActivityId;
  after: string;
}

/** The turns waiting for an answer, per call: the bench's stand-in for the announcements the bridge receives. */
export class BenchTurnDesk {
  private readonly open = new Map<string, OpenTurn>();

  hold(callId: string, turn: OpenTurn): void {
    this.open.set(callId, turn);
  }

  /** The call's open turn, now taken (the next input goes to it). */
  take(callId: string): OpenTurn | undefined {
    const turn = this.open.get(callId);
    this.open.delete(callId);
    return turn;
  }
}

export type ChannelCommandKind = 'say' | 'listen' | 'stop' | 'handoff' | 'hangup';

/** Called with the call id, the command and its arrival time (performance.now()). */
export type CommandListener = (callId: string, kind: ChannelCommandKind, atMs: number) => void;

export function createBenchVoiceActivities(onCommand: CommandListener, desk?: BenchTurnDesk): VoiceActivities {
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
      if (!desk || !awaitInput || !listen || !workflowExecution) return { interrupted: false };
      desk.hold(callId, { id: { workflowId: workflowExecution.workflowId, runId: workflowExecution.runId, activityId }, after: awaitInput.after });
      throw new CompleteAsyncError();
    },
  };
}
