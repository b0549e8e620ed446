/**
 * `ivr simulate --via portal`: a conversation script drives its web session through the portal's HTTP routes (the
 * start with its first screen, each input as a click or a typed value, the code sealed by the API), so the script
 * proves the portal's path too; a script of another channel is refused before anything starts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulateScripts } from '../../cli/simulate/simulate';

const ROOT = path.join(__dirname, '..', '..');

jest.setTimeout(300_000);

interface Line {
  type: string;
  ok?: boolean;
  failure?: string;
}

async function simulate(script: string, via: 'workflow' | 'portal', saveHistories?: string) {
  const lines: Line[] = [];
  const errors: string[] = [];
  const code = await simulateScripts({
    machineArg: path.join(ROOT, 'machines', 'rdv-ivr.yaml'),
    scriptFiles: [script],
    via,
    coverage: false,
    json: true,
    ...(saveHistories ? { saveHistories } : {}),
    out: (l) => lines.push(JSON.parse(l) as Line),
    err: (l) => errors.push(l),
  });
  return { code, errors, results: lines.filter((l) => l.type === 'result') };
}

test('a web script (login with the SMS code, confirm, share) passes through the portal routes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'via-portal-'));
  try {
    const script = path.join(ROOT, 'test', 'journeys', 'scripts', 'c7-share.yaml');
    const run = await simulate(script, 'portal', dir);
    expect(run.errors).toEqual([]);
    expect(run.results.map((r) => r.failure ?? 'ok')).toEqual(['ok']);
    expect(run.code).toBe(0);
    // The portal's path, read from the session's history: started with its first screen (the portal's
    // Update-with-Start; the workflow path starts without it), then every input as the `input` update.
    const history = JSON.parse(fs.readFileSync(path.join(dir, 'c7-share.json'), 'utf8')) as { events: Array<Record<string, any>> };
    const updates = history.events
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name as string | undefined)
      .filter((n): n is string => n !== undefined);
    const inputs = fs.readFileSync(script, 'utf8').split('\n').filter((l) => /^\s*- (dtmf|say|otp):/.test(l)).length;
    expect(updates).toEqual(['firstView', ...Array<string>(inputs).fill('input')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--via portal refuses a voice script before anything starts', async () => {
  const voice = path.join(os.tmpdir(), `voice-${process.pid}.yaml`);
  fs.writeFileSync(voice, 'name: a call\nchannel: voice\nsteps:\n  - expect: { state: ivr.entry }\n');
  try {
    const run = await simulate(voice, 'portal');
    expect(run.code).toBe(2);
    expect(run.errors.join('\n')).toMatch(/--via portal drives web sessions; this script runs on the voice channel/);
  } finally {
    fs.rmSync(voice, { force: true });
  }
});
