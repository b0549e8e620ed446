/**
 * A session's history reduced to the facts the console needs (history.ts → timeline.ts): the frozen input, when
 * each caller input arrived (a signal, a portal update, or the result of the voice turn that waited for it), when backend calls answered and prompts went out. Payloads are decoded by the function
 * given (the API's data converter: the history holds them encrypted).
 */
import type { temporal } from '@temporalio/proto';
import type { Payload } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { CallerInput, SessionInput } from '../../workflows/session-api';
import type { HistoryFacts, Trigger } from './timeline';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export type DecodePayloads = (payloads: Payload[] | null | undefined) => Promise<unknown[]>;

const PROMPT_ACTIVITIES = new Set(['voiceTurn', 'voiceSay']);
/** A voice turn that waited for the caller returns the caller's input (lib/esl/turns.ts). */
const TURN_ACTIVITY = 'voiceTurn';
/** The machine's backend actions; the history numbers their answers in the order the engine saw them. */
const ACTION_ACTIVITY = 'callBackend';
/** Speech-to-text of a recording: its text is what the caller said, masked like any words heard. */
const TRANSCRIBE_ACTIVITY = 'transcribe';

function isCallerInput(v: unknown): v is CallerInput {
  return typeof v === 'object' && v !== null && typeof (v as { eventId?: unknown }).eventId === 'string' && typeof (v as { kind?: unknown }).kind === 'string';
}

export interface DecodedHistory {
  input: SessionInput | null;
  /** The run's result (a SessionResult) when it completed. */
  result: unknown;
  facts: HistoryFacts;
}

export async function decodeHistory(events: readonly HistoryEvent[], decode: DecodePayloads): Promise<DecodedHistory> {
  const facts: HistoryFacts = { startedAt: 0, closedAt: null, triggers: [], actionResults: [], prompts: [], updatesCompleted: [], tasksCompleted: [], transcripts: [] };
  let input: SessionInput | null = null;
  let result: unknown = null;
  const seen = new Set<string>();
  const actionScheduled = new Set<number>();
  const transcribeScheduled = new Set<number>();
  /** Voice turns that waited for the caller: their result is an input; timed out, they count as a no-input. */
  const awaitingTurns = new Set<number>();
  const pushInput = (eventId: number, at: number, value: unknown, updateId?: string) => {
    if (!isCallerInput(value) || seen.has(value.eventId)) return;
    seen.add(value.eventId);
    const t: Trigger = { eventId, at, kind: 'input', input: value, ...(updateId ? { updateId } : {}) };
    facts.triggers.push(t);
  };
  for (const e of events) {
    const eventId = Number(e.eventId ?? 0);
    const at = optionalTsToMs(e.eventTime) ?? 0;
    if (e.workflowExecutionStartedEventAttributes) {
      facts.startedAt = at;
      const [first] = await decode(e.workflowExecutionStartedEventAttributes.input?.payloads);
      input = (first ?? null) as SessionInput | null;
    } else if (e.workflowExecutionSignaledEventAttributes?.signalName === 'input') {
      const [value] = await decode(e.workflowExecutionSignaledEventAttributes.input?.payloads);
      pushInput(eventId, at, value);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const req = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
      if (req?.input?.name === 'input') {
        const [value] = await decode(req.input.args?.payloads);
        pushInput(eventId, at, value, req.meta?.updateId ?? undefined);
      }
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const updateId = e.workflowExecutionUpdateCompletedEventAttributes.meta?.updateId;
      if (updateId) facts.updatesCompleted.push({ updateId, at });
    } else if (e.timerFiredEventAttributes) {
      facts.triggers.push({ eventId, at, kind: 'timer' });
    } else if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
      if (name === ACTION_ACTIVITY) actionScheduled.add(eventId);
      if (name === TRANSCRIBE_ACTIVITY) transcribeScheduled.add(eventId);
      if (PROMPT_ACTIVITIES.has(name)) facts.prompts.push({ eventId, at });
      if (name === TURN_ACTIVITY) {
        const [args] = await decode(e.activityTaskScheduledEventAttributes.input?.payloads);
        if (typeof args === 'object' && args !== null && 'awaitInput' in args) awaitingTurns.add(eventId);
      }
    } else if (e.workflowTaskCompletedEventAttributes) {
      facts.tasksCompleted.push({ eventId, at });
    } else {
      const ended =
        e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
      if (ended) {
        const scheduled = Number(ended.scheduledEventId ?? 0);
        if (actionScheduled.has(scheduled)) facts.actionResults.push(at);
        if (awaitingTurns.has(scheduled)) {
          if (e.activityTaskCompletedEventAttributes) {
            const [answer] = await decode(e.activityTaskCompletedEventAttributes.result?.payloads);
            pushInput(eventId, at, (answer as { input?: unknown } | undefined)?.input);
          } else if (e.activityTaskTimedOutEventAttributes) {
            // The session took a turn nobody completed as a no-input (workflows/shell/commands.ts).
            pushInput(eventId, at, { eventId: `turn-timeout@${eventId}`, kind: 'noinput' });
          }
        }
        if (transcribeScheduled.has(scheduled)) {
          // A failed transcription is heard as nothing (commands.ts): an empty text keeps the order.
          const [answer] = e.activityTaskCompletedEventAttributes ? await decode(e.activityTaskCompletedEventAttributes.result?.payloads) : [];
          const text = (answer as { text?: unknown } | undefined)?.text;
          facts.transcripts.push(typeof text === 'string' ? text : '');
        }
      } else if (e.workflowExecutionCompletedEventAttributes) {
        facts.closedAt = at;
        [result = null] = await decode(e.workflowExecutionCompletedEventAttributes.result?.payloads);
      } else if ( e.workflowExecutionFailedEventAttributes || e.workflowExecutionTimedOutEventAttributes ||
        e.workflowExecutionTerminatedEventAttributes || e.workflowExecutionCanceledEventAttributes || e.workflowExecutionContinuedAsNewEventAttributes
      ) {
        facts.closedAt = at;
      }
    }
  }
  return { input, result, facts };
}
