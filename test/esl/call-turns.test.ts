/** The rule by which a call's inputs meet its turns (lib/esl/turns.ts CallTurns), as the esl-bridge keeps it. */
import { CallTurns, type TurnAnnouncement } from '../../lib/esl/turns';

const turn = (activityId: string, after: string): TurnAnnouncement => ({ callId: 'u1', workflowId: 'voice-u1', runId: 'r1', activityId, after });

test('a turn asked for after every input sent is held, and the next input answers it; later ones go as signals', () => {
  const t = new CallTurns('none');
  const first = turn('1', 'none');
  expect(t.announce(first)).toEqual({ hold: true });
  expect(t.deliver('k1')).toBe(first);
  expect(t.deliver('k2')).toBeUndefined();
  expect(t.open).toBeUndefined();
});

test('a turn asked for while an input was on its way is void; the next one, naming that input, is held', () => {
  const t = new CallTurns('none');
  expect(t.deliver('k1')).toBeUndefined();
  expect(t.announce(turn('1', 'none'))).toEqual({ hold: false });
  const next = turn('2', 'k1');
  expect(t.announce(next)).toEqual({ hold: true });
  expect(t.open).toBe(next);
});

test('a newer turn replaces a held one, which is to end empty; a repeated input never uses up the turn', () => {
  const t = new CallTurns('none');
  const older = turn('1', 'none');
  t.announce(older);
  const newer = turn('2', 'none');
  expect(t.announce(newer)).toEqual({ hold: true, superseded: older });
  expect(t.deliver('k1')).toBe(newer);
  const third = turn('3', 'k1');
  t.announce(third);
  expect(t.deliver('k1')).toBeUndefined();
  expect(t.open).toBe(third);
  t.drop(third);
  expect(t.open).toBeUndefined();
});

test('a call adopted after a restart trusts its first announcement, whatever it names', () => {
  const t = new CallTurns(null);
  expect(t.announce(turn('9', 'core:1234'))).toEqual({ hold: true });
  expect(new CallTurns('none').announce(turn('9', 'core:1234'))).toEqual({ hold: false });
});
