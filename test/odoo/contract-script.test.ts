import fs from 'node:fs';
import path from 'node:path';

// one real Odoo is shared by the contract files: a field creation in one reloads the registry under the others
test('npm run test:contract runs its files one after another', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts['test:contract']).toMatch(/jest (.* )?--runInBand/);
});
