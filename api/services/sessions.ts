/**
 * Session tokens: opaque random strings; the store keeps HMAC(SESSION_KEY, token) with the partner id and expiry.
 * Chosen over signed self-contained tokens because a stored session can be revoked and expired server-side at
 * once, and a leaked store gives no usable token (only keyed hashes).
 */
import type { ApiStore } from '../store/store';
import type { Clock } from '../ports';
import { ApiError } from '../errors';
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
    if (!row || row.revoked) throw new ApiError(401, 'unauthorized', 'Unknown session token; log in again with a code.');
    if (row.expiresAt.getTime() <= this.clock.now().getTime()) throw new ApiError(401, 'session_expired', 'The session has expired; log in again with a code.');
    return { partnerId: row.partnerId, sessionId: row.sessionId };
  }
}
