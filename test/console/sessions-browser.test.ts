/**
 * The console's sessions pages in Debian's Chromium on the real stack (dev server, worker, the API serving the built
 * app): an operator logs in with the form, filters the list to two sessions of one machine version, opens the one
 * that ended (diagram with the path and final state marked, its turn, outcome, Temporal UI link), then the one still
 * running, which moves on the page by itself when the caller presses a key. axe-core finds no serious violation and
 * nothing hits the Content-Security-Policy. With CONSOLE_SCREENSHOT_DIR set (docs/console for docs/operators.md),
 * the three pages are saved there.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { askAdminSocket } from '../../api/admin-socket';
import { PORTAL_DIST } from '../../api/app';
import { startSessionWorkflow } from '../../sessions/start';
import { startLocalStack, type LocalStack } from '../../stack/local-stack';
import { inputSignal, type CallerInput } from '../../workflows/session-api';
import { outcomesMachine, OUTCOMES_MACHINE_YAML } from '../outcomes/machine';
import { axeSerious, chromiumMissing, launch, phonePage } from '../portal/browser';

jest.setTimeout(240_000);

const SHOTS = process.env.CONSOLE_SCREENSHOT_DIR;

const version = `7.${process.pid}.${Date.now() % 100000}`;
// A machine name of its own: the figures page reads every recent session of the machine it is given.
const machineName = `outcomes_browser_${process.pid}`;
let stack: LocalStack;
let browser: Browser;
let tmp: string;
let ended = '';
let running = '';

/** The built app, rebuilt when it predates these pages (a marker of the sessions page is missing from it). */
function ensureBuilt(): void {
  const assets = path.join(PORTAL_DIST, 'assets');
  const built = fs.existsSync(assets) && fs.readdirSync(assets).some((f) => f.endsWith('.js') && fs.readFileSync(path.join(assets, f), 'utf8').includes('Empreinte de l’appelant'));
  if (!built) execFileSync('npm', ['run', '--silent', 'build:portal'], { stdio: 'inherit' });
}

beforeAll(async () => {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'console-sessions-'));
  stack = await startLocalStack({
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', TEMPORAL_UI_URL: 'http://ui.example:8233' },
    taskQueue: `console-sessions-${process.pid}`,
    apiStoreDir: path.join(tmp, 'store'),
  });
  browser = await launch();
  const yaml = OUTCOMES_MACHINE_YAML.replace('version: "1.0.0"', `version: "${version}"`).replace('machine: outcomes_test', `machine: ${machineName}`);
  const start = (waitSec = 1) =>
    startSessionWorkflow(stack.client, { machine: outcomesMachine(yaml.replace('noinput_timeout_sec: 1', `noinput_timeout_sec: ${waitSec}`)), channel: 'web', callId: crypto.randomUUID() }, { taskQueue: stack.taskQueue });
  // The stack's API has no /things route: the booking fails and the session ends backend_failed.
  const done = await start();
  await done.signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'dtmf', digits: '1' } as CallerInput);
  await done.result();
  ended = done.workflowId;
  // A caller who takes their time: the session waits at the menu for the rest of the test.
  running = (await start(120)).workflowId;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Retries an assertion until it holds (the page loads and refreshes on its own), then fails with its last error. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const count = (page: Page, selector: string) => page.locator(selector).count();
const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
const attr = (page: Page, selector: string, name: string) => page.locator(selector).first().getAttribute(name);

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function scan(page: Page, name: string): Promise<void> {
  expect({ page: name, violations: await axeSerious(page) }).toEqual({ page: name, violations: [] });
}

test('list, ended session, running session followed live', async () => {
  const r = await askAdminSocket(path.join(tmp, 'store'), { v: 1, op: 'add', name: 'sessions-viewer' });
  if (!r.ok || r.op !== 'add') throw new Error(`operators add: ${JSON.stringify(r)}`);
  const { context, page, problems } = await phonePage(browser, { width: 1280, height: 900 });
  await page.goto(`${stack.apiUrl}/console/sessions?machine_version=${version}`);
  await page.getByLabel('Jeton d’opérateur').fill(r.token);
  await page.getByRole('button', { name: 'Se connecter' }).click();

  // The filter came from the address; both sessions are listed (visibility may take a moment).
  await page.waitForSelector('form.session-filters');
  expect(await page.getByLabel('Version de la machine').inputValue()).toBe(version);
  for (let i = 0; i < 20 && (await count(page, 'tr[data-session]')) < 2; i++) {
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForTimeout(500);
  }
  expect(await count(page, 'tr[data-session]')).toBe(2);
  expect(await text(page, `tr[data-session="${ended}"]`)).toContain('backend_failed');
  expect(await text(page, `tr[data-session="${running}"]`)).toContain('en cours');
  // Keyboard: the status filter is a labelled select, changed and submitted without a mouse.
  await page.getByLabel('Statut').focus();
  await page.getByLabel('Statut').selectOption('closed');
  await page.getByRole('button', { name: 'Filtrer' }).press('Enter');
  await eventually(async () => expect(await count(page, 'tr[data-session]')).toBe(1));
  expect(page.url()).toContain('status=closed');
  await scan(page, 'sessions');
  await shot(page, 'sessions-list');

  await page.getByRole('link', { name: ended }).click();
  await page.waitForSelector('svg.diagram-svg');
  for (const state of ['menu', 'book', 'bye']) expect(await count(page, `g.diagram-node.visited[data-state="${state}"]`)).toBe(1);
  expect(await attr(page, 'g.diagram-node.current', 'data-state')).toBe('bye');
  expect(await count(page, 'g.diagram-edge.taken')).toBe(2);
  expect(await count(page, 'table.turns-table tbody tr')).toBe(1);
  const turn = await text(page, 'table.turns-table tbody tr');
  expect(turn).toContain('touches');
  expect(turn).toContain('en échec');
  expect(await text(page, '.session-facts')).toContain('backend_failed');
  const link = await page.getByRole('link', { name: 'Ouvrir dans l’interface Temporal' }).getAttribute('href');
  expect(link).toMatch(new RegExp(`^http://ui\\.example:8233/namespaces/default/workflows/${ended}/[0-9a-f-]{36}$`));
  await scan(page, 'session');
  await shot(page, 'session-page');

  await page.goto(`${stack.apiUrl}/console/sessions/${running}`);
  await page.waitForSelector('svg.diagram-svg');
  expect(await attr(page, 'g.diagram-node.current', 'data-state')).toBe('menu');
  expect(await text(page, '.session-facts')).toContain('actualisé toutes les 2 s');
  await stack.client.workflow.getHandle(running).signal(inputSignal, { eventId: crypto.randomUUID(), kind: 'dtmf', digits: '1' } as CallerInput);
  // No reload: the page reads the session again every 2 s.
  await eventually(async () => expect(await attr(page, 'g.diagram-node.current', 'data-state')).toBe('bye'), 15_000);
  await eventually(async () => expect(await count(page, 'table.turns-table tbody tr')).toBe(1));

  await page.goto(`${stack.apiUrl}/console/stats`);
  await page.getByLabel('Machine').fill(machineName);
  await page.getByRole('button', { name: 'Calculer' }).click();
  await page.waitForSelector('table.stats-table tbody tr', { timeout: 30_000 });
  await scan(page, 'stats');
  await shot(page, 'state-figures');
  expect(problems).toEqual([]);
  await context.close();
});
