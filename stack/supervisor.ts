/**
 * Runs the parts of the local stack as child processes and keeps them up:
 *  - each part is `node --require tsx/cjs stack/part-main.ts <part>` in a process group of its own, with an IPC
 *    channel; it reports `ready` (with what it serves) or `failed` (with the reason) over that channel;
 *  - a part that dies is reported and restarted with exponential backoff; a part that keeps failing to start is
 *    given up after `maxFailures` tries (reported) so that it never spins; the other parts are not touched;
 *  - stop() ends the parts in reverse order (SIGTERM to the group, SIGKILL after `graceMs`); killAllNow() is the
 *    synchronous last resort for the supervisor's own `exit`;
 *  - nothing outlives the supervisor: each part exits when its IPC channel closes (part-main.ts), which also
 *    happens when the supervisor is killed with SIGKILL, and every exit of a part is followed by a SIGKILL to its
 *    group so that a process it started (the Temporal dev server) cannot stay behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';

export interface BackoffOptions {
  /** First restart delay; doubled for each consecutive failure. */
  initialMs: number;
  maxMs: number;
  /** A part up this long before it died starts again from `initialMs`. */
  stableMs: number;
  /** Consecutive failures (exits before `stableMs`, failed starts) after which the part is given up. */
  maxFailures: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, stableMs: 60_000, maxFailures: 8 };

export interface PartSpec {
  /** Name of the part in part-main.ts (temporal, sims, codec, api, worker). */
  name: string;
  /** Handed to the part as JSON in IVR_PART_CONFIG. */
  config: unknown;
  env: NodeJS.ProcessEnv;
  /** How long a start may take before the part is killed and counted as failed. */
  readyTimeoutMs?: number;
}

/** What a part says once it serves: free-form fields (urls, child pids, banner lines). */
export type PartInfo = Record<string, unknown> & { lines?: string[]; pids?: number[] };

const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);

export type PartMessage = z.infer<typeof messageSchema>;

export class PartStartError extends Error {
  override name = 'PartStartError';
  constructor(
    readonly part: string,
    message: string,
  ) {
    super(message);
  }
}

interface RunningPart {
  spec: PartSpec;
  child?: ChildProcess;
  readyAt?: number;
  info?: PartInfo;
  failures: number;
  restartTimer?: NodeJS.Timeout;
  gaveUp: boolean;
}

const PART_MAIN = path.join(__dirname, 'part-main.ts');

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code ?? '?'}`;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone already */
  }
}

export class Supervisor {
  private readonly parts = new Map<string, RunningPart>();
  private stopping = false;
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly opts: {
      /** One line per event (start, exit, restart, give-up), for the operator's terminal. */
      report: (line: string) => void;
      backoff?: Partial<BackoffOptions>;
      /** Called after a part is up again following a restart. */
      onRestarted?: (name: string, info: PartInfo) => void;
    },
  ) {
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
  }

  /** Starts a part and waits for it to serve; a part that cannot start on its first try is an error (not retried). */
  async start(spec: PartSpec): Promise<PartInfo> {
    if (this.parts.has(spec.name)) throw new Error(`part ${spec.name} is already supervised`);
    const part: RunningPart = { spec, failures: 0, gaveUp: false };
    this.parts.set(spec.name, part);
    const info = await this.launch(part);
    return info;
  }

  /** The pids of each running part and of the processes it reported (e.g. the dev server). */
  pids(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, part] of this.parts) {
      if (part.child?.pid && part.child.exitCode === null && part.child.signalCode === null) {
        out[name] = [part.child.pid, ...(part.info?.pids ?? [])];
      }
    }
    return out;
  }

  info(name: string): PartInfo | undefined {
    return this.parts.get(name)?.info;
  }

  /** Stops every part, last started first. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const parts = [...this.parts.values()].reverse();
    for (const part of parts) {
      clearTimeout(part.restartTimer);
      const child = part.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        killGroup(child?.pid, 'SIGKILL');
        continue;
      }
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        this.opts.report(`part ${part.spec.name} did not stop within ${graceMs / 1000} s: killed`);
        killGroup(child.pid, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(child.pid, 'SIGKILL');
    }
  }

  /** Synchronous SIGKILL of every part's group, for the supervisor's own `exit` (no event loop left). */
  killAllNow(): void {
    this.stopping = true;
    for (const part of this.parts.values()) {
      clearTimeout(part.restartTimer);
      killGroup(part.child?.pid, 'SIGKILL');
    }
  }

  private launch(part: RunningPart): Promise<PartInfo> {
    const { spec } = part;
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), PART_MAIN, spec.name], {
      env: { ...spec.env, IVR_PART_CONFIG: JSON.stringify(spec.config ?? {}) },
      // A group of its own: Ctrl-C reaches the supervisor only (which stops the parts in order), and a SIGKILL to
      // the group takes whatever the part started with it.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    part.child = child;
    part.readyAt = undefined;
    part.info = undefined;

    return new Promise<PartInfo>((resolve, reject) => {
      let settled = false;
      let failure: string | undefined;
      const timeoutMs = spec.readyTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        failure = `did not report ready within ${timeoutMs / 1000} s`;
        killGroup(child.pid, 'SIGKILL');
      }, timeoutMs);

      child.on('message', (raw: unknown) => {
        const parsed = messageSchema.safeParse(raw);
        if (!parsed.success) return;
        const msg = parsed.data;
        if (msg.type === 'failed') {
          failure = msg.message;
          return;
        }
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        part.readyAt = Date.now();
        part.info = msg.info as PartInfo;
        resolve(part.info);
      });
      child.once('error', (err) => {
        failure = `could not be spawned: ${err.message}`;
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        // Whatever the part started in its group goes with it.
        killGroup(child.pid, 'SIGKILL');
        if (!settled) {
          settled = true;
          reject(new PartStartError(spec.name, `part ${spec.name} stopped before serving (${describeExit(code, signal)}): ${failure ?? 'see its output above'}`));
          return;
        }
        this.onExit(part, child, code, signal);
      });
    });
  }

  private onExit(part: RunningPart, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || part.child !== child) return;
    const upMs = part.readyAt === undefined ? 0 : Date.now() - part.readyAt;
    if (upMs >= this.backoff.stableMs) part.failures = 0;
    part.failures += 1;
    this.scheduleRestart(part, `part ${part.spec.name} (pid ${child.pid}) exited with ${describeExit(code, signal)} after ${(upMs / 1000).toFixed(1)} s`);
  }

  private scheduleRestart(part: RunningPart, why: string): void {
    if (part.failures > this.backoff.maxFailures) {
      part.gaveUp = true;
      this.opts.report(`${why}; ${part.failures - 1} restarts in a row failed: giving up on ${part.spec.name} (the other parts keep running; fix the cause and start again)`);
      return;
    }
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (part.failures - 1));
    this.opts.report(`${why}; restarting it in ${(delay / 1000).toFixed(1)} s (attempt ${part.failures} of ${this.backoff.maxFailures})`);
    part.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.launch(part).then(
        (info) => {
          if (this.stopping) return;
          this.opts.report(`part ${part.spec.name} is running again (pid ${part.child?.pid})`);
          this.opts.onRestarted?.(part.spec.name, info);
        },
        (err: unknown) => {
          if (this.stopping) return;
          part.failures += 1;
          this.scheduleRestart(part, err instanceof Error ? err.message : String(err));
        },
      );
    }, delay);
  }
}
