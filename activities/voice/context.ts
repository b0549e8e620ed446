/** What every voice activity shares: the node's event socket, the channel tracker, prompt rendering, settings. */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { EslChannelGoneError, EslCommandError, type EslConnection } from '../../lib/esl';
import { RECORD_DISCARD_VAR } from '../../lib/esl/recordings';
import type { ChannelTracker } from './channels';
import type { VoiceConfig } from './config';
import type { PromptRenderer } from './tts';

export interface VoiceContext {
  /** The connection whose events the tracker follows (every call of the node). */
  esl: EslConnection;
  /** The connection that carries commands for a call (one of a small pool, fixed per call so they stay in order). */
  commandsFor(uuid: string): EslConnection;
  tracker: ChannelTracker;
  prompts: PromptRenderer;
  config: VoiceConfig;
  log: Logger;
  /** Calls handed to an agent by this worker: hanging them up would cut the agent's conversation. */
  handedOff: Set<string>;
  /** Calls listening now, with the recording armed for them (re-armed after a recording of pure silence). */
  listening: Map<string, string>;
}

export { isSilentRecording } from '../../lib/esl/recordings';

/** FreeSWITCH's answer when the uuid names no channel (sendmsg / api). */
export function isChannelGone(err: unknown): boolean {
  if (err instanceof EslChannelGoneError) return true;
  if (err instanceof EslCommandError) return /invalid session id|No such channel/i.test(err.reply);
  return false;
}

/** api commands answer `-ERR …` in their body rather than failing the request. */
export async function apiOk(v: VoiceContext, uuid: string, command: string): Promise<string> {
  const out = await v.commandsFor(uuid).api(command);
  if (out.startsWith('-ERR') || out.startsWith('-USAGE')) throw new EslCommandError(command.split(' ')[0] ?? command, out.trim());
  return out;
}

/**
 * Stops the recording running on the channel, marking it discarded first so the bridge does not take it for an
 * answer (the session moved on: a new prompt, a transfer, a hang-up).
 */
export async function stopRecording(v: VoiceContext, uuid: string): Promise<void> {
  v.listening.delete(uuid);
  const rec = v.tracker.activeRecord(uuid);
  if (!rec) return;
  const stopped = v.tracker.waitFor((ev) => ev.uniqueId === uuid && ev.name === 'RECORD_STOP', 2_000);
  try {
    await apiOk(v, uuid, `uuid_setvar ${uuid} ${RECORD_DISCARD_VAR} ${rec}`);
    await apiOk(v, uuid, `uuid_break ${uuid}`);
  } catch (err) {
    if (isChannelGone(err)) return;
    throw err;
  }
  await stopped;
}

/** Heartbeats while a long wait runs, and calls `onCancel` if the activity is cancelled. */
export function keepAlive(onCancel: () => void): () => void {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return () => undefined; // called outside an activity (unit use)
  }
  const c = ctx;
  const timer = setInterval(() => c.heartbeat(), 5_000);
  const abort = () => onCancel();
  c.cancellationSignal.addEventListener('abort', abort);
  return () => {
    clearInterval(timer);
    c.cancellationSignal.removeEventListener('abort', abort);
  };
}
