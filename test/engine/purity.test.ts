/**
 * The engine is bundled into Temporal workflow code: no Node modules, no clock, no randomness, no I/O, and only
 * imports that stay inside the engine, the machine model and the pure French parsers.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../workflows/engine');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\.now\b|\bnew Date\(\s*\)/, 'reads the clock'],
  [/\bMath\.random\b|\bcrypto\./, 'uses randomness'],
  [/\bprocess\.|\bsetTimeout\b|\bsetInterval\b|\bconsole\./, 'touches the process or timers'],
  [/\brequire\(|\bimport\(/, 'loads modules dynamically'],
];

test.each(sources(root).map((f) => [path.relative(root, f), f]))('%s is workflow-safe', (_rel, file) => {
  const code = fs.readFileSync(file, 'utf8');
  for (const [re, why] of FORBIDDEN) expect({ file, why, hit: re.test(code) }).toEqual({ file, why, hit: false });
  for (const m of code.matchAll(/from '([^']+)'/g)) {
    const spec = m[1]!;
    const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
    const allowed =
      resolved.startsWith(root) ||
      resolved === path.resolve(root, '../../lib/machine/model') ||
      resolved === path.resolve(root, '../../lib/machine/outcomes') ||
      resolved.startsWith(path.resolve(root, '../../lib/french/'));
    expect({ file, import: spec, allowed }).toEqual({ file, import: spec, allowed: true });
  }
});
