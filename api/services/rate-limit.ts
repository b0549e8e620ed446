/** Fixed-window counters kept in the store (so limits hold across restarts and across API instances on PostgreSQL). */
import { ApiError } from '../errors';
import type { ApiStore } from '../store/store';

export interface Limit {
  bucket: string;
  max: number;
  windowSec: number;
}

/** Counts one hit in every bucket; the first bucket over its limit answers 429 with Retry-After. */
export async function enforceLimits(store: ApiStore, now: Date, limits: Limit[]): Promise<void> {
  for (const l of limits) {
    const windowMs = l.windowSec * 1000;
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const count = await store.hit(l.bucket, start);
    if (count > l.max) {
      const retry = Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000));
      throw new ApiError(429, 'rate_limited', 'Too many requests for this number or from this address; retry later.', { retry_after_sec: retry }, { 'Retry-After': String(retry) });
    }
  }
}
