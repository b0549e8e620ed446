/**
 * The layers are enforced by ESLint (eslint.config.mjs). Each case below puts one import in a file of one layer,
 * as a developer would by mistake, and expects the rule to refuse it; the allowed direction must pass.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

// ESLint loads its ESM config with import(), which Jest's module sandbox refuses: lint in a plain Node child,
// all cases in one process (one config load).
const LINT_CASES = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, source] of cases) {
    const [r] = await eslint.lintText(source, { filePath: require('path').join(process.cwd(), file) });
    out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

function lintAll(cases: Array<[string, string]>): string[][] {
  const out = execFileSync(process.execPath, ['-e', LINT_CASES], { cwd: root, input: JSON.stringify(cases), encoding: 'utf8' });
  return JSON.parse(out) as string[][];
}

const upward: Array<[string, string, RegExp]> = [
  ['lib/french/x.ts', "import { createApp } from '../../api/app';", /lib may import only from: lib/],
  ['lib/machine/x.ts', "import { sessionWorkflow } from '../../workflows/session';", /lib may import only from/],
  ['lib/odoo/x.ts', "import { startOdooSimulator } from '../../sim/odoo/server';", /lib may import only from/],
  ['sim/odoo/x.ts', "import { createLogger } from '../../lib/log';", /sim may import only from: sim/],
  ['workflows/x.ts', "import { createBackendActivities } from '../activities/backend/call-backend';", /workflows may import only/],
  ['workflows/x.ts', "import fs from 'node:fs';", /deterministic/],
  ['workflows/x.ts', "import pino from 'pino';", /deterministic/],
  ['workflows/engine/x.ts', "import { proxyActivities } from '@temporalio/workflow';", /engine is pure/],
  ['activities/voice/x.ts', "import { EslBridge } from '../../esl-bridge/bridge';", /activities may import only/],
  ['activities/x.ts', "import { createApp } from '../api/app';", /activities may import only/],
  ['esl-bridge/x.ts', "import { say } from '../activities/voice/say';", /esl-bridge may import only/],
  ['workers/x.ts', "import { createApp } from '../api/app';", /workers may import only/],
  ['api/x.ts', "import { createSessionWorker } from '../workers/session-worker';", /api may import only/],
  ['api/x.ts', "import { startBrevoSimulator } from '../sim/brevo';", /api may import only/],
  ['stack/x.ts', "import { command } from '../cli/commands/check';", /stack may import only/],
];

const downward: Array<[string, string]> = [
  ['workflows/x.ts', "import type { CompiledMachine } from '../lib/machine/model';"],
  ['workflows/x.ts', "import { proxyActivities } from '@temporalio/workflow';"],
  ['activities/x.ts', "import type { BackendCall } from '../workflows/activity-types';"],
  ['api/x.ts', "import { createOdooClient } from '../lib/odoo/client';"],
  ['stack/x.ts', "import { startOdooSimulator } from '../sim/odoo/server';"],
  ['cli/x.ts', "import { startLocalStack } from '../stack/local-stack';"],
  ['lib/esl/x.ts', "import { parseEvent } from './events';"],
];

let upwardErrors: string[][] = [];
let downwardErrors: string[][] = [];
beforeAll(() => {
  const all = lintAll([...upward.map(([f, s]) => [f, s] as [string, string]), ...downward]);
  upwardErrors = all.slice(0, upward.length);
  downwardErrors = all.slice(upward.length);
}, 60_000);

test.each(upward.map((c, i) => [...c, i] as const))('%s: %s is refused', (_file, _source, message, i) => {
  const errors = upwardErrors[i] ?? [];
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
});


test.each(downward.map((c, i) => [...c, i] as const))('%s: %s is allowed', (_file, _source, i) => {
  expect(downwardErrors[i]).toEqual([]);
});
