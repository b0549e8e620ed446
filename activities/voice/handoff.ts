/**
 * voiceHandoff: puts the caller in the mod_callcenter queue (`callcenter <queue>`) with the session's context as
 * channel variables (`ivr_<key>`, ids only), and resolves ok as soon as an agent is bridged: the conversation that
 * follows may last longer than any activity timeout and is not the session's. ok false when the queue gave up
 * (no agent within the queue's max-wait-time) or the caller left.
 */
import crypto from 'node:crypto';
import type { VoiceActivities } from '../../workflows/activity-types';
import { isChannelGone, keepAlive, stopRecording, type VoiceContext } from './context';

/** Ids only: short tokens; anything that looks like a phone number or an e-mail is not exported. */
export function safeHandoffVars(vars: Record<string, string>): { kept: Record<string, string>; dropped: string[] } {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [k, val] of Object.entries(vars)) {
    const key = k.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
    const looksPersonal = /^\+?\d[\d .-]{7,}$/.test(val) || val.includes('@');
    if (!key || looksPersonal || !/^[A-Za-z0-9_.:-]{1,128}$/.test(val)) dropped.push(k);
    else kept[`ivr_${key}`] = val;
  }
  return { kept, dropped };
}

const inFlight = new Map<string, Promise<{ ok: boolean }>>();

export function createHandoff(v: VoiceContext): VoiceActivities['voiceHandoff'] {
  const run = async (callId: string, queueId: string, vars: Record<string, string>): Promise<{ ok: boolean }> => {
    if (v.tracker.isGone(callId)) return { ok: false };
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(queueId)) throw new Error(`handoff queue id "${queueId}" is not a mod_callcenter queue name (letters, digits, _ . @ -)`);
    const { kept, dropped } = safeHandoffVars(vars);
    if (dropped.length) v.log.warn({ uuid: callId, dropped }, 'handoff variables not exported (not id-like)');
    try {
      await stopRecording(v, callId);
      // export: the variables follow the call onto the agent's leg.
      for (const [k, val] of Object.entries(kept)) await v.commandsFor(callId).execute(callId, 'export', `${k}=${val}`, { timeoutMs: 10_000 });
      const eventUuid = crypto.randomUUID();
      const done = new AbortController();
      const agent = v.tracker.waitFor(
        (ev) => ev.uniqueId === callId && (ev.name === 'CHANNEL_BRIDGE' || (ev.name === 'CUSTOM' && ev.headers['CC-Action'] === 'bridge-agent-start')),
        24 * 3600_000,
        done.signal,
      );
      const queued = v.commandsFor(callId).execute(callId, 'callcenter', queueId, { eventUuid, timeoutMs: 24 * 3600_000 });
      queued.catch(() => undefined);
      const stop = keepAlive(() => undefined);
      try {
        const first = await Promise.race([agent.then(() => 'agent' as const), queued.then((c) => c)]);
        if (first === 'agent') {
          v.handedOff.add(callId);
          v.log.info({ uuid: callId, queue: queueId }, 'call bridged to an agent');
          return { ok: true };
        }
        const ok = first.variables['cc_cause'] === 'answered';
        if (ok) v.handedOff.add(callId);
        v.log.info({ uuid: callId, queue: queueId, cause: first.variables['cc_cause'], reason: first.variables['cc_cancel_reason'] }, 'callcenter finished');
        return { ok };
      } finally {
        done.abort();
        stop();
      }
    } catch (err) {
      if (isChannelGone(err)) return { ok: false };
      throw err;
    }
  };
  return async ({ callId, queueId, vars }) => {
    // A retry of this activity while the caller is still queued joins the wait instead of queueing them twice.
    const existing = inFlight.get(callId);
    if (existing) return existing;
    const p = run(callId, queueId, vars).finally(() => inFlight.delete(callId));
    inFlight.set(callId, p);
    return p;
  };
}
