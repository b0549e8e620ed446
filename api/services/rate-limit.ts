/**
 * Sliding-window limits kept in the store (they hold across restarts and across API instances on PostgreSQL): a
 * hit is accepted while fewer than `max` accepted hits lie in the last `windowSec` seconds. Unlike fixed windows,
 * no burst fits across a window boundary (with 3 per 15 min, never 6 in two minutes).
 */
import { ApiError } from '../errors';
import type { ApiStore } from '../store/store';

export interface Limit {
  bucket: string;
  max: number;
  windowSec: number;
}

/** Counts one hit in every bucket, in order; the first bucket at its limit answers 429 with Retry-After. */
export async function enforceLimits(store: ApiStore, now: Date, limits: Limit[], message = 'Too many requests for this number or from this address; retry later.'): Promise<void> {
  for (const l of limits) {
    const windowMs = l.windowSec * 1000;
    const r = await store.slidingHit(l.bucket, now.getTime(), windowMs, l.max);
    if (!r.accepted) {
      const retry = Math.max(1, Math.ceil(((r.oldestMs ?? now.getTime()) + windowMs - now.getTime()) / 1000));
      throw new ApiError(429, 'rate_limited', message, { retry_after_sec: retry }, { 'Retry-After': String(retry) });
    }
  }
}
