/**
 * Session tokens: opaque random strings; the store keeps HMAC(SESSION_KEY, token) with the partner id and expiry.
 * Chosen over signed self-contained tokens because a stored session can be revoked and expired server-side at
 * once, and a leaked store gives no usable token (only keyed hashes).
 */
import type { ApiStore } from '../store/store';
import type { Clock } from '../ports';
import { invalidToken } from './operators';
import { keyedHash, randomToken } from './tokens';
import type { AuthSession } from '../http';

export class SessionService {
  constructor(
    private readonly store: ApiStore,
    private readonly clock: Clock,
    private readonly key: string,
    private readonly ttlSec: number,
  ) {}

  async create(partnerId: number, source: 'otp' | 'magic_link', sessionId: string | null): Promise<{ token: string; expiresIn: number }> {
    const token = randomToken();
    const now = this.clock.now();
    await this.store.createSession({
      tokenHash: keyedHash(this.key, 'session', token), partnerId, source, sessionId, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlSec * 1000),
    });
    return { token, expiresIn: this.ttlSec };
  }

  async resolve(token: string): Promise<AuthSession> {
    const row = await this.store.getSession(keyedHash(this.key, 'session', token));
    if (!row) throw invalidToken('Unknown session token; log in again with a code.');
    if (row.revoked) throw invalidToken('This session was closed (logout); log in again with a code.');
    if (row.expiresAt.getTime() <= this.clock.now().getTime()) throw invalidToken('The session has expired; log in again with a code.', 'session_expired');
    return { partnerId: row.partnerId, sessionId: row.sessionId };
  }

  /** Ends a session at once (logout); false when it was unknown or already closed. */
  revoke(token: string): Promise<boolean> {
    return this.store.revokeSession(keyedHash(this.key, 'session', token), this.clock.now());
  }
}
