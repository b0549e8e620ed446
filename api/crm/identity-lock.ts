/**
 * One person, one partner: captures of the same person (same normalized e-mail or same E.164 phone) run one after
 * the other in this API process, whatever their Idempotency-Keys. Odoo has no unique constraint on a partner's
 * e-mail or phone, so two captures that both search before either creates would both create. Under the lock the
 * capture workflow's own duplicate search (its first Odoo step) is the re-check: the second capture finds the
 * partner the first created and matches it.
 *
 * The lock is in memory: it serializes the captures one API process starts. What a second API process needs (a
 * claim row in the API's store) is in ./README.md, "One person, one partner".
 */
import crypto from 'node:crypto';
import type { ContactDraft } from '../../lib/crm/types';

/**
 * The identities a contact is known by, as opaque keys (hashes: the keys live in memory and could reach a heap
 * dump or a debugger, never the data): its lower-cased e-mail, its E.164 phone.
 */
export function identityKeys(contact: Pick<ContactDraft, 'email' | 'phone'>): string[] {
  const keys: string[] = [];
  const email = contact.email?.trim().toLowerCase();
  if (email) keys.push(`email:${email}`);
  const phone = contact.phone?.replace(/[^\d+]/g, '');
  if (phone) keys.push(`phone:${phone}`);
  return keys.map((k) => crypto.createHash('sha256').update(k).digest('hex').slice(0, 32)).sort();
}

export class IdentityLockTimeout extends Error {
  override readonly name = 'IdentityLockTimeout';
  constructor(readonly waitedMs: number) {
    super(`another capture of the same person was still running after ${waitedMs} ms`);
  }
}

/** A FIFO lock per key; several keys are taken in sorted order, so two captures never wait on each other. */
export class IdentityLocks {
  /** The promise the next holder of a key waits for (the current holder's release). */
  private readonly tails = new Map<string, Promise<void>>();

  /** How many keys are held or waited for (tests: nothing is left behind). */
  get size(): number {
    return this.tails.size;
  }

  /**
   * Takes every key, waiting at most `maxWaitMs` in all; resolves to the release function (idempotent). On a
   * timeout the keys already taken are given back and IdentityLockTimeout is thrown.
   */
  async acquire(keys: readonly string[], maxWaitMs: number): Promise<() => void> {
    const unique = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    const releaseAll = () => {
      for (const r of releases.splice(0).reverse()) r();
    };
    const deadline = Date.now() + maxWaitMs;
    try {
      for (const key of unique) releases.push(await this.take(key, deadline - Date.now()));
    } catch (err) {
      releaseAll();
      throw err instanceof IdentityLockTimeout ? new IdentityLockTimeout(maxWaitMs) : err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseAll();
    };
  }

  private async take(key: string, waitMs: number): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let open!: () => void;
    const mine = new Promise<void>((resolve) => (open = resolve));
    // the next taker waits for this one's release, even when this one gives up waiting (it releases at once then)
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    const release = () => {
      open();
      // the last holder leaves no entry behind
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, waitMs));
    });
    const got = await Promise.race([previous.then(() => 'taken' as const), timedOut]);
    clearTimeout(timer);
    if (got === 'timeout') {
      release();
      throw new IdentityLockTimeout(waitMs);
    }
    return release;
  }
}
