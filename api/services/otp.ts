/**
 * One-time codes (NIST SP 800-63B / OWASP): digits from the CSPRNG, stored only as HMAC(OTP_HASH_KEY, challenge,
 * code), valid for a TTL, single use, locked after max attempts, replaced by a newer code for the same number,
 * compared in constant time, never logged.
 */
import crypto from 'node:crypto';
import { ApiError } from '../errors';
import type { Clock } from '../ports';
import type { ApiStore } from '../store/store';
import { keyedHash, randomDigits, sameDigest } from './tokens';

export interface OtpSettings {
  key: string;
  length: number;
  ttlSec: number;
  maxAttempts: number;
}

export class OtpService {
  constructor(private readonly store: ApiStore, private readonly clock: Clock, private readonly s: OtpSettings) {}

  phoneHash(e164: string): string {
    return keyedHash(this.s.key, 'phone', e164);
  }

  /** Creates a challenge (replacing the number's active one) and returns the code to send, once. */
  async issue(input: { phone: string; channel: string; purpose: string; role: string; callId: string | null; sessionId: string | null }): Promise<{ challengeId: string; code: string; expiresIn: number }> {
    const challengeId = `otp_${crypto.randomUUID()}`;
    const code = randomDigits(this.s.length);
    const now = this.clock.now();
    await this.store.createChallenge({
      id: challengeId,
      phoneHash: this.phoneHash(input.phone),
      codeHash: keyedHash(this.s.key, 'otp', challengeId, code),
      channel: input.channel,
      purpose: input.purpose,
      role: input.role,
      maxAttempts: this.s.maxAttempts,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.s.ttlSec * 1000),
      callId: input.callId ?? undefined,
      sessionId: input.sessionId ?? undefined,
    });
    return { challengeId, code, expiresIn: this.s.ttlSec };
  }

  /**
   * Checks a code. Answers: 410 expired (also used/replaced/unknown challenge, with `reason`), 423 locked,
   * 401 invalid_code with attempts_left. Every wrong code counts, atomically, so parallel guesses cannot exceed
   * the limit.
   */
  async verify(input: { phone: string; challengeId: string; code: string }): Promise<void> {
    const c = await this.store.getChallenge(input.challengeId);
    if (!c || !sameDigest(c.phoneHash, this.phoneHash(input.phone))) throw gone('unknown');
    if (c.status === 'locked') throw locked();
    if (c.status !== 'active') throw gone(c.status === 'replaced' ? 'replaced' : c.status === 'used' ? 'used' : 'expired');
    if (c.expiresAt.getTime() <= this.clock.now().getTime()) {
      await this.store.finishChallenge(c.id, 'expired');
      throw gone('expired');
    }
    const attempts = await this.store.countAttempt(c.id);
    if (attempts === null) {
      // Finished by a concurrent request between our read and our count.
      const now = await this.store.getChallenge(c.id);
      throw now?.status === 'locked' ? locked() : gone(now?.status === 'replaced' ? 'replaced' : now?.status === 'expired' ? 'expired' : 'used');
    }
    const ok = sameDigest(c.codeHash, keyedHash(this.s.key, 'otp', c.id, input.code));
    if (ok && attempts <= c.maxAttempts) {
      if (!(await this.store.finishChallenge(c.id, 'used'))) throw gone('used');
      return;
    }
    if (attempts >= c.maxAttempts) {
      await this.store.finishChallenge(c.id, 'locked');
      throw locked();
    }
    throw new ApiError(401, 'invalid_code', 'Wrong code.', { attempts_left: c.maxAttempts - attempts });
  }
}

function gone(reason: 'expired' | 'used' | 'replaced' | 'unknown'): ApiError {
  return new ApiError(410, 'expired', 'This code is no longer valid; request a new one.', { reason });
}

function locked(): ApiError {
  return new ApiError(423, 'locked', 'Too many wrong codes; request a new code.');
}
