/**
 * The shell's pure parts (inbox, view, plan, activity options, waiting rules, hang-up causes) run in plain Node for their unit tests and inside the
 * workflow sandbox: no workflow API, no clock, no randomness, no I/O. Only commands.ts and status.ts call Temporal.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../workflows/shell');
const PURE = ['inbox.ts', 'view.ts', 'plan.ts', 'activity-options.ts', 'waiting.ts', 'hangup-causes.ts'];

const FORBIDDEN: [RegExp, string][] = [
  [/from '@temporalio\/workflow'/, 'calls the workflow API (keep that in commands.ts or status.ts)'],
  [/\bDate\b|\bMath\.random\b|\bcrypto\./, 'reads the clock or uses randomness'],
  [/\bprocess\.|\bsetTimeout\b|\bsetInterval\b|\bconsole\.|from 'node:/, 'touches the process, timers or Node'],
];

test('every file of the shell is either pure or one of the two that call Temporal', () => {
  const files = fs.readdirSync(root).filter((f) => f.endsWith('.ts')).sort();
  expect(files).toEqual([...PURE, 'commands.ts', 'status.ts'].sort());
});

test.each(PURE)('%s is pure', (name) => {
  const code = fs.readFileSync(path.join(root, name), 'utf8');
  for (const [re, why] of FORBIDDEN) expect({ name, why, hit: re.test(code) }).toEqual({ name, why, hit: false });
});
