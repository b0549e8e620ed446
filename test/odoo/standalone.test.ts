import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '../..');

test('`ivr sim odoo` prints URL and credentials, serves, and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [path.join(root, 'bin/ivr.js'), 'sim', 'odoo', '--port', '0', '--version', '18', '--db', 'cabinet', '--fixtures', path.join(root, 'sim/odoo/fixtures/demo.json')], { cwd: root });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/ODOO_API_KEY=\w+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const url = /at (http:\/\/[\d.:]+)/.exec(out)?.[1];
  expect(out).toContain('login: admin  password: admin');
  expect(url).toBeDefined();
  const res = await fetch(`${url}/web/database/list`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"jsonrpc":"2.0","method":"call","params":{},"id":1}' });
  expect(await res.text()).toBe('{"jsonrpc": "2.0", "id": 1, "result": ["cabinet"]}');
  const key = /ODOO_API_KEY=(\w+)/.exec(out)![1]!;
  const count = await fetch(`${url}/jsonrpc`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: ['cabinet', 2, key, 'calendar.event', 'search_count', [[['partner_ids', 'in', [7]]]]] }, id: 2 }),
  });
  expect(JSON.parse(await count.text()).result).toBe(2);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(out).toContain('Odoo simulator stopped');
});

test('`ivr sim odoo` refuses bad arguments with exit 2', async () => {
  const child = spawn(process.execPath, [path.join(root, 'bin/ivr.js'), 'sim', 'odoo', '--version', '15'], { cwd: root });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(2);
  expect(err).toMatch(/--version/);
});
