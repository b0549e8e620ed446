/**
 * `ivr stats --json` against the dev server: the per-state figures of two real sessions of a machine of their own
 * (one booked, one hung up at the menu), read by the command in its own process.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startSessionWorkflow } from '../../sessions/start';
import { inputSignal, type CallerInput } from '../../workflows/session-api';
import type { BackendStub } from '../support/backend-stub';
import { startSessionRig, type SessionRig } from '../support/session-rig';
import { outcomesMachine, OUTCOMES_MACHINE_YAML } from '../outcomes/machine';

const root = path.join(__dirname, '..', '..');
const taskQueue = `stats-cli-${process.pid}`;
const machineName = `stats_cli_${process.pid}_${Date.now() % 100000}`;

let rig: SessionRig;
let backend: BackendStub;
let client: Client;

beforeAll(async () => {
  // The command reads closed sessions' traces through queries: a worker of their task queue answers them.
  rig = await startSessionRig(taskQueue);
  ({ backend, client } = rig);
}, 120_000);

afterAll(async () => {
  await rig?.stop();
});

function ivr(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin', 'ivr.js'), ...args], { cwd: root, env: { ...process.env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('ivr stats --json: visits, hang-ups and time per state of the machine’s recent sessions', async () => {
  const machine = outcomesMachine(OUTCOMES_MACHINE_YAML.replace('machine: outcomes_test', `machine: ${machineName}`));
  backend.answer('POST /things/42/book', { status: 200, body: { ok: true } });
  const start = () => startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID() }, { taskQueue });
  const [booked, hungUp] = await Promise.all([start(), start()]);
  await booked.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'dtmf', digits: '1' } as CallerInput);
  await hungUp.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'hangup', cause: 'NORMAL_CLEARING' } as CallerInput);
  await Promise.all([booked.result(), hungUp.result()]);

  let report: { sessions: number; skipped: number; machine: string; states: Array<Record<string, unknown>> } | undefined;
  // Visibility lists a closed session a moment after it closed.
  for (let i = 0; i < 20; i++) {
    const r = await ivr(['stats', '--machine', machineName, '--since-hours', '1', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
    if (report!.sessions === 2) break;
    await new Promise((res) => setTimeout(res, 300));
  }
  expect(report).toMatchObject({ machine: machineName, sessions: 2, skipped: 0 });
  const byState = Object.fromEntries(report!.states.map((s) => [s.state, s]));
  expect(byState.menu).toMatchObject({ visits: 2, turns: 2, hangups: 1, noinputRate: 0, nomatchRate: 0 });
  expect(byState.book).toMatchObject({ visits: 1, hangups: 0 });
  expect(byState.bye).toMatchObject({ visits: 1 });
  expect(byState.menu!.p50Ms).toEqual(expect.any(Number));
}, 120_000);

test('ivr stats refuses a bad argument with its usage (exit 2)', async () => {
  const r = await ivr(['stats', '--limit', 'many']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--limit: .*\nusage: ivr stats /);
});
