/** lib/esl is a leaf library: the bridge, the voice activities and the voice worker import it, never the reverse. */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const APP_FOLDERS = ['esl-bridge', 'activities', 'workflows', 'workers', 'api', 'sim', 'cli', 'bench'];

test('lib/esl imports only itself, lib/env, lib/log and packages', () => {
  const dir = path.join(ROOT, 'lib/esl');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
  expect(files).toEqual(expect.arrayContaining(['config.ts', 'connection.ts', 'errors.ts', 'events.ts', 'framing.ts', 'index.ts']));
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const specs = [...text.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]!);
    for (const spec of specs.filter((s) => s.startsWith('.'))) {
      const target = path.relative(ROOT, path.resolve(dir, spec));
      expect({ file: f, target, app: APP_FOLDERS.some((a) => target === a || target.startsWith(`${a}/`)) }).toEqual({ file: f, target, app: false });
      expect([`lib/esl/${path.basename(target)}`, 'lib/env', 'lib/log']).toContain(target);
    }
  }
});
