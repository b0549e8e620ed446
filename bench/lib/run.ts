/**
 * The core of bench/turns.ts: N concurrent voice sessions on the real Temporal server, each driven by a scripted
 * caller, the session worker in its own process, a fake voice channel timing every command, and the same turns
 * through the pure engine for comparison.
 *
 * A turn's latency is from the moment the caller's input signal is sent to the moment the next channel command
 * (say or listen) of that session reaches the voice activities. Every wait is bounded; all traffic is loopback.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ActivityNotFoundError, Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import type { CompiledMachine } from '../../lib/machine/model';
import { startSessionWorkflow } from '../../sessions/start';
import { resolveTemporalServer, type DevServerOptions, type TemporalServer } from '../../lib/temporal/server';
import { inputSignal, NO_INPUT_YET, type CallerInput } from '../../workflows/session-api';
import type { sessionWorkflow } from '../../workflows/session';
import type { VoiceTurnResult } from '../../workflows/activity-types';
import { startBenchBackend } from './backend';
import { runEngineTurns } from './engine-run';
import { percentile, median, round } from './stats';
import { loadBenchMachine, scriptedTurn } from './turn-script';
import { CallTurns, turnActivityId, type TurnAnnouncement } from '../../lib/esl/turns';
import { createBenchVoiceActivities, type ChannelCommandKind } from './voice-activities';
import { startBenchWorker, type BenchWorker } from './worker-process';
import { historyTurnCosts, profileHistories, type TurnCostSummary, type TurnProfile } from './profile';
import { processCpuMs, processesCpuMs, serverPids } from './cpu';

export interface TurnsBenchOptions {
  sessions: number;
  /** Turns per session. */
  turns: number;
  /** One turn per session every intervalMs (the first after a random delay in [0, intervalMs)). */
  intervalMs: number;
  /** A duplicate of the input (same event id) is sent on one turn in `duplicateEvery` (0: never). */
  duplicateEvery: number;
  /** A turn whose listen command has not come within this bound is lost. */
  lostAfterMs: number;
  worker: 'child' | 'in-process';
  /** Child worker only: module exporting createSessionWorker (a private copy under test). */
  workerModule?: string;
  /** Play one session of one cycle before measuring (loads the bundle and warms the isolate). */
  warmup: boolean;
  /** Break down the turns of this many sessions from their histories (0: none). */
  profileSessions: number;
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void;
  /** How to start the dev server when TEMPORAL_ADDRESS is unset (in memory by default). */
  devServer?: DevServerOptions;
}

export interface TurnsBenchResult {
  sessions: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  lost: number;
  duplicated: number;
  /** Null when it cannot be told from the worker's own drift: `rss_per_session_note` says why. */
  rss_per_session_mb: number | null;
  rss_per_session_note?: string;
  /** History events per turn of a few sessions (see profile.ts turnCosts). */
  events_per_turn: TurnCostSummary['events_per_turn'];
  /** Workflow tasks and activity tasks per turn, from the same histories. */
  tasks_per_turn: TurnCostSummary['tasks_per_turn'];
  /** Sessions and turns the two figures above were read from. */
  turn_cost_sample: { sessions: number; turns: number };
  engine_p50_ms: number;
  engine_p99_ms: number;
  ratio_p50: number;
  turns_per_session: number;
  turns_measured: number;
  turns_expected: number;
  interval_ms: number;
  duration_s: number;
  max_ms: number;
  /** Signal sent → the turn's listen command (the whole turn, the action included on action turns). */
  turn_complete_p50_ms: number;
  turn_complete_p99_ms: number;
  duplicates_sent: number;
  /** Channel commands that arrived with no turn waiting for them (an input applied twice would cause some). */
  stray_commands: number;
  /** Commands that came after their turn was already counted lost. */
  late_commands: number;
  sessions_failed: number;
  backend_requests: number;
  backend_keys: number;
  rss_idle_mb: number;
  rss_live_mb: number;
  rss_samples: number;
  /** Settled RSS once every session ended: memory the worker did not give back. */
  rss_after_mb: number;
  rss_scope: string;
  engine_turns: number;
  temporal: string;
  worker: string;
  /** CPU time per measured turn (ms) during the load phase: the worker, the Temporal server, this process. */
  cpu_ms_per_turn: { worker: number; server: number; bench: number };
  /** 1-minute load average at the start and the end: other work on the machine skews the figures. */
  load_avg: [number, number];
  profile?: TurnProfile;
  /** Problems met (failed sessions, timeouts), at most a few lines. */
  errors: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Resolves to the promise's value, or to `undefined` after ms (the timer never outlives the race). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface PendingTurn {
  sentAt: number;
  firstAt?: number;
  done: () => void;
}

/** Latencies of all sessions, shared by the callers. */
interface Recorder {
  firstCommandMs: number[];
  listenMs: number[];
  stray: number;
  /** Commands of a turn already counted lost, arriving after the bound. */
  late: number;
  lost: number;
  duplicatesSent: number;
  duplicated: number;
  failed: number;
  errors: string[];
}

class ScriptedCaller {
  readonly callId = crypto.randomUUID();
  phase: 'idle' | 'starting' | 'talking' | 'ending' | 'done' = 'idle';
  handle?: WorkflowHandle<typeof sessionWorkflow>;
  turnsDone = 0;
  /** Distinct inputs sent (a lost one included: it may still be applied late). */
  inputsSent = 0;
  private lostOne = false;
  /** The call's turns and inputs, kept by the esl-bridge's rule. */
  private readonly turns = new CallTurns(NO_INPUT_YET);
  private pending?: PendingTurn;
  private started?: () => void;

  constructor(
    private readonly index: number,
    private readonly rec: Recorder,
  ) {}

  onCommand(kind: ChannelCommandKind, at: number): void {
    const pending = this.pending;
    if (pending) {
      if (pending.firstAt === undefined) {
        pending.firstAt = at;
        this.rec.firstCommandMs.push(at - pending.sentAt);
      }
      if (kind === 'listen') {
        this.rec.listenMs.push(at - pending.sentAt);
        this.pending = undefined;
        pending.done();
      }
      return;
    }
    if (this.phase === 'starting') {
      if (kind === 'listen') this.started?.();
      return;
    }
    if (this.lostOne) this.rec.late += 1;
    else this.rec.stray += 1;
  }

  /** Resolves true once the session spoke its first prompt and listens, false after the bound. */
  private async start(ctx: RunContext): Promise<boolean> {
    this.phase = 'starting';
    const listening = new Promise<void>((resolve) => {
      this.started = resolve;
    });
    this.handle = await startSessionWorkflow(
      ctx.client,
      { machine: ctx.machine, channel: 'voice', callId: this.callId, voiceTaskQueue: ctx.voiceTaskQueue },
      { taskQueue: ctx.taskQueue },
    );
    const ok = (await within(listening.then(() => true), ctx.opts.lostAfterMs)) ?? false;
    this.phase = 'talking';
    return ok;
  }

  async run(ctx: RunContext, startDelayMs: number): Promise<void> {
    const { opts } = ctx;
    await sleep(startDelayMs);
    try {
      if (!(await this.start(ctx))) {
        this.rec.lost += 1;
        this.lostOne = true;
        this.fail(`session ${this.index}: first prompt never came within ${opts.lostAfterMs} ms`);
        await this.hangUp(ctx);
        return;
      }
      let next = performance.now() + opts.intervalMs;
      for (let t = 0; t < opts.turns; t++) {
        if (performance.now() > ctx.deadline) {
          this.fail(`session ${this.index}: stopped at the bench deadline after ${t} turns`);
          break;
        }
        await sleep(next - performance.now());
        next += opts.intervalMs;
        const turn = scriptedTurn(t, this.index);
        const event: CallerInput = { eventId: `${this.callId}:${t}`, kind: 'dtmf', digits: turn.digits };
        const answered = new Promise<boolean>((resolve) => {
          this.pending = { sentAt: performance.now(), done: () => resolve(true) };
        });
        this.inputsSent += 1;
        await this.deliver(ctx, event);
        if (opts.duplicateEvery > 0 && (t * opts.sessions + this.index) % opts.duplicateEvery === 0) {
          // The same event delivered again (an ESL reconnect replaying it): the workflow must apply it once.
          this.rec.duplicatesSent += 1;
          await this.deliver(ctx, event);
        }
        const ok = (await within(answered, opts.lostAfterMs)) ?? false;
        if (!ok) {
          this.pending = undefined;
          this.lostOne = true;
          this.rec.lost += 1;
          this.fail(`session ${this.index}: turn ${t} (${turn.digits}) got no listen within ${opts.lostAfterMs} ms`);
          break;
        }
        this.turnsDone += 1;
      }
      await this.hangUp(ctx);
    } catch (err) {
      this.fail(`session ${this.index}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.phase = 'done';
    }
  }

  /**
   * Sends an input the way the esl-bridge does: as the result of the call's open turn when the session had seen
   * every input before it, else as a signal (a void turn is completed empty first).
   */
  private async deliver(ctx: RunContext, event: CallerInput): Promise<void> {
    const turn = this.turns.deliver(event.eventId);
    if (turn && (await complete(ctx.client, turn, { interrupted: false, input: event }))) return;
    await (this.handle as WorkflowHandle<typeof sessionWorkflow>).signal(inputSignal, event);
  }

  /** A turn the fake channel left open: held for the next input, or completed empty (void, or replaced). */
  onTurn(client: Client, turn: TurnAnnouncement): void {
    const { hold, superseded } = this.turns.announce(turn);
    for (const empty of hold ? (superseded ? [superseded] : []) : [turn]) {
      complete(client, empty, { interrupted: false }).catch((err: Error) => this.fail(`session ${this.index}: ${err.message}`));
    }
  }

  /** Ends the call and checks the workflow applied each input once: turns = inputs + the hang-up. */
  private async hangUp(ctx: RunContext): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.phase = 'ending';
    await this.deliver(ctx, { eventId: `${this.callId}:hangup`, kind: 'hangup' });
    const result = await within(handle.result(), ctx.opts.lostAfterMs);
    if (!result) {
      this.fail(`session ${this.index}: no result within ${ctx.opts.lostAfterMs} ms of the hang-up`);
      return;
    }
    const expected = this.inputsSent + 1;
    if (result.turns > expected) this.rec.duplicated += result.turns - expected;
    if (result.outcome !== 'hangup') this.fail(`session ${this.index}: ended as ${result.outcome}, expected hangup`);
  }

  private fail(message: string): void {
    this.rec.failed += 1;
    if (this.rec.errors.length < 10) this.rec.errors.push(message);
  }
}

/** Completes a turn's activity as the esl-bridge does; false when it no longer exists (the input then goes as a signal). */
async function complete(client: Client, turn: TurnAnnouncement, result: VoiceTurnResult): Promise<boolean> {
  try {
    await client.activity.complete(turnActivityId(turn), result);
    return true;
  } catch (err) {
    if (err instanceof ActivityNotFoundError) return false;
    throw err;
  }
}

interface RunContext {
  opts: TurnsBenchOptions;
  client: Client;
  machine: CompiledMachine;
  taskQueue: string;
  voiceTaskQueue: string;
  /** performance.now() after which no caller starts a new turn. */
  deadline: number;
}

const emptyRecorder = (): Recorder => ({
  firstCommandMs: [],
  listenMs: [],
  stray: 0,
  late: 0,
  lost: 0,
  duplicatesSent: 0,
  duplicated: 0,
  failed: 0,
  errors: [],
});

/** Runs callers against the worker; the router sends each voice command to its caller. */
async function runCallers(
  ctx: RunContext,
  callers: ScriptedCaller[],
  router: Map<string, ScriptedCaller>,
  jitter: boolean,
): Promise<void> {
  for (const c of callers) router.set(c.callId, c);
  await Promise.all(callers.map((c) => c.run(ctx, jitter ? Math.random() * ctx.opts.intervalMs : 0)));
  for (const c of callers) router.delete(c.callId);
}

/** Fewer live sessions than this: the worker's own RSS drift (tens of MB) outweighs what they hold. */
export const MIN_SESSIONS_FOR_MEMORY = 50;

/**
 * Worker memory per live session, or null with the reason when it is below the noise: too few sessions, no steady
 * sample, or live RSS not above idle (a negative figure would only be the drift).
 */
export function perSessionMemory(idleMb: number, liveMb: number, liveSessions: number): { mb: number | null; note?: string } {
  if (!Number.isFinite(liveMb)) return { mb: null, note: 'no steady sample (sessions never all talked at once)' };
  if (liveSessions < MIN_SESSIONS_FOR_MEMORY) {
    return { mb: null, note: `below noise: ${liveSessions} live sessions, needs ≥ ${MIN_SESSIONS_FOR_MEMORY} (the worker's RSS drifts by tens of MB alone)` };
  }
  const mb = (liveMb - idleMb) / liveSessions;
  if (mb <= 0) return { mb: null, note: `below noise: live RSS ${round(liveMb, 1)} MB not above idle ${round(idleMb, 1)} MB` };
  return { mb: round(mb) };
}

export async function runTurnsBench(opts: TurnsBenchOptions): Promise<TurnsBenchResult> {
  const log = opts.log;
  const machine = loadBenchMachine();
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const fn of cleanup.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  try {
    const server: TemporalServer = await resolveTemporalServer(opts.devServer ?? {});
    cleanup.push(() => server.stop());
    log(`Temporal ${server.address} (${server.source})`);
    const backend = await startBenchBackend();
    cleanup.push(() => backend.close());

    const suffix = `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
    const taskQueue = `bench-sessions-${suffix}`;
    const voiceTaskQueue = `bench-voice-${suffix}`;
    const worker: BenchWorker = await startBenchWorker({
      mode: opts.worker,
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      backendUrl: backend.url,
      ...(opts.workerModule ? { workerModule: opts.workerModule } : {}),
    });
    cleanup.push(() => worker.stop());
    log(`session worker ${opts.worker} (pid ${worker.pid}) on ${taskQueue}`);

    const connection = await Connection.connect({ address: server.address });
    cleanup.push(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace, dataConverter: dataConverter() });

    const router = new Map<string, ScriptedCaller>();
    const onVoiceCommand = (callId: string, kind: ChannelCommandKind, at: number) => router.get(callId)?.onCommand(kind, at);
    const voiceConnection = await NativeConnection.connect({ address: server.address });
    cleanup.push(() => voiceConnection.close());
    const voiceWorker = await Worker.create({
      connection: voiceConnection,
      namespace: server.namespace,
      taskQueue: voiceTaskQueue,
      activities: { ...createBenchVoiceActivities(onVoiceCommand, (turn) => router.get(turn.callId)?.onTurn(client, turn)) },
      dataConverter: dataConverter(),
      maxConcurrentActivityTaskExecutions: 500,
    });
    const voiceRunning = voiceWorker.run();
    cleanup.push(async () => {
      if (voiceWorker.getState() === 'RUNNING') voiceWorker.shutdown();
      await voiceRunning;
    });

    const loadMs = opts.intervalMs * (opts.turns + 1);
    const boundMs = loadMs + opts.turns * opts.lostAfterMs + 60_000;

    if (opts.warmup) {
      const warm = emptyRecorder();
      const warmCtx: RunContext = {
        opts: { ...opts, sessions: 1, turns: 4, intervalMs: Math.min(opts.intervalMs, 200), duplicateEvery: 0 },
        client,
        machine,
        taskQueue,
        voiceTaskQueue,
        deadline: performance.now() + 60_000,
      };
      await runCallers(warmCtx, [new ScriptedCaller(0, warm)], router, false);
      if (warm.failed > 0) throw new Error(`warm-up session failed: ${warm.errors.join('; ')}`);
      await sleep(1000);
    }
    // Idle: the worker's RSS keeps falling for a while after start-up (garbage of bundling and the warm-up handed
    // back to the OS); wait until two settled samples 1 s apart agree within 2 MB, at most 15 s.
    let rssIdle = await worker.settledRssMb();
    for (let i = 0; i < 15; i++) {
      await sleep(1000);
      const next = await worker.settledRssMb();
      const stable = Math.abs(next - rssIdle) < 2;
      rssIdle = next;
      if (stable) break;
    }

    const rec = emptyRecorder();
    const ctx: RunContext = { opts, client, machine, taskQueue, voiceTaskQueue, deadline: performance.now() + boundMs };
    const callers = Array.from({ length: opts.sessions }, (_, i) => new ScriptedCaller(i, rec));
    log(`${opts.sessions} session(s) × ${opts.turns} turn(s), one turn per ${opts.intervalMs} ms each (≈ ${Math.round(loadMs / 1000)} s)`);

    // Steady state: every session has spoken and answered at least one turn, none has hung up yet.
    // Settled samples (after a collection) at most every 2 s, at most 5: each costs the worker a GC pause.
    // Steady: every session started, and at least 90% of them talk and answered a turn (a session with a lost
    // turn hangs up early); per-session memory divides by the sessions talking at the sample.
    const liveSamples: number[] = [];
    const liveCounts: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const talking = callers.filter((c) => c.phase === 'talking');
        const steady =
          callers.every((c) => c.phase !== 'idle' && c.phase !== 'starting') &&
          talking.filter((c) => c.turnsDone >= 1).length >= 0.9 * callers.length;
        if (liveSamples.length < 5 && steady) {
          liveCounts.push(talking.length);
          liveSamples.push(await worker.settledRssMb());
          for (let i = 0; i < 8 && sampling; i++) await sleep(250);
        } else {
          await sleep(250);
        }
      }
    })();
    const loadAtStart = os.loadavg()[0] ?? Number.NaN;
    const serverPidList = serverPids(server.address);
    const cpuAtStart = {
      worker: opts.worker === 'child' ? processCpuMs(worker.pid) : Number.NaN,
      server: processesCpuMs(serverPidList),
      bench: process.cpuUsage(),
    };
    const began = performance.now();
    let lastReport = began;
    const progress = setInterval(() => {
      const now = performance.now();
      if (now - lastReport < 10_000) return;
      lastReport = now;
      const live = callers.filter((c) => c.phase === 'talking').length;
      log(`  ${Math.round((now - began) / 1000)} s: ${rec.firstCommandMs.length} turns, ${live} live, rss ${round(worker.rssMb(), 1)} MB`);
    }, 1000);
    try {
      await runCallers(ctx, callers, router, true);
    } finally {
      clearInterval(progress);
      sampling = false;
      await sampler;
    }
    const durationS = (performance.now() - began) / 1000;
    // After every session ended (completed runs leave the sticky cache): what the worker keeps.
    const rssAfter = await worker.settledRssMb();
    const benchCpu = process.cpuUsage(cpuAtStart.bench);
    const perTurn = (ms: number) => round(ms / Math.max(1, rec.firstCommandMs.length));
    const cpu = {
      worker: perTurn(processCpuMs(worker.pid) - cpuAtStart.worker),
      server: perTurn(processesCpuMs(serverPidList) - cpuAtStart.server),
      bench: perTurn((benchCpu.user + benchCpu.system) / 1000),
    };
    const rssLive = liveSamples.length > 0 ? median(liveSamples) : Number.NaN;

    // Turn cost from histories: a sample is enough, the script is the same for every session.
    const costHandles = callers.slice(0, Math.max(opts.profileSessions, Math.min(opts.sessions, 10))).flatMap((c) => (c.handle ? [c.handle] : []));
    const costs = await historyTurnCosts(costHandles);
    const memory = perSessionMemory(rssIdle, rssLive, liveCounts.length ? median(liveCounts) : 0);

    const profile =
      opts.profileSessions > 0
        ? await profileHistories(callers.slice(0, opts.profileSessions).flatMap((c) => (c.handle ? [c.handle] : [])))
        : undefined;

    // The engine floor: the same script, enough turns for stable percentiles, after a warm-up pass.
    const engineTurnsPerSession = Math.max(opts.turns, 4);
    const engineSessions = Math.max(opts.sessions, Math.ceil(4000 / engineTurnsPerSession));
    runEngineTurns(machine, 50, engineTurnsPerSession);
    const engine = runEngineTurns(machine, engineSessions, engineTurnsPerSession);

    const p50 = percentile(rec.firstCommandMs, 50);
    const engineP50 = percentile(engine.latenciesMs, 50);
    return {
      sessions: opts.sessions,
      p50_ms: round(p50),
      p95_ms: round(percentile(rec.firstCommandMs, 95)),
      p99_ms: round(percentile(rec.firstCommandMs, 99)),
      lost: rec.lost,
      duplicated: rec.duplicated,
      rss_per_session_mb: memory.mb,
      ...(memory.note ? { rss_per_session_note: memory.note } : {}),
      events_per_turn: costs.events_per_turn,
      tasks_per_turn: costs.tasks_per_turn,
      turn_cost_sample: { sessions: costHandles.length, turns: costs.turns },
      engine_p50_ms: round(engineP50, 4),
      engine_p99_ms: round(percentile(engine.latenciesMs, 99), 4),
      ratio_p50: round(p50 / engineP50, 1),
      turns_per_session: opts.turns,
      turns_measured: rec.firstCommandMs.length,
      turns_expected: opts.sessions * opts.turns,
      interval_ms: opts.intervalMs,
      duration_s: round(durationS, 1),
      max_ms: round(Math.max(...rec.firstCommandMs)),
      turn_complete_p50_ms: round(percentile(rec.listenMs, 50)),
      turn_complete_p99_ms: round(percentile(rec.listenMs, 99)),
      duplicates_sent: rec.duplicatesSent,
      stray_commands: rec.stray,
      late_commands: rec.late,
      sessions_failed: rec.failed,
      backend_requests: backend.requests(),
      backend_keys: backend.idempotencyKeys(),
      rss_idle_mb: round(rssIdle, 1),
      rss_live_mb: round(rssLive, 1),
      rss_samples: liveSamples.length,
      rss_after_mb: round(rssAfter, 1),
      rss_scope: opts.worker === 'child' ? 'session worker process' : 'bench process (worker in-process, load generator included)',
      engine_turns: engine.latenciesMs.length,
      temporal: server.source,
      worker: opts.workerModule ? `${opts.worker} (${opts.workerModule})` : `${opts.worker} (workers/session-worker.ts defaults)`,
      cpu_ms_per_turn: cpu,
      load_avg: [round(loadAtStart, 2), round(os.loadavg()[0] ?? Number.NaN, 2)],
      ...(profile ? { profile } : {}),
      errors: rec.errors,
    };
  } finally {
    await stopAll();
  }
}
