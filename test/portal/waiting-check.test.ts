/** `ivr check` shows each channel's waiting rule, and the machine language checks the web globals. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkMachineSource } from '../../lib/machine/loader';

const ROOT = path.join(__dirname, '..', '..');
const RDV = fs.readFileSync(path.join(ROOT, 'machines', 'rdv-ivr.yaml'), 'utf8');

function withGlobals(extra: string): string {
  return RDV.replace(/^globals:\n/m, `globals:\n${extra}\n`);
}

test('ivr check prints the voice and web waiting rules, with the machine’s own web minutes', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portal-wait-')), 'rdv.yaml');
  fs.writeFileSync(file, withGlobals('  web_idle_minutes: 20\n  web_session_minutes: 90'));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ivr.js'), 'check', file], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('waiting — voice: 6 s of silence per listen');
  expect(r.stdout).toContain('waiting — web: 20 min idle (web_idle_minutes), then paused until 90 min after the last input');
  const shipped = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'ivr.js'), 'check', 'machines/rdv-ivr.yaml'], { cwd: ROOT, encoding: 'utf8' });
  expect(shipped.stdout).toContain('waiting — web: 15 min idle');
});

test('web_idle_minutes must be a positive number of minutes', () => {
  const bad = checkMachineSource('rdv.yaml', withGlobals('  web_idle_minutes: -3'));
  expect(bad.diagnostics.some((d) => d.severity === 'error' && /web_idle_minutes/.test(`${d.message} ${JSON.stringify(d)}`))).toBe(true);
  const good = checkMachineSource('rdv.yaml', withGlobals('  web_idle_minutes: 10'));
  expect(good.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(good.machine?.globals.web_idle_minutes).toBe(10);
});
