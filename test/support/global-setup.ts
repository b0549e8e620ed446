/**
 * One Temporal dev server for the whole test run (starting one per test file would cost seconds each).
 * Its address reaches the test files through TEMPORAL_ADDRESS, which they inherit from this process.
 * An address already in the environment is used as it is (a developer's own server).
 */
import { resolveTemporalServer, type TemporalServer } from '../../lib/temporal/server';

declare global {
  // `var`: only a var declaration in `declare global` types a property of globalThis.
  var __temporalServer: TemporalServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const server = await resolveTemporalServer();
  globalThis.__temporalServer = server;
  process.env.TEMPORAL_ADDRESS = server.address;
  process.env.TEMPORAL_NAMESPACE = server.namespace;
  process.stderr.write(`\n[test] Temporal server ${server.address} (${server.source})\n`);
}
