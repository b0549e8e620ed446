/** The session's inbox without Temporal: arrival order, one application per event id, hang-up first. */
import type { SessionState } from '../../workflows/engine/types';
import { checkPortalInput, Inbox, SEEN_EVENT_IDS_KEPT } from '../../workflows/shell/inbox';
import type { CallerInput } from '../../workflows/session-api';

const dtmf = (eventId: string, digits = '1'): CallerInput => ({ eventId, kind: 'dtmf', digits });
const hangup = (eventId: string): CallerInput => ({ eventId, kind: 'hangup' });

test('inputs come out in arrival order, each counted once it is taken', () => {
  const inbox = new Inbox();
  expect(inbox.accept(dtmf('a', '1'))).toBe(1);
  expect(inbox.accept(dtmf('b', '2'))).toBe(2);
  expect(inbox.pending).toBe(true);
  expect(inbox.consumed).toBe(0);
  expect(inbox.take()).toEqual(dtmf('a', '1'));
  expect(inbox.consumed).toBe(1);
  expect(inbox.take()).toEqual(dtmf('b', '2'));
  expect(inbox.consumed).toBe(2);
  expect(inbox.take()).toBeUndefined();
  expect(inbox.consumed).toBe(2);
  expect(inbox.pending).toBe(false);
});

test('an event id seen before is refused, even after it was taken', () => {
  const inbox = new Inbox();
  expect(inbox.accept(dtmf('fs:1'))).toBe(1);
  expect(inbox.accept(dtmf('fs:1', '9'))).toBe(-1);
  inbox.take();
  expect(inbox.accept(dtmf('fs:1'))).toBe(-1);
  expect(inbox.pending).toBe(false);
});

test('the de-duplication window keeps the newest ids only', () => {
  const inbox = new Inbox(undefined, 3);
  for (const id of ['a', 'b', 'c', 'd']) inbox.accept(dtmf(id));
  expect(inbox.snapshot().seenEventIds).toEqual(['b', 'c', 'd']);
  expect(inbox.accept(dtmf('a'))).toBe(5); // forgotten, so accepted again
  expect(inbox.accept(dtmf('d'))).toBe(-1);
  expect(SEEN_EVENT_IDS_KEPT).toBe(512);
});

test('a hang-up drops everything queued, before and after it, and counts it all as consumed', () => {
  const inbox = new Inbox();
  inbox.accept(dtmf('a'));
  expect(inbox.takeHangup()).toBe(false);
  inbox.accept(hangup('h'));
  inbox.accept(dtmf('b'));
  expect(inbox.takeHangup()).toBe(true);
  expect(inbox.pending).toBe(false);
  expect(inbox.consumed).toBe(3);
  expect(inbox.takeHangup()).toBe(false);
});

test('a continued run resumes the window and the count, and refuses an id from the earlier run', () => {
  const first = new Inbox();
  first.accept(dtmf('e1'));
  first.accept(dtmf('e2'));
  first.take();
  first.take();
  const resumed = new Inbox(first.snapshot());
  expect(resumed.consumed).toBe(2);
  expect(resumed.accept(dtmf('e2'))).toBe(-1);
  expect(resumed.accept(dtmf('e3'))).toBe(3);
  expect(resumed.snapshot()).toEqual({ seenEventIds: ['e1', 'e2', 'e3'], turn: 3 });
});

test('a snapshot does not change when the inbox goes on', () => {
  const inbox = new Inbox();
  inbox.accept(dtmf('a'));
  const snapshot = inbox.snapshot();
  inbox.accept(dtmf('b'));
  expect(snapshot).toEqual({ seenEventIds: ['a'], turn: 1 });
});

describe('portal input validation', () => {
  const waiting = { state: 's', waiting: 'input' } as SessionState;
  test('an input with an event id for a live session passes', () => {
    expect(() => checkPortalInput(waiting, dtmf('x'))).not.toThrow();
  });
  test('an ended session says so and what to do', () => {
    const ended = { ...waiting, ended: { outcome: 'completed', state: 's.bye' } } as SessionState;
    expect(() => checkPortalInput(ended, dtmf('x'))).toThrow('session ended (completed); start a new one');
  });
  test('a missing or empty event id is refused', () => {
    expect(() => checkPortalInput(waiting, { ...dtmf('x'), eventId: '' })).toThrow(/non-empty eventId/);
    expect(() => checkPortalInput(waiting, undefined)).toThrow(/non-empty eventId/);
  });
});
