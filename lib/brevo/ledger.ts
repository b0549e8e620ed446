/**
 * The send ledger: the product's own record that makes "no message ever sent twice for the same idempotency key"
 * hold across activity retries and worker crashes (Brevo dedupes email only, and only for a few minutes).
 *
 * A key is in one of three states:
 * - absent: never sent;                    claim() records it as claimed and returns 'new'
 * - claimed (not completed): a send started and its outcome is not recorded — it may be in flight, may have failed
 *   before reaching Brevo, or may have been accepted just before a crash; claim() returns { pendingSince }
 * - completed: Brevo accepted it;           claim() returns { messageId }
 * release() deletes a claim, and is called ONLY when Brevo certainly did not accept the message (a 4xx/5xx answer,
 * or a connection that was refused before anything was sent). A persistent implementation must make claim()
 * atomic (e.g. INSERT … ON CONFLICT DO NOTHING RETURNING, then SELECT).
 */

export type SendChannel = 'sms' | 'email' | 'whatsapp';

export type ClaimResult = 'new' | { messageId: string } | { pendingSince: Date };

export interface SendLedger {
  /** Atomically claims `key` for `channel`; reports the existing state when the key is already known. */
  claim(key: string, channel: SendChannel): Promise<ClaimResult>;
  /** Records that Brevo accepted the message sent under `key`. */
  complete(key: string, messageId: string): Promise<void>;
  /** Forgets a claim whose message was certainly not accepted, so a later attempt may send it. */
  release(key: string): Promise<void>;
}

export class LedgerKeyConflict extends Error {
  override name = 'LedgerKeyConflict';
}

interface Entry {
  channel: SendChannel;
  claimedAt: Date;
  messageId?: string;
  completedAt?: Date;
}

/** In-process ledger for tests and single-process tools; loses its memory on restart. */
export class InMemorySendLedger implements SendLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async claim(key: string, channel: SendChannel): Promise<ClaimResult> {
    const e = this.entries.get(key);
    if (!e) {
      this.entries.set(key, { channel, claimedAt: this.now() });
      return 'new';
    }
    if (e.channel !== channel) {
      throw new LedgerKeyConflict(`idempotency key '${key}' was first used for ${e.channel}, now for ${channel}: use one key per message`);
    }
    return e.messageId !== undefined ? { messageId: e.messageId } : { pendingSince: e.claimedAt };
  }

  async complete(key: string, messageId: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) throw new Error(`complete(): idempotency key '${key}' was never claimed`);
    e.messageId = messageId;
    e.completedAt = this.now();
  }

  async release(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (e && e.messageId === undefined) this.entries.delete(key);
  }

  /** Snapshot for tests and for a human resolving claimed-but-unknown sends. */
  snapshot(): Array<{ key: string } & Entry> {
    return [...this.entries].map(([key, e]) => ({ key, ...e }));
  }
}
