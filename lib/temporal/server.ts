/**
 * Finds the Temporal server the project talks to, in this order:
 *  1. `TEMPORAL_ADDRESS`: an existing server (production, a shared dev server, CI's own);
 *  2. a dev server started from the pinned binary in `.tools/temporal/bin/temporal` (scripts/install-tools.sh);
 *  3. a dev server started from `temporal` on PATH;
 *  4. a dev server the SDK downloads itself (needs internet access to Temporal's CDN).
 * Dev servers get the project's search attributes, so sessions can set them from the first event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { assertPortFree, pickFreePort } from '../net/ports';
import { devServerSearchAttributeArgs, SEARCH_ATTRIBUTES } from './search-attributes';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const PINNED_TEMPORAL_CLI = path.join(PROJECT_ROOT, '.tools', 'temporal', 'bin', 'temporal');
export const PINNED_TEST_SERVER = path.join(PROJECT_ROOT, '.tools', 'temporal', 'bin', 'temporal-test-server');

export interface DevServerOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Serve the web UI on this port; no UI when omitted. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFilename?: string;
  /**
   * `PRAGMA=VALUE` statements for the SQLite file (`--sqlite-pragma`); DEFAULT_SQLITE_PRAGMAS when omitted with a
   * dbFilename, none with `[]`. Ignored in memory.
   */
  sqlitePragmas?: readonly string[];
  /** Codec server URL the UI uses to decode payloads. */
  uiCodecEndpoint?: string;
  namespace?: string;
  /** Milliseconds to wait for the server to answer before giving up. */
  startTimeoutMs?: number;
  /** Dynamic configuration values (`KEY=VALUE`), e.g. a low continue-as-new suggestion threshold in tests. */
  dynamicConfig?: string[];
}

/**
 * The dev server's SQLite file, tuned: a write-ahead log instead of a rollback journal, and fsync at checkpoints
 * rather than on every commit (a power cut may lose the last transactions, never corrupt the file; a killed
 * process loses nothing). Measured with bench/sqlite.ts (bench/README.md): the file's CPU and latency cost over
 * the in-memory store mostly goes away.
 */
export const DEFAULT_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=wal', 'synchronous=normal'];

/** `--db-filename` and its `--sqlite-pragma`s for `start-dev`; none in memory. */
export function sqliteArgs(opts: Pick<DevServerOptions, 'dbFilename' | 'sqlitePragmas'>): string[] {
  if (!opts.dbFilename) return [];
  return ['--db-filename', opts.dbFilename, ...(opts.sqlitePragmas ?? DEFAULT_SQLITE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p])];
}

export interface TemporalServer {
  address: string;
  namespace: string;
  /** How the server was found, for logs and errors. */
  source: 'TEMPORAL_ADDRESS' | 'pinned binary' | 'PATH' | 'SDK download';
  /** Stops the server if the project started it; no-op for an existing one. */
  stop(): Promise<void>;
}

/** A free loopback port for a server this process starts (lib/net/ports: below the ephemeral range). */
export function freePort(): Promise<number> {
  return pickFreePort();
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, cmd);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** The Temporal CLI binary the project would start, or undefined when only the SDK download is left. */
export function localTemporalCli(): { path: string; source: 'pinned binary' | 'PATH' } | undefined {
  if (fs.existsSync(PINNED_TEMPORAL_CLI)) return { path: PINNED_TEMPORAL_CLI, source: 'pinned binary' };
  const fromPath = onPath('temporal');
  return fromPath ? { path: fromPath, source: 'PATH' } : undefined;
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number, logTail: () => string) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with code ${child.exitCode} before serving.\n${logTail()}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      // What answered must be the server just started, not another one on that port.
      if (child.exitCode !== null || child.signalCode !== null) continue;
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(
    `Temporal dev server at ${address} did not answer within ${timeoutMs} ms (${String(lastError)}).\n${logTail()}`,
  );
}

/** Starts `temporal server start-dev` from a known binary and waits until it answers gRPC. */
export async function startDevServerFrom(binary: string, opts: DevServerOptions = {}): Promise<{
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}> {
  // A port already taken (an orphaned dev server of an earlier run) would otherwise be attached to silently.
  if (opts.port) await assertPortFree(opts.port, '127.0.0.1', 'Temporal dev server, gRPC');
  if (opts.uiPort) await assertPortFree(opts.uiPort, '127.0.0.1', 'Temporal Web UI');
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace];
  args.push('--log-level', 'warn', '--log-format', 'json');
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFilename) {
    fs.mkdirSync(path.dirname(opts.dbFilename), { recursive: true });
    args.push(...sqliteArgs(opts));
  }
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  for (const value of opts.dynamicConfig ?? []) args.push('--dynamic-config-value', value);
  // Search attributes are registered with the namespace; repeating them on a persisted db is harmless.
  args.push(...devServerSearchAttributeArgs());
  // Metrics off: the default fixed port would clash between two servers on one machine.
  args.push('--metrics-port', String(await freePort()));

  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (buf: Buffer) => {
    tail.push(...buf.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, opts.startTimeoutMs ?? 60_000, () => tail.join('\n'));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { address, process: child, stop };
}

/** Resolves a Temporal server following the order in this file's header. */
export async function resolveTemporalServer(opts: DevServerOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<TemporalServer> {
  const namespace = opts.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  const existing = env.TEMPORAL_ADDRESS;
  if (existing) {
    return { address: existing, namespace, source: 'TEMPORAL_ADDRESS', stop: async () => undefined };
  }
  const cli = localTemporalCli();
  if (cli) {
    const started = await startDevServerFrom(cli.path, { ...opts, namespace });
    return { address: started.address, namespace, source: cli.source, stop: started.stop };
  }
  // Last resort: the SDK fetches the CLI itself. This fails without internet access; say what to do instead.
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        namespace,
        ...(opts.port ? { port: opts.port } : {}),
        ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : {}),
        ...(opts.dbFilename ? { dbFilename: opts.dbFilename } : {}),
        searchAttributes: Object.keys(SEARCH_ATTRIBUTES).map((name) =>
          defineSearchAttributeKey(name, SearchAttributeType.KEYWORD),
        ),
      },
    });
    return {
      address: env.address,
      namespace,
      source: 'SDK download',
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new Error(
      `No Temporal server: TEMPORAL_ADDRESS is unset, ${PINNED_TEMPORAL_CLI} is missing, no 'temporal' on PATH, ` +
        `and the SDK could not download one (${String(err)}). Run 'bash scripts/install-tools.sh' or set TEMPORAL_ADDRESS.`,
    );
  }
}

/** Starts the time-skipping test server (for tests whose timers must be skipped), pinned binary first. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  if (fs.existsSync(PINNED_TEST_SERVER)) {
    return TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: PINNED_TEST_SERVER } },
    });
  }
  return TestWorkflowEnvironment.createTimeSkipping();
}
