/**
 * Signatures of the activities the session workflow schedules. Types only: the implementations live in
 * activities/ and run in workers; workflow code imports nothing from there.
 */
import type { JsonValue } from '../lib/machine/model';
import type { ActionRequest, ListenSpec } from './engine/types';
import type { CallerInput } from './session-api';

export interface BackendCall {
  request: ActionRequest;
  /** Same key on every retry and replay of this step: `<workflow id>:<step id>`. */
  idempotencyKey: string;
  mutating: boolean;
}

/**
 * A 2xx or 4xx answer. Network errors and 5xx are thrown, so Temporal retries them, except a 5xx the API marks
 * unsafe to repeat (`Retry-Safe: false`), thrown non-retryable: the step takes its `on_fail`.
 */
export interface BackendResult {
  ok: boolean;
  status: number;
  body: JsonValue;
}

export interface BackendActivities {
  callBackend(call: BackendCall): Promise<BackendResult>;
}

export interface ChannelTarget {
  callId: string;
}

/** A turn that waits for the caller: `after` is the event id of the last input the session received (or 'none'). */
export interface AwaitInput {
  after: string;
}

/**
 * How a voice turn ended. `input` is the caller's answer when the turn waited for it; a turn the bridge found void
 * (an input was already on its way as a signal) or an interrupted one has none.
 */
export interface VoiceTurnResult {
  interrupted: boolean;
  input?: CallerInput;
}

/** The telephony capabilities of seed 001, as the voice channel provides them. */
export interface VoiceActivities {
  /** Speaks the text; resolves when it finished playing or was interrupted (barge-in). */
  voiceSay(target: ChannelTarget & { text: string; bargeIn: boolean }): Promise<{ interrupted: boolean }>;
  /**
   * The prompts of one turn in order, then capture armed when `listen` is given: one command per turn. Resolves once
   * capture is armed (or the last prompt ended, without listen); a barge-in skips the prompts left. With
   * `awaitInput` (and a listen) the turn stays open once capture is armed, and the esl-bridge completes it with the
   * caller's answer (lib/esl/turns.ts): no workflow task between the prompt and the answer.
   */
  voiceTurn(target: ChannelTarget & { says: { text: string; bargeIn: boolean }[]; listen?: ListenSpec; awaitInput?: AwaitInput }): Promise<VoiceTurnResult>;
  /** Arms capture for the next answer (speech recording with silence detection, DTMF collection). */
  voiceListen(target: ChannelTarget & { spec: ListenSpec }): Promise<void>;
  /** Stops whatever is playing or recording (barge-in, end of turn). */
  voiceStop(target: ChannelTarget): Promise<void>;
  /** Transfers to the human queue; ok false when no agent answered. */
  voiceHandoff(target: ChannelTarget & { queueId: string; vars: Record<string, string> }): Promise<{ ok: boolean }>;
  voiceHangup(target: ChannelTarget): Promise<void>;
}

export interface SpeechActivities {
  /** Transcribes recorded audio; hints are the utterances expected in the current state. */
  transcribe(args: { ref: string; hints: string[] }): Promise<{ text: string }>;
}
