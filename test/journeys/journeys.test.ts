/**
 * Every journey of seed 001, as conversation scripts, run for real: sessions on the dev server, the worker, the
 * backend API on the Odoo and Brevo simulators (`ivr simulate`). The coverage report proves the scripts visit every
 * state of rdv-ivr.yaml.
 */
import path from 'node:path';
import { simulateScripts } from '../../cli/simulate/simulate';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPTS = path.join(__dirname, 'scripts');

jest.setTimeout(600_000);

test('the journeys of seed 001 pass on the web channel and visit every state of rdv-ivr.yaml', async () => {
  const lines: string[] = [];
  const errors: string[] = [];
  const fs = await import('node:fs');
  const files = fs
    .readdirSync(SCRIPTS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(SCRIPTS, f));
  const code = await simulateScripts({
    machineArg: path.join(ROOT, 'machines', 'rdv-ivr.yaml'),
    scriptFiles: files,
    channel: 'web',
    coverage: true,
    json: true,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
  });
  const results = lines.map((l) => JSON.parse(l) as { type: string; ok?: boolean; failure?: string; script?: string });
  const failures = results.filter((r) => r.type === 'result' && !r.ok).map((r) => r.failure);
  expect(errors).toEqual([]);
  expect(failures).toEqual([]);
  expect(code).toBe(0);
  expect(results.filter((r) => r.type === 'result')).toHaveLength(files.length);
  const coverage = results.find((r) => r.type === 'coverage') as unknown as { states: { uncovered: string[] } };
  expect(coverage.states.uncovered).toEqual([]);
});
