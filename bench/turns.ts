/**
 * Sessions benchmark: turn latency, lost and duplicated inputs, and worker memory per live session, for N
 * concurrent voice sessions on the Temporal dev server (or TEMPORAL_ADDRESS), compared with the pure engine.
 *
 *   npx tsx bench/turns.ts --sessions 50 [--json] [--turns 6 | --duration-s 30] [--interval-ms 5000]
 *                          [--duplicate-every 5] [--lost-after-ms 10000] [--worker child|in-process]
 *                          [--worker-module path/to/copy-of-session-worker.ts] [--profile 20] [--no-warmup]
 *
 * Progress goes to stderr; stdout holds the table, or with --json exactly one JSON object. Exit 1 when an input
 * was lost or applied twice or a session failed, 2 on bad usage. See bench/README.md for figures.
 */
// First: LOG_LEVEL set before the product's modules below make their loggers.
import './lib/warn-logs';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { runTurnsBench, type TurnsBenchResult } from './lib/run';

const USAGE =
  'usage: npx tsx bench/turns.ts --sessions N [--json] [--turns T | --duration-s S] [--interval-ms 5000] ' +
  '[--duplicate-every 5] [--lost-after-ms 10000] [--worker child|in-process] [--worker-module FILE] [--profile K] [--no-warmup]';

const intArg = (name: string, min: number) =>
  z.coerce.number({ error: `--${name} must be a number` }).int(`--${name} must be a whole number`).min(min, `--${name} must be at least ${min}`);

const argsSchema = z.object({
  sessions: intArg('sessions', 1).max(5000, '--sessions above 5000 does not fit this machine'),
  json: z.boolean().default(false),
  turns: intArg('turns', 1).max(10_000).optional(),
  'interval-ms': intArg('interval-ms', 10).default(5000),
  'duration-s': z.coerce.number({ error: '--duration-s must be a number' }).positive('--duration-s must be positive').max(3600).optional(),
  'duplicate-every': intArg('duplicate-every', 0).default(5),
  'lost-after-ms': intArg('lost-after-ms', 100).default(10_000),
  worker: z.enum(['child', 'in-process'], { error: '--worker is child or in-process' }).default('child'),
  'worker-module': z.string().min(1).optional(),
  profile: intArg('profile', 0).default(0),
  'no-warmup': z.boolean().default(false),
});

function parse(argv: string[]): z.infer<typeof argsSchema> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sessions: { type: 'string' },
      json: { type: 'boolean' },
      turns: { type: 'string' },
      'interval-ms': { type: 'string' },
      'duration-s': { type: 'string' },
      'duplicate-every': { type: 'string' },
      'lost-after-ms': { type: 'string' },
      worker: { type: 'string' },
      'worker-module': { type: 'string' },
      profile: { type: 'string' },
      'no-warmup': { type: 'boolean' },
    },
  });
  if (values.sessions === undefined) throw new Error('--sessions N is required');
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

const f = (v: number, unit = '') => (Number.isFinite(v) ? `${v}${unit}` : 'n/a');

function table(r: TurnsBenchResult): string {
  const rows: Array<[string, string]> = [
    ['sessions', `${r.sessions} × ${r.turns_per_session} turns, one per ${r.interval_ms} ms (${r.duration_s} s)`],
    ['turns measured', `${r.turns_measured} / ${r.turns_expected}`],
    ['turn latency p50 / p95 / p99 / max', `${f(r.p50_ms)} / ${f(r.p95_ms)} / ${f(r.p99_ms)} / ${f(r.max_ms)} ms`],
    ['whole turn (to listen) p50 / p99', `${f(r.turn_complete_p50_ms)} / ${f(r.turn_complete_p99_ms)} ms`],
    ['lost inputs', String(r.lost)],
    ['duplicated inputs', `${r.duplicated} (of ${r.duplicates_sent} sent twice; ${r.stray_commands} stray commands)`],
    ['late commands (after a lost turn)', String(r.late_commands)],
    ['worker RSS idle → live → after', `${f(r.rss_idle_mb)} → ${f(r.rss_live_mb)} → ${f(r.rss_after_mb)} MB (${r.rss_samples} samples, ${r.rss_scope})`],
    ['worker RSS per live session', r.rss_per_session_mb === null ? `n/a (${r.rss_per_session_note ?? 'below noise'})` : `${r.rss_per_session_mb} MB`],
    [
      'events per turn mean / DTMF p50 / DTMF max / action',
      `${f(r.events_per_turn.mean)} / ${f(r.events_per_turn.dtmf_p50)} / ${f(r.events_per_turn.dtmf_max)} / ${r.events_per_turn.action_mean ?? 'n/a'} (${r.turn_cost_sample.turns} turns of ${r.turn_cost_sample.sessions} sessions)`,
    ],
    [
      'tasks per turn: workflow / activity (DTMF p50)',
      `${f(r.tasks_per_turn.workflow)} / ${f(r.tasks_per_turn.activity)} (${f(r.tasks_per_turn.dtmf_workflow_p50)} / ${f(r.tasks_per_turn.dtmf_activity_p50)})`,
    ],
    ['engine p50 / p99', `${f(r.engine_p50_ms)} / ${f(r.engine_p99_ms)} ms (${r.engine_turns} turns)`],
    ['ratio p50 (workflow / engine)', f(r.ratio_p50)],
    ['backend requests / keys', `${r.backend_requests} / ${r.backend_keys}`],
    ['temporal / worker', `${r.temporal} / ${r.worker}`],
    ['CPU per turn: worker / server / bench', `${f(r.cpu_ms_per_turn.worker)} / ${f(r.cpu_ms_per_turn.server)} / ${f(r.cpu_ms_per_turn.bench)} ms`],
    ['load average start / end', `${r.load_avg[0]} / ${r.load_avg[1]} (2 cores)`],
  ];
  if (r.profile) {
    const p = r.profile;
    rows.push(
      ['profile turns', `${p.turns} (${p.workflow_tasks_total} workflow tasks, ${p.workflow_task_timeouts} timed out)`],
      ['signal → task start p50 / p99', `${f(p.signal_to_task_start_p50_ms)} / ${f(p.signal_to_task_start_p99_ms)} ms`],
      ['task run p50 / p99', `${f(p.task_run_p50_ms)} / ${f(p.task_run_p99_ms)} ms`],
      ['task done → voice activity p50 / p99', `${f(p.task_done_to_activity_start_p50_ms)} / ${f(p.task_done_to_activity_start_p99_ms)} ms`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (r.errors.length) lines.push('', 'errors:', ...r.errors.map((e) => `  ${e}`));
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`bench/turns.ts: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const intervalMs = args['interval-ms'];
  const turns = args.turns ?? Math.max(1, Math.round(((args['duration-s'] ?? 30) * 1000) / intervalMs));
  Runtime.install({ logger: new DefaultLogger('WARN', (e) => process.stderr.write(`[bench] ${e.level} ${e.message}\n`)) });
  const result = await runTurnsBench({
    sessions: args.sessions,
    turns,
    intervalMs,
    duplicateEvery: args['duplicate-every'],
    lostAfterMs: args['lost-after-ms'],
    worker: args.worker,
    ...(args['worker-module'] ? { workerModule: args['worker-module'] } : {}),
    warmup: !args['no-warmup'],
    profileSessions: args.profile,
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  });
  process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n`);
  return result.lost > 0 || result.duplicated > 0 || result.sessions_failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench/turns.ts failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
