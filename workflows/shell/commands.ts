/**
 * The command runner: runs the engine's commands as activities and hands back the input they produced.
 * - backend actions run through `callBackend` with an idempotency key per step (`<workflow id>:<step id>`);
 * - on the voice channel, prompts and listening go to the FreeSWITCH node that carries the call, a turn's prompts
 *   and capture as one `voiceTurn` command, and a filler prompt covers a slow action; a turn that ends the step by
 *   listening stays open until the caller answers, and its result is the answer (awaitAnswer, lib/esl/turns.ts);
 * - a hang-up queued in the inbox wins: no new command starts for a caller who left, and a command already running
 *   (e.g. a mutating action) finishes once.
 * Each kind of activity is timed and retried by its options in activity-options.ts.
 */
import { ActivityFailure, condition, isCancellation, patched, proxyActivities, sleep, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { BackendActivities, SpeechActivities, VoiceActivities, VoiceTurnResult } from '../activity-types';
import type { Command, EngineInput } from '../engine/types';
import type { CallerInput } from '../session-api';
import { AWAITING_VOICE_TURN_OPTIONS, BACKEND_ACTIVITY_OPTIONS, IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS, isIdempotentBackendCall, SPEECH_ACTIVITY_OPTIONS, VOICE_ACTIVITY_OPTIONS } from './activity-options';
import type { Inbox } from './inbox';
import { actionResult, directInput, isMoot, unavailableResult, voiceTurnAt } from './plan';
import type { ViewState } from './view';

/** Prompt played when a backend action takes longer than FILLER_AFTER on the voice channel. */
const FILLER_AFTER = '1500 milliseconds';
const FILLER_PROMPT = 'Un instant, s’il vous plaît.';
/** While a backend action is still running (an API restart, a slow peer), the caller hears this every FILLER_EVERY. */
const FILLER_EVERY = '8 seconds';
const FILLER_AGAIN_PROMPT = 'Merci de patienter, je vérifie.';
/** Sessions started before voiceTurn existed keep sending say and listen one by one when replayed. */
const VOICE_TURN_PATCH = 'voice-turn-command';
/** Sessions started before idempotent steps got the long retry budget and the repeated filler replay as they ran. */
const RETRY_BUDGET_PATCH = 'backend-retry-budget';

const backendOnce = proxyActivities<BackendActivities>(BACKEND_ACTIVITY_OPTIONS);
const backendIdempotent = proxyActivities<BackendActivities>(IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS);

export interface CommandRunnerOptions {
  workflowId: string;
  callId: string;
  /** Voice only: the task queue of the FreeSWITCH node carrying the call. Without it, nothing is played. */
  voiceTaskQueue?: string;
  inbox: Inbox;
  view: ViewState;
  /**
   * Voice: a turn that ends by listening stays open until the caller answers, and its result is the answer
   * (lib/esl/turns.ts): one workflow task per turn instead of two. Sessions started before replay without it.
   */
  turnsAwaitInput?: boolean;
}

export class CommandRunner {
  private readonly voice: VoiceActivities | undefined;
  /** The same activities, as a turn that waits for the caller schedules them (never retried). */
  private readonly awaiting: VoiceActivities | undefined;
  private readonly speech: SpeechActivities;

  constructor(private readonly o: CommandRunnerOptions) {
    this.voice = o.voiceTaskQueue
      ? proxyActivities<VoiceActivities>({ ...VOICE_ACTIVITY_OPTIONS, taskQueue: o.voiceTaskQueue })
      : undefined;
    this.awaiting =
      o.voiceTaskQueue && o.turnsAwaitInput
        ? proxyActivities<VoiceActivities>({ ...AWAITING_VOICE_TURN_OPTIONS, taskQueue: o.voiceTaskQueue })
        : undefined;
    // Speech is transcribed where the recording is: on the call's FreeSWITCH node queue for voice.
    this.speech = proxyActivities<SpeechActivities>(
      o.voiceTaskQueue ? { ...SPEECH_ACTIVITY_OPTIONS, taskQueue: o.voiceTaskQueue } : SPEECH_ACTIVITY_OPTIONS,
    );
  }

  /**
   * Runs one step's commands in order (`state` is the state they belong to) until one produces an input for the
   * engine (an action's result, a handoff's outcome, a hang-up that arrived meanwhile); undefined when all ran.
   */
  async run(commands: readonly Command[], state: string): Promise<EngineInput | undefined> {
    const { inbox, view, callId } = this.o;
    for (let k = 0; k < commands.length; k++) {
      const command = commands[k] as Command;
      if (command.kind !== 'end' && inbox.takeHangup()) return { kind: 'hangup' };
      if (isMoot(command, inbox.pending)) continue;
      // Voice: a turn's prompts and the listen after them go to the channel as one command (one activity and one
      // workflow task per turn instead of one per prompt: about 30% less CPU per turn, measured in bench:turns).
      if (this.voice && command.kind === 'say' && patched(VOICE_TURN_PATCH)) {
        const turn = voiceTurnAt(commands, k, inbox.pending);
        for (const say of turn.says) view.said(state, say.text);
        if (turn.listen) view.listened(turn.listen);
        const args = { callId, says: turn.says, ...(turn.listen ? { listen: turn.listen } : {}) };
        if (turn.listen && turn.next === commands.length && this.awaitsAnswer()) await this.awaitAnswer(this.awaiting!, args);
        else await this.voice.voiceTurn(args);
        k = turn.next - 1;
        continue;
      }
      // A listen with no prompt before it waits for the caller the same way.
      if (command.kind === 'listen' && k === commands.length - 1 && this.awaitsAnswer()) {
        view.listened(command.spec);
        await this.awaitAnswer(this.awaiting!, { callId, says: [], listen: command.spec });
        continue;
      }
      const produced = await this.runOne(command, state);
      if (produced) return produced;
    }
    return undefined;
  }

  /**
   * Whether this turn waits for the caller: not when an input is already queued (it answers the turn), nor when the
   * run should continue as new (the session does so between turns, once nothing is queued: a turn's answer always is).
   */
  private awaitsAnswer(): boolean {
    return this.awaiting !== undefined && !this.o.inbox.pending && !workflowInfo().continueAsNewSuggested;
  }

  /**
   * Runs a turn that waits for the caller, and queues its answer ahead of any signal (they all came after it). Returns
   * as soon as an input is queued: a signal first means the turn was void (a key interrupted its prompt) or the bridge
   * never saw it; should it still bring an answer, that is queued when it comes. A turn that timed out (nobody left
   * to complete it) counts as a no-input.
   */
  private async awaitAnswer(awaiting: VoiceActivities, args: Parameters<VoiceActivities['voiceTurn']>[0]): Promise<void> {
    const { inbox, view } = this.o;
    let settled: { result: VoiceTurnResult } | { error: unknown } | undefined;
    const pending = awaiting.voiceTurn({ ...args, awaitInput: { after: inbox.lastEventId } });
    pending.then(
      (result) => (settled = { result }),
      (error: unknown) => (settled = { error }),
    );
    // Waiting for the caller from the workflow's side: the prompts may still be playing (the channel knows when).
    view.listening = true;
    await condition(() => settled !== undefined || inbox.pending);
    view.listening = false;
    if (!settled) {
      pending.then(
        (result) => result.input && inbox.accept(result.input),
        () => undefined,
      );
      return;
    }
    if ('error' in settled) {
      const { error } = settled;
      if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) {
        inbox.acceptFirst({ kind: 'noinput', eventId: `turn-timeout:${inbox.accepted}` });
        return;
      }
      throw error;
    }
    if (settled.result.input) inbox.acceptFirst(settled.result.input);
  }

  /** The engine's input for a caller's input; audio is transcribed first (unavailable: heard as nothing understood). */
  async input(event: CallerInput, hints: string[]): Promise<EngineInput> {
    if (event.kind !== 'audio') return directInput(event);
    try {
      const { text } = await this.speech.transcribe({ ref: event.ref, hints });
      return { kind: 'speech', text };
    } catch (err) {
      // Speech-to-text unavailable: counts as not understood, so the machine re-prompts (DTMF still works).
      if (err instanceof ActivityFailure) return { kind: 'speech', text: '' };
      throw err;
    }
  }

  private async runOne(command: Command, state: string): Promise<EngineInput | undefined> {
    const { voice } = this;
    const { callId, view } = this.o;
    switch (command.kind) {
      case 'say':
        view.said(state, command.text);
        if (voice) await voice.voiceSay({ callId, text: command.text, bargeIn: command.bargeIn });
        return undefined;
      case 'listen':
        view.listened(command.spec);
        if (voice) await voice.voiceListen({ callId, spec: command.spec });
        return undefined;
      case 'action':
        return this.action(command);
      case 'handoff': {
        if (!voice) return { kind: 'handoff_result', ok: false };
        const answer = await voice.voiceHandoff({ callId, queueId: command.queueId, vars: command.vars });
        return { kind: 'handoff_result', ok: answer.ok };
      }
      case 'end':
        // The caller hung up, or talks to an agent now: either way the call is not ours to end. Sessions started
        // before voice turns also hung up after a handoff, and must do so again when replayed.
        if (voice && command.outcome !== 'hangup' && (command.outcome !== 'handoff' || !patched(VOICE_TURN_PATCH))) {
          await voice.voiceHangup({ callId });
        }
        return undefined;
    }
  }

  private async action(command: Extract<Command, { kind: 'action' }>): Promise<EngineInput> {
    const { voice } = this;
    const { callId, workflowId } = this.o;
    const call = { request: command.request, idempotencyKey: `${workflowId}:${command.stepId}`, mutating: command.mutating };
    const summary = `${command.request.method} ${command.request.path}${command.endpoint ? ` (${command.endpoint})` : ''}`;
    let done = false;
    const longBudget = patched(RETRY_BUDGET_PATCH);
    const backend = longBudget && isIdempotentBackendCall(command.request) ? backendIdempotent : backendOnce;
    const pending = backend.callBackend.executeWithOptions({ summary }, [call]).finally(() => {
      done = true;
    });
    // A caller never waits in silence: a slow action gets a short filler prompt (not a prompt of the machine's),
    // and another one every FILLER_EVERY while it lasts (retries through an API restart).
    if (voice && !(await condition(() => done, FILLER_AFTER))) {
      await voice.voiceSay({ callId, text: FILLER_PROMPT, bargeIn: false });
      while (longBudget && !(await condition(() => done, FILLER_EVERY))) {
        await voice.voiceSay({ callId, text: FILLER_AGAIN_PROMPT, bargeIn: false });
      }
    }
    try {
      return actionResult(command.stepId, await pending);
    } catch (err) {
      if (err instanceof ActivityFailure) return unavailableResult(command.stepId, err);
      throw err;
    }
  }
}

/**
 * The voice session's safety net for a channel that never reports the end of a wait (a FreeSWITCH node gone
 * silent): the wait ends as a no-input once its limit passed. The channel reports no-inputs itself, so this net
 * almost never fires; a durable timer started and cancelled on every wait cost two history events and server work
 * per turn for nothing. Here one timer runs at a time and is re-armed only when it fires: at one turn every few
 * seconds it fires about once per limit (tens of seconds) instead of two events per turn, and a wait still ends at
 * its own deadline (the timer, when it fires early for a later deadline, sleeps again until that one).
 */
export class SafetyNet {
  /** Workflow time (ms) at which the current wait runs out; +Infinity when no wait is armed. */
  private deadline = Number.POSITIVE_INFINITY;
  private running = false;
  /** True once the armed wait ran out (until the next arm). */
  expired = false;

  /** Arms a wait of limitMs from now (workflow time); starts the timer only when none runs. */
  arm(limitMs: number): void {
    this.deadline = Date.now() + limitMs;
    this.expired = false;
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** The wait ended (an input came): a running timer stops at its next firing. */
  disarm(): void {
    this.deadline = Number.POSITIVE_INFINITY;
  }

  private async loop(): Promise<void> {
    try {
      while (Number.isFinite(this.deadline)) {
        const left = this.deadline - Date.now();
        if (left <= 0) {
          this.expired = true;
          this.deadline = Number.POSITIVE_INFINITY;
          break;
        }
        await sleep(left);
      }
    } catch (err) {
      // The run was cancelled: the session's own code handles that; the net just stops.
      if (!isCancellation(err)) throw err;
    } finally {
      this.running = false;
    }
  }
}
