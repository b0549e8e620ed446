/**
 * One broken machine per checker rule (test/machine/corpus/*.yaml). Each file's first line says what must be
 * reported: `# expect: <severity> <code> <line>:<column>`. No other error may appear, so each file proves its rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkMachineFile } from '../../lib/machine/loader';

const dir = path.join(__dirname, 'corpus');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function expectation(file: string): { severity: string; code: string; line: number; column: number } {
  const first = fs.readFileSync(file, 'utf8').split('\n')[0] ?? '';
  const m = /^# expect: (error|warning) ([a-z-]+) (\d+):(\d+)$/.exec(first);
  if (!m) throw new Error(`${file}: first line must be "# expect: <severity> <code> <line>:<column>"`);
  return { severity: m[1] as string, code: m[2] as string, line: Number(m[3]), column: Number(m[4]) };
}

describe('checker corpus', () => {
  it('has a broken machine for every rule', () => {
    const codes = new Set(files.map((f) => expectation(path.join(dir, f)).code));
    for (const code of [
      'yaml-syntax', 'unknown-key', 'missing-field', 'wrong-type', 'invalid-value', 'unknown-state', 'unknown-global',
      'unknown-endpoint', 'unknown-intent', 'unused-intent', 'unreachable-state', 'no-exit', 'action-loop',
      'silence-loop', 'intent-collision', 'unset-ctx', 'template-syntax', 'template-scope', 'missing-path-param',
      'duplicate-prompt', 'nested-template', 'yaml-alias-bomb', 'missing-outcome', 'unknown-outcome',
    ]) {
      expect(codes).toContain(code);
    }
  });

  it.each(files)('%s reports its diagnostic at the expected place', (f) => {
    const file = path.join('test/machine/corpus', f);
    const want = expectation(file);
    const { diagnostics } = checkMachineFile(file);
    const hit = diagnostics.find((d) => d.code === want.code);
    expect(hit).toMatchObject({ severity: want.severity, code: want.code, file, line: want.line, column: want.column });
    expect(hit?.message.length).toBeGreaterThan(10);
    const otherErrors = diagnostics.filter((d) => d.severity === 'error' && d !== hit);
    expect(otherErrors).toEqual([]);
  });

  it('names the state and the YAML path of a problem inside a state', () => {
    const { diagnostics } = checkMachineFile('test/machine/corpus/unknown-state.yaml');
    expect(diagnostics.find((d) => d.code === 'unknown-state')).toMatchObject({
      state: 'ask',
      path: '/states/ask/routes/1/next',
      message: expect.stringContaining("Did you mean 'bye'?"),
    });
  });
});
