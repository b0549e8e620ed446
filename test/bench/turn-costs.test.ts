/**
 * bench:turns' figures that come from histories and memory samples: events and tasks per turn (profile.ts
 * turnCosts) and the per-session memory that is never negative (run.ts perSessionMemory). Pure: synthetic histories.
 */
import type { temporal } from '@temporalio/proto';
import Long from 'long';
import { summarizeTurnCosts, turnCosts } from '../../bench/lib/profile';
import { MIN_SESSIONS_FOR_MEMORY, perSessionMemory } from '../../bench/lib/run';

type Event = temporal.api.history.v1.IHistoryEvent;
let id = 0;
const ev = (e: Omit<Event, 'eventId'>): Event => ({ eventId: Long.fromNumber(++id), ...e });
const signal = () => ev({ workflowExecutionSignaledEventAttributes: {} });
const task = () => [ev({ workflowTaskScheduledEventAttributes: {} }), ev({ workflowTaskStartedEventAttributes: {} }), ev({ workflowTaskCompletedEventAttributes: {} })];
function activity(name: string): Event[] {
  const scheduled = ev({ activityTaskScheduledEventAttributes: { activityType: { name } } });
  return [scheduled, ev({ activityTaskStartedEventAttributes: { scheduledEventId: scheduled.eventId } }), ev({ activityTaskCompletedEventAttributes: { scheduledEventId: scheduled.eventId } })];
}

test('a history splits into turns at the signal after each listen; the hang-up segment is no turn', () => {
  const events: Event[] = [
    ev({ workflowExecutionStartedEventAttributes: {} }),
    ...task(),
    ...activity('voiceTurn'),
    ...task(),
    // Turn 1: a plain DTMF turn, with a state change (a search attribute write).
    signal(),
    ...task(),
    ev({ upsertWorkflowSearchAttributesEventAttributes: {} }),
    ...activity('voiceTurn'),
    ...task(),
    // Turn 2: an action turn, the same input sent twice.
    signal(),
    signal(),
    ...task(),
    ...activity('callBackend'),
    ...task(),
    ...activity('voiceTurn'),
    ...task(),
    // The hang-up and the end.
    signal(),
    ...task(),
    ev({ workflowExecutionCompletedEventAttributes: {} }),
  ];
  const costs = turnCosts(events);
  expect(costs).toEqual([
    { events: 11, workflowTasks: 2, activityTasks: 1, action: false },
    { events: 17, workflowTasks: 3, activityTasks: 2, action: true },
  ]);
  const s = summarizeTurnCosts(costs);
  expect(s.turns).toBe(2);
  expect(s.events_per_turn).toEqual({ mean: 14, dtmf_p50: 11, dtmf_max: 11, action_mean: 17 });
  expect(s.tasks_per_turn).toEqual({ workflow: 2.5, activity: 1.5, dtmf_workflow_p50: 2, dtmf_activity_p50: 1 });
});

test('memory per session is null with the reason, never negative, below the noise', () => {
  // One session: RSS fell by 50 MB while it lived (the worker's own drift) — the figure was −50.9 MB before.
  expect(perSessionMemory(420, 370, 1)).toEqual({ mb: null, note: expect.stringContaining('below noise: 1 live sessions') });
  expect(perSessionMemory(420, 410, MIN_SESSIONS_FOR_MEMORY)).toEqual({ mb: null, note: expect.stringContaining('not above idle') });
  expect(perSessionMemory(420, Number.NaN, 100)).toEqual({ mb: null, note: expect.stringContaining('no steady sample') });
  expect(perSessionMemory(400, 475, 100)).toEqual({ mb: 0.75 });
});
