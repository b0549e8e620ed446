/**
 * voiceSay: speaks a prompt and resolves when it finished or was cut. With barge-in, the caller's first key stops it
 * at once (uuid_break); the key itself reaches the session through the bridge's signal, not through here.
 */
import crypto from 'node:crypto';
import { EslDisconnectedError } from '../../lib/esl';
import type { VoiceActivities } from '../../workflows/activity-types';
import { apiOk, isChannelGone, keepAlive, stopRecording, type VoiceContext } from './context';

export function createSay(v: VoiceContext): VoiceActivities['voiceSay'] {
  return async ({ callId, text, bargeIn }) => {
    if (v.tracker.isGone(callId)) return { interrupted: true };
    await stopRecording(v, callId);
    const media = await v.prompts.render(text);
    const eventUuid = crypto.randomUUID();
    let interrupted = false;
    const sendBreak = () => {
      apiOk(v, callId, `uuid_break ${callId}`).catch((err: Error) => v.log.warn({ uuid: callId, err: err.message }, 'uuid_break failed'));
    };
    const notStarted = new AbortController();
    const breakPrompt = () => {
      // Only while our prompt runs: a stray break would cut the next prompt instead. A key pressed just before
      // FreeSWITCH starts the prompt breaks it as soon as it starts.
      if (v.tracker.isRunning(eventUuid)) return sendBreak();
      void v.tracker
        .waitFor((ev) => ev.name === 'CHANNEL_EXECUTE' && ev.headers['Application-UUID'] === eventUuid, 10_000, notStarted.signal)
        .then((started) => started && sendBreak());
    };
    const offDtmf = bargeIn
      ? v.tracker.onDtmf(callId, () => {
          if (interrupted) return;
          interrupted = true;
          breakPrompt();
        })
      : () => undefined;
    const stopKeepAlive = keepAlive(() => {
      interrupted = true;
      breakPrompt();
    });
    try {
      await v.commandsFor(callId).execute(callId, media.app, media.arg, { eventUuid, timeoutMs: 10 * 60_000 });
      return { interrupted };
    } catch (err) {
      if (isChannelGone(err)) return { interrupted: true };
      if (err instanceof EslDisconnectedError && v.tracker.isRunning(eventUuid)) {
        // FreeSWITCH has the prompt and goes on playing it; what comes next queues behind it. Playing it again
        // on a retry would make the caller hear it twice.
        v.log.warn({ uuid: callId }, 'event socket lost while a prompt played: counted as said');
        return { interrupted: false };
      }
      throw err;
    } finally {
      notStarted.abort();
      offDtmf();
      stopKeepAlive();
    }
  };
}
