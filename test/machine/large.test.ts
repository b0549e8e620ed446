/**
 * `ivr check` on large and hostile files: 5,000-state machines check without a stack overflow (no recursion per
 * state), and each refusal says what it is (size limit, alias bomb, nesting depth), never "cannot read".
 * Timing is bench/check.ts's business (npm run bench:check), not asserted here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateMachine } from '../../bench/check';
import { checkFiles } from '../../cli/commands/check';
import { countErrors, didYouMean, suggester } from '../../lib/machine/diagnostics';
import { cycles, reachable } from '../../lib/machine/graph';
import { checkMachineFile, checkMachineSource } from '../../lib/machine/loader';

const N = 5000;
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-check-large-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const BOMB = `machine: t
version: "1"
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
`;

describe('graph algorithms hold any size', () => {
  const chain = (n: number, loop: boolean): Map<string, string[]> => {
    const succ = new Map<string, string[]>();
    for (let i = 0; i < n; i++) succ.set(`s${i}`, i + 1 < n ? [`s${i + 1}`] : loop ? ['s0'] : []);
    return succ;
  };

  test('cycles() on a 100,000-state chain and loop: no stack overflow, one component in order', () => {
    const n = 100_000;
    const order = Array.from({ length: n }, (_, i) => `s${i}`);
    expect(cycles(order, chain(n, false))).toEqual([]);
    const comps = cycles(order, chain(n, true));
    expect(comps).toHaveLength(1);
    expect(comps[0]).toEqual(order);
  });

  test('cycles() finds every component and self-loop, sorted in the given order', () => {
    const succ = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['c', 'd']],
      ['d', ['e']],
      ['e', ['f']],
      ['f', ['d']],
    ]);
    expect(cycles(['f', 'e', 'd', 'c', 'b', 'a'], succ)).toEqual([['f', 'e', 'd'], ['c'], ['b', 'a']]);
  });
});

describe(`${N}-state machines`, () => {
  test(`a ${N}-state chain of actions checks clean through ivr check (exit 0, no stack overflow, not reported as unreadable)`, () => {
    // Actions run without caller input: the loop rules walk the whole chain as one path (recursion depth N before).
    const file = write('chain.yaml', generateMachine('actions', N));
    const { report, exitCode } = checkFiles([file]);
    expect(report.files[0]).toMatchObject({ file, errors: 0, machine: 'big' });
    expect(report.files[0]?.readError).toBeUndefined();
    expect(exitCode).toBe(0);
    const { machine } = checkMachineFile(file);
    expect(Object.keys(machine!.states)).toHaveLength(N + 1);
    expect(reachable(machine!).size).toBe(N + 1);
  }, 180_000);

  test(`a ${N}-state wide machine (one menu, ${N - 1} routes) checks clean`, () => {
    const file = write('wide.yaml', generateMachine('wide', N));
    const { report, exitCode } = checkFiles([file]);
    expect(report.files[0]).toMatchObject({ errors: 0, warnings: 0, machine: 'big' });
    expect(exitCode).toBe(0);
  }, 180_000);

  test(`rules still find a defect at the far end of a ${N}-state chain, and a silence loop through all of it`, () => {
    // The last state reads a key nothing writes; the data flow follows the whole chain to say so.
    const broken = generateMachine('chain', N).replace(`Code précédent {{ctx.k${N - 2}}}`, 'Code précédent {{ctx.never_written}}');
    const unset = checkMachineSource('broken.yaml', broken).diagnostics.filter((d) => d.severity === 'error');
    expect(unset).toMatchObject([{ code: 'unset-ctx', state: `s${N - 1}` }]);
    // Every no-input leads to the next state, the last back to the first: a silent caller goes round forever.
    let k = 0; // the k-th no-input block is state s<k>'s
    const silent = generateMachine('loop', N).replace(/noinput: \{ max: 2, next: bye \}/g, () => `noinput: { max: 2, next: s${++k % N} }`);
    const loops = checkMachineSource('silent.yaml', silent).diagnostics.filter((d) => d.code === 'silence-loop');
    expect(loops).toHaveLength(1);
    expect(loops[0]).toMatchObject({ state: 's0' });
    expect(loops[0]?.message).toContain(`'s${N - 1}'`);
  }, 180_000);
});

describe('suggestions stay cheap on thousands of unknown names', () => {
  test('didYouMean: the first of the closest candidates within a third of the name, else nothing', () => {
    expect(didYouMean('ivr.entyr', ['ivr.goodbye', 'ivr.entry', 'ivr.entr'])).toBe(" Did you mean 'ivr.entr'?");
    expect(didYouMean('ivr.entyr', ['ivr.goodbye', 'ivr.entry'])).toBe(" Did you mean 'ivr.entry'?");
    expect(didYouMean('abc', ['abd', 'abe'])).toBe(" Did you mean 'abd'?");
    expect(didYouMean('completely.other', ['ivr.entry', 'x'])).toBe('');
  });

  test('suggester: memoized per name, and no more lookups than its budget', () => {
    const suggest = suggester(['s1', 's2'], 2);
    expect(suggest('s3')).toBe(" Did you mean 's1'?");
    expect(suggest('s4')).toBe(" Did you mean 's1'?");
    expect(suggest('s3')).toBe(" Did you mean 's1'?"); // memoized: not a third lookup
    expect(suggest('s5')).toBe('');
  });

  test(`a renamed prefix across ${N} states: one unknown-state error per reference, hints for the first ones`, () => {
    const renamed = generateMachine('chain', N).replace(/next: s(\d+)/g, 'next: x$1');
    const unknown = checkMachineSource('renamed.yaml', renamed).diagnostics.filter((d) => d.code === 'unknown-state');
    expect(unknown).toHaveLength(N - 1);
    expect(unknown[0]?.message).toMatch(/^next 'x1' names no state\. Did you mean 's1'\?$/);
    expect(unknown[N - 2]?.message).toBe(`next 'x${N - 1}' names no state.`);
  }, 180_000);
});

describe('refusals say what they are', () => {
  test('an alias bomb is reported as yaml-alias-bomb at the first alias, with exit 1, not as a read error', () => {
    const r = checkMachineSource('bomb.yaml', BOMB);
    expect(r.diagnostics).toMatchObject([{ severity: 'error', code: 'yaml-alias-bomb', file: 'bomb.yaml', line: 4, column: 8 }]);
    expect(r.diagnostics[0]?.message).toMatch(/alias bomb/);
    const file = write('bomb.yaml', BOMB);
    const { report, exitCode } = checkFiles([file]);
    expect(exitCode).toBe(1);
    expect(report.files[0]?.readError).toBeUndefined();
    expect(report.diagnostics.map((d) => d.code)).toEqual(['yaml-alias-bomb']);
  });

  test('a few aliases are fine', () => {
    const yaml = fs.readFileSync('machines/rdv-ivr.yaml', 'utf8');
    expect(countErrors(checkMachineSource('rdv-ivr.yaml', yaml).diagnostics)).toBe(0);
    const small = 'machine: t\nx: &x [1, 2]\ny: [*x, *x]\n';
    expect(checkMachineSource('small.yaml', small).diagnostics.map((d) => d.code)).not.toContain('yaml-alias-bomb');
  });

  test('too many states, or too many bytes, is a size-limit error naming the numbers', () => {
    const r = checkMachineSource('many.yaml', generateMachine('chain', 30), { maxStates: 10 });
    expect(r.diagnostics).toMatchObject([{ code: 'size-limit', file: 'many.yaml' }]);
    expect(r.diagnostics[0]?.message).toMatch(/31 states, over the limit of 10 states/);
    const file = write('big.yaml', generateMachine('chain', 30));
    const big = checkMachineFile(file, { maxBytes: 1000 });
    expect(big.diagnostics).toMatchObject([{ code: 'size-limit', file, line: 1, column: 1 }]);
    expect(big.diagnostics[0]?.message).toMatch(/over the 1000-byte limit/);
  });

  test('nesting deeper than the parser follows is yaml-too-deep, with its place', () => {
    const deep = `machine: t\nstates: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    const r = checkMachineSource('deep.yaml', deep);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', code: 'yaml-too-deep', file: 'deep.yaml', line: 2 });
  });

  test('a file that really cannot be read is exit 2 with the reason', () => {
    const { report, exitCode } = checkFiles([path.join(dir, 'missing.yaml')]);
    expect(exitCode).toBe(2);
    expect(report.files[0]?.readError).toMatch(/^ENOENT: cannot read .*missing\.yaml \(no such file or directory\)$/);
  });
});
