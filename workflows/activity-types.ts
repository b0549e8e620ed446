/**
 * Signatures of the activities the session workflow schedules. Types only: the implementations live in
 * activities/ and run in workers; workflow code imports nothing from there.
 */
import type { JsonValue } from '../lib/machine/model';
import type { ActionRequest, ListenSpec } from './engine/types';

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

/** The telephony capabilities of seed 001, as the voice channel provides them. */
export interface VoiceActivities {
  /** Speaks the text; resolves when it finished playing or was interrupted (barge-in). */
  voiceSay(target: ChannelTarget & { text: string; bargeIn: boolean }): Promise<{ interrupted: boolean }>;
  /**
   * The prompts of one turn in order, then capture armed when `listen` is given: one command per turn. Resolves once
   * capture is armed (or the last prompt ended, without listen); a barge-in skips the prompts left.
   */
  voiceTurn(
    target: ChannelTarget & { says: { text: string; bargeIn: boolean }[]; listen?: ListenSpec },
  ): Promise<{ interrupted: boolean }>;
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
