import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiStore } from '../../api/store/store';

describe('API store on PGlite', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('records survive closing and reopening the data directory', async () => {
    const at = new Date('2026-03-02T08:00:00Z');
    const s1 = await ApiStore.open({ dataDir: dir });
    await s1.createChallenge({ id: 'c1', phoneHash: 'ph', codeHash: 'h', channel: 'sms', purpose: 'portal_login', role: 'client', maxAttempts: 5, createdAt: at, expiresAt: new Date(at.getTime() + 600_000) });
    await s1.createSession({ tokenHash: 't1', partnerId: 7, source: 'otp', createdAt: at, expiresAt: new Date(at.getTime() + 3_600_000) });
    await s1.setAppointmentPrefs({ appointmentId: 3, partnerId: 7, dateFrom: '2026-03-10', dateTo: '2026-03-20', timeWindow: 'morning', mode: 'home' }, at);
    await s1.appendConsent({ partnerId: 7, consentOk: true, purpose: 'appointments', channel: 'voice', wordingVersion: 'v1', wordingHash: 'abc', callId: 'call-1', sessionId: null, recordedAt: at });
    const ledger = s1.sendLedger({ now: () => at });
    expect(await ledger.claim('k1', 'sms')).toBe('new');
    await ledger.complete('k1', 'm-1');
    expect(await s1.hit('otp:phone:ph', 0)).toBe(1);
    await s1.close();

    const s2 = await ApiStore.open({ dataDir: dir });
    const c = await s2.getChallenge('c1');
    expect(c).toMatchObject({ status: 'active', attempts: 0, maxAttempts: 5 });
    expect(c?.expiresAt.toISOString()).toBe('2026-03-02T08:10:00.000Z');
    expect((await s2.getSession('t1'))?.partnerId).toBe(7);
    expect(await s2.getAppointmentPrefs(3)).toMatchObject({ dateFrom: '2026-03-10', dateTo: '2026-03-20', mode: 'home' });
    expect((await s2.latestConsent(7))?.callId).toBe('call-1');
    expect(await s2.sendLedger({ now: () => at }).claim('k1', 'sms')).toEqual({ messageId: 'm-1' });
    expect(await s2.hit('otp:phone:ph', 0)).toBe(2);
    await s2.close();
  });

  test('a new challenge replaces the active one and attempts count atomically', async () => {
    const at = new Date();
    const s = await ApiStore.open({ dataDir: 'memory://' });
    const base = { phoneHash: 'p', codeHash: 'h', channel: 'sms', purpose: 'x', role: 'client', maxAttempts: 5, createdAt: at, expiresAt: at };
    await s.createChallenge({ ...base, id: 'a' });
    await s.createChallenge({ ...base, id: 'b' });
    expect((await s.getChallenge('a'))?.status).toBe('replaced');
    expect(await s.countAttempt('a')).toBeNull();
    const counts = await Promise.all([1, 2, 3].map(() => s.countAttempt('b')));
    expect(counts.sort()).toEqual([1, 2, 3]);
    expect(await s.finishChallenge('b', 'used')).toBe(true);
    expect(await s.finishChallenge('b', 'used')).toBe(false);
    await s.close();
  });

  test('idempotency claims: one winner, then the stored row', async () => {
    const s = await ApiStore.open({ dataDir: 'memory://' });
    const at = new Date();
    const results = await Promise.all([s.claimIdempotency('k', 'f', at), s.claimIdempotency('k', 'f', at)]);
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    await s.completeIdempotency('k', 200, '{"ok":true}');
    expect(await s.claimIdempotency('k', 'f', at)).toEqual({ fingerprint: 'f', status: 'done', responseStatus: 200, responseBody: '{"ok":true}' });
    await s.close();
  });
});
