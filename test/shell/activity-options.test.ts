/**
 * One retry policy per kind of activity. The backend's bounds retries of 5xx and network errors so that a caller
 * on the line is answered within seconds; the policy recorded in history is checked on the dev server in
 * test/session/session-workflow.test.ts.
 */
import { msToNumber } from '@temporalio/common/lib/time';
import {
  BACKEND_ACTIVITY_OPTIONS,
  IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS,
  isIdempotentBackendCall,
  SPEECH_ACTIVITY_OPTIONS,
  VOICE_ACTIVITY_OPTIONS,
} from '../../workflows/shell/activity-options';

test('backend actions: four attempts, exponential, each wait at most 5 s', () => {
  expect(BACKEND_ACTIVITY_OPTIONS).toEqual({
    startToCloseTimeout: '25 seconds',
    retry: { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4 },
  });
});

test('backend actions give up within a caller’s patience: waits between attempts add up to under 3 s', () => {
  const retry = BACKEND_ACTIVITY_OPTIONS.retry!;
  const waits: number[] = [];
  let wait = msToNumber(retry.initialInterval!);
  for (let attempt = 1; attempt < retry.maximumAttempts!; attempt++) {
    waits.push(Math.min(wait, msToNumber(retry.maximumInterval!)));
    wait *= retry.backoffCoefficient!;
  }
  expect(waits).toEqual([300, 600, 1200]);
  expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(3000);
});

test('speech and voice keep their own timeouts and retries', () => {
  expect(SPEECH_ACTIVITY_OPTIONS).toEqual({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '500 milliseconds', maximumAttempts: 3 },
  });
  expect(VOICE_ACTIVITY_OPTIONS).toEqual({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', maximumAttempts: 3 },
  });
});

test('idempotent backend steps outlive an API restart: retries for 60 s (restart measured at 4–7 s, ~20 s under load), each wait ≤ 3 s', () => {
  expect(IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS).toEqual({
    startToCloseTimeout: '25 seconds',
    scheduleToCloseTimeout: '60 seconds',
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '3 seconds' },
  });
  expect(msToNumber(IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS.scheduleToCloseTimeout!)).toBeGreaterThan(3 * 20_000 - 1);
  // old budget: 0.3 + 0.6 + 1.2 s of waits, well under one restart
  expect(IDEMPOTENT_BACKEND_ACTIVITY_OPTIONS.retry!.maximumAttempts).toBeUndefined();
});

test('sends of codes and links and CRM captures keep the short budget; reads and reconciled writes get the long one', () => {
  for (const path of ['/auth/request-otp', '/portal/send-otp-link', '/appointments/7/share-link', '/crm/text-contacts']) {
    expect(isIdempotentBackendCall({ method: 'PUT', path })).toBe(false);
  }
  for (const path of ['/appointments/7/select-slot', '/appointments/7/callback', '/appointments/7/cancel', '/appointments/7/confirm', '/portal/preferences', '/appointments/7/send-ics']) {
    expect(isIdempotentBackendCall({ method: 'PUT', path })).toBe(true);
  }
  expect(isIdempotentBackendCall({ method: 'GET', path: '/appointments' })).toBe(true);
});
