/** What the command runner decides without Temporal: barge-in, voice turns, results for the engine. */
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import type { Command, ListenSpec } from '../../workflows/engine/types';
import { actionResult, directInput, errorCode, isMoot, unavailableResult, voiceTurnAt } from '../../workflows/shell/plan';

const say = (text: string, bargeIn = true): Command => ({ kind: 'say', text, bargeIn });
const spec: ListenSpec = { timeoutSec: 5, allowDtmf: true, choices: [], hints: [] };
const listen: Command = { kind: 'listen', spec };
const end: Command = { kind: 'end', outcome: 'completed' };

describe('barge-in', () => {
  test('a prompt that may be interrupted is moot once an input waits', () => {
    expect(isMoot(say('a'), true)).toBe(true);
    expect(isMoot(say('a'), false)).toBe(false);
  });
  test('a prompt without barge-in and other commands are never moot', () => {
    expect(isMoot(say('a', false), true)).toBe(false);
    expect(isMoot(listen, true)).toBe(false);
    expect(isMoot(end, true)).toBe(false);
  });
});

describe('voice turn', () => {
  test('the prompts in a row and the listen right after them make one turn', () => {
    const commands = [say('a'), say('b', false), listen, end];
    expect(voiceTurnAt(commands, 0, false)).toEqual({
      says: [{ text: 'a', bargeIn: true }, { text: 'b', bargeIn: false }],
      listen: spec,
      next: 3,
    });
  });
  test('without a listen after the prompts the turn ends at the next other command', () => {
    expect(voiceTurnAt([say('a'), end], 0, false)).toEqual({ says: [{ text: 'a', bargeIn: true }], next: 1 });
    expect(voiceTurnAt([say('a')], 0, false)).toEqual({ says: [{ text: 'a', bargeIn: true }], next: 1 });
  });
  test('an input waiting leaves out the prompts it interrupts, keeps the others and the listen', () => {
    const commands = [say('intro', false), say('menu'), listen];
    expect(voiceTurnAt(commands, 0, true)).toEqual({ says: [{ text: 'intro', bargeIn: false }], listen: spec, next: 3 });
  });
  test('a turn starts where it is asked to', () => {
    const commands = [end, say('a'), listen];
    expect(voiceTurnAt(commands, 1, false).next).toBe(3);
  });
});

describe('results for the engine', () => {
  test('a 2xx answer is a success with its body', () => {
    expect(actionResult('s1', { ok: true, status: 200, body: { id: 7 } })).toEqual({
      kind: 'action_result', stepId: 's1', ok: true, status: 200, body: { id: 7 },
    });
  });
  test('a 4xx answer is a failure carrying the code the body names', () => {
    expect(actionResult('s1', { ok: false, status: 404, body: { code: 'not_found' } })).toEqual({
      kind: 'action_result', stepId: 's1', ok: false, status: 404, error: 'not_found',
    });
    expect(errorCode({ error: 'slot_taken' })).toBe('slot_taken');
    // the API's own shape: {error: {code, message, …}}
    expect(errorCode({ error: { code: 'slot_taken', message: 'x' } })).toBe('slot_taken');
    expect(errorCode({ error: { message: 'no code' } })).toBe('backend_error');
    expect(errorCode(null)).toBe('backend_error');
    expect(errorCode(['x'])).toBe('backend_error');
  });
  test('a backend unavailable through every retry is a 502 named by the failure type', () => {
    const failure = (cause?: Error) =>
      new ActivityFailure('failed', 'callBackend', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, 'identity', cause);
    expect(unavailableResult('s2', failure(ApplicationFailure.retryable('503', 'BackendUnavailable')))).toEqual({
      kind: 'action_result', stepId: 's2', ok: false, status: 502, error: 'BackendUnavailable',
    });
    expect(unavailableResult('s2', failure())).toMatchObject({ error: 'backend_unavailable' });
  });
  test('caller inputs map to engine inputs one for one', () => {
    expect(directInput({ eventId: 'e', kind: 'dtmf', digits: '12' })).toEqual({ kind: 'dtmf', digits: '12' });
    expect(directInput({ eventId: 'e', kind: 'speech', text: 'oui' })).toEqual({ kind: 'speech', text: 'oui' });
    expect(directInput({ eventId: 'e', kind: 'text', text: 'oui' })).toEqual({ kind: 'text', text: 'oui' });
    expect(directInput({ eventId: 'e', kind: 'hangup' })).toEqual({ kind: 'hangup' });
  });
});
