/**
 * Voice turns that wait for the caller: how the voice worker and the esl-bridge agree on where a turn's answer goes.
 *
 * A DTMF turn used to cost two workflow tasks: one woken by the `voiceTurn` activity's completion once capture was
 * armed, one by the input signal (11 history events). Now the turn's activity stays open until the caller answers,
 * and its result *is* the answer (6 or 7 events):
 * - the voice worker plays the prompts, arms capture, then announces the turn on the node's event bus with a
 *   `CUSTOM ivr::turn` event (`sendevent`, turnEventHeaders) and leaves the activity open (async completion);
 * - FreeSWITCH numbers that event in the same sequence as the channel's DTMF and RECORD_STOP events, so the bridge,
 *   the only one that delivers inputs, sees the announcement exactly where it falls between the caller's inputs;
 * - the bridge completes the turn's activity with the first input after it, and signals every later one as before
 *   (after the completion is recorded: the session applies them in order).
 *
 * `after` names the last input the session had received when it asked for the turn. When the bridge has sent an
 * input since (a key that interrupted the prompt, its signal still on the way), the turn is void: the bridge
 * completes it at once without an input, and the session takes that input from its signal. Only the bridge decides,
 * from one ordered stream of events; the voice worker just announces.
 */
import { z } from 'zod';
import type { EslEvent } from './events';

export const TURN_EVENT_SUBCLASS = 'ivr::turn';

/** One turn waiting for the caller, and where to complete it (Temporal's activity id, not a task token). */
export interface TurnAnnouncement {
  callId: string;
  workflowId: string;
  runId: string;
  activityId: string;
  /** Event id of the last input the session had received when it asked for this turn (`none` before any). */
  after: string;
}

const HEADERS = {
  callId: 'Ivr-Call-UUID',
  workflowId: 'Ivr-Workflow-Id',
  runId: 'Ivr-Run-Id',
  activityId: 'Ivr-Activity-Id',
  after: 'Ivr-Turn-After',
} as const satisfies Record<keyof TurnAnnouncement, string>;

/** The `sendevent CUSTOM` headers of an announcement (never `Unique-ID`: FreeSWITCH would queue it to the channel). */
export function turnEventHeaders(t: TurnAnnouncement): Record<string, string> {
  return {
    'Event-Subclass': TURN_EVENT_SUBCLASS,
    [HEADERS.callId]: t.callId,
    [HEADERS.workflowId]: t.workflowId,
    [HEADERS.runId]: t.runId,
    [HEADERS.activityId]: t.activityId,
    [HEADERS.after]: t.after,
  };
}

const field = z.string().min(1).max(512);
const AnnouncementSchema = z.object({ callId: field, workflowId: field, runId: field, activityId: field, after: field });

/**
 * The announcement an event carries; undefined for any other event. Throws, naming the header, when an `ivr::turn`
 * event lacks one (an event socket client of another version): the bridge then keeps signalling that call's input.
 */
export function parseTurnEvent(ev: EslEvent): TurnAnnouncement | undefined {
  if (ev.name !== 'CUSTOM' || ev.subclass !== TURN_EVENT_SUBCLASS) return undefined;
  const raw = Object.fromEntries(Object.entries(HEADERS).map(([key, header]) => [key, ev.headers[header]]));
  const parsed = AnnouncementSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0] as keyof TurnAnnouncement | undefined;
    throw new Error(`${TURN_EVENT_SUBCLASS} event: header ${key ? HEADERS[key] : '?'} ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Temporal's id of the activity a turn runs as (what completes or heartbeats it). */
export function turnActivityId(t: TurnAnnouncement): { workflowId: string; runId: string; activityId: string } {
  return { workflowId: t.workflowId, runId: t.runId, activityId: t.activityId };
}

/**
 * The rule by which one call's inputs meet its turns, kept by whoever delivers that call's input (the esl-bridge; the
 * benchmark's stand-in for it). Pure bookkeeping: the caller of these methods completes and signals.
 */
export class CallTurns {
  private held: TurnAnnouncement | undefined;

  /**
   * `lastSent`: event id of the last input delivered to the session (`none` before any), or null for a call adopted
   * after a restart, whose past inputs are unknown: its next announcement is trusted.
   */
  constructor(private lastSent: string | null) {}

  /** The turn waiting for the caller, if one is held. */
  get open(): TurnAnnouncement | undefined {
    return this.held;
  }

  /**
   * A turn was announced. It is held when the session had received every input delivered so far (`after` names the
   * last one); otherwise it is void, to be completed empty at once (the input on its way answers instead). A turn it
   * replaces (the session moved on without its answer) is to be completed empty too.
   */
  announce(turn: TurnAnnouncement): { hold: boolean; superseded?: TurnAnnouncement } {
    if (this.lastSent !== null && this.lastSent !== turn.after) return { hold: false };
    const superseded = this.held;
    this.held = turn;
    this.lastSent = turn.after;
    return superseded ? { hold: true, superseded } : { hold: true };
  }

  /**
   * An input to deliver: the held turn it answers (no longer held), or undefined when it goes as a signal. A repeat
   * of the last input never uses up a turn: the session drops it, and the next answer must still find the turn.
   */
  deliver(eventId: string): TurnAnnouncement | undefined {
    const repeat = eventId === this.lastSent;
    this.lastSent = eventId;
    if (repeat) return undefined;
    const turn = this.held;
    this.held = undefined;
    return turn;
  }

  /** The held turn no longer exists (timed out, or its session ended): inputs go as signals. */
  drop(turn: TurnAnnouncement): void {
    if (this.held === turn) this.held = undefined;
  }
}
