/**
 * docker-compose.yml is validated without a Docker engine by compose-go, the library Docker Compose itself uses
 * (tools/compose-validate, built with the Go toolchain from the Go module proxy): schema, required variables,
 * service references. A broken file must fail the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TOOL_DIR = path.join(ROOT, 'tools', 'compose-validate');
const BIN = path.join(ROOT, '.tools', 'compose-validate');
const SECRETS = { POSTGRES_PASSWORD: 'test-only', ODOO_DB_PASSWORD: 'test-only', ESL_PASSWORD: 'test-only' };

jest.setTimeout(300_000);

beforeAll(() => {
  const sources = ['main.go', 'go.mod', 'go.sum'].map((f) => fs.statSync(path.join(TOOL_DIR, f)).mtimeMs);
  if (fs.existsSync(BIN) && fs.statSync(BIN).mtimeMs > Math.max(...sources)) return;
  fs.mkdirSync(path.dirname(BIN), { recursive: true });
  execFileSync('go', ['build', '-o', BIN, '.'], { cwd: TOOL_DIR, stdio: 'inherit' });
});

function validate(file: string, env: Record<string, string>) {
  // A clean environment: no .env, no secrets from the developer's shell.
  const clean = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
  return spawnSync(BIN, [file], { cwd: path.dirname(file), env: clean, encoding: 'utf8' });
}

test('the shipped docker-compose.yml is valid and names the product services', () => {
  const r = validate(path.join(ROOT, 'docker-compose.yml'), SECRETS);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n')).toEqual(
    expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'codec-server', 'odoo', 'odoo-db', 'api', 'worker', 'freeswitch', 'esl-bridge', 'voice-worker']),
  );
});

test('without its secrets the file refuses to load, naming the variable', () => {
  const r = validate(path.join(ROOT, 'docker-compose.yml'), {});
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/POSTGRES_PASSWORD/);
});

test('a service depending on a service that does not exist is rejected', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
  const broken = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').replace('depends_on: [temporal]', 'depends_on: [temporal-typo]');
  expect(broken).toContain('temporal-typo');
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), broken);
  const r = validate(path.join(dir, 'docker-compose.yml'), SECRETS);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/temporal-typo/);
});
