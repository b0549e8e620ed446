/**
 * Voice turn latency as FreeSWITCH would see it: from the moment the simulated switch fires the DTMF event (it
 * reaches the socket after the switch's event delay, 5–60 ms as observed on FreeSWITCH 1.10.12, part of the figure)
 * to the first command about that call it reads back (the voice worker stopping the recording or starting the next
 * prompt). Also counts the keys pressed against the keys that reached the sessions: they must be equal. Everything between is the product: ESL adapter → esl-bridge → Temporal signal → session workflow
 * task → voice activity task → ESL adapter. Runs N concurrent calls on the ESL simulator against the Temporal dev
 * server (or TEMPORAL_ADDRESS), all processes' parts in this one process.
 *
 *   npx tsx bench/voice.ts --calls N [--turns T] [--think-ms 4000] [--esl-connections 1] [--event-delay-ms 5-60] [--json]
 *
 * --think-ms is the time a caller takes between the session listening and the key (listening to the prompt and
 * deciding; uniformly 50–150 % of it): it sets the offered load (calls / think ≈ turns per second). 0 drives the
 * system at saturation, where latency is queueing.
 *
 * Progress goes to stderr; stdout holds the table, or with --json exactly one JSON object. Exit 1 when a turn got no
 * answer or a call failed, 2 on bad usage. Figures: bench/VOICE.md.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { startSimNode } from '../stack/sim-node';
import { dataConverter } from '../lib/codec/data-converter';
import { checkMachineSource } from '../lib/machine/loader';
import { createTranscriber } from '../lib/stt/transcriber';
import { resolveTemporalServer } from '../lib/temporal/server';
import type { SimCall } from '../sim/esl';
import { createSessionWorker } from '../workers/session-worker';
import { percentile, round } from './lib/stats';

const USAGE = 'usage: npx tsx bench/voice.ts --calls N [--turns T] [--think-ms 4000] [--esl-connections 1] [--event-delay-ms 5-60] [--json]';

const MACHINE = `
machine: voice_bench
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: b.one
globals:
  noinput_timeout_sec: 120
  max_noinput: 2
  max_nomatch: 2
  exhausted_next: b.bye
intents:
  one: { utterances: ["un"], dtmf: ["1"] }
  two: { utterances: ["deux"], dtmf: ["2"] }
states:
  b.one:
    type: prompt_and_listen
    prompt: "Tapez un."
    noinput: { max: 2, next: b.bye }
    routes:
      - when_intent: one
        next: b.two
  b.two:
    type: prompt_and_listen
    prompt: "Tapez deux."
    noinput: { max: 2, next: b.bye }
    routes:
      - when_intent: two
        next: b.one
  b.bye:
    type: prompt_end
    prompt: "Au revoir."
`;

const argsSchema = z.object({
  calls: z.coerce.number({ error: '--calls must be a number' }).int().min(1).max(1000, '--calls above 1000 does not fit this machine'),
  turns: z.coerce.number({ error: '--turns must be a number' }).int().min(1).max(1000).default(5),
  'esl-connections': z.coerce.number({ error: '--esl-connections must be a number' }).int().min(1).max(16).default(1),
  'think-ms': z.coerce.number({ error: '--think-ms must be a number' }).int().min(0).max(60_000).default(4000),
  'event-delay-ms': z
    .string()
    .regex(/^\d{1,4}(-\d{1,4})?$/, '--event-delay-ms must be MS or MIN-MAX (e.g. 5-60)')
    .default('5-60')
    .transform((v) => {
      const [min, max = min] = v.split('-').map(Number) as [number, number?];
      return { min, max: Math.max(min, max) };
    }),
  json: z.boolean().default(false),
});

export interface VoiceBenchResult {
  calls: number;
  turnsPerCall: number;
  thinkMs: number;
  /** Event sockets of the voice worker. */
  eslConnections: number;
  /** The simulated switch's event delay (uniform, real ms). */
  eventDelayMs: { min: number; max: number };
  /** Keys the callers pressed, and the DTMF inputs the sessions received: equal when no key is lost or doubled. */
  keysPressed: number;
  keysReceived: number;
  /** Keys pressed per second over the run. */
  turnsPerSecond: number;
  samples: number;
  unanswered: number;
  failedCalls: number;
  turnMs: { p50: number; p90: number; p99: number; max: number };
  /** Part of the turn spent before the bridge has the DTMF event (socket, parsing, event loop). */
  bridgeInMs: { p50: number; p99: number };
  wallSeconds: number;
  /** Delay of this process's event loop (simulator, adapters, bridge, activities share it). */
  eventLoopLagMs: { p50: number; p99: number };
  /** CPU of this process over the run (100 = one core). */
  processCpuPercent: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:voice] ${msg}\n`);

export async function runVoiceBench(
  calls: number,
  turns: number,
  thinkMs = 4000,
  eslConnections = 1,
  eventDelayMs: { min: number; max: number } = { min: 5, max: 60 },
): Promise<VoiceBenchResult> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const checked = checkMachineSource('voice-bench.yaml', MACHINE);
  if (!checked.machine) throw new Error(`bench machine does not check: ${JSON.stringify(checked.diagnostics)}`);
  const machine = checked.machine;
  const server = await resolveTemporalServer();
  log(`Temporal at ${server.address} (${server.source})`);
  const native = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter: dataConverter() });
  const sessionTaskQueue = `voice-bench-${process.pid}`;
  const sessionWorker = await createSessionWorker({ connection: native, namespace: server.namespace, taskQueue: sessionTaskQueue, backendUrl: 'http://127.0.0.1:9' });
  const sessionRun = sessionWorker.run();
  const node = await startSimNode({
    client,
    connection: native,
    machine,
    sessionTaskQueue,
    transcriber: createTranscriber({ model: 'whisper-1', language: 'fr', timeoutMs: 1000, maxRetries: 0, maxDurationSeconds: 60, promptMaxChars: 400 }),
    timeScale: 0.05,
    workerConnections: eslConnections,
    sim: { eventDelayMs },
  });
  const sim = node.sim;

  // Time stamps at the socket: events as the simulator fires them, commands as it reads them.
  const listening = new Map<string, () => void>();
  const pendingTurn = new Map<string, { t0: number; resolve: (ms: number) => void }>();
  const firePush = sim.firedEvents.push.bind(sim.firedEvents);
  sim.firedEvents.push = (...events) => {
    const now = performance.now();
    for (const ev of events) {
      const name = ev.headers.find(([k]) => k === 'Event-Name')?.[1];
      const uuid = ev.headers.find(([k]) => k === 'Unique-ID')?.[1];
      if (!uuid) continue;
      if (name === 'RECORD_START') listening.get(uuid)?.();
      if (name === 'DTMF') {
        const p = pendingTurn.get(uuid);
        if (p) p.t0 = now;
      }
    }
    return firePush(...events);
  };
  const commandPush = sim.commands.push.bind(sim.commands);
  sim.commands.push = (...lines) => {
    const now = performance.now();
    for (const line of lines) {
      for (const [uuid, p] of pendingTurn) {
        if (p.t0 > 0 && line.includes(uuid)) {
          pendingTurn.delete(uuid);
          p.resolve(now - p.t0);
        }
      }
    }
    return commandPush(...lines);
  };

  const samples: number[] = [];
  // Where the time goes: socket → bridge (the DTMF event parsed by the bridge's adapter).
  const toBridge: number[] = [];
  node.bridgeEsl.on('event', (ev) => {
    if (ev.name !== 'DTMF' || !ev.uniqueId) return;
    const p = pendingTurn.get(ev.uniqueId);
    if (p && p.t0 > 0) toBridge.push(performance.now() - p.t0);
  });
  let unanswered = 0;
  let failedCalls = 0;
  let keysPressed = 0;

  const waitListening = (uuid: string, ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        listening.delete(uuid);
        resolve(false);
      }, ms);
      listening.set(uuid, () => {
        clearTimeout(timer);
        listening.delete(uuid);
        resolve(true);
      });
    });

  const oneCall = async (i: number) => {
    await sleep((i * 2000) / calls); // spread the call arrivals over 2 s
    let call: SimCall | undefined;
    try {
      const armed = new Promise<SimCall>((resolve, reject) => {
        sim
          .placeCall({ callerIdNumber: `06${String(10000000 + i)}`, destinationNumber: node.destination })
          .then((c) => {
            call = c;
            resolve(c);
          }, reject);
      });
      const c = await armed;
      let ready = waitListening(c.uuid, 60_000);
      for (let t = 0; t < turns; t++) {
        if (!(await ready)) {
          unanswered++;
          throw new Error(`call ${i}: the session did not listen again (turn ${t})`);
        }
        await sleep(thinkMs > 0 ? thinkMs * (0.5 + Math.random()) : 20 + Math.random() * 80);
        const answered = new Promise<number>((resolve) => pendingTurn.set(c.uuid, { t0: 0, resolve }));
        ready = waitListening(c.uuid, 60_000);
        const digit = t % 2 === 0 ? '1' : '2';
        await c.press(digit, { durationMs: 40, gapMs: 0 });
        keysPressed++;
        const ms = await Promise.race([answered, sleep(30_000).then(() => -1)]);
        if (ms < 0) {
          unanswered++;
          pendingTurn.delete(c.uuid);
          throw new Error(`call ${i}: no command after the key of turn ${t}`);
        }
        samples.push(ms);
      }
      await c.hangup();
      await client.workflow.getHandle(`voice-${c.uuid}`).result();
    } catch (err) {
      failedCalls++;
      log((err as Error).message);
      if (call && !call.hungUp) await call.hangup().catch(() => undefined);
    }
  };

  // Warm-up: one call through every path (bundles, caches, connections) before measuring.
  log('warm-up call');
  await (async () => {
    const c = await sim.placeCall({ callerIdNumber: '0600000000', destinationNumber: node.destination });
    await waitListening(c.uuid, 60_000);
    await c.hangup();
  })();

  // Keys reach the session as the answer of the turn waiting for them, or as signals.
  const keysDelivered = () => node.bridge.stats.signals.dtmf + node.bridge.stats.turnInputs.dtmf;
  const keysBefore = keysDelivered();
  log(`${calls} call(s) × ${turns} turn(s), events delayed ${eventDelayMs.min}–${eventDelayMs.max} ms`);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: calls }, (_, i) => oneCall(i)));
  const wallSeconds = (performance.now() - started) / 1000;
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  const eventLoopLagMs = { p50: round(lag.percentile(50) / 1e6, 1), p99: round(lag.percentile(99) / 1e6, 1) };
  const processCpuPercent = round(((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100, 0);
  await node.bridge.idle();
  const keysReceived = keysDelivered() - keysBefore;

  await node.stop();
  sessionWorker.shutdown();
  await sessionRun;
  await native.close();
  await connection.close();
  await server.stop();
  return {
    calls,
    turnsPerCall: turns,
    thinkMs,
    eslConnections,
    eventDelayMs,
    keysPressed,
    keysReceived,
    turnsPerSecond: round(samples.length / wallSeconds, 1),
    samples: samples.length,
    unanswered,
    failedCalls,
    bridgeInMs: { p50: round(percentile(toBridge, 50), 1), p99: round(percentile(toBridge, 99), 1) },
    turnMs: { p50: round(percentile(samples, 50), 1), p90: round(percentile(samples, 90), 1), p99: round(percentile(samples, 99), 1), max: round(Math.max(...samples), 1) },
    wallSeconds: round(wallSeconds, 1),
    eventLoopLagMs,
    processCpuPercent,
  };
}

async function main(argv: string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { calls: { type: 'string' }, turns: { type: 'string' }, 'think-ms': { type: 'string' }, 'esl-connections': { type: 'string' }, 'event-delay-ms': { type: 'string' }, json: { type: 'boolean' } },
    });
    if (values.calls === undefined) throw new Error('--calls N is required');
    const parsed = argsSchema.safeParse(values);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    args = parsed.data;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const r = await runVoiceBench(args.calls, args.turns, args['think-ms'], args['esl-connections'], args['event-delay-ms']);
  if (args.json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    process.stdout.write(
      `calls ${r.calls}, turns/call ${r.turnsPerCall}, think ${r.thinkMs} ms, ${r.eslConnections} worker socket(s), ${r.turnsPerSecond} turns/s, samples ${r.samples}, unanswered ${r.unanswered}, failed calls ${r.failedCalls}, wall ${r.wallSeconds} s, this process ${r.processCpuPercent}% CPU, event-loop lag p50 ${r.eventLoopLagMs.p50} / p99 ${r.eventLoopLagMs.p99} ms\n` +
        `turn latency (DTMF event fired, ${r.eventDelayMs.min}–${r.eventDelayMs.max} ms event delay included → next command): p50 ${r.turnMs.p50} ms, p90 ${r.turnMs.p90} ms, p99 ${r.turnMs.p99} ms, max ${r.turnMs.max} ms\n` +
        `keys pressed ${r.keysPressed}, keys received by the sessions ${r.keysReceived}\n`,
    );
  }
  return r.unanswered === 0 && r.failedCalls === 0 && r.keysPressed === r.keysReceived ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
