/**
 * Operator administration against the API's own store, from the same environment the API reads (DATABASE_URL, else
 * the embedded store in API_STORE_DIR, `.data/api-store` by default; SESSION_KEY keys the token hashes). Used by
 * `ivr operators` and by the local stack before it starts the API (the embedded store has one user at a time).
 */
import { loadApiConfig } from './config';
import { OperatorService } from './services/operators';
import { systemClock } from './ports';
import { ApiStore } from './store/store';

export async function withOperators<T>(env: NodeJS.ProcessEnv, fn: (ops: OperatorService, store: ApiStore) => Promise<T>, warn: (m: string) => void = () => {}): Promise<T> {
  const config = loadApiConfig(env, warn);
  const store = await ApiStore.open({ databaseUrl: config.DATABASE_URL, dataDir: config.API_STORE_DIR });
  try {
    return await fn(new OperatorService(store, systemClock, config.SESSION_KEY), store);
  } finally {
    await store.close();
  }
}

/**
 * Opens the API's store from `env`, creates the operator `name` or gives it a new token, closes the store, and
 * returns the token (the previous token of that name stops working). Call it while the API is stopped when the
 * store is embedded (PGlite); with DATABASE_URL any time.
 */
export function issueOperatorToken(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  return withOperators(env, async (ops) => (await ops.issue(name)).token);
}
