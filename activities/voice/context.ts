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
  /** Calls listening now, with the recording armed for them (known before FreeSWITCH's RECORD_START arrives). */
  listening: Map<string, string>;
}

/** FreeSWITCH's answer when the uuid names no channel (sendmsg / api). */
export function isChannelGone(err: unknown): boolean {
  if (err instanceof EslChannelGoneError) return true;
  if (err instanceof EslCommandError) return /invalid session id|No such channel|Cannot locate session/i.test(err.reply);
  return false;
}

/** api commands answer `-ERR …` in their body rather than failing the request. */
export async function apiOk(v: VoiceContext, uuid: string, command: string): Promise<string> {
  const out = await v.commandsFor(uuid).api(command);
  if (out.startsWith('-ERR') || out.startsWith('-USAGE')) throw new EslCommandError(command.split(' ')[0] ?? command, out.trim());
  return out;
}

/**
 * Stops the listening recording of the call, marking it discarded first so the bridge does not take it for an
 * answer or a no-input (the session moved on: a new prompt, the next key of a code, a transfer, a hang-up). A media
 * bug is stopped by `uuid_record stop`: a `uuid_break` would not stop it, and a break sent while nothing plays stays
 * on the channel and cuts the next prompt.
 */
export async function stopRecording(v: VoiceContext, uuid: string): Promise<void> {
  const rec = v.listening.get(uuid) ?? v.tracker.activeRecord(uuid);
  v.listening.delete(uuid);
  if (!rec) return;
  try {
    await apiOk(v, uuid, `uuid_setvar ${uuid} ${RECORD_DISCARD_VAR} ${rec}`);
    await apiOk(v, uuid, `uuid_record ${uuid} stop ${rec}`);
  } catch (err) {
    if (isChannelGone(err)) return;
    // Already stopped by FreeSWITCH (no-input, end of speech): its report is out; nothing to stop.
    if (err instanceof EslCommandError && err.command === 'uuid_record') return;
    throw err;
  }
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
