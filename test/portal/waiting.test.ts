/** The per-channel waiting rule: a portal reader is not a silent caller (workflows/shell/waiting.ts). */
import { afterIdle, waitLimitSec } from '../../workflows/shell/waiting';
import type { ListenSpec } from '../../workflows/engine/types';

const listen: ListenSpec = { timeoutSec: 6, allowDtmf: true, choices: [], hints: [] };

test('a portal session waits web_idle_minutes, not the state’s 6 s, and pauses instead of counting a no-input', () => {
  const globals = { web_idle_minutes: 15, web_session_minutes: 60 };
  expect(waitLimitSec('web', listen, { channelReportsNoInput: false, globals })).toBe(900);
  expect(afterIdle('web', globals)).toEqual({ kind: 'pause', pauseSec: 2700 });
});

test('a session lifetime shorter than the idle limit never makes a negative pause', () => {
  expect(afterIdle('web', { web_idle_minutes: 20, web_session_minutes: 5 })).toEqual({ kind: 'pause', pauseSec: 0 });
});

test('the phone, and a scripted web session without the web globals, keep the state’s no-input timeout', () => {
  expect(waitLimitSec('voice', listen, { channelReportsNoInput: false, globals: { web_idle_minutes: 15 } })).toBe(6);
  expect(afterIdle('voice', { web_idle_minutes: 15 })).toEqual({ kind: 'noinput' });
  expect(waitLimitSec('web', listen)).toBe(6);
  expect(afterIdle('web', {})).toEqual({ kind: 'noinput' });
});
