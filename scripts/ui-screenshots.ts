/**
 * Screenshots of what an operator sees in the Temporal Web UI, for docs/operators.md:
 *   npx tsx scripts/ui-screenshots.ts [--out docs] [--keep]
 *
 * Brings up the codec server and the local stack the way `ivr start` does (free ports, a temporary database), runs
 * a few conversation scripts against it so real sessions are in its UI, then drives headless Chromium
 * (playwright-core, the Debian `chromium` at /usr/bin/chromium) to capture:
 *   ui-sessions-by-state.png         the session list filtered by `IvrState = "ivr.goodbye"`, with the Ivr* columns;
 *   ui-session-history-decoded.png   one session's input and result decrypted through the codec server;
 *   ui-session-history-encrypted.png the same session in a UI with no codec endpoint (same database): ciphertext.
 * Each capture waits for the content it claims to show and fails (exit 1) when it does not appear.
 * --keep leaves the stack with the codec running after the decoded captures, printing its addresses, until Enter
 * (to try the operator commands of docs/operators.md on it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startCodecServer, type CodecServer } from '../lib/codec/codec-server';
import { loadKeyring } from '../lib/codec/keys';
import { startLocalStack, type LocalStack } from '../stack/local-stack';
import { freePort, resolveTemporalServer, type TemporalServer } from '../lib/temporal/server';
import { simulateScripts } from '../cli/simulate/simulate';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..');
const MACHINE = path.join(ROOT, 'machines', 'rdv-ivr.yaml');
/** Sessions that end in different ways: confirm, cancel, consent refused, silence. */
const SCRIPTS = ['c1-c2-c7-confirm', 'c6-cancel', 'consent-refused', 'c0-silence-goodbye'].map((n) =>
  path.join(ROOT, 'test', 'journeys', 'scripts', `${n}.yaml`),
);
const STATE_FILTER = 'IvrState = "ivr.goodbye"';
const VIEWPORT = { width: 1400, height: 900 };
const MAX_PNG_BYTES = 400 * 1024;

const say = (line: string) => process.stderr.write(`ui-screenshots: ${line}\n`);

/** Rejects after `ms` with a message saying what was awaited, so a stuck step never hangs the run. */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The environment without TEMPORAL_ADDRESS, so the stack starts its own dev server with the UI. */
function envWithoutTemporal(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  return env;
}

/** Waits until visibility lists `count` sessions for `query` (search attributes are indexed asynchronously). */
async function waitForSessions(client: Client, query: string, count: number): Promise<{ workflowId: string; runId: string; events: number }[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found: { workflowId: string; runId: string; events: number }[] = [];
    for await (const wf of client.workflow.list({ query })) found.push({ workflowId: wf.workflowId, runId: wf.runId, events: wf.historyLength });
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`visibility lists ${found.length} session(s) for ${query}; expected ${count}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Polls `check` from Node (the UI's content security policy forbids evaluating strings in the page). */
async function waitUntil(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Links to distinct sessions (the id and run id columns both link to the same run). */
async function distinctHrefs(links: Locator): Promise<Set<string>> {
  const hrefs = new Set<string>();
  for (const link of await links.all()) hrefs.add((await link.getAttribute('href')) ?? '');
  hrefs.delete('');
  return hrefs;
}

/** Columns the operator filters by, in place of the run id, type and times (the UI keeps the choice per browser). */
async function showSearchAttributeColumns(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Configure Columns' }).click();
  for (const column of ['Run ID', 'Type', 'Start', 'End']) await page.getByRole('button', { name: `Remove ${column} column` }).click();
  for (const column of ['IvrState', 'IvrOutcome', 'IvrCallerHash']) await page.getByRole('button', { name: `Add ${column} column` }).click();
  // The drawer closes on a click outside it.
  await page.mouse.click(400, 600);
  await page.getByText('Available Columns (not in view)').waitFor({ state: 'hidden', timeout: 10_000 });
  // The drawer slides out: let the transition end so it is not half-drawn over the table.
  await page.waitForTimeout(800);
  await page.getByRole('columnheader', { name: 'IvrCallerHash' }).waitFor({ timeout: 10_000 });
  await page.getByRole('cell', { name: 'completed' }).first().waitFor({ timeout: 10_000 });
}

/** Runs one capture; when what it waits for never shows, keeps what the page showed instead, to look at. */
async function capture(browser: Browser, name: string, work: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    await work(page);
  } catch (err) {
    const file = path.join(os.tmpdir(), `ui-screenshots-failed-${name}.png`);
    await page.screenshot({ path: file }).catch(() => undefined);
    fs.writeFileSync(file.replace(/\.png$/, '.txt'), await page.innerText('body').catch(() => ''));
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)} (the page as it was: ${file} and .txt)`);
  } finally {
    await page.close();
  }
}

async function shoot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: file, fullPage: false });
  const size = fs.statSync(file).size;
  say(`${path.relative(process.cwd(), file)} (${Math.round(size / 1024)} KB)`);
  if (size > MAX_PNG_BYTES) throw new Error(`${file} is ${size} bytes; keep screenshots under ${MAX_PNG_BYTES}`);
}

/** Opens the history page of one run, once its event table is rendered. */
async function openHistory(page: Page, uiUrl: string, id: { workflowId: string; runId: string }): Promise<void> {
  const url = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(id.workflowId)}/${id.runId}/history`;
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.getByText('Workflow Execution Completed').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
}

async function captureWithCodec(browser: Browser, uiUrl: string, outDir: string, session: { workflowId: string; runId: string }, expected: number) {
  await capture(browser, 'list', async (page) => {
    // a. the list filtered by state, once every expected row is rendered.
    await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(STATE_FILTER)}`, { waitUntil: 'domcontentloaded' });
    const rows = page.locator('a[href*="/workflows/web-"]');
    await waitUntil(30_000, `${expected} session rows`, async () => (await distinctHrefs(rows)).size >= expected);
    await showSearchAttributeColumns(page);
    say(`list shows ${(await distinctHrefs(rows)).size} session(s) for ${STATE_FILTER}`);
    await shoot(page, path.join(outDir, 'ui-sessions-by-state.png'));
  });
  await capture(browser, 'decoded', async (page) => {
    // b. one history, payloads decoded by the codec server: the result names the end state in clear.
    await openHistory(page, uiUrl, session);
    await page.getByText('"outcome"', { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText('ivr.goodbye', { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await shoot(page, path.join(outDir, 'ui-session-history-decoded.png'));
  });
}

async function captureWithoutCodec(browser: Browser, uiUrl: string, outDir: string, session: { workflowId: string; runId: string }) {
  await capture(browser, 'encrypted', async (page) => {
    await openHistory(page, uiUrl, session);
    // Without a codec the UI can only show the payloads' bytes: the base64 of the ciphertext, as a quoted string.
    await page.getByText(/^"[A-Za-z0-9+/]{40,}={0,2}"$/).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    const clear = await page.getByText('"outcome"', { exact: false }).count();
    if (clear > 0) throw new Error('the UI without a codec endpoint shows the result in clear: payloads are not encrypted');
    await shoot(page, path.join(outDir, 'ui-session-history-encrypted.png'));
  });
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { out: { type: 'string', default: 'docs' }, keep: { type: 'boolean', default: false } }, strict: true }));
  } catch (err) {
    say((err as Error).message);
    return 2;
  }
  if (!fs.existsSync(CHROMIUM)) {
    say(`${CHROMIUM} is missing: install the Debian package (apt-get install -y chromium)`);
    return 2;
  }
  const outDir = path.resolve(values.out);
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-ui-'));
  const [uiPort, codecPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const dbFilename = path.join(tmp, 'temporal.db');
  // Synchronous, so the temporary database goes even when a signal ends the run early.
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

  let codec: CodecServer | undefined;
  let stack: LocalStack | undefined;
  let plain: TemporalServer | undefined;
  let browser: Browser | undefined;
  const started = Date.now();
  try {
    // As `ivr start`: the codec server first, its URL given to the dev server's UI.
    codec = await startCodecServer({ port: codecPort, keyring: loadKeyring(), allowedOrigins: [`http://localhost:${uiPort}`, uiUrl] });
    stack = await within(
      90_000,
      'starting the local stack',
      startLocalStack({
        temporal: { port: temporalPort, uiPort, dbFilename, uiCodecEndpoint: codec.url },
        apiPort,
        apiStoreDir: path.join(tmp, 'api-store'),
        env: envWithoutTemporal(),
      }),
    );
    say(`stack up in ${Date.now() - started} ms: Temporal ${stack.temporal.address}, UI ${uiUrl}, codec ${codec.url}`);

    // Sessions on that stack's server, so they are in its UI.
    process.env.TEMPORAL_ADDRESS = stack.temporal.address;
    const transcript: string[] = [];
    const simulated = await within(
      240_000,
      'the conversation scripts',
      simulateScripts({
        machineArg: MACHINE,
        scriptFiles: SCRIPTS,
        channel: 'web',
        coverage: false,
        json: false,
        out: (line) => transcript.push(line),
        err: (line) => say(line),
      }),
    );
    for (const line of transcript.filter((l) => /^(PASS|FAIL|\d+ passed)/.test(l))) say(line);
    if (simulated !== 0) throw new Error('a conversation script failed; see the lines above');

    const ended = await waitForSessions(stack.client, STATE_FILTER, SCRIPTS.length);
    // The longest history: a conversation with turns, not the silent call.
    const session = ended.reduce((a, b) => (b.events > a.events ? b : a));
    say(`${ended.length} session(s) in ${STATE_FILTER}; history shown: ${session.workflowId} (${session.events} events)`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const decoded = await within(120_000, 'the captures with the codec', captureWithCodec(browser, uiUrl, outDir, session, ended.length)).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (decoded !== undefined) say(decoded instanceof Error ? decoded.message : String(decoded));

    if (values.keep) {
      // Enter, not Ctrl-C: Ctrl-C also reaches the dev server and the npx/tsx wrappers, which end the run before
      // this script can tear down in order.
      say(`kept running, press Enter to stop: TEMPORAL_ADDRESS=${stack.temporal.address}  UI ${uiUrl}  codec ${codec.url}`);
      await new Promise<void>((resolve) => {
        process.stdin.once('data', () => resolve());
        process.stdin.once('end', () => resolve());
        process.stdin.resume();
      });
      process.stdin.pause();
    }
    if (decoded !== undefined) return 1;

    // c. the same database behind a UI that has no codec endpoint: what the server (and its database) holds.
    await within(30_000, 'stopping the stack', stack.stop());
    stack = undefined;
    plain = await within(
      60_000,
      'starting the dev server without a codec',
      resolveTemporalServer({ port: await freePort(), uiPort, dbFilename }, envWithoutTemporal()),
    );
    await within(60_000, 'the capture without the codec', captureWithoutCodec(browser, uiUrl, outDir, session));
    say(`done in ${Math.round((Date.now() - started) / 1000)} s`);
    return 0;
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    const stops: [string, (() => Promise<void>) | undefined][] = [
      ['browser', browser && (() => browser!.close())],
      ['dev server', plain && (() => plain!.stop())],
      ['stack', stack && (() => stack!.stop())],
      ['codec server', codec && (() => codec!.close())],
    ];
    for (const [what, stop] of stops) {
      if (stop) await within(20_000, `stopping the ${what}`, stop()).catch((e: unknown) => say(String(e)));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(String(err));
    process.exit(1);
  },
);
