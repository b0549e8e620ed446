/**
 * Where a turn's time goes, read from the server's own timestamps in a few sessions' histories. For each caller
 * input whose next command is a voice activity (turns without a backend action):
 *
 *   signal recorded → workflow task started      (queueing: sticky queue poll, worker slots)
 *   workflow task started → completed            (the worker: activation, engine step, commands)
 *   workflow task completed → voice activity started (activity dispatch to the voice task queue)
 */
import type { WorkflowHandle } from '@temporalio/client';
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
export function breakDownHistory(events: HistoryEvent[]): Array<{ queue: number; run: number; dispatch: number }> {
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
    const completedActivity = signal.activityTaskCompletedEventAttributes;
    const done = completedActivity ? activityName.get(String(completedActivity.scheduledEventId)) : undefined;
    if (done === 'voiceListen' || done === 'voiceTurn') listening = true;
    if (!signal.workflowExecutionSignaledEventAttributes || !listening) continue;
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

export async function profileHistories(handles: WorkflowHandle[]): Promise<TurnProfile> {
  const rows: Array<{ queue: number; run: number; dispatch: number }> = [];
  let tasks = 0;
  let timeouts = 0;
  for (const handle of handles) {
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    tasks += events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
    timeouts += events.filter((e) => e.workflowTaskTimedOutEventAttributes).length;
    rows.push(...breakDownHistory(events));
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
