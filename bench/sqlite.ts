/**
 * The `npm start` stack's dev server keeps its state in a SQLite file; tests and bench:turns use an in-memory one.
 * This runs bench:turns' load against three dev servers in one run, interleaved (rounds × configs), so the figures
 * share the machine's load: in memory, the file as the dev server opens it by default, and the file with
 * DEFAULT_SQLITE_PRAGMAS (what the stack uses now).
 *
 *   npx tsx bench/sqlite.ts [--sessions 20] [--turns 8] [--interval-ms 1000] [--rounds 2] [--json]
 *
 * Progress on stderr; stdout holds the table, or with --json one JSON object.
 */
import './lib/warn-logs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { DEFAULT_SQLITE_PRAGMAS, type DevServerOptions } from '../lib/temporal/server';
import { runTurnsBench, type TurnsBenchResult } from './lib/run';
import { median, round } from './lib/stats';

const argsSchema = z.object({
  sessions: z.coerce.number().int().min(1).max(500).default(20),
  turns: z.coerce.number().int().min(1).max(1000).default(8),
  'interval-ms': z.coerce.number().int().min(50).default(1000),
  rounds: z.coerce.number().int().min(1).max(10).default(2),
  json: z.boolean().default(false),
});

interface Config {
  name: string;
  devServer: (dir: string) => DevServerOptions;
}

const CONFIGS: Config[] = [
  { name: 'memory', devServer: () => ({}) },
  { name: 'sqlite file, no pragma', devServer: (dir) => ({ dbFilename: path.join(dir, 'plain.db'), sqlitePragmas: [] }) },
  { name: `sqlite file, ${DEFAULT_SQLITE_PRAGMAS.join(' ')}`, devServer: (dir) => ({ dbFilename: path.join(dir, 'tuned.db') }) },
];

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { sessions: { type: 'string' }, turns: { type: 'string' }, 'interval-ms': { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' } },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`bench/sqlite.ts: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  if (process.env.TEMPORAL_ADDRESS) {
    process.stderr.write('bench/sqlite.ts compares dev servers it starts itself: unset TEMPORAL_ADDRESS\n');
    return 2;
  }
  const args = parsed.data;
  Runtime.install({ logger: new DefaultLogger('WARN', (e) => process.stderr.write(`[bench] ${e.level} ${e.message}\n`)) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sqlite-'));
  const runs = new Map<string, TurnsBenchResult[]>(CONFIGS.map((c) => [c.name, []]));
  try {
    for (let r = 0; r < args.rounds; r++) {
      for (const config of CONFIGS) {
        process.stderr.write(`[bench] round ${r + 1}: ${config.name}\n`);
        const result = await runTurnsBench({
          sessions: args.sessions,
          turns: args.turns,
          intervalMs: args['interval-ms'],
          duplicateEvery: 0,
          lostAfterMs: 10_000,
          worker: 'child',
          warmup: true,
          profileSessions: 0,
          devServer: config.devServer(dir),
          log: (line) => process.stderr.write(`[bench] ${line}\n`),
        });
        runs.get(config.name)?.push(result);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rows = CONFIGS.map((c) => {
    const rs = runs.get(c.name) ?? [];
    const m = (pick: (r: TurnsBenchResult) => number) => round(median(rs.map(pick)), 1);
    return {
      config: c.name,
      p50_ms: m((r) => r.p50_ms),
      p99_ms: m((r) => r.p99_ms),
      server_cpu_ms_per_turn: m((r) => r.cpu_ms_per_turn.server),
      worker_cpu_ms_per_turn: m((r) => r.cpu_ms_per_turn.worker),
      lost: rs.reduce((a, r) => a + r.lost, 0),
      runs: rs.map((r) => ({ p50_ms: r.p50_ms, p99_ms: r.p99_ms, server_cpu: r.cpu_ms_per_turn.server, load: r.load_avg })),
    };
  });
  const base = rows[0] as (typeof rows)[number];
  const out = rows.map((r) => ({ ...r, p50_vs_memory: round(r.p50_ms / base.p50_ms, 2), server_cpu_vs_memory: round(r.server_cpu_ms_per_turn / base.server_cpu_ms_per_turn, 2) }));
  const summary = { sessions: args.sessions, turns: args.turns, interval_ms: args['interval-ms'], rounds: args.rounds, configs: out };
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    for (const r of out) {
      process.stdout.write(
        `${r.config.padEnd(48)} p50 ${r.p50_ms} ms (×${r.p50_vs_memory})  p99 ${r.p99_ms} ms  server CPU ${r.server_cpu_ms_per_turn} ms/turn (×${r.server_cpu_vs_memory})  worker ${r.worker_cpu_ms_per_turn}  lost ${r.lost}\n`,
      );
    }
  }
  return out.some((r) => r.lost > 0) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench/sqlite.ts failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
