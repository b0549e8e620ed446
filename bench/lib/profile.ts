/**
 * Where a turn's time goes, read from the server's own timestamps in a few sessions' histories. For each caller
 * input whose next command is a voice activity (turns without a backend action):
 *
 *   input recorded → workflow task started       (queueing: sticky queue poll, worker slots); the input is a
 *                                                signal, or the result of the voice turn that waited for it
 *   workflow task started → completed            (the worker: activation, engine step, commands)
 *   workflow task completed → voice activity started (activity dispatch to the voice task queue)
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { percentile, round } from './stats';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TurnProfile {
  turns: number;
  signal_to_task_start_p50_ms: number;
  signal_to_task_start_p99_ms: number;
  task_run_p50_ms: number;
  task_run_p99_ms: number;
  task_done_to_activity_start_p50_ms: number;
  task_done_to_activity_start_p99_ms: number;
  /** Workflow tasks per turn (more than one: a signal arrived while a task ran, or an activity result). */
  workflow_tasks_total: number;
  /** Workflow tasks that timed out (a sticky task not taken within the worker's schedule-to-start bound is moved
   * to the normal queue, and the worker then replays the session's whole history). */
  workflow_task_timeouts: number;
}

function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

/** One breakdown per profiled turn, from one history. */
export function breakDownHistory(events: HistoryEvent[], answered: ReadonlySet<string> = new Set()): Array<{ queue: number; run: number; dispatch: number }> {
  const out: Array<{ queue: number; run: number; dispatch: number }> = [];
  const activityName = new Map<string, string>();
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) activityName.set(String(e.eventId), name);
  }
  // A turn starts with the first signal after the previous turn's listen finished; a signal before that (the
  // same input sent twice, the hang-up racing a turn) is not a turn of its own.
  let listening = false;
  for (let i = 0; i < events.length; i++) {
    const signal = events[i] as HistoryEvent;
    // The input: a voice turn's result that carries it, or a signal after a listen.
    const turnAnswer = answered.has(String(signal.eventId));
    const completedActivity = signal.activityTaskCompletedEventAttributes;
    const done = completedActivity ? activityName.get(String(completedActivity.scheduledEventId)) : undefined;
    if (!turnAnswer && (done === 'voiceListen' || done === 'voiceTurn')) listening = true;
    if (!turnAnswer && (!signal.workflowExecutionSignaledEventAttributes || !listening)) continue;
    listening = false;
    // The task the signal woke, and the first activity scheduled after it (by that task or, when a duplicate
    // signal slipped in, by the next one). ActivityTaskStarted is written late, at completion, with its real time.
    let started: number | undefined;
    let completed: number | undefined;
    let lastCompleted: number | undefined;
    let scheduled: { id: string; name: string; after: number } | undefined;
    for (let j = i + 1; j < events.length && !scheduled; j++) {
      const e = events[j] as HistoryEvent;
      if (e.workflowTaskStartedEventAttributes && started === undefined) started = eventMs(e);
      if (e.workflowTaskCompletedEventAttributes) {
        lastCompleted = eventMs(e);
        if (started !== undefined && completed === undefined) completed = lastCompleted;
      }
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name && lastCompleted !== undefined) scheduled = { id: String(e.eventId), name, after: lastCompleted };
    }
    if (!scheduled?.name.startsWith('voice') || started === undefined || completed === undefined) continue;
    const activityStart = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduled.id);
    if (!activityStart) continue;
    out.push({ queue: started - eventMs(signal), run: completed - started, dispatch: eventMs(activityStart) - scheduled.after });
  }
  return out;
}

/** What a turn costs the server, read from one history: events written, workflow and activity tasks. */
export interface TurnCost {
  events: number;
  workflowTasks: number;
  activityTasks: number;
  /** The turn called the backend (an action turn: the action, maybe a filler, the prompts). */
  action: boolean;
}

/**
 * Splits a history into turns: a turn runs from the caller's input that starts it up to the next one. That input is
 * the result of a voice turn that waited for it (`answered`: the event ids of those completions, see
 * answeredTurns), or else the first signal after the previous listen completed (as in breakDownHistory). The last
 * segment (the hang-up and the run's end) is not a turn. A duplicate signal inside a turn counts, as it costs the
 * server the same.
 */
export function turnCosts(events: HistoryEvent[], answered: ReadonlySet<string> = new Set()): TurnCost[] {
  const activityName = new Map<string, string>();
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) activityName.set(String(e.eventId), name);
  }
  const starts: number[] = [];
  let listening = false;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as HistoryEvent;
    if (answered.has(String(e.eventId))) {
      listening = false;
      starts.push(i);
      continue;
    }
    const completed = e.activityTaskCompletedEventAttributes;
    const done = completed ? activityName.get(String(completed.scheduledEventId)) : undefined;
    if (done === 'voiceListen' || done === 'voiceTurn') listening = true;
    if (e.workflowExecutionSignaledEventAttributes && listening) {
      listening = false;
      starts.push(i);
    }
  }
  const out: TurnCost[] = [];
  for (let t = 0; t + 1 < starts.length; t++) {
    const segment = events.slice(starts[t], starts[t + 1]);
    const scheduled = segment.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((n): n is string => !!n);
    out.push({
      events: segment.length,
      workflowTasks: segment.filter((e) => e.workflowTaskCompletedEventAttributes).length,
      activityTasks: scheduled.length,
      action: scheduled.includes('callBackend'),
    });
  }
  return out;
}

export interface TurnCostSummary {
  /** Turns counted (all profiled sessions; each session's last segment, the hang-up, excluded). */
  turns: number;
  /** Mean over all turns, p50 and max of turns without a backend action (a plain DTMF turn), mean of action turns. */
  events_per_turn: { mean: number; dtmf_p50: number; dtmf_max: number; action_mean: number | null };
  tasks_per_turn: { workflow: number; activity: number; dtmf_workflow_p50: number; dtmf_activity_p50: number };
}

export function summarizeTurnCosts(costs: TurnCost[]): TurnCostSummary {
  const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 2) : Number.NaN);
  const dtmf = costs.filter((c) => !c.action);
  const action = costs.filter((c) => c.action);
  return {
    turns: costs.length,
    events_per_turn: {
      mean: mean(costs.map((c) => c.events)),
      dtmf_p50: percentile(dtmf.map((c) => c.events), 50),
      dtmf_max: dtmf.length ? Math.max(...dtmf.map((c) => c.events)) : Number.NaN,
      action_mean: action.length ? mean(action.map((c) => c.events)) : null,
    },
    tasks_per_turn: {
      workflow: mean(costs.map((c) => c.workflowTasks)),
      activity: mean(costs.map((c) => c.activityTasks)),
      dtmf_workflow_p50: percentile(dtmf.map((c) => c.workflowTasks), 50),
      dtmf_activity_p50: percentile(dtmf.map((c) => c.activityTasks), 50),
    },
  };
}

/** Decodes an activity result's payloads (the client's data converter: results are encrypted). */
export type DecodeResult = (payloads: Payload[] | null | undefined) => Promise<unknown>;

/** Event ids of the `voiceTurn` completions whose result carries the caller's input (lib/esl/turns.ts). */
export async function answeredTurns(events: HistoryEvent[], decode: DecodeResult): Promise<Set<string>> {
  const turns = new Set<string>();
  for (const e of events) if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'voiceTurn') turns.add(String(e.eventId));
  const answered = new Set<string>();
  for (const e of events) {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done || !turns.has(String(done.scheduledEventId))) continue;
    const result = await decode(done.result?.payloads);
    if (typeof result === 'object' && result !== null && 'input' in result) answered.add(String(e.eventId));
  }
  return answered;
}

/** Turn costs of a few sessions' histories. */
export async function historyTurnCosts(handles: WorkflowHandle[]): Promise<TurnCostSummary> {
  const costs: TurnCost[] = [];
  for (const handle of handles) {
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const converter = handle.client.options.loadedDataConverter;
    costs.push(...turnCosts(events, await answeredTurns(events, (payloads) => decodeFromPayloadsAtIndex(converter, 0, payloads))));
  }
  return summarizeTurnCosts(costs);
}

export async function profileHistories(handles: WorkflowHandle[]): Promise<TurnProfile> {
  const rows: Array<{ queue: number; run: number; dispatch: number }> = [];
  let tasks = 0;
  let timeouts = 0;
  for (const handle of handles) {
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    tasks += events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
    timeouts += events.filter((e) => e.workflowTaskTimedOutEventAttributes).length;
    const converter = handle.client.options.loadedDataConverter;
    rows.push(...breakDownHistory(events, await answeredTurns(events, (payloads) => decodeFromPayloadsAtIndex(converter, 0, payloads))));
  }
  const col = (k: 'queue' | 'run' | 'dispatch', p: number) => round(percentile(rows.map((r) => r[k]), p));
  return {
    turns: rows.length,
    signal_to_task_start_p50_ms: col('queue', 50),
    signal_to_task_start_p99_ms: col('queue', 99),
    task_run_p50_ms: col('run', 50),
    task_run_p99_ms: col('run', 99),
    task_done_to_activity_start_p50_ms: col('dispatch', 50),
    task_done_to_activity_start_p99_ms: col('dispatch', 99),
    workflow_tasks_total: tasks,
    workflow_task_timeouts: timeouts,
  };
}
