/**
 * The operators' console in Debian's Chromium on the real stack (Temporal dev server, worker, API serving the built
 * app, Odoo / Brevo / OpenAI simulators), the way an operator uses it after `npm start` and `npx ivr operators add`:
 * log in with the token (added through the running API's admin socket, as the CLI does), dictate a contact with
 * Chromium's fake microphone playing a French WAV, correct a field, confirm, see the partner and lead; upload a file
 * instead; search and page contacts and leads; log out; lose the login (revoked) and get the form back. Every page
 * is scanned by axe-core (no serious or critical violation) and none may hit the Content-Security-Policy.
 *
 * The speech simulator cannot hear: the recording's own bytes (Chromium's WebM/Opus, captured on their way out of
 * the page) are registered with the words the WAV says, so the transcript comes through the same STT path as with
 * `npm start`, and the simulator's record shows which file reached it.
 *
 * With CONSOLE_SCREENSHOT_DIR set (docs/console for docs/operators.md), the dictation and contacts pages are saved
 * there, phone and desktop sized.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { askAdminSocket } from '../../api/admin-socket';
import { PORTAL_DIST } from '../../api/app';
import { withInfoComment } from '../../lib/audio/wav';
import type { LocalStack } from '../../stack/local-stack';
import { synthesizeFrench } from '../stt/espeak';
import { axeSerious, CHROMIUM, chromiumMissing, phonePage } from '../portal/browser';
import { startLocalStack } from '../../stack/local-stack';

jest.setTimeout(240_000);

const ODOO_PUBLIC = 'https://odoo.cabinet.example';
/** What the fake microphone's WAV says; no cue before the name, so the parser flags first and last name to check. */
const DICTATION = 'Lina Martin, mon e-mail est lina.martin@exemple.com et mon numéro le 06 12 34 56 78';
const SHOTS = process.env.CONSOLE_SCREENSHOT_DIR;

let stack: LocalStack;
let browser: Browser;
let storeDir: string;
let tmp: string;
let wavFile: string;

async function addOperator(name: string): Promise<string> {
  const r = await askAdminSocket(storeDir, { v: 1, op: 'add', name });
  if (!r.ok || r.op !== 'add') throw new Error(`operators add ${name}: ${JSON.stringify(r)}`);
  return r.token;
}

beforeAll(async () => {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  // `npm test` builds the app first (scripts/bootstrap.js); a bare `npx jest` on a fresh clone builds it here.
  if (!fs.existsSync(path.join(PORTAL_DIST, 'index.html'))) execFileSync('npm', ['run', '--silent', 'build:portal'], { stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  storeDir = path.join(tmp, 'store');
  wavFile = path.join(tmp, 'dictee.wav');
  fs.writeFileSync(wavFile, synthesizeFrench(DICTATION));
  // An embedded store on disk: the running API then serves `ivr operators` through its admin socket.
  stack = await startLocalStack({
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ODOO_PUBLIC_URL: ODOO_PUBLIC },
    taskQueue: `console-browser-${process.pid}`,
    apiStoreDir: storeDir,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wavFile}`],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Waits until the page's own counter shows `seconds` of recording (the fake device may start late on a loaded machine). */
async function recordedFor(page: Page, seconds: number): Promise<void> {
  await page.waitForFunction((min) => {
    const m = /\((\d+) s\)/.exec((globalThis as any).document.querySelector('[data-status]')?.textContent ?? '');
    return !!m && Number(m[1]) >= min;
  }, seconds);
}

async function scan(page: Page, name: string): Promise<void> {
  expect({ page: name, violations: await axeSerious(page) }).toEqual({ page: name, violations: [] });
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  // Phones: what the screen shows; desktops: the whole page.
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: !name.endsWith('-phone') });
}

/** A page of the console, logged in as `name` through the login form. */
async function loggedIn(name: string, opts: { width?: number; path?: string } = {}) {
  const token = await addOperator(name);
  const p = await phonePage(browser, opts.width ? { width: opts.width, height: 900 } : {});
  await p.page.goto(`${stack.apiUrl}${opts.path ?? '/console/dictate'}`);
  await p.page.getByLabel('Jeton d’opérateur').fill(token);
  await p.page.getByRole('button', { name: 'Se connecter' }).click();
  await p.page.waitForSelector(`[data-operator]:text("${name}")`);
  return { ...p, token };
}

/**
 * Registers the words of each recording the page uploads, from its own bytes, before the request leaves: the
 * wrapped fetch hands the audio part to the test, which tells the speech simulator what it says.
 */
async function hearRecordings(page: Page, text: string, heard: Buffer[]): Promise<void> {
  await page.exposeFunction('__heardRecording', (base64: string) => {
    const bytes = Buffer.from(base64, 'base64');
    heard.push(bytes);
    stack.openaiSim!.registerTranscript(bytes, text);
  });
  await page.addInitScript(() => {
    const w = globalThis as unknown as { fetch: typeof fetch; __heardRecording(b: string): Promise<void> };
    const original = w.fetch.bind(globalThis);
    w.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const audio = init?.body instanceof FormData ? init.body.get('audio') : null;
      if (audio instanceof Blob) {
        const bytes = new Uint8Array(await audio.arrayBuffer());
        let bin = '';
        for (const b of bytes) bin += String.fromCharCode(b);
        await w.__heardRecording(btoa(bin));
      }
      return original(input, init);
    };
  });
}

test('login: a wrong token is refused with a message, the right one opens the console with the operator’s name', async () => {
  const { context, page, problems } = await phonePage(browser);
  await page.goto(`${stack.apiUrl}/console/contacts`);
  await page.waitForSelector('#operator-token');
  await scan(page, 'login');
  await page.getByLabel('Jeton d’opérateur').fill('op_not-a-token-of-this-console-0000000000');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/n’est pas celui d’un opérateur actif/);
  await scan(page, 'login error');
  const token = await addOperator('amelie');
  await page.getByLabel('Jeton d’opérateur').fill(token);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForSelector('[data-operator]');
  expect(await page.locator('[data-operator]').textContent()).toBe('amelie');
  // The page asked for (contacts) is shown after the login; the token is nowhere in the page or its storage.
  await page.waitForSelector('h1:text("Contacts")');
  expect(await page.content()).not.toContain(token);
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'care_console')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  // A reload keeps the login (the cookie), without the form.
  await page.reload();
  await page.waitForSelector('[data-operator]');
  expect(await page.locator('#operator-token').count()).toBe(0);
  expect(problems).toEqual([]);
  await context.close();
});

test('dictate with the microphone: WebM/Opus through the speech path, transcript and fields to check, correct one, confirm, partner and lead linked to Odoo', async () => {
  const { context, page, problems } = await loggedIn('bruno', { width: 1280 });
  const heard: Buffer[] = [];
  await hearRecordings(page, DICTATION, heard);
  await page.reload();
  await page.waitForSelector('h1:text("Dicter un contact")');
  await scan(page, 'dictate');
  await shot(page, 'dictate-desktop');

  const record = page.getByRole('button', { name: 'Enregistrer la dictée' });
  expect(await record.getAttribute('aria-pressed')).toBe('false');
  await record.click();
  const stop = page.getByRole('button', { name: 'Arrêter et transcrire' });
  await stop.waitFor();
  expect(await stop.getAttribute('aria-pressed')).toBe('true');
  expect(await page.locator('[data-status]').textContent()).toMatch(/Enregistrement en cours/);
  await recordedFor(page, 2);
  const previewAnswer = page.waitForResponse((r) => r.url().endsWith('/crm/voice-contacts'));
  await stop.click();
  const answer = await (await previewAnswer).json() as { needs_check: string[]; transcript: string };
  await page.waitForSelector('[data-transcript]');

  // What reached the speech server is Chromium's own WebM (EBML magic), named as such, and it was transcribed.
  expect(heard).toHaveLength(1);
  expect(heard[0]!.subarray(0, 4).toString('hex')).toBe('1a45dfa3');
  const last = stack.openaiSim!.transcriptions.at(-1)!;
  expect(last).toMatchObject({ fileName: 'dictee.webm', fileSha256: crypto.createHash('sha256').update(heard[0]!).digest('hex'), status: 200 });

  expect(await page.locator('[data-transcript]').textContent()).toBe(DICTATION);
  expect(answer.needs_check).toEqual(['firstname', 'lastname']);
  const flagged = await page.locator('.field.needs-check').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
  expect(flagged).toEqual(answer.needs_check);
  expect(await page.getByLabel('Prénom').inputValue()).toBe('Lina');
  expect(await page.getByLabel('E-mail').inputValue()).toBe('lina.martin@exemple.com');
  expect(await page.getByLabel('Téléphone').inputValue()).toBe('+33612345678');
  expect(await page.locator('[data-needs-check]').textContent()).toMatch(/prénom, nom/);
  await scan(page, 'dictate preview');
  await shot(page, 'dictate-preview-desktop');

  // A wrong e-mail is refused by the API and shown beside its field; then corrected with the last name.
  await page.getByLabel('E-mail').fill('lina.martin@');
  await page.getByRole('button', { name: 'Confirmer et créer dans Odoo' }).click();
  await page.waitForSelector('#field-email-error');
  expect(await page.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
  await scan(page, 'dictate field error');
  await page.getByLabel('E-mail').fill('lina.martineau@exemple.com');
  await page.getByLabel('Nom', { exact: true }).fill('Martineau');
  expect(await page.locator('.field.needs-check').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')))).toEqual(['firstname']);
  const created = page.waitForResponse((r) => r.url().endsWith('/crm/text-contacts') && r.status() < 300);
  await page.getByRole('button', { name: 'Confirmer et créer dans Odoo' }).click();
  const capture = await (await created).json() as { partner: { id: number; created: boolean }; lead: { id: number } };
  await page.waitForSelector('[data-result]');
  expect(capture.partner.created).toBe(true);

  const partnerLink = page.locator(`[data-partner="${capture.partner.id}"] a`);
  expect(await partnerLink.getAttribute('href')).toBe(`${ODOO_PUBLIC}/web#id=${capture.partner.id}&model=res.partner&view_type=form`);
  expect(await partnerLink.textContent()).toContain('Lina Martineau');
  expect(await page.locator(`[data-lead="${capture.lead.id}"] a`).getAttribute('href')).toBe(`${ODOO_PUBLIC}/web#id=${capture.lead.id}&model=crm.lead&view_type=form`);
  expect(await page.locator('#result-title').textContent()).toBe('Contact créé');
  const [partner] = await stack.odoo.callKw<Array<{ name: string; email: string }>>('res.partner', 'read', [[capture.partner.id]], { fields: ['name', 'email'] });
  expect(partner).toMatchObject({ name: 'Lina Martineau', email: 'lina.martineau@exemple.com' });
  await scan(page, 'dictate result');
  await shot(page, 'dictate-result-desktop');
  expect(problems).toEqual([]);
  await context.close();
});

test('upload a file instead: its transcript, confirm as is, the same person found again (matched by e-mail)', async () => {
  const { context, page, problems } = await loggedIn('chloe');
  const said = "Je m'appelle Zoé Lambert, mon email zoe.lambert@exemple.fr, mon téléphone 07 11 22 33 44";
  const wav = withInfoComment(synthesizeFrench('Zoé Lambert'), said);
  await page.locator('#audio-file').setInputFiles({ name: 'zoe.wav', mimeType: 'audio/wav', buffer: wav });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await page.waitForSelector('[data-transcript]');
  expect(await page.locator('[data-transcript]').textContent()).toBe(said);
  expect(await page.locator('.field.needs-check').count()).toBe(0);
  expect(await page.getByLabel('Nom', { exact: true }).inputValue()).toBe('Lambert');
  await shot(page, 'dictate-preview-phone');
  await page.getByRole('button', { name: 'Confirmer et créer dans Odoo' }).click();
  await page.waitForSelector('[data-result]');
  expect(await page.locator('#result-title').textContent()).toBe('Contact créé');
  await scan(page, 'upload result (phone)');

  // The same person again: the partner is matched, not duplicated.
  await page.getByRole('button', { name: 'Dicter un autre contact' }).click();
  await page.locator('#audio-file').setInputFiles({ name: 'zoe.wav', mimeType: 'audio/wav', buffer: wav });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await page.waitForSelector('[data-transcript]');
  await page.getByRole('button', { name: 'Confirmer et créer dans Odoo' }).click();
  await page.waitForSelector('[data-result]');
  expect(await page.locator('#result-title').textContent()).toBe('Contact existant retrouvé');
  expect(await page.locator('[data-result]').textContent()).toMatch(/retrouvé par son e-mail/);
  expect(problems).toEqual([]);
  await context.close();
});

test('a recording the speech server hears nothing in (the simulator of `npm start`): said so, and the contact typed by hand', async () => {
  const { context, page, problems } = await loggedIn('gaby');
  await page.getByRole('button', { name: 'Enregistrer la dictée' }).click();
  await page.getByRole('button', { name: 'Arrêter et transcrire' }).waitFor();
  await recordedFor(page, 2);
  await page.getByRole('button', { name: 'Arrêter et transcrire' }).click();
  await page.waitForSelector('[role="alert"]');
  expect(await page.locator('[role="alert"]').textContent()).toMatch(/^Aucun nom, e-mail ni téléphone n’a été compris/);
  expect(stack.openaiSim!.transcriptions.at(-1)).toMatchObject({ fileName: 'dictee.webm', status: 200, text: '' });
  await scan(page, 'nothing understood');
  await page.getByRole('button', { name: 'Saisir à la main' }).click();
  await page.getByLabel('Prénom').fill('Yanis');
  await page.getByLabel('Nom', { exact: true }).fill('Caron');
  await page.getByLabel('Téléphone').fill('+33 7 55 44 33 22');
  await page.getByRole('button', { name: 'Confirmer et créer dans Odoo' }).click();
  await page.waitForSelector('[data-result]');
  expect(await page.locator('[data-result] [data-partner] a').textContent()).toMatch(/^Yanis Caron — n° \d+$/);
  expect(problems).toEqual([]);
  await context.close();
});

test('contacts and leads: search, page forward and back', async () => {
  // More contacts than a page holds.
  const people = ['Camille Bernard', 'Hugo Petit', 'Léa Moreau', 'Louis Bernard', 'Chloé Roux', 'Nathan Fournier', 'Inès Girard',
    'Jules Bonnet', 'Manon Dupuis', 'Noah Lefèvre', 'Jade Mercier', 'Tom Garnier'];
  for (const [i, name] of people.entries()) {
    const email = `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}@exemple.org`;
    await stack.odoo.callKw('res.partner', 'create', [{ name, email, phone: `+3361122${String(3300 + i)}` }]);
  }
  const { context, page, problems } = await loggedIn('denis', { width: 1280, path: '/console/contacts' });
  await page.waitForSelector('table.records tbody tr');
  expect(await page.locator('table.records tbody tr').count()).toBe(10);
  expect(await page.locator('#list-range').textContent()).toBe('Résultats 1 à 10');
  await scan(page, 'contacts');
  await shot(page, 'contacts-desktop');
  await page.getByRole('button', { name: 'Page suivante' }).click();
  await page.waitForSelector('#list-range:text("Résultats 11 à")');
  expect(await page.getByRole('button', { name: 'Page précédente' }).isEnabled()).toBe(true);
  await page.getByRole('button', { name: 'Page précédente' }).click();
  await page.waitForSelector('#list-range:text("Résultats 1 à 10")');

  await page.getByLabel('Rechercher un contact').fill('bernard');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('table.records tbody tr').length === 2);
  const names = await page.locator('table.records tbody tr td:first-child').allTextContents();
  expect(names).toEqual(['Louis Bernard', 'Camille Bernard']);
  // A number in another spelling finds its person.
  await page.getByLabel('Rechercher un contact').fill('06 11 22 33 04');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForFunction(() => (globalThis as any).document.querySelector('table.records tbody tr td')?.textContent === 'Chloé Roux');
  expect(await page.getByRole('button', { name: 'Page suivante' }).isDisabled()).toBe(true);
  await page.getByLabel('Rechercher un contact').fill('personne-inconnue');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForSelector('.notice:text("Aucun contact ne correspond.")');

  await page.getByRole('link', { name: 'Pistes' }).click();
  await page.waitForSelector('h1:text("Pistes")');
  await page.waitForSelector('table.records tbody tr');
  await page.getByLabel('Rechercher une piste').fill('Zoé Lambert');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('table.records tbody tr').length === 1);
  expect(await page.locator('table.records tbody tr td[data-label="Contact"]').textContent()).toBe('Zoé Lambert');
  await scan(page, 'leads');
  await context.close();

  const phone = await loggedIn('denis-phone', { path: '/console/contacts' });
  await phone.page.waitForSelector('table.records tbody tr');
  await scan(phone.page, 'contacts (phone)');
  await shot(phone.page, 'contacts-phone');
  await phone.page.getByRole('link', { name: 'Dicter un contact' }).click();
  await phone.page.waitForSelector('h1:text("Dicter un contact")');
  await shot(phone.page, 'dictate-phone');
  expect([...problems, ...phone.problems]).toEqual([]);
  await phone.context.close();
});

test('logout shows the form; a login lost meanwhile (revoked) brings the form back on the next request', async () => {
  const { context, page, problems } = await loggedIn('emma', { path: '/console/contacts' });
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForSelector('#operator-token');
  expect((await context.cookies()).find((c) => c.name === 'care_console')).toBeUndefined();
  await page.reload();
  await page.waitForSelector('#operator-token');

  const again = await loggedIn('felix', { path: '/console/contacts' });
  await again.page.waitForSelector('table.records tbody tr');
  const r = await askAdminSocket(storeDir, { v: 1, op: 'revoke', name: 'felix' });
  expect(r).toMatchObject({ ok: true, revoked: true });
  await again.page.getByRole('link', { name: 'Pistes' }).click();
  await again.page.waitForSelector('#operator-token');
  expect(await again.page.locator('.notice').textContent()).toMatch(/expiré ou a été révoquée/);
  await scan(again.page, 'login after revocation');
  expect([...problems, ...again.problems]).toEqual([]);
  await context.close();
  await again.context.close();
});
