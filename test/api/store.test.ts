import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ApiStore } from '../../api/store/store';
import { migrate, MIGRATIONS } from '../../api/store/schema';

/**
 * The same repository tests on every driver available: PGlite always; PostgreSQL too when TEST_DATABASE_URL
 * points at a server where the test may create databases (e.g. postgres://postgres@127.0.0.1:5432/postgres).
 */
interface Place {
  open(): Promise<ApiStore>;
  cleanup(): Promise<void>;
}
const targets: Array<[string, () => Promise<Place>]> = [
  ['PGlite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-store-'));
    return { open: () => ApiStore.open({ dataDir: dir }), cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }],
];
const adminUrl = process.env.TEST_DATABASE_URL;
if (adminUrl) {
  targets.push(['PostgreSQL', async () => {
    const name = `api_store_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      open: () => ApiStore.open({ databaseUrl: url.toString(), dataDir: 'unused' }),
      cleanup: async () => {
        const c = new Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
        await c.end();
      },
    };
  }]);
}

describe.each(targets)('API store on %s', (_name, makePlace) => {
  // One store for the tests that need no fresh database (creating one is the slow part); the restart test has its own.
  let shared: Place;
  let s: ApiStore;
  beforeAll(async () => {
    shared = await makePlace();
    s = await shared.open();
  });
  afterAll(async () => {
    await s.close();
    await shared.cleanup();
  });

  test('records survive closing and reopening the store', async () => {
    const place = await makePlace();
    try {
      const at = new Date('2026-03-02T08:00:00Z');
      const s1 = await place.open();
      await s1.createChallenge({ id: 'c1', phoneHash: 'ph', codeHash: 'h', channel: 'sms', purpose: 'portal_login', role: 'client', maxAttempts: 5, createdAt: at, expiresAt: new Date(at.getTime() + 600_000) });
      await s1.createSession({ tokenHash: 't1', partnerId: 7, source: 'otp', createdAt: at, expiresAt: new Date(at.getTime() + 3_600_000) });
      await s1.setAppointmentPrefs({ appointmentId: 3, partnerId: 7, dateFrom: '2026-03-10', dateTo: '2026-03-20', timeWindow: 'morning', mode: 'home' }, at);
      await s1.appendConsent({ partnerId: 7, consentOk: true, purpose: 'appointments', channel: 'voice', wordingVersion: 'v1', wordingHash: 'abc', callId: 'call-1', sessionId: null, recordedAt: at });
      const ledger = s1.sendLedger({ now: () => at });
      expect(await ledger.claim('k1', 'sms')).toBe('new');
      await ledger.complete('k1', 'm-1');
      expect(await ledger.claim('k2', 'sms')).toBe('new');
      expect(await s1.hit('otp:phone:ph', 0)).toBe(1);
      await s1.close();

      const s2 = await place.open();
      const c = await s2.getChallenge('c1');
      expect(c).toMatchObject({ status: 'active', attempts: 0, maxAttempts: 5 });
      expect(c?.expiresAt.toISOString()).toBe('2026-03-02T08:10:00.000Z');
      expect((await s2.getSession('t1'))?.partnerId).toBe(7);
      expect(await s2.getAppointmentPrefs(3)).toMatchObject({ dateFrom: '2026-03-10', dateTo: '2026-03-20', mode: 'home' });
      expect((await s2.latestConsent(7))?.callId).toBe('call-1');
      const ledger2 = s2.sendLedger({ now: () => at });
      expect(await ledger2.claim('k1', 'sms')).toEqual({ messageId: 'm-1' });
      expect(await ledger2.claim('k2', 'sms')).toEqual({ pendingSince: at });
      await expect(ledger2.claim('k1', 'email')).rejects.toThrow(/first used for sms/);
      expect(await s2.hit('otp:phone:ph', 0)).toBe(2);
      const migrations = await s2.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(migrations.rows[0]?.n).toBe(MIGRATIONS.length);
      await s2.close();
    } finally {
      await place.cleanup();
    }
  });

  test('a new challenge replaces the active one and attempts count atomically', async () => {
    const at = new Date();
    const base = { phoneHash: 'p-atomic', codeHash: 'h', channel: 'sms', purpose: 'x', role: 'client', maxAttempts: 5, createdAt: at, expiresAt: at };
    await s.createChallenge({ ...base, id: 'a' });
    await s.createChallenge({ ...base, id: 'b' });
    expect((await s.getChallenge('a'))?.status).toBe('replaced');
    expect(await s.countAttempt('a')).toBeNull();
    const counts = await Promise.all([1, 2, 3].map(() => s.countAttempt('b')));
    expect(counts.sort()).toEqual([1, 2, 3]);
    expect(await s.finishChallenge('b', 'used')).toBe(true);
    expect(await s.finishChallenge('b', 'used')).toBe(false);
  });

  test('idempotency claims: one winner, then the stored row; a released claim can be taken again', async () => {
    const at = new Date();
    const results = await Promise.all([s.claimIdempotency('k', 'f', at), s.claimIdempotency('k', 'f', at), s.claimIdempotency('k', 'f', at)]);
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    await s.completeIdempotency('k', 200, '{"ok":true}');
    expect(await s.claimIdempotency('k', 'f', at)).toEqual({ fingerprint: 'f', status: 'done', responseStatus: 200, responseBody: '{"ok":true}' });
    expect(await s.claimIdempotency('k2', 'f', at)).toBe('claimed');
    await s.releaseIdempotency('k2');
    expect(await s.claimIdempotency('k2', 'g', at)).toBe('claimed');
  });

  test('prune deletes old records but keeps the consent log', async () => {
    const old = new Date('2020-01-01T00:00:00Z');
    const now = new Date('2020-03-01T00:00:00Z');
    await s.claimIdempotency('old', 'f', old);
    await s.claimIdempotency('new', 'f', now);
    await s.hit('b', old.getTime());
    await s.appendConsent({ partnerId: 1, consentOk: true, purpose: 'p', channel: 'web', wordingVersion: 'v1', wordingHash: 'h', callId: null, sessionId: null, recordedAt: old });
    expect(await s.prune(now, 30)).toBe(2);
    expect(await s.getIdempotency('old')).toBeNull();
    expect(await s.getIdempotency('new')).not.toBeNull();
    expect(await s.latestConsent(1)).not.toBeNull();
  });

  test('migrations are safe to run again', async () => {
    expect(await migrate(s.db)).toEqual([]);
    const r = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(r.rows[0]?.n).toBe(MIGRATIONS.length);
  });
});
