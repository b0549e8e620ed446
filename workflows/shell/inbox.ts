/**
 * The session's inbox: caller inputs in arrival order, each applied once (by event id), and a hang-up that wins
 * over everything queued. Pure: no Temporal API, so it is tested on its own; the workflow feeds it from the
 * `input` signal and update.
 */
import type { SessionState } from '../engine/types';
import type { CallerInput } from '../session-api';

/** A voice turn's `after` (activity-types AwaitInput) when the session has received no input yet. */
export const NO_INPUT_YET = 'none';

/** How many event ids are remembered for de-duplication (a turn produces a handful). */
export const SEEN_EVENT_IDS_KEPT = 512;

/** What a run hands to the next one on continue-as-new. */
export interface InboxSnapshot {
  /** The de-duplication window, oldest first. */
  seenEventIds: string[];
  /** Inputs accepted so far. */
  turn: number;
}

export class Inbox {
  private readonly queue: CallerInput[] = [];
  private readonly seen: Set<string>;
  private readonly seenOrder: string[];
  private acceptedCount: number;
  private consumedCount: number;
  private cause: string | undefined;

  constructor(
    resume?: InboxSnapshot,
    private readonly keep: number = SEEN_EVENT_IDS_KEPT,
  ) {
    this.seen = new Set(resume?.seenEventIds ?? []);
    this.seenOrder = [...this.seen];
    this.acceptedCount = resume?.turn ?? 0;
    // A run starts with an empty queue: everything accepted before it was consumed.
    this.consumedCount = this.acceptedCount;
  }

  /** The channel's hang-up cause, once a hang-up was taken (FreeSWITCH's Hangup-Cause on voice). */
  get hangupCause(): string | undefined {
    return this.cause;
  }

  /** Inputs taken off the queue so far (applied, or dropped by a hang-up): the session's turn count. */
  get consumed(): number {
    return this.consumedCount;
  }

  /** True when an input waits to be applied (a prompt with barge-in is then moot). */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Accepts an input once; returns its position in the arrival order, or -1 for a duplicate. */
  accept(event: CallerInput): number {
    if (this.seen.has(event.eventId)) return -1;
    this.seen.add(event.eventId);
    this.seenOrder.push(event.eventId);
    if (this.seenOrder.length > this.keep) this.seen.delete(this.seenOrder.shift() as string);
    this.queue.push(event);
    this.acceptedCount += 1;
    return this.acceptedCount;
  }

  /**
   * Accepts an input once, ahead of everything queued: a voice turn's answer, which the channel sent before any
   * signal still queued here (lib/esl/turns.ts). Returns false for a duplicate.
   */
  acceptFirst(event: CallerInput): boolean {
    if (this.accept(event) === -1) return false;
    this.queue.unshift(this.queue.pop() as CallerInput);
    return true;
  }

  /** Inputs accepted so far, over the whole session (runs before a continue-as-new included). */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Event id of the newest input accepted (in this run or carried over), or NO_INPUT_YET. */
  get lastEventId(): string {
    return this.seenOrder[this.seenOrder.length - 1] ?? NO_INPUT_YET;
  }

  /** Hang-up wins over everything queued: nothing after it is for this call. True when one was queued. */
  takeHangup(): boolean {
    const hangup = this.queue.find((e) => e.kind === 'hangup');
    if (!hangup) return false;
    if (hangup.cause) this.cause = hangup.cause;
    this.consumedCount += this.queue.length;
    this.queue.length = 0;
    return true;
  }

  /** The oldest input, counted as consumed; undefined when none waits. */
  take(): CallerInput | undefined {
    const event = this.queue.shift();
    if (event) this.consumedCount += 1;
    return event;
  }

  snapshot(): InboxSnapshot {
    return { seenEventIds: [...this.seenOrder], turn: this.acceptedCount };
  }
}

/**
 * Validates a portal input before it is accepted (the update's validator: a rejected update leaves no trace in the
 * history). Throws with what was wrong and what to do.
 */
export function checkPortalInput(session: SessionState | undefined, event: CallerInput | undefined): void {
  if (session?.ended) throw new Error(`session ended (${session.ended.outcome}); start a new one`);
  if (!event || typeof event.eventId !== 'string' || event.eventId.length === 0) {
    throw new Error('input needs a non-empty eventId (the channel’s id of the event, so a redelivery is applied once)');
  }
  if (event.kind === 'noinput') throw new Error('a no-input is reported by the voice channel only; the portal sends what the person did');
}
