/**
 * The journeys of both seeds as conversation scripts, run for real (`ivr simulate`): sessions on the dev server,
 * the worker, the backend API with its voice → CRM routes, on the Odoo, Brevo and OpenAI-compatible simulators.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simulateScripts } from '../../cli/simulate/simulate';

const ROOT = path.join(__dirname, '..', '..');

jest.setTimeout(600_000);

interface Line {
  type: string;
  ok?: boolean;
  failure?: string;
  states?: { uncovered: string[] };
  declared?: { name: string; goal: boolean };
}

const yamlIn = (folder: string) =>
  fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(folder, f));

/** scripts/ hold the journeys both channels share; web/ and voice/ what differs (e.g. a handoff has no agent queue on the portal). */
async function runFolder(machine: string, folders: string[], channel: 'web' | 'voice' = 'web') {
  const files = folders.flatMap(yamlIn);
  const lines: Line[] = [];
  const errors: string[] = [];
  const code = await simulateScripts({
    machineArg: path.join(ROOT, 'machines', machine),
    scriptFiles: files,
    channel,
    coverage: true,
    json: true,
    out: (l) => lines.push(JSON.parse(l) as Line),
    err: (l) => errors.push(l),
  });
  const results = lines.filter((l) => l.type === 'result');
  return {
    code,
    errors,
    files,
    results,
    failures: results.filter((r) => !r.ok).map((r) => r.failure),
    coverage: lines.find((l) => l.type === 'coverage')!,
    ends: lines.filter((l) => l.type === 'end'),
  };
}

test('seed 001: every journey passes on the web channel and the scripts visit every state of rdv-ivr.yaml', async () => {
  const run = await runFolder('rdv-ivr.yaml', [path.join(__dirname, 'scripts'), path.join(__dirname, 'web')]);
  expect(run.errors).toEqual([]);
  expect(run.failures).toEqual([]);
  expect(run.results).toHaveLength(run.files.length);
  expect(run.code).toBe(0);
  expect(run.coverage.states!.uncovered).toEqual([]);
});

test('seed 001: every journey passes over the voice channel (ESL simulator, esl-bridge, voice worker, speech-to-text)', async () => {
  const run = await runFolder('rdv-ivr.yaml', [path.join(__dirname, 'scripts'), path.join(__dirname, 'voice')], 'voice');
  expect(run.errors).toEqual([]);
  expect(run.failures).toEqual([]);
  expect(run.results).toHaveLength(run.files.length);
  expect(run.code).toBe(0);
  expect(run.coverage.states!.uncovered).toEqual([]);
});

test('seed 000: dictate, confirm, correct one field, duplicate detected, list the contacts', async () => {
  const run = await runFolder('voice-crm.yaml', [path.join(__dirname, 'crm')]);
  expect(run.errors).toEqual([]);
  expect(run.failures).toEqual([]);
  expect(run.results).toHaveLength(run.files.length);
  expect(run.code).toBe(0);
  // Each session's end says what it achieved: voice-crm declares its outcomes, so none ends without one.
  expect(run.ends.length).toBeGreaterThan(0);
  expect(run.ends.filter((e) => !e.declared)).toEqual([]);
});
