/**
 * In-process serialization of requests on one record: routes that are idempotent by reconciliation (they read the
 * record, then write only what is missing) run one at a time per key, so a client's repeat arriving while the
 * first request still waits on a slow peer reads the first one's result instead of racing it. Nothing is kept on
 * disk: after a restart there is nothing to wait for, and the read-back decides.
 */
const tails = new Map<string, Promise<unknown>>();

export async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
