/**
 * bench:primitives on the real dev server, tiny: each kind writes the history events its shape implies (a
 * signal's workflow task 4, a DTMF turn's shape 11, an update 5), every op is applied, and --json prints one
 * object. CPU figures are not asserted (they depend on the machine), only that they were measured.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

interface Summary { kind: string; events_per_op: number; server_ms_per_op: number; incomplete: number }

test('signal, DTMF-turn shape and update: events per op, nothing incomplete, one JSON object on stdout', async () => {
  const args = ['tsx', 'bench/primitives.ts', '--sessions', '2', '--ops', '3', '--interval-ms', '300', '--rounds', '1', '--kinds', 'signal,signal_activity_upsert,update', '--json'];
  const child = spawn('npx', args, { cwd: ROOT, env: { ...process.env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(1);
  const result = JSON.parse(lines[0] as string) as { summary: Summary[] };
  const byKind = Object.fromEntries(result.summary.map((s) => [s.kind, s]));
  // Signal + workflow task (3); + activity scheduled, started, completed and its workflow task (3) + the write.
  expect(byKind.signal?.events_per_op).toBe(4);
  expect(byKind.signal_activity_upsert?.events_per_op).toBe(11);
  // Update accepted and completed + its workflow task.
  expect(byKind.update?.events_per_op).toBe(5);
  for (const s of result.summary) {
    expect(s.incomplete).toBe(0);
    expect(Number.isFinite(s.server_ms_per_op)).toBe(true);
  }
}, 120_000);
