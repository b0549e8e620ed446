/**
 * Replays session histories against the current workflow code. A history recorded by an older interpreter that
 * the current code would not reproduce is reported with the event where it diverged, before it breaks a live call.
 */
import fs from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { dataConverter } from '../lib/codec/data-converter';
import { sessionWorkflowBundle } from './session-worker';
import { replayMetricsSinks } from './metrics';

type History = temporal.api.history.v1.IHistory;

export interface ReplayOutcome {
  workflowId: string;
  ok: boolean;
  /** For a divergence: what the SDK said, and the event id it names when it names one. */
  error?: { kind: 'nondeterminism' | 'failure'; message: string; eventId?: number };
}

/** Reads a history file as written by `temporal workflow show --output json` or the SDK's `fetchHistory` + JSON. */
export function readHistoryFile(file: string): History {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a readable JSON history (${String(err)})`);
  }
  try {
    return historyFromJSON(raw);
  } catch (err) {
    throw new Error(`${file}: not a Temporal history (${String(err)}). Export one with 'temporal workflow show --output json'.`);
  }
}

async function replayOnce(history: History, workflowId: string): Promise<{ ok: true } | { ok: false; err: unknown }> {
  try {
    await Worker.runReplayHistory(
      { workflowBundle: await sessionWorkflowBundle(), dataConverter: dataConverter(), sinks: replayMetricsSinks() },
      history,
      workflowId,
    );
    return { ok: true };
  } catch (err) {
    return { ok: false, err };
  }
}

/**
 * The first event at which replay fails: the shortest failing prefix of the history (binary search; a prefix is a
 * valid history to the replayer, and every prefix containing the divergent event fails).
 */
async function firstDivergentEvent(history: History, workflowId: string): Promise<number | undefined> {
  const events = history.events ?? [];
  let lo = 1;
  let hi = events.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const prefix = { ...history, events: events.slice(0, mid) };
    if ((await replayOnce(prefix, workflowId)).ok) lo = mid + 1;
    else hi = mid;
  }
  const id = events[lo - 1]?.eventId;
  return id === undefined || id === null ? undefined : Number(id);
}

export async function replayHistory(history: History, workflowId = 'replay'): Promise<ReplayOutcome> {
  const result = await replayOnce(history, workflowId);
  if (result.ok) return { workflowId, ok: true };
  const err = result.err;
  const message = err instanceof Error ? err.message : String(err);
  // Matched by name: the error class is created inside the workflow sandbox, not this module's realm.
  const kind = /DeterminismViolation|[Nn]ondetermin/.test(`${err instanceof Error ? err.name : ''} ${message}`)
    ? 'nondeterminism'
    : 'failure';
  const eventId = await firstDivergentEvent(history, workflowId);
  return { workflowId, ok: false, error: { kind, message, ...(eventId !== undefined ? { eventId } : {}) } };
}
