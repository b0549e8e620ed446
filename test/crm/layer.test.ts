/**
 * The CRM capture domain is leaf code: the /crm routes, the capture workflow and its activities import it, never
 * the reverse, and it holds no Temporal code (the activities convert its errors into Temporal failures).
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const DOMAIN = ['lib/crm', 'lib/extraction', 'lib/consent'];

describe.each(DOMAIN)('%s', (folder) => {
  const dir = path.join(ROOT, folder);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));

  test('imports only lib/ and packages other than Temporal', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const specs = [...text.matchAll(/(?:from|require\(|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
      for (const spec of specs) {
        const target = spec.startsWith('.') ? path.relative(ROOT, path.resolve(dir, spec)) : spec;
        const ok = spec.startsWith('.') ? target.startsWith('lib/') : !spec.startsWith('@temporalio/');
        expect({ file: `${folder}/${f}`, import: target, ok }).toEqual({ file: `${folder}/${f}`, import: target, ok: true });
      }
    }
  });
});

test('the API, the workflow and the workers reach the domain through lib/, not through activities/', () => {
  const users = ['api/crm', 'api/routes/portal.ts', 'workflows/crm-capture.ts', 'workers/crm-activities.ts'];
  for (const u of users) {
    const p = path.join(ROOT, u);
    const files = fs.statSync(p).isDirectory() ? fs.readdirSync(p).filter((f) => f.endsWith('.ts')).map((f) => path.join(p, f)) : [p];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const viaActivities = [...text.matchAll(/from\s*'([^']+)'/g)]
        .map((m) => m[1]!)
        .filter((s) => /(^|\/)activities\/(crm\/(types|mapping|odoo|consent-text|extract)|extraction)/.test(s));
      expect({ file: path.relative(ROOT, file), viaActivities }).toEqual({ file: path.relative(ROOT, file), viaActivities: [] });
    }
  }
});
