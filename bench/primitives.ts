/**
 * bench:primitives — what each Temporal interaction a session turn is made of costs the server, measured in one
 * run on the same dev server: a signal, a signal with a search-attribute write, a signal plus an activity on
 * another task queue (a DTMF turn's shape), the same with a local activity, and an update (with and without the
 * write). Rounds are interleaved so the machine's other load falls on every kind alike; CPU per operation is the
 * comparable figure (latency swings with the load).
 *
 *   npx tsx bench/primitives.ts [--sessions 50] [--ops 8] [--interval-ms 1000] [--rounds 2] [--kinds a,b] [--json]
 *
 * Progress goes to stderr; stdout holds the table, or with --json exactly one JSON object.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { z } from 'zod';
import { dataConverter } from '../lib/codec/data-converter';
import { installRuntimeLogger } from '../workers/runtime-logger';
import { resolveTemporalServer } from '../lib/temporal/server';
import { processCpuMs, processesCpuMs, serverPids } from './lib/cpu';
import { percentile, round } from './lib/stats';
import { appliedQuery, pokeSignal, pokeUpdate, stopSignal, type PrimitiveKind, type primitiveWorkflow } from './primitives/workflows';

const KINDS: readonly PrimitiveKind[] = ['signal', 'signal_upsert', 'signal_activity', 'signal_activity_upsert', 'signal_local_activity', 'update', 'update_upsert'];

const intArg = (name: string, min: number, max: number) =>
  z.coerce.number({ error: `--${name} must be a number` }).int(`--${name} must be a whole number`).min(min, `--${name} must be at least ${min}`).max(max, `--${name} must be at most ${max}`);

const argsSchema = z.object({
  sessions: intArg('sessions', 1, 2000).default(50),
  ops: intArg('ops', 1, 1000).default(8),
  'interval-ms': intArg('interval-ms', 10, 60_000).default(1000),
  rounds: intArg('rounds', 1, 10).default(2),
  kinds: z.string().default(KINDS.join(',')).transform((s, ctx) => {
    const kinds = s.split(',').map((k) => k.trim()).filter(Boolean);
    const bad = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
    if (bad.length || kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: `--kinds takes a comma-separated list of ${KINDS.join(', ')}; got ${bad.join(', ') || 'nothing'}` });
      return z.NEVER;
    }
    return kinds as PrimitiveKind[];
  }),
  json: z.boolean().default(false),
});
type Args = z.infer<typeof argsSchema>;

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sessions: { type: 'string' }, ops: { type: 'string' }, 'interval-ms': { type: 'string' }, rounds: { type: 'string' },
      kinds: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface KindRun {
  kind: PrimitiveKind;
  round: number;
  ops: number;
  incomplete: number;
  events_per_op: number;
  server_ms_per_op: number;
  /** Server CPU per op after subtracting the idle rate measured with the same number of open workflows. */
  server_ms_per_op_net: number;
  /** This process: the client calls and both workers (workflow and activity). */
  process_ms_per_op: number;
  update_p50_ms: number | null;
  update_p99_ms: number | null;
  load_avg: number;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  // The SDK's warnings go to stderr with the progress: stdout holds only the result.
  installRuntimeLogger('WARN', pino({ level: 'warn' }, pino.destination(2)));
  const server = await resolveTemporalServer({});
  const pids = serverPids(server.address);
  log(`Temporal ${server.address} (${server.source}), server pids ${pids.join(',') || 'unknown: server CPU not measured'}`);
  const suffix = crypto.randomUUID().slice(0, 8);
  const taskQueue = `primitives-${suffix}`;
  const channelQueue = `primitives-channel-${suffix}`;
  const converter = dataConverter();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const activities = { channelCommand: async (n: number) => n };
  const workflowWorker = await Worker.create({
    connection: nativeConnection, namespace: server.namespace, taskQueue,
    workflowsPath: path.join(__dirname, 'primitives', 'workflows.ts'), activities, dataConverter: converter,
  });
  const channelWorker = await Worker.create({ connection: nativeConnection, namespace: server.namespace, taskQueue: channelQueue, activities, dataConverter: converter });
  const running = Promise.all([workflowWorker.run(), channelWorker.run()]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter: converter });
  const runs: KindRun[] = [];
  let idleServerMsPerSec = Number.NaN;
  try {
    for (let round = 1; round <= args.rounds; round++) {
      for (const kind of args.kinds) {
        const handles: Array<WorkflowHandle<typeof primitiveWorkflow>> = [];
        for (let i = 0; i < args.sessions; i++) {
          handles.push(await client.workflow.start<typeof primitiveWorkflow>('primitiveWorkflow', {
            taskQueue, workflowId: `primitive-${suffix}-${kind}-${round}-${i}`, args: [kind, channelQueue],
          }));
        }
        await sleep(1500);
        if (Number.isNaN(idleServerMsPerSec)) {
          // The idle rate with this many open workflows and both workers polling: subtracted from each run.
          const s0 = processesCpuMs(pids);
          const t0 = performance.now();
          await sleep(5000);
          idleServerMsPerSec = (processesCpuMs(pids) - s0) / ((performance.now() - t0) / 1000);
          log(`idle server CPU: ${round3(idleServerMsPerSec)} ms/s with ${args.sessions} open workflows`);
        }
        const latencies: number[] = [];
        const server0 = processesCpuMs(pids);
        const self0 = processCpuMs(process.pid);
        const t0 = performance.now();
        const isUpdate = kind.startsWith('update');
        // Each workflow gets one op per interval, the workflows spread evenly over the interval.
        const gap = args['interval-ms'] / args.sessions;
        const pending: Array<Promise<void>> = [];
        for (let op = 1; op <= args.ops; op++) {
          for (let i = 0; i < args.sessions; i++) {
            const due = t0 + ((op - 1) * args.sessions + i) * gap;
            const wait = due - performance.now();
            if (wait > 1) await sleep(wait);
            const h = handles[i] as WorkflowHandle<typeof primitiveWorkflow>;
            const sent = performance.now();
            pending.push(
              (isUpdate ? h.executeUpdate(pokeUpdate, { args: [op] }).then(() => void latencies.push(performance.now() - sent)) : h.signal(pokeSignal, op))
                .then(() => undefined, (err: unknown) => { log(`op failed: ${err instanceof Error ? err.message : String(err)}`); }),
            );
          }
        }
        await Promise.all(pending);
        // The window closes when every workflow has applied its ops (one query per workflow still behind, the same
        // small cost for every kind), or after 30 s: what is still behind then is reported as incomplete.
        await sleep(500);
        let behind = handles;
        const until = performance.now() + 30_000;
        while (behind.length > 0 && performance.now() < until) {
          const applied = await Promise.all(behind.map((h) => h.query(appliedQuery)));
          behind = behind.filter((_, i) => applied[i] !== args.ops);
          if (behind.length > 0) await sleep(250);
        }
        const seconds = (performance.now() - t0) / 1000;
        const serverMs = processesCpuMs(pids) - server0;
        const selfMs = processCpuMs(process.pid) - self0;
        const total = args.ops * args.sessions;
        const incomplete = behind.length;
        // Events per op from three histories: everything after the start's first task, before the stop.
        let events = 0;
        for (const h of handles.slice(0, 3)) events += ((await h.fetchHistory()).events ?? []).length - 4;
        for (const h of handles) await h.signal(stopSignal);
        const run: KindRun = {
          kind, round, ops: total, incomplete,
          events_per_op: round3(events / (Math.min(3, handles.length) * args.ops)),
          server_ms_per_op: round3(serverMs / total),
          server_ms_per_op_net: round3((serverMs - idleServerMsPerSec * seconds) / total),
          process_ms_per_op: round3(selfMs / total),
          update_p50_ms: latencies.length ? round3(percentile(latencies, 50)) : null,
          update_p99_ms: latencies.length ? round3(percentile(latencies, 99)) : null,
          load_avg: round3((await import('node:os')).loadavg()[0] ?? Number.NaN),
        };
        runs.push(run);
        log(`round ${round} ${kind}: ${run.events_per_op} events/op, server ${run.server_ms_per_op} ms/op (net ${run.server_ms_per_op_net}), process ${run.process_ms_per_op} ms/op${incomplete ? `, ${incomplete} incomplete` : ''}`);
        await sleep(1000);
      }
    }
  } finally {
    workflowWorker.shutdown();
    channelWorker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
  const summary = args.kinds.map((kind) => {
    const mine = runs.filter((r) => r.kind === kind);
    const med = (f: (r: KindRun) => number) => round3(percentile(mine.map(f), 50));
    return {
      kind,
      events_per_op: med((r) => r.events_per_op),
      server_ms_per_op: med((r) => r.server_ms_per_op),
      server_ms_per_op_net: med((r) => r.server_ms_per_op_net),
      process_ms_per_op: med((r) => r.process_ms_per_op),
      incomplete: mine.reduce((a, r) => a + r.incomplete, 0),
    };
  });
  const out = { sessions: args.sessions, ops_per_session: args.ops, interval_ms: args['interval-ms'], rounds: args.rounds, idle_server_ms_per_s: round3(idleServerMsPerSec), summary, runs };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  process.stdout.write('| kind | events/op | server ms/op | net of idle | this process ms/op | incomplete |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const s of summary) process.stdout.write(`| ${s.kind} | ${s.events_per_op} | ${s.server_ms_per_op} | ${s.server_ms_per_op_net} | ${s.process_ms_per_op} | ${s.incomplete} |\n`);
  process.stdout.write(`(medians of ${args.rounds} interleaved round(s); idle server ${round3(idleServerMsPerSec)} ms/s)\n`);
}

function round3(v: number): number {
  return round(v, 3);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:primitives failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
