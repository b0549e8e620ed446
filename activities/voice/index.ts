/**
 * The voice channel's activities for one FreeSWITCH node: createVoiceActivities({ esl, … }) returns the
 * VoiceActivities the session workflow schedules on `voice-<node>`. One file per capability.
 */
import { createTurn } from './turn';
import type { Logger } from 'pino';
import type { EslConnection } from '../../lib/esl';
import { createLogger } from '../../lib/log';
import type { VoiceActivities } from '../../workflows/activity-types';
import { ChannelTracker } from './channels';
import type { VoiceConfig } from './config';
import type { VoiceContext } from './context';
import { createHandoff } from './handoff';
import { createHangup } from './hangup';
import { createListen } from './listen';
import { createSay } from './say';
import { createStop } from './stop';
import { EspeakWavCache, SpeakRenderer, type PromptRenderer } from './tts';

export interface VoiceActivitiesOptions {
  esl: EslConnection;
  /**
   * More connections to the same node for commands. The adapter keeps one request in flight per socket, so with
   * many calls one socket queues their commands behind each other; calls are spread over the pool by uuid.
   */
  commandPool?: EslConnection[];
  config: VoiceConfig;
  /** Prompt rendering; from config.tts when omitted. */
  prompts?: PromptRenderer;
  logger?: Logger;
}

export interface VoiceRuntime {
  activities: VoiceActivities;
  tracker: ChannelTracker;
  /** Subscribes the connection to the events the activities follow (call once it is connected). */
  subscribe(): Promise<void>;
}

export function createVoiceActivities(opts: VoiceActivitiesOptions): VoiceRuntime {
  const tracker = new ChannelTracker(opts.esl);
  const prompts =
    opts.prompts ??
    (opts.config.tts === 'speak'
      ? new SpeakRenderer(opts.config.ttsVoice.split('+')[0])
      : new EspeakWavCache({ dir: opts.config.ttsDir, voice: opts.config.ttsVoice, rate: opts.config.ttsRate, bin: opts.config.espeakBin }));
  const pool = [opts.esl, ...(opts.commandPool ?? [])];
  const ctx: VoiceContext = {
    esl: opts.esl,
    commandsFor: (uuid) => pool[poolIndex(uuid, pool.length)] as EslConnection,
    tracker,
    prompts,
    config: opts.config,
    log: opts.logger ?? createLogger('voice'),
    handedOff: new Set(),
    listening: new Map(),
  };
  // Forget finished calls.
  opts.esl.on('event', (ev) => {
    if (ev.name === 'CHANNEL_HANGUP_COMPLETE' && ev.uniqueId) {
      ctx.listening.delete(ev.uniqueId);
      ctx.handedOff.delete(ev.uniqueId);
    }
  });
  const voiceSay = createSay(ctx);
  const voiceListen = createListen(ctx);
  return {
    tracker,
    subscribe: () => opts.esl.subscribe([...ChannelTracker.EVENTS, 'CUSTOM callcenter::info']),
    activities: {
      voiceSay,
      voiceListen,
      voiceTurn: createTurn(ctx, { voiceSay, voiceListen }),
      voiceStop: createStop(ctx),
      voiceHandoff: createHandoff(ctx),
      voiceHangup: createHangup(ctx),
    },
  };
}

/** A stable spread of call uuids over the pool (FNV-1a of the uuid). */
export function poolIndex(uuid: string, size: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < uuid.length; i++) h = Math.imul(h ^ uuid.charCodeAt(i), 0x01000193);
  return (h >>> 0) % size;
}

export { voiceConfigFromEnv, type VoiceConfig } from './config';
